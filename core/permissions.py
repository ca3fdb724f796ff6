"""Which role each service call needs, for callers acting as a signed-in person.

The REST API states its roles per route (api/deps.py); the dashboard calls the
service directly, so in production its handle checks every call against this
table before running it (ui/context.py): a viewer's page that somehow offers a
write (a stale button, a forged rerun) still cannot make it. Hiding the buttons
is courtesy; this is the check.

The roles, as issue 13 fixes them: viewer reads; operator also syncs, resolves
conflicts, edits and deletes records and acknowledges alerts; admin also manages
connections, channels, users and keys. `None` marks the processes' side (workers,
scheduler, the areas' calls to each other): no person calls those, whatever their
role. A method missing from the table is refused too (tests/core/test_permissions.py
keeps the table complete), so a new write never becomes a viewer's by default.
"""

from __future__ import annotations

from core.errors import ToothpickError
from core.models import Role

V, OP, A = Role.VIEWER, Role.OPERATOR, Role.ADMIN

REQUIRED: dict[str, dict[str, Role | None]] = {
    "connections": {
        "get_connection": V, "list_connections": V, "system": V, "systems": V,
        "discover_fields": V, "run_limits": V,
        "connect": A, "set_run_limits": A, "update_connection": A, "set_enabled": A,
        "delete_connection": A, "test_connection": A, "test_credentials": A, "save_webhook": A,
        "audit": None, "mark_needs_reconnect": None, "open_adapter": None, "public": None,
        "stored_connection": None, "webhook_secret": None, "on_mapping_change": None,
    },
    "syncs": {
        "get_run": V, "list_runs": V, "supported_entities": V,
        "queue_sync": OP, "cancel_run": OP, "queue_reconciliation": OP,
        "claim_next_run": None, "claim_run": None, "execute_claimed_run": None,
        "hand_back": None, "heartbeat": None, "hold_lease": None, "record_outcome": None,
        "release_lease": None, "on_run_end": None,
        "republish_due": None, "scheduled_connections": None, "next_reconciliation_at": None,
    },
    "monitoring": {
        "alerts": V, "check_store": V, "connection_detail": V, "connection_statuses": V,
        "error_counts": V, "export_logs": V, "kpis": V, "log_entry": V, "logs": V,
        "run_usage": V, "system_status": V, "volume_by_entity": V,
        "acknowledge_alert": OP,
        "purge_logs": None,
    },
    "review": {
        "conflicts": V, "get_conflict": V, "record": V, "record_history": V, "records": V,
        "resolve_conflict": OP,
        "edit_record": OP, "delete_record": OP, "undo_delete": OP,
    },
    "admin": {
        "sandbox_credentials": V, "sandbox_preset": V,
        "seed_demo": A, "import_credentials": A, "import_logs": A, "rotate_keys": A,
    },
    "issues": {"groups": V, "issues": V, "of_cause": V, "retry": OP, "dismiss": OP},
    "access": {
        # Signing in happens before anyone is signed in: the login form's own calls.
        "authenticate": V, "sign_in": V, "session_of": V, "open_session": V, "throttle": V,
        "create_key": A, "list_keys": A, "revoke_key": A, "create_user": A, "list_users": A,
        "disable_user": A, "list_sessions": A, "revoke_session": A, "sign_out_everywhere": A,
    },
    "webhooks": {"configure": A, "receive": None},
    "alerts": {
        "history": V, "open_alerts": V, "thresholds": V,
        "acknowledge": OP, "resolve": OP,
        "set_thresholds": A,
        "on_outcome": None, "subscribe": None, "sweep": None,
    },
    "notifications": {
        "deliveries": V, "list_channels": V,
        "add_channel": A, "delete_channel": A, "set_enabled": A, "test_channel": A,
        "deliver_due": None, "enqueue": None,
    },
}  # fmt: skip

# What the sign-in itself calls before anyone is signed in.
BEFORE_SIGN_IN = {("access", "authenticate"), ("access", "sign_in"), ("access", "session_of"),
                  ("access", "open_session")}  # fmt: skip


class PermissionDeniedError(ToothpickError):
    """A signed-in person asked for something their role does not allow."""


def check(role: Role | None, area: str, method: str) -> None:
    """Raise PermissionDeniedError unless `role` (None: nobody signed in yet) may call it."""
    if role is None:
        if (area, method) in BEFORE_SIGN_IN:
            return
        raise PermissionDeniedError("Sign in first.")
    needed = REQUIRED.get(area, {}).get(method)
    if needed is None:
        raise PermissionDeniedError(f"{area}.{method} is not available from the dashboard.")
    if not role.allows(needed):
        raise PermissionDeniedError(
            f"This needs the {needed.value} role; you are signed in as {role.value}."
        )
