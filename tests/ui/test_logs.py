"""The logs page: filters narrow the table, pages come from the store, one entry opens."""

from __future__ import annotations

from core.service import IntegrationService
from tests.ui.builders import error_log, log, stored_connection
from tests.ui.conftest import OpenPage, click_row, markdown, press


def _seed(service: IntegrationService) -> None:
    hubspot = stored_connection(service, name="HubSpot EU")
    entries = [log(hubspot, f"Pulled {n} contact records") for n in range(60)]
    entries.append(error_log(hubspot, "HubSpot answered 503 Service Unavailable"))
    service.runtime.store.append_logs(entries)


def test_filters_narrow_the_table(open_page: OpenPage, service: IntegrationService) -> None:
    _seed(service)
    at = open_page("logs")
    assert "**61** matching entries" in markdown(at)
    assert len(at.dataframe[0].value) == 25  # one page, not the whole table
    at.multiselect(key="logs_f_levels").set_value(["error"])
    press(at, "Apply filters")
    assert "**1** matching entries" in markdown(at)
    table = at.dataframe[0].value
    assert list(table["Level"]) == ["⛔ error"]
    assert "503 Service Unavailable" in table["Message"][0]


def test_free_text_and_pages(open_page: OpenPage, service: IntegrationService) -> None:
    _seed(service)
    at = open_page("logs")
    at.number_input(key="logs_page").set_value(3).run()
    assert len(at.dataframe[0].value) == 11  # 61 entries: 25 + 25 + 11
    assert "51–61" in markdown(at)
    at.text_input(key="logs_f_text").input("4 CONTACT")
    press(at, "Apply filters")
    assert "**6** matching entries" in markdown(at)  # 4, 14, 24, 34, 44, 54; back on page 1
    assert all("4 contact" in message for message in at.dataframe[0].value["Message"])


def test_entry_details_show_metadata(open_page: OpenPage, service: IntegrationService) -> None:
    _seed(service)
    at = open_page("logs")
    messages = list(at.dataframe[0].value["Message"])
    click_row(at, "logs_rows_0", next(i for i, m in enumerate(messages) if "503" in m))
    assert any("Service Unavailable" in str(j.value) for j in at.json)
    labels = [getattr(b, "label", "") for b in at.get("download_button")]
    assert labels == ["Download CSV", "Download JSON"]


def test_filters_fold_into_one_expander_that_names_them(
    open_page: OpenPage, service: IntegrationService
) -> None:
    _seed(service)
    at = open_page("logs")
    assert [e.label for e in at.expander if e.label.startswith("Filters")] == ["Filters: Last 7 d"]
    at.multiselect(key="logs_f_levels").set_value(["error"])
    press(at, "Apply filters")
    assert any(e.label == "Filters: Last 7 d · error" for e in at.expander)
