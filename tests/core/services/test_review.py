"""The review area alone: local edits and conflicts on a SQLite store file, refusing
another organisation's objects (the connections area answers for the connection)."""

from __future__ import annotations

import pytest

from core.errors import InvalidInputError, NotFoundError
from core.models import (
    Conflict,
    ConflictStatus,
    Direction,
    Entity,
    RecordWrite,
    Resolution,
    content_hash,
)
from core.runtime import Runtime
from core.services.connections import ConnectionService
from core.services.review import ReviewService
from tests.core.service_support import ORG, OTHER_ORG
from tests.core.services.conftest import create

C = Entity.CONTACT


def test_an_edit_is_validated_and_held_as_a_pending_change(
    review: ReviewService, connections: ConnectionService, runtime: Runtime
) -> None:
    created = create(connections, ORG)
    data = {"first_name": "Ada", "last_name": "Lovelace"}
    runtime.store.upsert_records(
        ORG,
        created.id,
        C,
        [RecordWrite(external_id="c1", data=data, content_hash=content_hash(data))],
        run_id=None,
    )
    with pytest.raises(InvalidInputError, match="shoe_size"):
        review.edit_record(ORG, created.id, C, "c1", {"shoe_size": 9})
    review.edit_record(ORG, created.id, C, "c1", {"first_name": "Augusta"})
    (pending,) = review.records(ORG, created.id, C, pending_only=True)
    assert pending.external_id == "c1"
    with pytest.raises(NotFoundError):
        review.records(OTHER_ORG, created.id, C)


def test_a_pending_deletion_is_listed_as_pending_and_found_by_its_id(
    review: ReviewService, connections: ConnectionService, runtime: Runtime
) -> None:
    created = create(connections, ORG, direction=Direction.BOTH)
    data = {"first_name": "Ada", "last_name": "Lovelace"}
    runtime.store.upsert_records(
        ORG,
        created.id,
        C,
        [
            RecordWrite(external_id=f"c{n}", data=data, content_hash=content_hash(data))
            for n in (1, 2, 3)
        ],
        run_id=None,
    )
    review.delete_record(ORG, created.id, C, "c2")
    assert [r.external_id for r in review.records(ORG, created.id, C)] == ["c1", "c3"]
    (pending,) = review.records(ORG, created.id, C, pending_only=True)
    assert pending.external_id == "c2" and pending.local_delete
    assert review.record(ORG, created.id, C, "c2").local_delete
    assert not review.record(ORG, created.id, C, "c1").deleted
    with pytest.raises(NotFoundError, match="c9"):
        review.record(ORG, created.id, C, "c9")
    with pytest.raises(NotFoundError):
        review.record(OTHER_ORG, created.id, C, "c1")


def test_a_conflict_is_resolved_once_and_only_in_its_organisation(
    review: ReviewService, connections: ConnectionService, runtime: Runtime
) -> None:
    created = create(connections, ORG)
    held = runtime.store.add_conflict(
        Conflict(
            organisation_id=ORG,
            connection_id=created.id,
            system=created.system,
            entity=C,
            external_id="c1",
            local={"first_name": "Local"},
            remote={"first_name": "Remote"},
            differing_fields=["first_name"],
        )
    )
    assert [c.id for c in review.conflicts(ORG).items] == [held.id]
    with pytest.raises(NotFoundError):
        review.get_conflict(OTHER_ORG, held.id)
    resolved = review.resolve_conflict(ORG, held.id, Resolution.REMOTE, resolved_by="test")
    assert resolved.status is ConflictStatus.RESOLVED
    assert resolved.resolved_data == {"first_name": "Remote"}
    with pytest.raises(InvalidInputError, match="already resolved"):
        review.resolve_conflict(ORG, held.id, Resolution.LOCAL)
