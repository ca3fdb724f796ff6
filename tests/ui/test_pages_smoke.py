"""Every page opens on an empty store and on a store with history, without an exception,
and a stored secret never reaches any rendered element."""

from __future__ import annotations

import pytest

from core.service import IntegrationService
from tests.ui.builders import SECRET, conflict, record_issue, stored_connection, with_history
from tests.ui.conftest import PAGES, OpenPage, click_row, texts


@pytest.mark.parametrize("page", list(PAGES))
def test_page_opens_empty(open_page: OpenPage, page: str) -> None:
    open_page(page)


@pytest.mark.parametrize("page", list(PAGES))
def test_stored_secret_is_never_rendered(
    open_page: OpenPage, service: IntegrationService, page: str
) -> None:
    connection = stored_connection(service, secret=SECRET)
    with_history(service, connection, days=2)
    service.runtime.store.add_conflict(conflict(connection))
    service.runtime.store.save_record_issues([record_issue(connection)])
    at = open_page(page)
    if page == "connections":
        at = click_row(at, "con_list_rows_0", 0)  # its own page, settings and all
    rendered = texts(at)
    assert connection.name in rendered
    assert SECRET not in rendered
    assert SECRET not in repr(at.session_state)
