"""The dashboard's role table: complete, and refusing what a role does not allow."""

from __future__ import annotations

import inspect
import typing

import pytest

from core.models import Role
from core.permissions import REQUIRED, PermissionDeniedError, check
from core.service import AREAS, IntegrationService


def test_every_public_service_method_has_a_role_or_is_marked_internal() -> None:
    hints = typing.get_type_hints(IntegrationService)
    for area in AREAS:
        public = {
            name
            for name, member in inspect.getmembers(hints[area], callable)
            if not name.startswith("_")
        }
        assert public == set(REQUIRED[area]), area


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (Role.VIEWER, ["monitoring.logs", "review.conflicts"], ["syncs.queue_sync",
         "review.resolve_conflict", "alerts.acknowledge", "connections.update_connection",
         "access.create_key"]),
        (Role.OPERATOR, ["syncs.queue_sync", "review.resolve_conflict", "alerts.acknowledge",
         "syncs.cancel_run"], ["connections.update_connection", "connections.delete_connection",
         "access.create_key", "notifications.add_channel"]),
        (Role.ADMIN, ["connections.connect", "access.revoke_session", "syncs.queue_sync"],
         ["syncs.claim_next_run", "webhooks.receive"]),
    ],
)  # fmt: skip
def test_each_role_gets_its_calls_and_no_more(
    role: Role, allowed: list[str], refused: list[str]
) -> None:
    for call in allowed:
        check(role, *call.split("."))
    for call in refused:
        with pytest.raises(PermissionDeniedError):
            check(role, *call.split("."))


def test_nobody_signed_in_may_only_sign_in() -> None:
    check(None, "access", "sign_in")
    with pytest.raises(PermissionDeniedError, match="Sign in first"):
        check(None, "monitoring", "logs")
    with pytest.raises(PermissionDeniedError):
        check(Role.ADMIN, "connections", "no_such_method")
