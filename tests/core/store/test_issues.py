"""Per-record failures: saved by id, listed by organisation, connection and state."""

from __future__ import annotations

import pytest

from core.models import Connection, Entity, IssueDirection, IssueState, RecordIssue, System
from core.store.base import Store
from tests.core.store.builders import ORG, T0, connection


@pytest.fixture
def conn(store: Store) -> Connection:
    return store.create_connection(connection())


def _issue(conn: Connection, external_id: str, **changes: object) -> RecordIssue:
    issue = RecordIssue(
        organisation_id=ORG,
        connection_id=conn.id,
        system=System.SALESFORCE,
        entity=Entity.CONTACT,
        direction=IssueDirection.PUSH,
        external_id=external_id,
        field="last_name",
        code="REQUIRED_FIELD_MISSING",
        message="Required fields are missing: [LastName]",
        first_seen_at=T0,
        last_attempt_at=T0,
        next_retry_at=T0,
    )
    return issue.model_copy(update=changes)


def test_issues_are_saved_replaced_and_listed_by_state(store: Store, conn: Connection) -> None:
    first, second = _issue(conn, "003a"), _issue(conn, "003b")
    store.save_record_issues([first, second])
    assert store.list_record_issues(ORG) == sorted([first, second], key=lambda i: i.id)
    retried = first.model_copy(update={"attempts": 2, "state": IssueState.DISMISSED})
    store.save_record_issues([retried])
    assert store.list_record_issues(ORG, connection_id=conn.id) == [second]
    assert store.list_record_issues(ORG, states=[IssueState.DISMISSED]) == [retried]
    assert len(store.list_record_issues(ORG, states=())) == 2
    assert store.list_record_issues("other-org") == []
    assert store.list_record_issues(ORG, connection_id="no-such-connection") == []
