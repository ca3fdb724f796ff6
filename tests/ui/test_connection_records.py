"""The connection page's Records tab: records listed and looked up, their data and
history, a deletion in ToothPick after a confirmation, shown pending until the push,
refused in words on a pull-only connection (AppTest, real service, SQLite store)."""

from __future__ import annotations

from typing import Any

from streamlit.testing.v1 import AppTest

from core.models import ConflictKind, Direction, Entity
from core.schemas import ConnectionPublic
from core.service import IntegrationService
from tests.ui.builders import ORG, conflict, connection_with_records
from tests.ui.conftest import OpenPage, click_row, open_connection_page, press, shown

C = Entity.CONTACT


def key(connection: ConnectionPublic) -> str:
    return f"cp_rec_{connection.id}"


def table(at: AppTest, column: str) -> Any:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_lists_records_and_opens_one_with_its_data_and_history(
    open_page: OpenPage, service: IntegrationService
) -> None:
    connection = connection_with_records(service)
    service.review.edit_record(ORG, connection.id, C, "c3", {"first_name": "Edited"})
    at = open_connection_page(open_page, connection)
    assert "Records" in [t.label for t in at.tabs]
    held = table(at, "Waiting for the push")
    assert list(held["Record"]) == ["c1", "c2", "c3"]
    assert list(held["Waiting for the push"]) == ["", "", "edit"]
    at = click_row(at, f"{key(connection)}_held_rows_0", 2)
    assert not at.exception
    data = table(at, "Field")
    assert dict(zip(data["Field"], data["Value"], strict=True))["first_name"] == "Edited"
    assert "edited in ToothPick" in list(table(at, "Change")["Change"])
    assert any("push sends first_name to HubSpot" in shown(c.value) for c in at.caption)


def test_deletes_after_confirmation_and_shows_it_pending_push(
    open_page: OpenPage, service: IntegrationService
) -> None:
    connection = connection_with_records(service)
    at = open_connection_page(open_page, connection)
    at.text_input(key=f"{key(connection)}_lookup").input("c2").run()
    press(at, "Delete in ToothPick")
    assert any(b.label == "Yes, delete it" for b in at.button)
    assert not service.review.record(ORG, connection.id, C, "c2").deleted  # not at one click
    press(at, "Yes, delete it")
    assert not at.exception, [e.value for e in at.exception]
    assert any("Deleted contact c2 in ToothPick" in shown(s.value) for s in at.success)
    assert service.review.record(ORG, connection.id, C, "c2").local_delete
    assert any(
        "Deleted in ToothPick; the next sync's push deletes it at HubSpot" in shown(w.value)
        for w in at.warning
    )
    assert "deleted in ToothPick" in list(table(at, "Change")["Change"])
    assert "Delete in ToothPick" not in [b.label for b in at.button]  # deleted already
    assert list(table(at, "Waiting for the push")["Record"]) == ["c1", "c3"]
    at.button_group(key=f"{key(connection)}_view").set_value("pending").run()
    pending = table(at, "Waiting for the push")
    assert list(zip(pending["Record"], pending["Waiting for the push"], strict=True)) == [
        ("c2", "deletion")
    ]


def test_keep_it_changes_nothing(open_page: OpenPage, service: IntegrationService) -> None:
    connection = connection_with_records(service)
    at = open_connection_page(open_page, connection)
    at = click_row(at, f"{key(connection)}_held_rows_0", 0)
    press(at, "Delete in ToothPick")
    press(at, "Keep it")
    assert "Yes, delete it" not in [b.label for b in at.button]
    assert not service.review.record(ORG, connection.id, C, "c1").deleted


def test_a_pull_only_connection_offers_no_deletion_and_says_why(
    open_page: OpenPage, service: IntegrationService
) -> None:
    connection = connection_with_records(service, direction=Direction.PULL)
    at = open_connection_page(open_page, connection)
    at.text_input(key=f"{key(connection)}_lookup").input("c1").run()
    assert "Delete in ToothPick" not in [b.label for b in at.button]
    assert any("only pulls" in shown(c.value) for c in at.caption)
    assert not service.review.record(ORG, connection.id, C, "c1").deleted


def test_an_unknown_id_says_so(open_page: OpenPage, service: IntegrationService) -> None:
    connection = connection_with_records(service)
    at = open_connection_page(open_page, connection)
    at.text_input(key=f"{key(connection)}_lookup").input("c404").run()
    assert any("No contact with the id c404 is held here" in shown(i.value) for i in at.info)
    assert "Delete in ToothPick" not in [b.label for b in at.button]


def test_an_entity_the_vendor_takes_no_writes_of_is_refused_in_words(
    open_page: OpenPage, service: IntegrationService
) -> None:
    connection = connection_with_records(service, entity=Entity.ORDER)  # HubSpot: read only
    at = open_connection_page(open_page, connection)
    at.text_input(key=f"{key(connection)}_lookup").input("c1").run()
    press(at, "Delete in ToothPick")
    press(at, "Yes, delete it")
    [error] = [shown(e.value) for e in at.error]
    assert error.startswith("Not deleted") and "takes no writes of order" in error
    assert not service.review.record(ORG, connection.id, Entity.ORDER, "c1").deleted


def test_a_conflict_over_a_deletion_made_here_is_named_so(
    open_page: OpenPage, service: IntegrationService
) -> None:
    connection = connection_with_records(service)
    held = conflict(connection, external_id="c2").model_copy(
        update={"kind": ConflictKind.DELETE, "local": None, "differing_fields": []}
    )
    service.runtime.store.add_conflict(held)
    service.runtime.store.add_conflict(
        conflict(connection, external_id="c3").model_copy(
            update={"kind": ConflictKind.DELETE, "remote": None, "differing_fields": []}
        )
    )
    at = open_connection_page(open_page, connection)
    kinds = dict(zip(*(table(at, "Kind")[c] for c in ("Record", "Kind")), strict=True))
    assert kinds == {"c2": "deleted in ToothPick, edited by vendor", "c3": "deleted by vendor"}


def test_a_deletion_is_taken_back_before_the_push(
    open_page: OpenPage, service: IntegrationService
) -> None:
    connection = connection_with_records(service)
    at = open_connection_page(open_page, connection)
    at.text_input(key=f"{key(connection)}_lookup").input("c2").run()
    assert "Take back the deletion" not in [b.label for b in at.button]  # nothing to undo
    press(at, "Delete in ToothPick")
    press(at, "Yes, delete it")
    press(at, "Take back the deletion")
    assert not at.exception, [e.value for e in at.exception]
    assert any("Took back the deletion of contact c2" in shown(s.value) for s in at.success)
    record = service.review.record(ORG, connection.id, C, "c2")
    assert not record.deleted and not record.local_delete
    assert list(table(at, "Waiting for the push")["Record"]) == ["c1", "c2", "c3"]
    assert "Delete in ToothPick" in [b.label for b in at.button]  # live again
    assert list(table(at, "Change")["Change"])[:2] == ["restored", "deleted in ToothPick"]
