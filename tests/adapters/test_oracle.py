"""The Oracle Fusion adapter against the Oracle simulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.base import AdapterContext, OutboundRecord
from adapters.oracle import OracleAdapter
from core.errors import InvalidInputError
from core.models import Connection, Direction, Entity, FieldOverride, System
from sandbox.testing import RunningSandbox, run_sandbox

ORACLE, TENANT = "oracle", "acme"
PASSWORD = "Acme-Fusion-Pass-1"


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with run_sandbox(
        systems=(ORACLE,), data_dir=tmp_path_factory.mktemp("sb"), tls=False
    ) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh_tenant(sandbox: RunningSandbox) -> Iterator[None]:
    scale = {
        "itemsV2": 250,
        "accounts": 20,
        "salesOrdersForOrderHub": 20,
        "onhandQuantityDetails": 9,
    }
    sandbox.control.reset(ORACLE, TENANT, scale=scale)
    yield
    sandbox.control.clear_faults()


def adapter(
    sandbox: RunningSandbox,
    *,
    password: str = PASSWORD,
    overrides: tuple[FieldOverride, ...] = (),
) -> OracleAdapter:
    connection = Connection(
        organisation_id="org",
        system=System.ORACLE,
        name="oracle",
        config={
            "base_url": sandbox.url,
            "auth_method": "basic",
            "username": "acme.integration",
            "page_size": 100,
            "item_organization": "M1",
        },
        sealed_secret="sealed",
        entities=[Entity.PRODUCT, Entity.CUSTOMER],
        field_overrides=list(overrides),
    )
    context = AdapterContext(
        connection=connection, secret={"password": SecretStr(password)}, read_timeout_s=5.0
    )
    return OracleAdapter(context, rand=lambda: 0.0)


def resent(record: OutboundRecord) -> OutboundRecord:
    """The same create again, as the engine sends one that may have reached the vendor."""
    vars(record)["maybe_sent"] = True
    return record


def records(pages: Any) -> list[Any]:
    return [r for page in pages for r in page.records]


def test_check_counts_and_refusals(sandbox: RunningSandbox) -> None:
    assert adapter(sandbox).check().message.endswith("itemsV2 has 250 records")
    refused = adapter(sandbox, password="wrong").check()
    assert not refused.ok and "refused" in refused.message


def test_full_read_pages_oldest_first(sandbox: RunningSandbox) -> None:
    pages = list(adapter(sandbox).read(Entity.PRODUCT, since=None, resume=None))
    assert [len(p.records) for p in pages] == [100, 100, 50]
    found = records(pages)
    assert [r.updated_at for r in found] == sorted(r.updated_at for r in found)
    assert found[0].external_id == "300000001000001" and found[0].data["sku"] == "AS54000"


def test_incremental_reads_see_only_changes(sandbox: RunningSandbox) -> None:
    since = datetime.now(UTC)
    sandbox.control.update(ORACLE, TENANT, "accounts", "100004", {"City": "Lyon"})
    changed = records(adapter(sandbox).read(Entity.CUSTOMER, since=since, resume=None))
    assert [(r.external_id, r.data["city"]) for r in changed] == [("100004", "Lyon")]


def test_on_hand_is_read_whole_with_its_six_part_key(sandbox: RunningSandbox) -> None:
    oracle = adapter(sandbox)
    rows = records(oracle.read(Entity.INVENTORY, since=datetime.now(UTC), resume=None))
    assert len(rows) == 9
    first = rows[0]
    assert first.external_id == "207|300000001000001|Stores|0||"
    assert (
        first.data["location"] == "M1/Stores"
        and first.data["product_external_id"] == "300000001000001"
    )
    [again] = oracle.fetch(Entity.INVENTORY, [first.external_id])
    assert again.data == first.data
    with pytest.raises(InvalidInputError):
        oracle.fetch(Entity.INVENTORY, ["not-a-key"])


def test_custom_fields_from_describe_travel_both_ways(sandbox: RunningSandbox) -> None:
    oracle = adapter(sandbox)
    assert "ItemDFF.items.0.shelfLifeDays" in {
        f.name for f in oracle.discover_fields(Entity.PRODUCT)
    }
    assert "LoyaltyTier_c" in {f.name for f in oracle.discover_fields(Entity.CUSTOMER)}
    shelf = FieldOverride(
        entity=Entity.PRODUCT,
        canonical_field="custom.shelf_life",
        vendor_field="ItemDFF.items.0.shelfLifeDays",
        direction=Direction.BOTH,
    )
    tier = FieldOverride(
        entity=Entity.CUSTOMER,
        canonical_field="custom.tier",
        vendor_field="LoyaltyTier_c",
        direction=Direction.BOTH,
    )
    oracle = adapter(sandbox, overrides=(shelf, tier))
    [item] = oracle.fetch(Entity.PRODUCT, ["300000001000002"])
    data = {**item.data, "custom": {"shelf_life": 999}, "name": "Renamed"}
    [result] = oracle.write(
        Entity.PRODUCT, [OutboundRecord("300000001000002", data, ("custom", "name"))]
    )
    assert result.error is None and result.updated_at
    truth = sandbox.control.get(ORACLE, TENANT, "itemsV2", "300000001000002")
    assert (
        truth is not None
        and truth.fields["shelfLifeDays"] == 999
        and truth.fields["ItemDescription"] == "Renamed"
    )
    [account] = oracle.fetch(Entity.CUSTOMER, ["100003"])
    assert account.data["custom"]["tier"] in ("GOLD", "SILVER", "BRONZE")


def test_creates_return_the_new_key(sandbox: RunningSandbox) -> None:
    oracle = adapter(sandbox)
    [account] = oracle.write(
        Entity.CUSTOMER, [OutboundRecord(None, {"name": "Pinnacle", "city": "Austin"})]
    )
    assert account.error is None and account.new_external_id == "100021"
    [item] = oracle.write(
        Entity.PRODUCT, [OutboundRecord(None, {"sku": "TP-1", "name": "Proof item"})]
    )
    assert item.error is None and item.new_external_id == "300000001000251"
    order = {
        "number": "x",
        "customer_external_id": "100021",
        "currency": "USD",
        "lines": [{"product_external_id": "300000001000251", "quantity": "2"}],
    }
    [made] = oracle.write(Entity.ORDER, [OutboundRecord(None, order)])
    assert made.error is None
    [read] = oracle.fetch(Entity.ORDER, [str(made.new_external_id)])
    assert read.data["lines"][0]["sku"] == "TP-1" and read.data["customer_external_id"] == "100021"


def test_order_lines_update_in_place_but_new_lines_are_refused(sandbox: RunningSandbox) -> None:
    oracle = adapter(sandbox)
    [order] = oracle.fetch(Entity.ORDER, ["300000100000001"])
    lines = [dict(line) for line in order.data["lines"]]
    lines[0]["quantity"] = "77"
    change = {**order.data, "lines": lines}
    [ok] = oracle.write(Entity.ORDER, [OutboundRecord("300000100000001", change, ("lines",))])
    assert ok.error is None
    truth = sandbox.control.get(ORACLE, TENANT, "salesOrdersForOrderHub", "300000100000001")
    assert truth is not None and truth.fields["lines"][0]["OrderedQuantity"] == 77
    grown = {
        **order.data,
        "lines": [*lines, {"product_external_id": "300000001000002", "quantity": "1"}],
    }
    [refused] = oracle.write(Entity.ORDER, [OutboundRecord("300000100000001", grown, ("lines",))])
    assert refused.error and "cannot be added" in refused.error


def test_the_first_page_carries_total_results(sandbox: RunningSandbox) -> None:
    pages = list(adapter(sandbox).read(Entity.PRODUCT, since=None, resume=None))
    assert pages[0].total == 250 == len(records(pages))
    assert [p.total for p in pages[1:]] == [None, None]
    resumed = list(adapter(sandbox).read(Entity.PRODUCT, since=None, resume=pages[0].resume))
    assert len(records(resumed)) == 150 and resumed[0].total is None  # not the read's first


def test_a_create_sent_again_finds_the_record_its_first_attempt_made(
    sandbox: RunningSandbox,
) -> None:
    oracle = adapter(sandbox)
    account = OutboundRecord("local:twice-1", {"name": "Twice Inc", "city": "Austin"})
    [first] = oracle.write(Entity.CUSTOMER, [account])
    [second] = oracle.write(Entity.CUSTOMER, [resent(account)])
    assert first.error is None and second.new_external_id == first.new_external_id
    item = OutboundRecord("local:twice-2", {"sku": "TP-TWICE", "name": "Twice"})
    [made] = oracle.write(Entity.PRODUCT, [item])
    [again] = oracle.write(Entity.PRODUCT, [resent(item)])
    assert made.error is None and again.new_external_id == made.new_external_id
    named = [
        t for t in sandbox.control.iter_records(ORACLE, TENANT, "accounts")
        if t.fields.get("OrganizationName") == "Twice Inc"
    ]  # fmt: skip
    assert len(named) == 1 and named[0].fields["SourceSystemReferenceValue"] == "local:twice-1"


def test_an_item_number_is_set_at_creation_and_never_sent_in_an_update(
    sandbox: RunningSandbox,
) -> None:
    """Oracle keeps an item's ItemNumber once made (describe: updatable false): an update
    that does not change it leaves it out, whether it names its changed fields or not."""
    oracle = adapter(sandbox)
    [item] = oracle.fetch(Entity.PRODUCT, ["300000001000002"])
    renamed = {**item.data, "name": "Renamed widget"}
    for changed in (("name",), ()):
        [ok] = oracle.write(Entity.PRODUCT, [OutboundRecord(item.external_id, renamed, changed)])
        assert ok.error is None, changed
    truth = sandbox.control.get(ORACLE, TENANT, "itemsV2", "300000001000002")
    assert truth is not None and truth.fields["ItemDescription"] == "Renamed widget"
    assert truth.fields["ItemNumber"] == item.data["sku"]


def test_a_changed_item_number_is_refused_before_any_call(sandbox: RunningSandbox) -> None:
    """A local SKU edit cannot reach Oracle: the record fails with words that say so, and
    costs no write call."""
    oracle = adapter(sandbox)
    [item] = oracle.fetch(Entity.PRODUCT, ["300000001000002"])
    edited = {**item.data, "sku": "NEW-SKU", "name": "Renamed"}
    sandbox.control.reset_stats(system=ORACLE, tenant=TENANT)
    edit = OutboundRecord(item.external_id, edited, ("sku", "name"))
    [refused] = oracle.write(Entity.PRODUCT, [edit])
    assert refused.error and "sku" in refused.error and "once" in refused.error
    requests = sandbox.control.stats(system=ORACLE, tenant=TENANT)["requests"]
    assert not [row for row in requests if row["op"] in ("create", "update", "batch")]
    truth = sandbox.control.get(ORACLE, TENANT, "itemsV2", "300000001000002")
    assert truth is not None and truth.fields["ItemNumber"] == item.data["sku"]
