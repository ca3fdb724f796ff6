"""The connections page: the connect form built from the adapter's declaration,
inline validation, secrets sealed and never shown, edit, disable, delete."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

from adapters.base import FieldKind, SystemInfo
from core.models import ConnectionStatus, FieldOverride
from core.schemas import ConnectionCreate, ConnectionPublic, ConnectionUpdate
from core.service import IntegrationService
from tests.ui.builders import ORG, SECRET, form_values
from tests.ui.conftest import OpenPage, open_connection_page, press, shown, texts
from ui.connection_edit import overrides_after
from ui.form_fields import hidden_by


def _shown(info: SystemInfo) -> list[str]:
    """The fields the form shows for the first sign-in method (the one chosen at first)."""
    hidden = hidden_by(info, info.sign_in[0] if info.sign_in else None)
    return [f.name for f in info.form if f.name not in hidden]


def _fill(at: AppTest, info: SystemInfo, values: dict[str, str], prefix: str) -> None:
    for name in _shown(info):
        if name in values:
            at.text_input(key=f"{prefix}_f_{name}").input(values[name])


def _open_form(open_page: OpenPage, info: SystemInfo) -> tuple[AppTest, str]:
    at = open_page("connections")
    at.selectbox(key="con_new_system").select(info.system).run()
    return at, f"con_new_{info.system.value}"


def test_the_form_rejects_a_bad_field_by_name(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    at, prefix = _open_form(open_page, system_info)
    values = form_values(system_info)
    bad = next((f for f in system_info.form if f.kind is FieldKind.URL), None)
    if bad is not None:
        values[bad.name] = "not a web address"
    else:
        bad = next(f for f in system_info.form if f.required)
        values[bad.name] = ""
    _fill(at, system_info, values, prefix)
    press(at, "Save connection")
    messages = [e.value for e in at.error]
    assert any(m.startswith(bad.label) for m in messages), messages
    assert service.connections.list_connections(ORG) == []


def test_save_seals_the_secret_and_never_shows_it(
    open_page: OpenPage,
    system_info: SystemInfo,
    service: IntegrationService,
    isolated_environment: Path,
) -> None:
    at, prefix = _open_form(open_page, system_info)
    at.text_input(key=f"{prefix}_name").input("Vendor EU")
    _fill(at, system_info, form_values(system_info), prefix)
    press(at, "Save connection")  # tested first: no vendor answers at vendor.example
    assert any(shown(e.value).startswith("Not saved:") for e in at.error), [
        e.value for e in at.error
    ]
    assert service.connections.list_connections(ORG) == []
    press(at, "Save it disabled anyway")
    assert any("disabled" in s.value for s in at.success), [e.value for e in at.error]
    [saved] = service.connections.list_connections(ORG)
    secrets = sorted(n for n in _shown(system_info) if n in system_info.secret_fields)
    assert saved.name == "Vendor EU" and saved.secret_fields == secrets
    assert saved.status is ConnectionStatus.DISABLED
    assert (saved.status_detail or "").startswith("Saved without a passing test")
    stored = b"".join(p.read_bytes() for p in isolated_environment.glob("toothpick.db*"))
    assert SECRET.encode() not in stored
    assert SECRET not in texts(at)


def _connected(service: IntegrationService, info: SystemInfo) -> ConnectionPublic:
    return service.connections.connect(
        ORG,
        ConnectionCreate(system=info.system, name="Vendor EU", fields=form_values(info)),
        test_first=False,
    )


def test_edit_with_blank_secret_keeps_it(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    connection = _connected(service, system_info)
    at = open_connection_page(open_page, connection)
    prefix = f"cp_edit_{connection.id}"
    assert SECRET not in texts(at)
    at.text_input(key=f"{prefix}_name").input("Vendor EU (renamed)")
    press(at, "Save changes")
    assert any("Saved the changes" in s.value for s in at.success), [e.value for e in at.error]
    stored = service.runtime.store.get_connection(ORG, connection.id)
    assert stored is not None and stored.name == "Vendor EU (renamed)"
    secret = service.runtime.vault.open(
        stored.sealed_secret, organisation_id=ORG, connection_id=stored.id
    )
    assert {v.get_secret_value() for v in secret.values()} == {SECRET}


def test_disable_then_delete_after_confirming(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    connection = _connected(service, system_info)
    at = open_connection_page(open_page, connection)
    at.button(key="cp_manage_toggle").click().run()
    assert (
        service.connections.get_connection(ORG, connection.id).status is ConnectionStatus.DISABLED
    )
    at.button(key="cp_manage_delete").click().run()
    assert service.connections.list_connections(ORG)  # not yet: it asks first
    at.button(key="cp_manage_confirm_yes").click().run()
    assert service.connections.list_connections(ORG) == []
    assert any("Deleted" in s.value for s in at.success)


def test_mapping_overrides_are_edited_in_place(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    entity = system_info.supported_entities[0]
    override = FieldOverride(entity=entity, canonical_field="custom.tier", vendor_field="tier_c")
    connection = service.connections.update_connection(
        ORG, _connected(service, system_info).id, ConnectionUpdate(field_overrides=[override])
    )
    at = open_connection_page(open_page, connection)
    shown = at.data_editor(key=f"cp_edit_{connection.id}_overrides").value
    assert list(shown["vendor_field"]) == ["tier_c"]
    edits = {
        "edited_rows": {0: {"vendor_field": "loyalty_tier__c"}},
        "added_rows": [{"entity": entity.value, "canonical_field": "custom.region",
                        "vendor_field": "region"}, {}],
        "deleted_rows": [],
    }  # fmt: skip
    assert overrides_after(connection.field_overrides, edits) == [
        {"entity": entity.value, "canonical_field": "custom.tier",
         "vendor_field": "loyalty_tier__c", "direction": "both"},
        {"entity": entity.value, "canonical_field": "custom.region", "vendor_field": "region",
         "direction": "both"},
    ]  # fmt: skip


def test_alert_thresholds_are_overridden_per_connection(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    connection = _connected(service, system_info)
    at = open_connection_page(open_page, connection)  # its Manage tab
    key = f"cp_thresholds_{connection.id}"
    at.number_input(key=f"{key}_consecutive_failures").set_value(5)
    press(at, "Save thresholds")
    assert any("Saved the alert thresholds" in shown(s.value) for s in at.success)
    in_force = service.alerts.thresholds(ORG, connection.id)
    assert in_force.consecutive_failures == 5
    assert in_force.rate_limit_wait_s == service.settings.alert_rate_limit_wait_s


def test_the_sign_in_method_comes_first_and_shows_only_its_fields(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    if len(system_info.sign_in) < 2:
        return  # a system with one way in shows every field
    at, prefix = _open_form(open_page, system_info)
    first, second = system_info.sign_in[:2]
    keys = {t.key for t in at.text_input}
    assert all(f"{prefix}_f_{name}" in keys for name in first.fields)
    assert not any(f"{prefix}_f_{name}" in keys for name in set(second.fields) - set(first.fields))
    at.button_group(key=f"{prefix}_signin").set_value(second.name).run()
    keys = {t.key for t in at.text_input}
    assert all(f"{prefix}_f_{name}" in keys for name in second.fields)
    assert not any(f"{prefix}_f_{name}" in keys for name in set(first.fields) - set(second.fields))
    press(at, "Save connection")
    labels = {f.name: f.label for f in system_info.form}
    wanted = f"{labels[second.required[0]]}: is required to sign in with {second.label}"
    assert any(wanted in shown(e.value) for e in at.error), [e.value for e in at.error]
    assert service.connections.list_connections(ORG) == []


def test_an_empty_name_is_named_in_plain_words(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    at, prefix = _open_form(open_page, system_info)
    at.text_input(key=f"{prefix}_name").input("")
    _fill(at, system_info, form_values(system_info), prefix)
    press(at, "Save connection")
    messages = [e.value for e in at.error]
    assert any(shown(m).startswith("Connection name: is required") for m in messages), messages
    assert not any("String should" in m for m in messages)
    assert service.connections.list_connections(ORG) == []


def test_retry_and_budget_limits_are_set_per_connection(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    connection = _connected(service, system_info)
    at = open_connection_page(open_page, connection)
    key = f"cp_run_limits_{connection.id}"
    at.number_input(key=f"{key}_retries").set_value(1)
    at.number_input(key=f"{key}_share").set_value(20.0)
    press(at, "Save limits")
    assert any("Saved the retry and budget limits" in shown(s.value) for s in at.success)
    own = service.connections.run_limits(ORG, connection.id)
    assert own.max_retries == 1 and own.daily_share == 0.2 and own.daily_allowance is None


def test_a_mapping_change_says_what_its_backfill_does(
    open_page: OpenPage, system_info: SystemInfo, service: IntegrationService
) -> None:
    """Saved while a sync is in progress: the page says the backfill follows that run."""
    connection = _connected(service, system_info)
    running = service.syncs.queue_sync(ORG, connection.id)
    at = open_connection_page(open_page, connection)
    entity = system_info.supported_entities[0]
    at.session_state[f"cp_edit_{connection.id}_overrides"] = {
        "edited_rows": {},
        "added_rows": [
            {"entity": entity.value, "canonical_field": "custom.tier", "vendor_field": "tier"}
        ],
        "deleted_rows": [],
    }
    press(at, "Save changes")
    said = [shown(s.value) for s in at.success]
    assert any(
        f"Field mapping changed ({entity.value}: custom.tier): a run is in progress "
        f"(run {running.id})" in s
        for s in said
    ), said
