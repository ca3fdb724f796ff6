"""Roles in the production dashboard (AppTest, the real entry point, built-in users and an
OIDC sign-in seeded through AppTest's `user`): each role is offered what it may do, and
the service calls behind the buttons are checked again at the moment they are made."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from core.models import Direction, Entity, RecordWrite, Role, content_hash
from core.permissions import REQUIRED
from core.schemas import ConnectionPublic, UserCreate
from core.service import IntegrationService
from core.settings import load_settings
from core.vault import generate_key
from tests.core.test_oidc import AUTH
from tests.ui.builders import ORG, conflict, stored_connection
from tests.ui.conftest import APP, _forget_caches, click_row

PASSWORD = "correct horse battery"


@pytest.fixture
def connection(isolated_environment: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("TOOTHPICK_ENV", "production")
    monkeypatch.setenv("INTEGRATION_ENCRYPTION_KEY", generate_key())
    service = IntegrationService.open(load_settings())
    try:
        for role in Role:
            service.access.create_user(
                ORG, UserCreate(username=role.value, password=PASSWORD, role=role)
            )
        made = stored_connection(service)
        service.runtime.store.add_conflict(conflict(made))
    finally:
        service.close()
    _forget_caches()
    yield made
    _forget_caches()


def _signed_in(username: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input(key="login_username").input(username)
    at.text_input(key="login_password").input(PASSWORD)
    at = at.button[0].click().run()
    assert not at.exception and at.title[0].value == "Overview"
    return at


def _page(at: AppTest, page: str, connection: ConnectionPublic | None = None) -> set[str]:
    if connection is not None:
        at.query_params["id"] = connection.id
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return {b.label for b in at.button}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_is_offered_what_it_may_do(role: Role, connection: ConnectionPublic) -> None:
    at = _signed_in(role.value)
    on_connection = _page(at, "pages/connection.py", connection)
    _page(at, "pages/conflicts.py")
    on_conflicts = {b.label for b in click_row(at, "cf_rows_0", 0).button}
    on_connections = _page(at, "pages/connections.py")
    operator, admin = role.allows(Role.OPERATOR), role.allows(Role.ADMIN)
    assert ("Sync now" in on_connection) is operator
    assert ("Keep ToothPick's version" in on_conflicts) is operator
    assert ("Test connection" in on_connection) is admin
    assert ("Delete…" in on_connection) is admin
    assert ("Add channel" in on_connections) is admin


@pytest.mark.parametrize("role", list(Role))
def test_only_the_roles_that_may_delete_a_record_are_offered_it(
    role: Role, connection: ConnectionPublic
) -> None:
    service = IntegrationService.open(load_settings())
    try:
        store = service.runtime.store
        stored = store.get_connection(ORG, connection.id)
        assert stored is not None
        two_way = {"entities": [Entity.CONTACT], "direction": Direction.BOTH}
        store.update_connection(stored.model_copy(update=two_way))
        data = {"first_name": "Ada", "last_name": "L"}
        write = RecordWrite(external_id="c1", data=data, content_hash=content_hash(data))
        gone = RecordWrite(external_id="c2", data=data, content_hash=content_hash(data))
        store.upsert_records(ORG, connection.id, Entity.CONTACT, [write, gone], run_id=None)
        service.review.delete_record(ORG, connection.id, Entity.CONTACT, "c2")
    finally:
        service.close()
    at = _signed_in(role.value)
    _page(at, "pages/connection.py", connection)
    lookup = at.text_input(key=f"cp_rec_{connection.id}_lookup")
    lookup.input("c1").run()
    assert not at.exception, [e.value for e in at.exception]
    assert any(d for d in at.dataframe if "Field" in d.value.columns)  # every role reads it
    offered = "Delete in ToothPick" in {b.label for b in at.button}
    needed = REQUIRED["review"]["delete_record"]
    assert needed is not None and offered is role.allows(needed)
    assert offered is (role is not Role.VIEWER)  # as over the API: operator and up
    lookup.input("c2").run()
    undo = REQUIRED["review"]["undo_delete"]
    assert undo is not None
    assert ("Take back the deletion" in {b.label for b in at.button}) is role.allows(undo)


def test_a_click_after_the_session_was_revoked_changes_nothing(
    connection: ConnectionPublic,
) -> None:
    at = _signed_in("operator")
    assert "Sync now" in _page(at, "pages/connection.py", connection)
    service = IntegrationService.open(load_settings())
    try:
        [user] = [u for u in service.access.list_users(ORG) if u.username == "operator"]
        assert service.access.sign_out_everywhere(ORG, user.id) == 1
        next(b for b in at.button if b.label == "Sync now").click().run()
        assert service.syncs.list_runs(ORG).total == 0  # the callback's call was refused
    finally:
        service.close()
    # (AppTest reruns a page without the entry script; a browser gets the sign-in form.)
    assert {e.value for e in at.exception} <= {"Sign in first."}
    assert "Sync now" not in {b.label for b in at.button}


# -- OpenID Connect (the provider's round trip itself cannot run here) ------------------------

ACCESS = {
    "users": {"ana@example.com": f"{ORG}:viewer"},
    "domains": {"ops.example": f"{ORG}:operator"},
}


def _oidc(
    user: dict[str, Any], secrets: dict[str, Any] | None = None, *, token: str | None = None
) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    if token is not None:
        at.session_state["login_token"] = token
    at.secrets = secrets or {"auth": AUTH, "toothpick_access": ACCESS}
    at.user = user
    return at.run()


def test_oidc_maps_the_providers_user_to_a_role(connection: ConnectionPublic) -> None:
    out = _oidc({"is_logged_in": False})
    assert [b.label for b in out.button] == ["Sign in"]
    viewer = _oidc({"is_logged_in": True, "email": "ana@example.com", "sub": "a1"})
    assert not viewer.exception and viewer.title[0].value == "Overview"
    assert "Sync now" not in _page(viewer, "pages/connection.py", connection)
    operator = _oidc({"is_logged_in": True, "email": "bo@ops.example", "sub": "b1"})
    assert "Sync now" in _page(operator, "pages/connection.py", connection)
    service = IntegrationService.open(load_settings())
    try:
        sessions = service.access.list_sessions(ORG)
        assert {(s.username, s.via) for s in sessions} >= {("ana@example.com", "oidc")}
        for session in sessions:
            service.access.revoke_session(ORG, session.id)
    finally:
        service.close()
    again = _oidc(  # the entry script on the revoked session: out of the provider's cookie
        {"is_logged_in": True, "email": "bo@ops.example", "sub": "b1"},
        token=operator.session_state["login_token"],
    )
    assert again.user == {"is_logged_in": False}  # st.logout() ran
    assert [b.label for b in again.run().button] == ["Sign in"]


def test_oidc_refuses_unknown_users_and_a_broken_configuration(
    connection: ConnectionPublic,
) -> None:
    stranger = _oidc({"is_logged_in": True, "email": "eve@evil.example", "sub": "e1"})
    assert any("no access to this hub" in e.value for e in stranger.error)
    assert "Overview" not in [t.value for t in stranger.title]
    broken = _oidc(
        {"is_logged_in": True, "email": "ana@example.com"},
        {"auth": {**AUTH, "cookie_secret": "short"}, "toothpick_access": ACCESS},
    )
    assert any("not configured correctly" in e.value for e in broken.error)
    assert "Overview" not in [t.value for t in broken.title]
