"""The record issues page: failures grouped by cause, retried one, selected or all, and
dismissed; vendor text is shown as text."""

from __future__ import annotations

from core.models import Entity, IssueDirection, IssueState, RecordIssue
from core.service import IntegrationService
from tests.ui.builders import ORG, record_issue, stored_connection
from tests.ui.conftest import OpenPage, click_row, markdown, press, shown


def _issues(service: IntegrationService) -> list[RecordIssue]:
    connection = stored_connection(service)
    made = [
        record_issue(connection, "c1"),
        record_issue(connection, "c2"),
        record_issue(connection, "c3", code="mapping", direction=IssueDirection.PULL),
    ]
    service.runtime.store.save_record_issues(made)
    return made


def test_nothing_failing_says_so(open_page: OpenPage) -> None:
    at = open_page("issues")
    assert any("No record is failing" in s.value for s in at.success)


def test_groups_retry_one_and_dismiss_a_cause(
    open_page: OpenPage, service: IntegrationService
) -> None:
    c1, c2, c3 = _issues(service)
    at = open_page("issues")
    said = shown(markdown(at))
    assert "**3 records** failing, 2 causes" in said
    assert "INVALID_EMAIL_ADDRESS** · 2 records of contact written to the vendor" in said
    assert at.text[0].value.startswith("INVALID_EMAIL_ADDRESS: **not** <b>valid</b>")

    at = click_row(at, "iss_rows_0", 1)  # one record: c2
    press(at, "Retry 1 selected record")
    assert any("Retrying 1 record now; 1 run queued" in shown(s.value) for s in at.success)
    after = {i.id: i for i in service.issues.issues(ORG)}
    assert after[c2.id].next_retry_at > c2.next_retry_at  # due now: just c2
    assert after[c1.id].next_retry_at == c1.next_retry_at
    [run] = service.syncs.list_runs(ORG).items
    assert run.options.direction == "push" and run.options.entities == [Entity.CONTACT]

    press(at, "Dismiss all 1")  # the mapping cause (the second group)
    states = {i.id: i.state for i in service.issues.issues(ORG, states=list(IssueState))}
    assert states == {c1.id: IssueState.OPEN, c2.id: IssueState.OPEN, c3.id: IssueState.DISMISSED}
    assert any("Dismissed 1 record" in shown(s.value) for s in at.success)
