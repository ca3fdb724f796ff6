"""Per-record failures a person can act on: list them grouped by cause, retry, dismiss.

A composed area of the service (IntegrationService.issues): it is given the store and a
way to queue a run, and needs nothing else of the facade. A retry makes the chosen
issues due at once and queues one incremental run per connection in their direction;
the run re-reads (pull) or pushes again (push) exactly those records (core.sync.issues).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from core.clock import utcnow
from core.errors import NotFoundError, RunAlreadyActiveError
from core.models import (
    Direction,
    Entity,
    IssueDirection,
    IssueState,
    RecordIssue,
    SyncOptions,
    SyncRun,
)
from core.schemas import IssueGroup
from core.store.base import Store

QueueSync = Callable[[str, str, SyncOptions], SyncRun]


class IssuesService:
    def __init__(self, *, store: Store, queue_sync: QueueSync) -> None:
        self._store = store
        self._queue_sync = queue_sync

    def issues(
        self,
        organisation_id: str,
        *,
        connection_id: str | None = None,
        states: Sequence[IssueState] = (IssueState.OPEN,),
    ) -> list[RecordIssue]:
        return self._store.list_record_issues(
            organisation_id, connection_id=connection_id, states=states
        )

    def groups(self, organisation_id: str, *, connection_id: str | None = None) -> list[IssueGroup]:
        """Open issues grouped by cause, the largest group first."""
        grouped: dict[tuple[str, Entity, IssueDirection, str], list[RecordIssue]] = {}
        for issue in self.issues(organisation_id, connection_id=connection_id):
            key = (issue.connection_id, issue.entity, issue.direction, issue.code)
            grouped.setdefault(key, []).append(issue)
        groups = [
            IssueGroup(
                connection_id=key[0],
                entity=key[1],
                direction=key[2],
                code=key[3],
                hint=items[0].hint,
                count=len(items),
                example=items[0].message,
                issue_ids=tuple(i.id for i in items),
            )
            for key, items in grouped.items()
        ]
        return sorted(groups, key=lambda g: (-g.count, g.connection_id, g.code))

    def of_cause(
        self,
        organisation_id: str,
        *,
        connection_id: str,
        entity: Entity,
        direction: IssueDirection,
        code: str,
        states: Sequence[IssueState] = (IssueState.OPEN,),
    ) -> list[str]:
        """The ids of every issue sharing one cause (a group's "retry all" / "dismiss all")."""
        return [
            i.id
            for i in self.issues(organisation_id, connection_id=connection_id, states=states)
            if (i.entity, i.direction, i.code) == (entity, direction, code)
        ]

    def retry(self, organisation_id: str, issue_ids: Sequence[str]) -> list[SyncRun]:
        """Retry these issues now (dismissed ones too): due at once, one run queued per
        connection and direction. A connection with a run already active keeps it: the
        issues are due for that run's next attempt or the next run."""
        chosen = self._chosen(organisation_id, issue_ids)
        now = utcnow()
        self._store.save_record_issues(
            [i.model_copy(update={"state": IssueState.OPEN, "next_retry_at": now}) for i in chosen]
        )
        wanted: dict[str, set[Direction]] = {}
        for issue in chosen:
            wanted.setdefault(issue.connection_id, set()).add(Direction(issue.direction.value))
        runs = []
        for connection_id, directions in wanted.items():
            direction = directions.pop() if len(directions) == 1 else Direction.BOTH
            entities = sorted({i.entity for i in chosen if i.connection_id == connection_id})
            options = SyncOptions(direction=direction, entities=entities)
            try:
                runs.append(self._queue_sync(organisation_id, connection_id, options))
            except RunAlreadyActiveError:
                continue  # that run (or the next) retries them: they are due now
        return runs

    def dismiss(self, organisation_id: str, issue_ids: Sequence[str]) -> int:
        """Stop retrying these records; they stay listed as dismissed."""
        chosen = self._chosen(organisation_id, issue_ids)
        self._store.save_record_issues(
            [i.model_copy(update={"state": IssueState.DISMISSED}) for i in chosen]
        )
        return len(chosen)

    def _chosen(self, organisation_id: str, issue_ids: Sequence[str]) -> list[RecordIssue]:
        states = (IssueState.OPEN, IssueState.DISMISSED)
        known = {i.id: i for i in self._store.list_record_issues(organisation_id, states=states)}
        missing = [i for i in issue_ids if i not in known]
        if missing:
            raise NotFoundError(f"No open or dismissed record issue {missing[0]!r}.")
        return [known[i] for i in dict.fromkeys(issue_ids)]
