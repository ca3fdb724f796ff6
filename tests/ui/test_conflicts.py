"""The conflicts page: both versions side by side, resolved by side or field by field."""

from __future__ import annotations

from core.models import ConflictStatus, Entity, Resolution
from core.service import IntegrationService
from tests.ui.builders import ORG, conflict, stored_connection
from tests.ui.conftest import OpenPage, click_row, markdown, press, shown


def test_nothing_held_says_so(open_page: OpenPage) -> None:
    at = open_page("conflicts")
    assert any("Nothing is held for review" in s.value for s in at.success)


def test_take_the_vendors_version(open_page: OpenPage, service: IntegrationService) -> None:
    held = service.runtime.store.add_conflict(conflict(stored_connection(service)))
    at = open_page("conflicts")
    assert [s.label for s in at.selectbox] == ["Rows per page"]  # a row opens it, no dropdown
    assert "lucia@local.example" not in markdown(at)
    at = click_row(at, "cf_rows_0", 0)
    diff = markdown(at)
    assert "lucia@local.example" in diff and "lucia@vendor.example" in diff
    assert diff.count("≠ differs") == 2  # email and title, marked in words as well as colour
    at.button(key=f"cf_resolve_remote_{held.id}").click().run()
    resolved = service.review.get_conflict(ORG, held.id)
    assert resolved.status is ConflictStatus.RESOLVED
    assert resolved.resolution is Resolution.REMOTE
    assert any("took the vendor's version" in shown(s.value) for s in at.success)


def test_field_by_field(open_page: OpenPage, service: IntegrationService) -> None:
    connection = stored_connection(service)
    held = service.runtime.store.add_conflict(conflict(connection))
    at = click_row(open_page("conflicts"), "cf_rows_0", 0)
    at.radio(key=f"cf_resolve_pick_{held.id}_email").set_value("local")
    at.radio(key=f"cf_resolve_pick_{held.id}_title").set_value("remote")
    press(at, "Apply these choices")
    resolved = service.review.get_conflict(ORG, held.id)
    assert resolved.resolution is Resolution.MERGED
    assert resolved.resolved_data is not None
    assert resolved.resolved_data["email"] == "lucia@local.example"
    assert resolved.resolved_data["title"] == "Director"
    pending = service.review.records(ORG, connection.id, Entity.CONTACT, pending_only=True)
    assert [r.local_change for r in pending] == [{"email": "lucia@local.example"}]


def test_a_resolved_conflict_does_not_open_the_next_in_its_place(
    open_page: OpenPage, service: IntegrationService
) -> None:
    connection = stored_connection(service)
    for record in ("c-1", "c-2"):
        service.runtime.store.add_conflict(conflict(connection, external_id=record))
    at = click_row(open_page("conflicts"), "cf_rows_0", 0)
    press(at, "Take the vendor's version")
    assert any("took the vendor's version" in shown(s.value) for s in at.success)
    assert not [b for b in at.button if b.label == "Take the vendor's version"]
    assert any("1 record" in shown(m.value) for m in at.markdown)
