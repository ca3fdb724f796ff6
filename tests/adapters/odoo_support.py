"""Shared pieces of the Odoo adapter tests: one sandbox per module, adapters per database."""

from __future__ import annotations

import xmlrpc.client
from collections.abc import Iterator
from typing import Any

from pydantic import SecretStr

from adapters.base import AdapterContext, RemoteRecord
from adapters.odoo import OdooAdapter
from core.models import Connection, Entity, FieldOverride, System
from sandbox.odoo.tenants import API_KEYS
from sandbox.testing import RunningSandbox

SCALES = {"res.partner": 60, "product.product": 45, "sale.order": 30, "stock.quant": 25}


def adapter(
    sandbox: RunningSandbox,
    db: str = "acme",
    *,
    key: str | None = None,
    overrides: tuple[FieldOverride, ...] = (),
    **config: Any,
) -> OdooAdapter:
    connection = Connection(
        organisation_id="org",
        system=System.ODOO,
        name=f"odoo {db}",
        config={
            "url": f"{sandbox.url}/odoo/{db}",
            "database": db,
            "login": f"api@{db}.example",
            "page_size": 20,
            **config,
        },
        sealed_secret="sealed",
        entities=list(Entity)[:5],
        field_overrides=list(overrides),
    )
    secret = {"api_key": SecretStr(key or API_KEYS[db])}
    return OdooAdapter(
        AdapterContext(connection=connection, secret=secret, read_timeout_s=5.0), rand=lambda: 0.0
    )


def read_all(odoo: OdooAdapter, entity: Entity, since: Any = None) -> dict[str, RemoteRecord]:
    """Every record a read yields, by id (later pages win, as in the engine)."""
    found: dict[str, RemoteRecord] = {}
    for page in odoo.read(entity, since=since, resume=None):
        for record in page.records:
            found[record.external_id] = record
    return found


def live(records: dict[str, RemoteRecord]) -> dict[str, RemoteRecord]:
    return {key: r for key, r in records.items() if not r.deleted}


def xmlrpc_call(
    sandbox: RunningSandbox, db: str, model: str, method: str, *args: Any, **kwargs: Any
) -> Any:
    proxy = xmlrpc.client.ServerProxy(f"{sandbox.url}/odoo/{db}/xmlrpc/2/object", allow_none=True)
    return proxy.execute_kw(db, 2, f"{db}-odoo-password", model, method, list(args), kwargs)


def reset(sandbox: RunningSandbox) -> Iterator[None]:
    for db in ("acme", "globex"):
        sandbox.control.reset("odoo", db, scale=SCALES)
    yield
    sandbox.control.clear_faults()
