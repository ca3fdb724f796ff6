"""The SAP adapter against the SAP simulator over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import SecretStr

from adapters.base import AdapterContext, OutboundRecord
from adapters.sap import SapAdapter
from core.errors import QuotaExhaustedError
from core.models import Connection, Direction, Entity, FieldOverride, System
from sandbox.testing import RunningSandbox, run_sandbox

SAP, TENANT = "sap", "acme"
BASIC = {"username": "TOOTHPICK_ACME_COMM", "password": "Acme-S4HC-Comm-Password-1"}
OAUTH = {"username": "TOOTHPICK_ACME_OAUTH", "password": "Acme-S4HC-Comm-Password-1"}


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with run_sandbox(systems=(SAP,), data_dir=tmp_path_factory.mktemp("sb"), tls=False) as running:
        yield running


@pytest.fixture(autouse=True)
def fresh_tenant(sandbox: RunningSandbox) -> Iterator[None]:
    sandbox.control.reset(
        SAP,
        TENANT,
        scale={"A_Product": 250, "A_BusinessPartner": 20, "A_SalesOrder": 20,
               "A_SalesQuotation": 10, "A_MatlStkInAcctMod": 12},
    )  # fmt: skip
    yield
    sandbox.control.clear_faults()


def adapter(
    sandbox: RunningSandbox,
    *,
    credentials: dict[str, str] = BASIC,
    method: str = "basic",
    overrides: tuple[FieldOverride, ...] = (),
    sales_area: str = "1710/10/00",
) -> SapAdapter:
    connection = Connection(
        organisation_id="org",
        system=System.SAP,
        name="sap",
        config={
            "base_url": sandbox.url,
            "auth_method": method,
            "username": credentials["username"],
            "page_size": 100,
            "sales_area": sales_area,
        },
        sealed_secret="sealed",
        entities=[Entity.PRODUCT, Entity.CUSTOMER],
        field_overrides=list(overrides),
    )
    context = AdapterContext(
        connection=connection,
        secret={"password": SecretStr(credentials["password"])},
        read_timeout_s=5.0,
    )
    return SapAdapter(context, rand=lambda: 0.0)


def resent(record: OutboundRecord) -> OutboundRecord:
    """The same create again, as the engine sends one that may have reached the vendor."""
    vars(record)["maybe_sent"] = True
    return record


def records(pages: Any) -> list[Any]:
    return [r for page in pages for r in page.records]


def test_check_reports_the_count_and_refusals_in_words(sandbox: RunningSandbox) -> None:
    assert adapter(sandbox).check().message.endswith("A_Product has 250 records")
    refused = adapter(sandbox, credentials={**BASIC, "password": "wrong"}).check()
    assert not refused.ok and "refused" in refused.message and "wrong" not in refused.message
    assert adapter(sandbox, credentials=OAUTH, method="oauth2").check().ok


def test_a_full_read_pages_oldest_first_and_flags_deletions(sandbox: RunningSandbox) -> None:
    for product in ("TG000050", "TG000100"):
        sandbox.control.update(SAP, TENANT, "A_Product", product, {"IsMarkedForDeletion": True})
    pages = list(adapter(sandbox).read(Entity.PRODUCT, since=None, resume=None))
    assert [len(p.records) for p in pages] == [100, 100, 50]
    found = records(pages)
    stamps = [r.updated_at for r in found]
    assert stamps == sorted(stamps) and all(r.created_at for r in found)  # edits come last
    assert [r.external_id for r in found if r.deleted] == ["TG000050", "TG000100"]
    first = found[0].data
    assert first["sku"] == "TG000001" and first["name"] and first["category"].startswith(("L", "Y"))


def test_incremental_reads_see_only_changes(sandbox: RunningSandbox) -> None:
    since = datetime.now(UTC)
    control = sandbox.control
    control.update(SAP, TENANT, "A_Product", "TG000007", {"ProductGroup": "L004"})
    control.update(SAP, TENANT, "A_BusinessPartner", "1000003", {"SearchTerm2": "X"})
    sap = adapter(sandbox)
    assert [r.external_id for r in records(sap.read(Entity.PRODUCT, since=since, resume=None))] == [
        "TG000007"
    ]
    partners = records(sap.read(Entity.CUSTOMER, since=since, resume=None))
    assert [r.external_id for r in partners] == ["1000003"]
    assert partners[0].updated_at is not None and partners[0].updated_at >= since.replace(
        microsecond=0
    )


def test_stock_is_read_whole_with_its_eleven_part_key(sandbox: RunningSandbox) -> None:
    sap = adapter(sandbox)
    stock = records(sap.read(Entity.INVENTORY, since=datetime.now(UTC), resume=None))
    assert len(stock) == 12  # no timestamp: `since` cannot narrow it
    first = stock[0]
    assert first.external_id.split("|")[:4] == ["TG000001", "1710", "171A", ""]
    assert first.data["location"] == "1710/171A" and first.data["quantity"]
    [again] = sap.fetch(Entity.INVENTORY, [first.external_id])
    assert again.data == first.data


def test_extension_fields_are_discovered_and_carried_both_ways(sandbox: RunningSandbox) -> None:
    discovered = {f.name: f for f in adapter(sandbox).discover_fields(Entity.PRODUCT)}
    assert discovered["YY1_ShelfLifeCategory_PRD"].custom
    assert discovered["YY1_ShelfLifeCategory_PRD"].label == "Shelf Life"
    override = FieldOverride(
        entity=Entity.PRODUCT, canonical_field="custom.shelf_life",
        vendor_field="YY1_ShelfLifeCategory_PRD", direction=Direction.BOTH,
    )  # fmt: skip
    sap = adapter(sandbox, overrides=(override,))
    [product] = sap.fetch(Entity.PRODUCT, ["TG000002"])
    assert product.data["custom"]["shelf_life"] in ("S", "M", "L")
    data = {**product.data, "custom": {"shelf_life": "L"}, "name": "Renamed widget"}
    [result] = sap.write(Entity.PRODUCT, [OutboundRecord("TG000002", data, ("custom", "name"))])
    assert result.error is None and result.updated_at and product.updated_at
    assert result.updated_at > product.updated_at
    truth = sandbox.control.get(SAP, TENANT, "A_Product", "TG000002")
    assert truth is not None and truth.fields["YY1_ShelfLifeCategory_PRD"] == "L"
    assert truth.fields["to_Description"][0]["ProductDescription"] == "Renamed widget"


def test_creates_go_deep_and_name_people_as_people(sandbox: RunningSandbox) -> None:
    sap = adapter(sandbox)
    person = {"name": "Ada Lovelace", "is_company": False, "city": "London", "country": "GB"}
    [created] = sap.write(Entity.CUSTOMER, [OutboundRecord(None, person)])
    assert created.error is None and created.new_external_id == "1000021"
    truth = sandbox.control.get(SAP, TENANT, "A_BusinessPartner", "1000021")
    assert truth is not None
    assert (truth.fields["FirstName"], truth.fields["LastName"]) == ("Ada", "Lovelace")
    assert truth.fields["to_BusinessPartnerAddress"][0]["CityName"] == "London"
    order = {
        "number": "x", "customer_external_id": "1000021", "currency": "USD",
        "lines": [{"product_external_id": "TG000001", "quantity": "3"}],
    }  # fmt: skip
    [unplaced] = adapter(sandbox, sales_area="").write(Entity.ORDER, [OutboundRecord(None, order)])
    assert unplaced.error and "sales area" in unplaced.error
    [made] = sap.write(Entity.ORDER, [OutboundRecord(None, order)])
    assert made.error is None and made.new_external_id == "5000021"
    [read] = sap.fetch(Entity.ORDER, ["5000021"])
    assert read.data["lines"][0]["line_id"] == "10" and read.data["total_amount"]


def test_order_lines_update_in_place_but_new_lines_are_refused(sandbox: RunningSandbox) -> None:
    sap = adapter(sandbox)
    [order] = sap.fetch(Entity.ORDER, ["5000001"])
    lines = [dict(line) for line in order.data["lines"]]
    lines[0]["quantity"] = "99"
    [ok] = sap.write(
        Entity.ORDER, [OutboundRecord("5000001", {**order.data, "lines": lines}, ("lines",))]
    )
    assert ok.error is None
    truth = sandbox.control.get(SAP, TENANT, "A_SalesOrder", "5000001")
    assert truth is not None and truth.fields["to_Item"][0]["RequestedQuantity"] == "99.000"
    grown = [*lines, {"product_external_id": "TG000002", "quantity": "1"}]
    [refused] = sap.write(
        Entity.ORDER, [OutboundRecord("5000001", {**order.data, "lines": grown}, ("lines",))]
    )
    assert refused.error and "new line cannot be added" in refused.error


def test_a_lost_session_fetches_a_new_csrf_token(sandbox: RunningSandbox) -> None:
    sap = adapter(sandbox)
    [product] = sap.fetch(Entity.PRODUCT, ["TG000003"])
    assert (
        sap.write(
            Entity.PRODUCT,
            [OutboundRecord("TG000003", {**product.data, "category": "L001"}, ("category",))],
        )[0].error
        is None
    )
    sandbox.control.reset(SAP, TENANT)  # drops the simulator's sessions (and their tokens)
    [again] = sap.write(
        Entity.PRODUCT,
        [OutboundRecord("TG000003", {**product.data, "category": "L002"}, ("category",))],
    )
    assert again.error is None
    truth = sandbox.control.get(SAP, TENANT, "A_Product", "TG000003")
    assert truth is not None and truth.fields["ProductGroup"] == "L002"


def test_an_api_management_quota_pauses_the_run(sandbox: RunningSandbox) -> None:
    sandbox.control.add_fault({"system": SAP, "tenant": TENANT, "sequence": ["daily_limit"]})
    with pytest.raises(QuotaExhaustedError) as caught:
        list(adapter(sandbox).read(Entity.PRODUCT, since=None, resume=None))
    assert "quota" in str(caught.value)


def test_the_first_page_carries_the_inline_count(sandbox: RunningSandbox) -> None:
    pages = list(adapter(sandbox).read(Entity.PRODUCT, since=None, resume=None))
    assert pages[0].total == 250 == len(records(pages))
    assert [p.total for p in pages[1:]] == [None, None]


def test_a_create_sent_again_finds_the_record_its_first_attempt_made(
    sandbox: RunningSandbox,
) -> None:
    """Partners carry a correlation key from the local id; a product its own number (the
    SKU). A second write of the same local record answers with what SAP already holds."""
    sap = adapter(sandbox)
    partner = OutboundRecord("local:twice-1", {"name": "Twice GmbH", "is_company": True})
    [first] = sap.write(Entity.CUSTOMER, [partner])
    [second] = sap.write(Entity.CUSTOMER, [resent(partner)])
    assert first.error is None and second.new_external_id == first.new_external_id
    product = OutboundRecord("local:twice-2", {"sku": "tp-twice", "name": "Twice", "unit": "PC"})
    [made] = sap.write(Entity.PRODUCT, [product])
    [again] = sap.write(Entity.PRODUCT, [resent(product)])
    assert made.new_external_id == again.new_external_id == "TP-TWICE"
    partners = [
        t for t in sandbox.control.iter_records(SAP, TENANT, "A_BusinessPartner")
        if t.fields.get("OrganizationBPName1") == "Twice GmbH"
    ]  # fmt: skip
    assert len(partners) == 1


def test_one_refused_changeset_fails_its_record_alone(sandbox: RunningSandbox) -> None:
    sap = adapter(sandbox)
    batch = [
        OutboundRecord(None, {"sku": f"TP-ONE-{n}", "name": f"One {n}", "unit": "PC",
                              "category": "NOT-A-GROUP-AT-ALL" if n == 1 else "L001"})
        for n in range(3)
    ]  # fmt: skip
    sandbox.control.reset_stats(system=SAP, tenant=TENANT)
    results = sap.write(Entity.PRODUCT, batch)
    assert [r.error is None for r in results] == [True, False, True]
    assert "ProductGroup" in (results[1].error or "")
    posts = [
        r for r in sandbox.control.stats(system=SAP, tenant=TENANT)["requests"]
        if r["method"] == "POST"
    ]  # fmt: skip
    assert [(r["path"].rsplit("/", 1)[-1], r["count"]) for r in posts] == [("$batch", 1)]
