"""The field-mapping tab of a connection's page: the vendor's fields (standard and
custom), read on request and then offered as the choices of the mapping editor's
"Vendor field" column, and one stored record as ToothPick holds it after mapping."""

from __future__ import annotations

from functools import partial

import streamlit as st

from core.errors import ToothpickError
from core.models import Entity
from core.schemas import ConnectionPublic, VendorField
from core.service import IntegrationService
from ui import systems, vendor_calls
from ui.context import service
from ui.text import md


def _key(connection_id: str) -> str:
    return f"fm_vendor_fields_{connection_id}"


def discovered(connection_id: str) -> dict[Entity, list[VendorField]]:
    """What the last "Read the fields" found (empty until it is pressed)."""
    found: dict[Entity, list[VendorField]] = st.session_state.get(_key(connection_id), {})
    return found


def choices(connection_id: str) -> list[str]:
    """Every discovered vendor field name, for the mapping editor's selectbox."""
    names = {f.name for fields in discovered(connection_id).values() for f in fields}
    return sorted(names)


def _fields_of(
    org: str, connection_id: str, entity: Entity, svc: IntegrationService
) -> list[VendorField]:
    return svc.connections.discover_fields(org, connection_id, entity)


def _discover(org: str, connection: ConnectionPublic) -> None:
    found: dict[Entity, list[VendorField]] = {}
    problems: list[str] = []
    for entity in connection.entities:
        try:
            found[entity] = vendor_calls.run(
                partial(_fields_of, org, connection.id, entity),
                doing=f"Reading the {entity.value} fields…",
            )
        except ToothpickError as exc:
            problems.append(f"{entity.value}: {exc}")
    st.session_state[_key(connection.id)] = found
    st.session_state[f"{_key(connection.id)}_problems"] = problems


def tab(org: str, connection: ConnectionPublic) -> None:
    label = systems.label(connection.system)
    st.button(
        f"Read {label}'s fields",
        key=f"fm_discover_{connection.id}",
        on_click=_discover,
        args=(org, connection),
        icon=":material/manage_search:",
        help="Asks the vendor which fields each entity has, custom ones included.",
    )
    for problem in st.session_state.get(f"{_key(connection.id)}_problems", []):
        st.text(f"Could not read the fields of {problem}")
    found = discovered(connection.id)
    if found:
        rows = [
            {"Entity": entity.value, "Vendor field": f.name, "Label": f.label, "Type": f.type,
             "Custom": "custom" if f.custom else "", "Writable": "yes" if f.writable else "no"}
            for entity, fields in found.items()
            for f in fields
        ]  # fmt: skip
        st.dataframe(rows, hide_index=True, width="stretch")
        st.caption(
            "These fields are now the choices of “Vendor field” in the mapping overrides "
            "(tab “Test, edit, disable, delete”, Edit settings)."
        )
    else:
        st.caption(f"Press the button to list {label}'s fields, custom ones included.")
    _preview(org, connection)


def _preview(org: str, connection: ConnectionPublic) -> None:
    if not connection.entities:
        return
    entity = st.selectbox(
        "Preview one record of",
        connection.entities,
        format_func=lambda e: e.value,
        key=f"fm_preview_entity_{connection.id}",
    )
    try:
        records = service().review.records(org, connection.id, entity, limit=1)
    except ToothpickError as exc:
        st.text(f"Could not read a record: {exc}")
        return
    if not records:
        st.caption(f"No {entity.value} record held yet: sync first to preview one.")
        return
    record = records[0]
    st.caption(
        f"{entity.value} {md(record.external_id)}, as ToothPick holds it with the saved mapping:"
    )
    st.dataframe(
        [{"ToothPick field": name, "Value": str(value)} for name, value in record.data.items()],
        hide_index=True,
        width="stretch",
    )
