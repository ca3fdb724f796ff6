"""Per-record failures during a run: stored with what a person needs, retried, resolved.

Every record the vendor refuses (push) or our mapping cannot convert (pull) becomes a
RecordIssue keyed by (connection, entity, direction, external id): the vendor's error
code and redacted words, the field when the message names one, a plain-words hint for
the common codes, and the attempts. A failing record is retried on later runs with
backoff (15 minutes doubling to a day): a pull issue by re-reading the record by id
(the cursor has moved past it), a push issue by pushing its pending edit again. A
success resolves it; a person may dismiss it (no more retries) or ask for a retry now.
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from core.models import Entity, IssueDirection, IssueState, RecordIssue
from core.redaction import redact
from core.store.base import Store

T = TypeVar("T")

BACKOFF_FIRST = timedelta(minutes=15)
BACKOFF_CAP = timedelta(days=1)
MAPPING = "mapping"

# What to do, in plain words, for the codes people meet most.
HINTS: dict[str, str] = {
    MAPPING: "ToothPick could not read the vendor's value into its field: check the field "
    "mapping (or the value at the vendor), then retry.",
    "REQUIRED_FIELD_MISSING": "The vendor requires this field: fill it in, then retry.",
    "MANDATORY_NOT_FOUND": "The vendor requires this field: fill it in, then retry.",
    "JBO-27014": "The vendor requires this field: fill it in, then retry.",
    "INVALID_EMAIL_ADDRESS": "The vendor does not accept this e-mail address: correct it.",
    "INVALID_FIELD": "The field does not exist or cannot be written at the vendor: check the "
    "field mapping and the integration user's field permissions.",
    "INVALID_DATA": "The vendor refused a value's format: correct the value, then retry.",
    "VALIDATION_ERROR": "The vendor refused a value: correct it (or the property's options at "
    "the vendor), then retry.",
    "DUPLICATE_VALUE": "Another record at the vendor already has this unique value: merge "
    "the duplicates or change the value.",
    "DUPLICATE_DATA": "Another record at the vendor already has this unique value: merge the "
    "duplicates or change the value.",
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": "A validation rule at the vendor refused the record: "
    "read the vendor's message, fix the value, then retry.",
    "ENTITY_IS_DELETED": "The record was deleted at the vendor: dismiss this, or restore it there.",
    "DELETE_FAILED": "The vendor keeps this record while other records refer to it: remove "
    "those references at the vendor and retry, or take the deletion back in ToothPick.",
    "ENTITY_IS_LOCKED": "The record is locked at the vendor (an approval in progress, say): "
    "retry once it is unlocked, or take the deletion or edit back in ToothPick.",
    "http_403": "The integration user may not change this record: check its permissions.",
    "http_404": "The record no longer exists at the vendor: dismiss this, or re-create it.",
    "http_409": "The record changed at the vendor meanwhile: retry.",
    "http_412": "The record changed at the vendor meanwhile: retry.",
}

_STATUS = re.compile(r"answered (\d{3})")
_CODE = re.compile(r"(?:^|\()([A-Za-z][A-Za-z0-9_./-]*(?:_[A-Z0-9]+|-\d+|/\d+)): ")
_MAPPED_FIELD = re.compile(r": ([\w.]+) \(vendor field ")
# Where vendors name the field: "[LastName]" (Salesforce), "(Last_Name)" at the end (Zoho),
# "The attribute ItemClass" (Oracle), "field 'email'" (others).
_VENDOR_FIELDS = (
    re.compile(r"\[([A-Za-z_][\w.]*)\]"),
    re.compile(r"\(([A-Za-z_][\w.]*)\)\s*$"),
    re.compile(r"\battribute ([A-Za-z_][\w.]*)"),
    re.compile(r"\bfield '([A-Za-z_][\w.]*)'"),
)


def describe(message: str, *, mapping: bool) -> tuple[str, str | None, str | None]:
    """(code, field, hint) read from a failure's message."""
    if mapping:
        found = _MAPPED_FIELD.search(message)
        return MAPPING, found.group(1) if found else None, HINTS[MAPPING]
    code_match, status = _CODE.search(message), _STATUS.search(message)
    code = code_match.group(1) if code_match else f"http_{status.group(1)}" if status else "error"
    named = (m.group(1) for m in (p.search(message) for p in _VENDOR_FIELDS) if m)
    field_name = next(named, None)
    by_status = HINTS.get(f"http_{status.group(1)}") if status else None
    return code, field_name, HINTS.get(code) or by_status


def next_retry(attempts: int, at: datetime) -> datetime:
    wait: timedelta = min(BACKOFF_FIRST * 2 ** max(attempts - 1, 0), BACKOFF_CAP)
    return at + wait


def _locked(method: Callable[..., T]) -> Callable[..., T]:
    @functools.wraps(method)
    def wrapper(self: RunIssues, *args: Any, **kwargs: Any) -> T:
        with self._lock:
            return method(self, *args, **kwargs)

    return wrapper


@dataclass
class RunIssues:
    """One run's view of its connection's issues; `flush` stores what changed."""

    store: Store
    organisation_id: str
    connection_id: str
    system: str
    run_id: str
    now: datetime
    _known: dict[tuple[Entity, IssueDirection, str], RecordIssue] = field(default_factory=dict)
    _changed: dict[str, RecordIssue] = field(default_factory=dict)
    # A run's entities may pull on several threads at once (core.sync.engine).
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        states = (IssueState.OPEN, IssueState.DISMISSED)
        for issue in self.store.list_record_issues(
            self.organisation_id, connection_id=self.connection_id, states=states
        ):
            self._known[issue.key] = issue

    @_locked
    def failed(
        self, entity: Entity, direction: IssueDirection, external_id: str | None, message: str
    ) -> None:
        if not external_id:
            return  # a record without its id cannot be retried; the log keeps it
        message = redact(message)
        code, field_name, hint = describe(message, mapping=direction is IssueDirection.PULL)
        key = (entity, direction, external_id)
        known = self._known.get(key)
        attempts = known.attempts + 1 if known is not None else 1
        issue = RecordIssue.model_validate(
            {
                **(known.model_dump() if known is not None else {}),
                "organisation_id": self.organisation_id,
                "connection_id": self.connection_id,
                "system": self.system,
                "entity": entity,
                "direction": direction,
                "external_id": external_id,
                "field": field_name,
                "code": code,
                "message": message,
                "hint": hint,
                "attempts": attempts,
                "state": known.state if known is not None else IssueState.OPEN,
                "last_attempt_at": self.now,
                "next_retry_at": next_retry(attempts, self.now),
                "run_id": self.run_id,
                **({} if known is not None else {"first_seen_at": self.now}),
            }
        )
        self._known[key] = self._changed[issue.id] = issue

    @_locked
    def again(self, entity: Entity, direction: IssueDirection, external_id: str) -> None:
        """A retry failed once more (no new words from the vendor): count the attempt."""
        known = self._known.get((entity, direction, external_id))
        if known is not None:
            self.failed(entity, direction, external_id, known.message)

    @_locked
    def succeeded(self, entity: Entity, direction: IssueDirection, ids: Iterable[str]) -> None:
        if not self._known:
            return
        for external_id in ids:
            known = self._known.pop((entity, direction, external_id), None)
            if known is not None:
                self._changed[known.id] = known.model_copy(
                    update={"state": IssueState.RESOLVED, "resolved_at": self.now}
                )

    @_locked
    def due(self, entity: Entity, direction: IssueDirection) -> list[str]:
        """Open issues whose backoff has passed: retry these now."""
        return [
            issue.external_id
            for (e, d, _), issue in self._known.items()
            if e is entity
            and d is direction
            and issue.state is IssueState.OPEN
            and issue.next_retry_at <= self.now
        ]

    @_locked
    def held(self, entity: Entity, direction: IssueDirection) -> set[str]:
        """Issues not to retry in this run: backing off, or dismissed by a person."""
        return {
            issue.external_id
            for (e, d, _), issue in self._known.items()
            if e is entity
            and d is direction
            and (issue.state is IssueState.DISMISSED or issue.next_retry_at > self.now)
        }

    @_locked
    def flush(self) -> None:
        if self._changed:
            self.store.save_record_issues(list(self._changed.values()))
            self._changed.clear()
