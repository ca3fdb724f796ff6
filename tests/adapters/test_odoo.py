"""The Odoo adapter against the Odoo simulator over real HTTP: protocol choice, reads
and their scopes, deletions, writes with write-back, custom fields, faults."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from adapters.base import OutboundRecord
from core.models import Direction, Entity, FieldOverride
from sandbox.testing import RunningSandbox, run_sandbox
from tests.adapters.odoo_support import adapter, live, read_all, reset, xmlrpc_call


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with run_sandbox(
        systems=("odoo",), data_dir=tmp_path_factory.mktemp("sb"), tls=False
    ) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh(sandbox: RunningSandbox) -> Iterator[None]:
    yield from reset(sandbox)


@pytest.mark.parametrize(
    ("db", "said"),
    [
        ("acme", "Odoo 17.0 over XML-RPC"),
        ("globex", "Odoo 19.0 over JSON-2"),
        ("initech", "Odoo 16.0 over XML-RPC"),
    ],
)
def test_the_server_version_picks_the_protocol(sandbox: RunningSandbox, db: str, said: str) -> None:
    from sandbox.odoo.tenants import API_KEYS

    check = adapter(sandbox, db, key=API_KEYS[db]).check()
    assert check.ok and said in check.message, check.message


def test_refusals_are_clear(sandbox: RunningSandbox) -> None:
    wrong = adapter(sandbox, "acme", key="not-the-key").check()
    assert not wrong.ok and "refused the login for 'api@acme.example'" in wrong.message
    wrong_json2 = adapter(sandbox, "globex", key="not-the-key").check()
    assert not wrong_json2.ok and "Invalid apikey" in wrong_json2.message
    pinned = adapter(sandbox, "acme", protocol="json2").check()
    assert not pinned.ok and "has no /json/2 API" in pinned.message


@pytest.mark.parametrize("db", ["acme", "globex"])
def test_reads_carry_each_entity_in_its_scope(sandbox: RunningSandbox, db: str) -> None:
    odoo = adapter(sandbox, db)
    truth = {t.id: t.fields for t in sandbox.control.iter_records("odoo", db, "sale.order")}
    orders, quotes = live(read_all(odoo, Entity.ORDER)), live(read_all(odoo, Entity.QUOTE))
    assert set(orders) == {i for i, f in truth.items() if f["state"] == "sale"}
    assert set(quotes) == {i for i, f in truth.items() if f["state"] in ("draft", "sent")}
    some = next(iter(orders.values()))
    assert some.data["lines"] and some.data["status"] == "confirmed"
    assert sum(float(line["amount"]) for line in some.data["lines"]) == pytest.approx(
        float(truth[some.external_id]["amount_untaxed"]), abs=0.05
    )
    customers = live(read_all(odoo, Entity.CUSTOMER))
    partners = {t.id: t.fields for t in sandbox.control.iter_records("odoo", db, "res.partner")}
    assert set(customers) == {
        i for i, f in partners.items() if f["customer_rank"] > 0 and f["active"]
    }
    products = live(read_all(odoo, Entity.PRODUCT))
    assert len(products) == 45 and {r.data["active"] for r in products.values()} <= {True, False}


def test_a_confirmed_quote_moves_and_an_archived_customer_goes(sandbox: RunningSandbox) -> None:
    odoo = adapter(sandbox)
    started = datetime.now(UTC).replace(microsecond=0)
    quote_id = next(iter(live(read_all(odoo, Entity.QUOTE))))
    xmlrpc_call(sandbox, "acme", "sale.order", "action_confirm", [int(quote_id)])
    customer_id = next(iter(live(read_all(odoo, Entity.CUSTOMER))))
    xmlrpc_call(sandbox, "acme", "res.partner", "action_archive", [int(customer_id)])
    assert read_all(odoo, Entity.QUOTE, since=started)[quote_id].deleted
    assert not read_all(odoo, Entity.ORDER, since=started)[quote_id].deleted
    assert read_all(odoo, Entity.CUSTOMER, since=started)[customer_id].deleted


def test_an_unlinked_record_is_reported_deleted_by_the_next_read(sandbox: RunningSandbox) -> None:
    odoo = adapter(sandbox)
    xmlrpc_call(sandbox, "acme", "product.product", "unlink", [7])
    pages = list(odoo.read(Entity.PRODUCT, since=datetime.now(UTC), resume=None))
    assert pages[-1].resume is None and pages[-2].resume == {"sweep": True, "after_id": 0}
    assert [r.external_id for r in pages[-1].records if r.deleted] == ["7"]
    only_sweep = list(odoo.read(Entity.PRODUCT, since=None, resume={"sweep": True}))
    assert len(only_sweep) == 1 and only_sweep[0].records[0].external_id == "7"
    assert (
        list(
            adapter(sandbox, detect_deletions=False).read(
                Entity.PRODUCT, since=datetime.now(UTC), resume=None
            )
        )[-1].records
        == []
    )


def test_the_deletion_sweep_streams_in_bounded_pages_and_resumes(
    sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    import adapters.odoo_sweep

    monkeypatch.setattr(adapters.odoo_sweep, "SWEEP_SLICE", 4)
    monkeypatch.setattr(adapters.odoo_sweep, "SWEEP_PAGE", 2)
    odoo = adapter(sandbox)
    for unlinked in (3, 4, 5, 9):
        xmlrpc_call(sandbox, "acme", "product.product", "unlink", [unlinked])
    sweep = list(odoo.read(Entity.PRODUCT, since=None, resume={"sweep": True, "after_id": 0}))
    assert all(len(page.records) <= 2 for page in sweep)
    gone = [r.external_id for page in sweep for r in page.records]
    assert gone == ["3", "4", "5", "9"]
    middle = sweep[0].resume
    assert middle is not None and middle["sweep"]
    rest = list(odoo.read(Entity.PRODUCT, since=None, resume=middle))
    assert [r.external_id for page in rest for r in page.records] == ["5", "9"]


def test_an_edit_during_a_read_is_not_lost(sandbox: RunningSandbox) -> None:
    """Keyset pages inside a fixed window: a record edited on an earlier page stays out of
    this read (the cursor stays below its new write_date) and comes with the next one."""
    odoo = adapter(sandbox)
    seen: dict[str, datetime | None] = {}
    for number, page in enumerate(odoo.read(Entity.PRODUCT, since=None, resume=None)):
        seen.update({r.external_id: r.updated_at for r in page.records if not r.deleted})
        if number == 0:
            sandbox.control.update(
                "odoo", "acme", "product.product", "2", {"name": "Edited mid-read"}
            )
    assert len(seen) == 45
    cursor = max(filter(None, seen.values()))
    assert read_all(odoo, Entity.PRODUCT, since=cursor)["2"].data["name"] == "Edited mid-read"


def test_offset_paging_over_write_date_would_lose_a_record(sandbox: RunningSandbox) -> None:
    """Why the adapter does not page by offset: the simulator shows the drift Odoo has."""
    query = {
        "fields": ["id"],
        "order": "write_date asc, id asc",
        "limit": 20,
        "context": {"active_test": False},
    }
    first = xmlrpc_call(sandbox, "acme", "product.product", "search_read", [], offset=0, **query)
    sandbox.control.update(
        "odoo", "acme", "product.product", str(first[0]["id"]), {"name": "moved"}
    )
    rest = xmlrpc_call(sandbox, "acme", "product.product", "search_read", [], offset=20, **query)
    rest += xmlrpc_call(sandbox, "acme", "product.product", "search_read", [], offset=40, **query)
    ids = {row["id"] for row in first + rest}
    assert len(ids) == 44  # one record never came: everything after the edit moved up a place


@pytest.mark.parametrize("db", ["acme", "globex"])
def test_writes_land_and_write_back_id_and_time(sandbox: RunningSandbox, db: str) -> None:
    odoo = adapter(sandbox, db)
    [made] = odoo.write(
        Entity.CUSTOMER,
        [OutboundRecord(None, {"name": "Pushed BV", "email": "p@b.example", "is_company": True})],
    )
    assert made.error is None and made.new_external_id and made.updated_at is not None
    truth = sandbox.control.get("odoo", db, "res.partner", made.new_external_id)
    assert (
        truth is not None
        and truth.fields["customer_rank"] == 1
        and truth.fields["email"] == "p@b.example"
    )
    [changed] = odoo.write(
        Entity.CUSTOMER, [OutboundRecord(made.new_external_id, {"city": "Leuven"}, ("city",))]
    )
    assert changed.updated_at is not None and changed.updated_at >= made.updated_at
    [quote] = odoo.write(
        Entity.QUOTE,
        [
            OutboundRecord(
                None,
                {
                    "customer_external_id": "1",
                    "lines": [{"product_external_id": "3", "quantity": "2", "unit_price": "10"}],
                },
            )
        ],
    )
    assert quote.error is None
    [fetched] = odoo.fetch(Entity.QUOTE, [quote.new_external_id or ""])
    assert fetched.data["total_amount"] == "23.0" and fetched.data["lines"][0]["amount"] == "20.0"
    [refused] = odoo.write(
        Entity.CUSTOMER, [OutboundRecord("999999", {"city": "Nowhere"}, ("city",))]
    )
    assert refused.error and "does not exist" in refused.error


def test_custom_fields_are_offered_and_carried_both_ways(sandbox: RunningSandbox) -> None:
    offered = {f.name: f for f in adapter(sandbox).discover_fields(Entity.CUSTOMER)}
    assert offered["x_loyalty_tier"].custom and offered["x_loyalty_tier"].writable
    tier = FieldOverride(
        entity=Entity.CUSTOMER,
        canonical_field="custom.tier",
        vendor_field="x_loyalty_tier",
        direction=Direction.BOTH,
    )
    odoo = adapter(sandbox, overrides=(tier,))
    customer = next(iter(live(read_all(odoo, Entity.CUSTOMER)).values()))
    stored = sandbox.control.get("odoo", "acme", "res.partner", customer.external_id)
    assert stored is not None and customer.data["custom"]["tier"] == stored.fields["x_loyalty_tier"]
    odoo.write(
        Entity.CUSTOMER,
        [OutboundRecord(customer.external_id, {"custom": {"tier": "gold"}}, ("custom",))],
    )
    after = sandbox.control.get("odoo", "acme", "res.partner", customer.external_id)
    assert after is not None and after.fields["x_loyalty_tier"] == "gold"


def test_the_first_page_carries_the_search_count(sandbox: RunningSandbox) -> None:
    odoo = adapter(sandbox, "acme", detect_deletions=False)
    pages = list(odoo.read(Entity.PRODUCT, since=None, resume=None))
    assert pages[0].total == 45 == sum(len(p.records) for p in pages)
    assert all(p.total is None for p in pages[1:])


@pytest.mark.parametrize("db", ["acme", "globex"])
def test_pages_in_flight_list_the_ids_once_and_read_what_keyset_pages_read(
    sandbox: RunningSandbox, db: str
) -> None:
    """45 products, 20 a page: the bound, one `search` of ids (its length is the total, no
    `search_count`) and three id windows at once, the same records and checkpoints."""
    one = adapter(sandbox, db, detect_deletions=False)
    sequential = list(one.read(Entity.PRODUCT, since=None, resume=None))
    ahead = adapter(sandbox, db, detect_deletions=False)
    ahead.context.pages_in_flight = 4
    methods: list[str] = []
    call = ahead.orm.call

    def noted(model: str, method: str, **kwargs: Any) -> Any:
        methods.append(method)
        return call(model, method, **kwargs)

    ahead.orm.call = noted  # type: ignore[method-assign]
    pages = list(ahead.read(Entity.PRODUCT, since=None, resume=None))
    assert methods == ["search_read", "search", *["search_read"] * 3]  # bound, ids, windows
    assert [[r.external_id for r in p.records] for p in pages] == [
        [r.external_id for r in p.records] for p in sequential
    ]
    assert [p.resume for p in pages[:-1]] == [p.resume for p in sequential[:-1]]
    assert pages[0].total == 45 and pages[-1].resume is None
    # the same calls: login, bound, then `search` + 3 windows where there were 3 pages +
    # `search_count`
    assert ahead.stats.api_calls == one.stats.api_calls


def test_a_refused_row_fails_alone_and_the_rest_is_imported_again(sandbox: RunningSandbox) -> None:
    odoo = adapter(sandbox)
    customers = live(read_all(odoo, Entity.CUSTOMER))
    first, second = sorted(customers, key=int)[:2]
    results = odoo.write(
        Entity.CUSTOMER,
        [
            OutboundRecord(first, {"city": "Ghent"}, ("city",)),
            OutboundRecord("999999", {"city": "Nowhere"}, ("city",)),
            OutboundRecord(second, {"city": "Bruges"}, ("city",)),
        ],
    )
    assert [r.error is None for r in results] == [True, False, True]
    assert "does not exist" in (results[1].error or "")
    cities = [sandbox.control.get("odoo", "acme", "res.partner", i) for i in (first, second)]
    assert [c.fields["city"] for c in cities if c is not None] == ["Ghent", "Bruges"]
    local = OutboundRecord("local:twice", {"name": "Twice BV", "email": "twice@example.com"})
    [made], [again] = odoo.write(Entity.CUSTOMER, [local]), odoo.write(Entity.CUSTOMER, [local])
    assert made.new_external_id == again.new_external_id  # the external id found it again


@pytest.mark.parametrize("db", ["acme", "globex"])  # XML-RPC and JSON-2
def test_a_quote_create_that_may_have_been_sent_is_found_by_its_origin(
    sandbox: RunningSandbox, db: str
) -> None:
    odoo = adapter(sandbox, db)
    line = {"product_external_id": "3", "quantity": "2", "unit_price": "10"}
    quote = OutboundRecord("local:q-1", {"customer_external_id": "1", "lines": [line]})
    [first] = odoo.write(Entity.QUOTE, [quote])
    # the answer was lost: the same create again, flagged as maybe sent
    [again] = odoo.write(Entity.QUOTE, [replace(quote, maybe_sent=True)])
    assert first.error is None and again.new_external_id == first.new_external_id
    ours = [
        r for r in sandbox.control.iter_records("odoo", db, "sale.order")
        if r.fields.get("origin") == "local:q-1"
    ]  # fmt: skip
    assert [r.id for r in ours] == [first.new_external_id]
    [fetched] = odoo.fetch(Entity.QUOTE, [first.new_external_id or ""])
    assert len(fetched.data["lines"]) == 1  # the lines were not doubled either
