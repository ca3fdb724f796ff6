"""Every exception the product raises on purpose, grouped by what the caller should do.

Messages are written for the person who will read them (an ops analyst or an
admin) and never contain secret values. `category` says whose move it is:
`config` (the user must fix settings or credentials), `transient` (try again
later), `vendor` (the vendor refused or failed), `data` (one record is wrong),
`internal` (our bug).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum


class FailureCategory(StrEnum):
    CONFIG = "config"
    TRANSIENT = "transient"
    VENDOR = "vendor"
    DATA = "data"
    INTERNAL = "internal"


class ToothpickError(Exception):
    """Base class; `str(error)` is safe to show a user."""

    category: FailureCategory = FailureCategory.INTERNAL


# --- configuration and input -------------------------------------------------------


class ConfigError(ToothpickError):
    """A setting is missing or invalid; start-up stops with this one line."""

    category = FailureCategory.CONFIG


class InvalidInputError(ToothpickError):
    """User input (form, file row, API payload, filter) failed validation.

    `field` names the offending field so forms can show the message inline.
    """

    category = FailureCategory.CONFIG

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(ToothpickError):
    """Missing, or owned by another organisation (the two are indistinguishable on purpose)."""

    category = FailureCategory.CONFIG


class AlreadyExistsError(ToothpickError):
    category = FailureCategory.CONFIG


class ChangedMeanwhileError(ToothpickError):
    """A compare-and-set lost: what was read has changed since (e.g. a refreshed token)."""

    category = FailureCategory.TRANSIENT


class RunAlreadyActiveError(ToothpickError):
    """A connection already has a queued or running sync; runs never overlap."""

    category = FailureCategory.CONFIG

    def __init__(self, message: str, *, run_id: str) -> None:
        super().__init__(message)
        self.run_id = run_id


# --- secrets --------------------------------------------------------------------------


class VaultError(ToothpickError):
    """A stored secret cannot be opened: wrong or dropped key, or tampered ciphertext."""

    category = FailureCategory.CONFIG


# --- storage ---------------------------------------------------------------------------


class StoreError(ToothpickError):
    """The database cannot be used (locked, corrupted, unreachable, newer schema)."""

    category = FailureCategory.INTERNAL


class StoreUnavailableError(StoreError):
    category = FailureCategory.TRANSIENT


# --- vendors ---------------------------------------------------------------------------


class VendorError(ToothpickError):
    """A vendor call failed for good (after any retries the failure table allowed)."""

    category = FailureCategory.VENDOR

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class VendorAuthError(VendorError):
    """The vendor refused the credentials: the admin must fix them."""

    category = FailureCategory.CONFIG


class NeedsReconnectError(VendorAuthError):
    """The vendor refused to refresh the OAuth grant; a person must reconnect."""


class OutboundRefusedError(VendorError):
    """The outbound policy refused an address (adapters.outbound): nothing was sent there."""

    category = FailureCategory.CONFIG


class TransientVendorError(VendorError):
    """5xx, timeout or dropped connection that outlived its retries."""

    category = FailureCategory.TRANSIENT


class RateLimitedError(TransientVendorError):
    def __init__(self, message: str, *, retry_after: float | None, status: int | None = 429):
        super().__init__(message, status=status)
        self.retry_after = retry_after


class QuotaExhaustedError(VendorError):
    """The vendor's daily allowance is spent; the run pauses until `resets_at`."""

    category = FailureCategory.TRANSIENT

    def __init__(self, message: str, *, resets_at: datetime, status: int | None = None) -> None:
        super().__init__(message, status=status)
        self.resets_at = resets_at


class CircuitOpenError(TransientVendorError):
    """Too many connectivity failures in a row; calls are refused until the cool-down ends."""


class MalformedResponseError(TransientVendorError):
    """The vendor answered with a body we cannot read (truncated or invalid JSON/XML)."""


# --- records ---------------------------------------------------------------------------


class RecordError(ToothpickError):
    """One record could not be mapped or validated; it is logged and the run goes on."""

    category = FailureCategory.DATA

    def __init__(self, message: str, *, external_id: str | None = None) -> None:
        super().__init__(message)
        self.external_id = external_id


# --- run control (not ToothpickErrors: they stop a run, they are not failures) ----


class RunCancelledError(Exception):
    """A person cancelled the run; it ends as cancelled at this checkpoint."""


class RunLostError(Exception):
    """Another worker owns the run now (our heartbeat went stale); stop without writing."""


class RunHandedBackError(Exception):
    """The worker is shutting down (SIGTERM): the run stops at this checkpoint, everything
    before it stored, and goes back to the queue to resume from there."""
