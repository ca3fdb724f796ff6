"""Hostile text from vendors and files, on every page that shows it: nothing in it is
read as Markdown, HTML or a Streamlit directive (no link, image, tag or formatting
from data), and control or direction characters are shown as escapes."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from markdown_it import MarkdownIt
from streamlit.testing.v1 import AppTest

from core.clock import utcnow
from core.models import (
    Alert,
    AlertKind,
    AlertSeverity,
    ConnectionStatus,
    Entity,
    LogLevel,
    LogStatus,
    RunState,
    SyncRun,
)
from core.service import IntegrationService
from tests.support.hostile import BEACON, HOSTILE, name_sized
from tests.ui.builders import ORG, conflict, connection_with_records, log, stored_connection
from tests.ui.conftest import OpenPage, click_row, open_connection_page

_RENDER = MarkdownIt("commonmark", {"html": True, "linkify": False}).enable("table")
_BODIES = ("markdown", "caption", "error", "warning", "info", "success")


def _plant(service: IntegrationService, text: str) -> str:
    """The text as a vendor or a file would leave it everywhere it can land."""
    name = name_sized(text) if name_sized(text).strip().isprintable() else "Hostile vendor"
    connection = stored_connection(service, name=name)
    store = service.runtime.store
    stored = store.get_connection(ORG, connection.id)
    assert stored is not None
    store.update_connection(
        stored.model_copy(update={"status": ConnectionStatus.ERROR, "status_detail": text[:2000]})
    )
    store.raise_alert(
        Alert(
            organisation_id=ORG,
            connection_id=connection.id,
            system=connection.system,
            kind=AlertKind.CONNECTIVITY,
            severity=AlertSeverity.CRITICAL,
            message=text[:2000],
        )
    )
    now = utcnow()
    store.create_run(
        SyncRun(
            organisation_id=ORG,
            connection_id=connection.id,
            system=connection.system,
            state=RunState.FAILED,
            created_at=now - timedelta(minutes=3),
            started_at=now - timedelta(minutes=3),
            finished_at=now - timedelta(minutes=2),
            error=text[:4000],
        )
    )
    store.append_logs(
        [
            log(
                connection,
                text[:4000],
                level=LogLevel.ERROR,
                status=LogStatus.ERROR,
                metadata={"vendor_body": text},
            )
        ]
    )
    held = conflict(connection, external_id=text[:255] or "x")
    held = held.model_copy(
        update={
            "local": {**(held.local or {}), "email": text},
            "remote": {**(held.remote or {}), "email": text[:300], text[:40] or "f": "v"},
            "differing_fields": ["email", "title", text[:40] or "f"],
            "entity": Entity.CONTACT,
        }
    )
    store.add_conflict(held)
    return connection.id


class _Tags(HTMLParser):
    """The elements a rendered body would create that fetch or link: none may come
    from data (our own markup uses spans and a table, never these)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in {"a", "img", "script", "iframe", "link", "object", "embed"}:
            self.found.append(tag)
        self.found.extend(f"{tag}[{name}]" for name, _ in attrs if name in {"href", "src"})


def _bodies(at: AppTest) -> list[str]:
    bodies: list[str] = []
    for kind in _BODIES:
        bodies.extend(str(element.value) for element in getattr(at, kind))
    for radio in at.radio:
        bodies.append(str(radio.label))
        bodies.extend(radio.proto.options)
    return bodies


def _assert_inert(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    for body in _bodies(at):
        tags = _Tags()
        tags.feed(_RENDER.render(body))
        assert not tags.found, (tags.found, body[:300])
        assert "\x1b" not in body and "\u202e" not in body, body[:300]
        if not body.startswith("<div"):
            # Markdown text: an address or directive left unescaped would be autolinked
            # or obeyed. (Inside an HTML block, text is HTML-escaped and not Markdown.)
            for raw in (BEACON, "www.phish", ":red[alarm]", "$x^2$", "**bold**"):
                assert raw not in body, (raw, body[:300])


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
@pytest.mark.parametrize("page", ["overview", "connections", "conflicts", "logs", "sync"])
def test_hostile_text_is_shown_as_text(
    open_page: OpenPage, service: IntegrationService, page: str, text: str
) -> None:
    _plant(service, text)
    at = open_page(page)
    _assert_inert(at)
    if page == "logs":
        click_row(at, "logs_rows_0", 0)
        _assert_inert(at)
        assert at.text and all("\x1b" not in t.value for t in at.text)
    if page == "sync":
        click_row(at, "sync_hist_rows_0", 0)
        _assert_inert(at)


@pytest.mark.parametrize("text", list(HOSTILE.values()), ids=list(HOSTILE))
def test_hostile_record_text_is_shown_as_text_on_the_records_tab(
    open_page: OpenPage, service: IntegrationService, text: str
) -> None:
    # An external id holds at most 255 characters; NUL is left out because the SQLite
    # store's upsert cannot hold it in an id (its JSON probe cuts the id there).
    external_id = text.replace("\x00", "")[:255] or "x"
    data = {"first_name": text, "last_name": text[:300], "custom": {text[:40] or "f": text}}
    connection = connection_with_records(service, records={external_id: data})
    at = open_connection_page(open_page, connection)
    at = click_row(at, f"cp_rec_{connection.id}_held_rows_0", 0)
    _assert_inert(at)
    assert any("Field" in d.value.columns for d in at.dataframe)
    next(b for b in at.button if b.label == "Delete in ToothPick").click().run()
    _assert_inert(at)  # the confirmation names the record
    next(b for b in at.button if b.label == "Yes, delete it").click().run()
    _assert_inert(at)  # the outcome and the deleted record's state name it too
    assert (
        at.success
        and service.review.record(ORG, connection.id, Entity.CONTACT, external_id).local_delete
    )
