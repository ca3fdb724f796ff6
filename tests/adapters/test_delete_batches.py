"""Batch deletes whose refusals the sandbox does not stage, against hand-built answers on
a scripted local server: HubSpot's batch archive refused whole (halved until the refused
id stands alone) and Oracle's batch action, all or none, answering its failed parts."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from adapters.base import AdapterContext
from adapters.hubspot import HubSpotAdapter
from adapters.oracle import OracleAdapter
from core.models import Connection, Entity, System
from tests.adapters.server import ScriptedServer, Seen, Step

ARCHIVE = "/crm/v3/objects/contacts/batch/archive"
ORACLE_ROOT = "/crmRestApi/resources/11.13.18.05"


def _context(system: System, config: dict[str, Any], secret: dict[str, str]) -> AdapterContext:
    connection = Connection(
        organisation_id="org", system=system, name="deletes", config=config, sealed_secret="s"
    )
    return AdapterContext(
        connection=connection,
        secret={k: SecretStr(v) for k, v in secret.items()},
        read_timeout_s=5.0,
    )


def test_hubspot_halves_an_archive_batch_refused_whole_until_the_refused_id_is_alone(
    server: ScriptedServer,
) -> None:
    def archive(seen: Seen) -> Step:
        ids = [item["id"] for item in seen.json()["inputs"]]
        if "bad" in ids:
            return Step(
                400,
                json={
                    "status": "error",
                    "category": "VALIDATION_ERROR",
                    "message": "Object id bad is not valid",
                },
            )
        return Step(204)

    server.script("POST", ARCHIVE, Step(reply=archive))
    context = _context(
        System.HUBSPOT, {"base_url": server.url}, {"private_app_token": "pat-na1-0000"}
    )
    adapter = HubSpotAdapter(context, rand=lambda: 0.0)
    results = adapter.delete(Entity.CONTACT, ["1", "2", "bad", "4"])
    assert [r.external_id for r in results] == ["1", "2", "bad", "4"]
    assert [r.error is None for r in results] == [True, True, False, True]
    assert "Object id bad is not valid" in str(results[2].error)
    sent = [
        [item["id"] for item in seen.json()["inputs"]] for seen in server.calls("POST", ARCHIVE)
    ]
    assert sent == [["1", "2", "bad", "4"], ["1", "2"], ["bad", "4"], ["bad"], ["4"]]
    assert adapter.stats.by_kind == {"write": 5}


def test_oracle_sends_again_what_a_batch_refused_for_other_parts_sake(
    server: ScriptedServer,
) -> None:
    """A part answered 404 is an account already gone; one refused otherwise fails its
    account alone; the rest go again in the next batch action."""

    def batch(seen: Seen) -> Step:
        parts = seen.json()["parts"]
        failed = [
            {**part, "exception": _exception(part["path"])}
            for part in parts
            if part["path"].rsplit("/", 1)[1] in ("GONE", "HELD")
        ]
        if failed:
            return Step(400, json={"parts": failed})
        return Step(200, json={"parts": parts})

    server.script("POST", ORACLE_ROOT, Step(reply=batch))
    config = {"base_url": server.url, "auth_method": "basic", "username": "integration"}
    adapter = OracleAdapter(_context(System.ORACLE, config, {"password": "pw"}), rand=lambda: 0.0)
    results = adapter.delete(Entity.CUSTOMER, ["A1", "GONE", "HELD", "B2"])
    assert [(r.external_id, r.error) for r in results] == [
        ("A1", None),
        ("GONE", None),
        ("HELD", "Oracle: The account has open opportunities (ZCA-1234)"),
        ("B2", None),
    ]
    sent = [[p["path"] for p in seen.json()["parts"]] for seen in server.calls("POST", ORACLE_ROOT)]
    assert sent == [
        ["/accounts/A1", "/accounts/GONE", "/accounts/HELD", "/accounts/B2"],
        ["/accounts/A1", "/accounts/B2"],
    ]
    assert {p["operation"] for seen in server.seen for p in seen.json()["parts"]} == {"delete"}
    assert adapter.stats.by_kind == {"write": 2}


def _exception(path: str) -> dict[str, Any]:
    if path.endswith("GONE"):
        return {"status": "404", "detail": f"The requested resource {path} was not found"}
    return {
        "status": "400",
        "detail": "The account has open opportunities",
        "o:errorCode": "ZCA-1234",
    }
