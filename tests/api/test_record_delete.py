"""Deleting a record in ToothPick over HTTP: pending until the push deletes it at the
vendor, roles and organisations kept apart, refusals in words, any vendor id taken as
sent (memory vendor as HubSpot, a real worker, SQLite store)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.models import ChangeKind, Entity, RecordWrite, SyncOptions, content_hash
from core.service import IntegrationService
from core.worker import Worker
from tests.api.conftest import CONNECTION, Keys, bearer
from tests.core.service_support import ORG
from tests.support.memory_vendor import MemoryVendor


def _two_way(client: TestClient, keys: Keys, connection_id: str) -> None:
    answer = client.patch(
        f"/api/integrations/{connection_id}", json={"direction": "both"}, headers=bearer(keys.admin)
    )
    assert answer.status_code == 200, answer.text


def _sync(service: IntegrationService, connection_id: str, **options: object) -> None:
    run = service.syncs.queue_sync(ORG, connection_id, SyncOptions.model_validate(options))
    Worker(service).run_by_id(run.id)


def _ids(answer: dict[str, object]) -> list[str]:
    data = answer["data"]
    assert isinstance(data, list)
    return [row["external_id"] for row in data]


def test_a_deletion_is_pending_until_the_push_deletes_it_at_the_vendor(
    client: TestClient,
    keys: Keys,
    connection_id: str,
    service: IntegrationService,
    vendor: MemoryVendor,
) -> None:
    _two_way(client, keys, connection_id)
    _sync(service, connection_id, direction="pull")
    url = f"/api/integrations/{connection_id}/records/contact"
    target = {"external_id": "c3"}
    assert "c3" in _ids(client.get(url, headers=bearer(keys.viewer)).json())

    assert client.delete(url, params=target, headers=bearer(keys.viewer)).status_code == 403
    assert client.delete(url, params=target, headers=bearer(keys.other_admin)).status_code == 404
    deleted = client.delete(url, params=target, headers=bearer(keys.operator))
    assert deleted.status_code == 200, deleted.text
    body = deleted.json()
    assert body["external_id"] == "c3" and body["deleted"] and body["local_delete"]

    live = client.get(url, headers=bearer(keys.viewer)).json()
    assert "c3" not in _ids(live) and live["count"] == 6
    pending = client.get(url, params={"pending_only": True}, headers=bearer(keys.viewer)).json()
    assert [(r["external_id"], r["local_delete"]) for r in pending["data"]] == [("c3", True)]
    history = service.review.record_history(ORG, connection_id, Entity.CONTACT, "c3")
    assert history[0].kind is ChangeKind.LOCAL_DELETE
    assert "c3" in vendor.truth(Entity.CONTACT)  # nothing reached the vendor yet

    again = client.delete(url, params=target, headers=bearer(keys.operator))
    assert again.status_code == 404 and again.headers["content-type"] == "application/problem+json"
    unknown = client.delete(url, params={"external_id": "c99"}, headers=bearer(keys.operator))
    assert unknown.status_code == 404 and "c99" in unknown.json()["detail"]
    missing = client.delete(url, headers=bearer(keys.operator))
    assert (
        missing.status_code == 422 and missing.json()["errors"][0]["field"] == "query.external_id"
    )

    _sync(service, connection_id, direction="push")
    assert "c3" not in vendor.truth(Entity.CONTACT)
    after = client.get(url, params={"pending_only": True}, headers=bearer(keys.viewer)).json()
    assert after["count"] == 0
    kinds = [
        c.kind for c in service.review.record_history(ORG, connection_id, Entity.CONTACT, "c3")
    ]
    assert kinds[:2] == [ChangeKind.DELETED, ChangeKind.LOCAL_DELETE]


def test_a_pull_only_connection_refuses_with_the_reason(
    client: TestClient, keys: Keys, connection_id: str, service: IntegrationService
) -> None:
    _sync(service, connection_id, direction="pull")
    url = f"/api/integrations/{connection_id}/records/contact"
    refused = client.delete(url, params={"external_id": "c1"}, headers=bearer(keys.operator))
    assert refused.status_code == 422
    assert refused.headers["content-type"] == "application/problem+json"
    assert "only pulls" in refused.json()["detail"]
    assert refused.json()["errors"][0]["field"] == "external_id"
    assert "c1" in _ids(client.get(url, headers=bearer(keys.viewer)).json())  # untouched


def test_a_pending_edit_and_a_pending_deletion_are_told_apart(
    client: TestClient, keys: Keys, connection_id: str, service: IntegrationService
) -> None:
    _two_way(client, keys, connection_id)
    _sync(service, connection_id, direction="pull")
    url = f"/api/integrations/{connection_id}/records/contact"
    edit = {"external_id": "c1", "fields": {"first_name": "Edited"}}
    assert client.patch(url, json=edit, headers=bearer(keys.operator)).status_code == 200
    assert client.delete(
        url, params={"external_id": "c2"}, headers=bearer(keys.operator)
    ).is_success
    pending = client.get(url, params={"pending_only": True}, headers=bearer(keys.viewer)).json()
    marked = {r["external_id"]: (r["deleted"], r["local_delete"]) for r in pending["data"]}
    assert marked == {"c1": (False, False), "c2": (True, True)}


# Ids as vendors and attackers write them: slashes, encoded slashes, dot segments, query
# and fragment characters, control characters, any Unicode (no lone surrogates: they
# cannot be sent as UTF-8), up to the 255 characters an external id may have. NUL is
# left out of the stored ones: the SQLite store's upsert cannot hold it (its JSON probe
# cuts the id there); the last test sends it to the API all the same.
NUL = "\x00"
HOSTILE_PARTS = st.sampled_from(
    ["/", "%2F", "%252F", "..", "../", "./", "?", "#", "&", "=", "+", " ", "%", "\\", "\x7f",
     "\u202e", "ß", "日本", "🦷", "'", '"', "<script>", "|", "\n", "\t"]
)  # fmt: skip
HOSTILE_IDS = (
    st.lists(
        st.one_of(
            HOSTILE_PARTS,
            st.text(st.characters(exclude_categories=["Cs"], exclude_characters=NUL), max_size=8),
        ),
        min_size=1,
        max_size=40,
    )
    .map("".join)
    .filter(lambda text: 1 <= len(text) <= 255 and not text.startswith("local:"))
)


def test_any_vendor_id_is_deleted_as_sent_and_longer_ones_are_refused(
    client: TestClient, keys: Keys, service: IntegrationService
) -> None:
    store, admin = service.runtime.store, bearer(keys.admin)
    made_so_far = iter(range(1_000_000))

    @given(external_id=HOSTILE_IDS)
    @settings(
        max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    def deleted_as_sent(external_id: str) -> None:
        # a connection of its own: a replayed example starts from the same state
        name = f"Memory CRM {next(made_so_far)}"
        made = client.post("/api/integrations", json={**CONNECTION, "name": name,
                           "direction": "both"}, headers=admin)  # fmt: skip
        assert made.status_code == 201, made.text
        connection_id = made.json()["id"]
        data = {"first_name": "F", "last_name": "L"}
        write = RecordWrite(external_id=external_id, data=data, content_hash=content_hash(data))
        store.upsert_records(ORG, connection_id, Entity.CONTACT, [write], run_id=None)
        url = f"/api/integrations/{connection_id}/records/contact"
        answer = client.delete(url, params={"external_id": external_id}, headers=admin)
        assert answer.status_code == 200, (external_id, answer.text)
        assert answer.json()["external_id"] == external_id
        [record] = store.get_records(ORG, connection_id, Entity.CONTACT, [external_id]).values()
        assert record.local_delete
        assert (
            client.delete(url, params={"external_id": external_id}, headers=admin).status_code
            == 404
        )

    deleted_as_sent()
    made = client.post("/api/integrations", json=CONNECTION, headers=admin).json()
    url = f"/api/integrations/{made['id']}/records/contact"
    too_long = client.delete(url, params={"external_id": "x" * 256}, headers=admin)
    assert too_long.status_code == 422
    assert too_long.json()["errors"][0]["field"] == "query.external_id"
    with_nul = client.delete(url, params={"external_id": f"c1{NUL}/../c2"}, headers=admin)
    assert with_nul.status_code in {404, 422}, with_nul.text  # never a crash


def test_a_pending_deletion_is_taken_back_until_the_push(
    client: TestClient,
    keys: Keys,
    connection_id: str,
    service: IntegrationService,
    vendor: MemoryVendor,
) -> None:
    _two_way(client, keys, connection_id)
    _sync(service, connection_id, direction="pull")
    url = f"/api/integrations/{connection_id}/records/contact"
    target = {"external_id": "c4"}
    assert client.delete(url, params=target, headers=bearer(keys.operator)).status_code == 200

    assert (
        client.post(f"{url}/undo-delete", params=target, headers=bearer(keys.viewer)).status_code
        == 403
    )
    other = client.post(f"{url}/undo-delete", params=target, headers=bearer(keys.other_admin))
    assert other.status_code == 404
    undone = client.post(f"{url}/undo-delete", params=target, headers=bearer(keys.operator))
    assert undone.status_code == 200, undone.text
    assert not undone.json()["deleted"] and not undone.json()["local_delete"]
    assert "c4" in _ids(client.get(url, headers=bearer(keys.viewer)).json())
    again = client.post(f"{url}/undo-delete", params=target, headers=bearer(keys.operator))
    assert again.status_code == 404 and "waits to be pushed" in again.json()["detail"]

    _sync(service, connection_id, direction="push")
    assert "c4" in vendor.truth(Entity.CONTACT)  # the deletion never left ToothPick


def test_a_deletion_a_vendor_edit_met_is_a_conflict_an_operator_approves(
    client: TestClient,
    keys: Keys,
    connection_id: str,
    service: IntegrationService,
    vendor: MemoryVendor,
) -> None:
    answer = client.patch(
        f"/api/integrations/{connection_id}",
        json={"direction": "both", "conflict_policy": "manual"},
        headers=bearer(keys.admin),
    )
    assert answer.status_code == 200, answer.text
    _sync(service, connection_id, direction="pull")
    url = f"/api/integrations/{connection_id}/records/contact"
    target = {"external_id": "c5"}
    assert client.delete(url, params=target, headers=bearer(keys.operator)).status_code == 200
    vendor.put(Entity.CONTACT, "c5", {"first_name": "F5", "last_name": "Renamed"})
    _sync(service, connection_id)

    [held] = client.get("/api/conflicts", headers=bearer(keys.viewer)).json()["data"]
    assert (held["external_id"], held["kind"], held["deleted_in_toothpick"]) == (
        "c5", "delete", True
    )  # fmt: skip
    assert held["local"] is None and held["remote"]["last_name"] == "Renamed"
    assert "c5" in vendor.truth(Entity.CONTACT)
    resolved = client.post(
        f"/api/conflicts/{held['id']}/resolve",
        json={"resolution": "approve_delete"},
        headers=bearer(keys.operator),
    )
    assert resolved.status_code == 200, resolved.text
    _sync(service, connection_id)
    assert "c5" not in vendor.truth(Entity.CONTACT)
