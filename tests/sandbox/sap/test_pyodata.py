"""The SAP simulator driven through pyodata, unmodified, over real HTTP."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from pyodata.exceptions import HttpError
from pyodata.vendor.SAP import BusinessGatewayError

from sandbox.testing import RunningSandbox
from tests.sandbox.sap.conftest import GLOBEX, SYSTEM, Service, basic_session, service_url

SERVICES = (
    "API_PRODUCT_SRV",
    "API_SALES_ORDER_SRV",
    "API_SALES_QUOTATION_SRV",
    "API_BUSINESS_PARTNER",
    "API_MATERIAL_STOCK_SRV",
)


@pytest.mark.parametrize("service", SERVICES)
def test_every_service_metadata_builds_a_pyodata_client(odata: Service, service: str) -> None:
    client = odata(service)
    names = {entity_set.name for entity_set in client.schema.entity_sets}
    assert names and all(name.startswith("A_") for name in names)


def test_extension_fields_appear_only_in_their_tenants_metadata(
    sandbox: RunningSandbox, odata: Service
) -> None:
    acme = odata("API_PRODUCT_SRV").schema.entity_type("A_ProductType")
    assert acme.proprty("YY1_ShelfLifeCategory_PRD").label == "Shelf Life"
    import pyodata

    globex = pyodata.Client(service_url(sandbox, "API_PRODUCT_SRV"), basic_session(GLOBEX))
    globex_type = globex.schema.entity_type("A_ProductType")
    assert globex_type.has_proprty("YY1_RecyclingCode_PRD")
    assert not globex_type.has_proprty("YY1_ShelfLifeCategory_PRD")


def test_filter_top_skip_and_inline_count(odata: Service) -> None:
    products = odata("API_PRODUCT_SRV").entity_sets.A_Product
    every = products.get_entities().filter("ProductGroup eq 'L001'").top(5000).execute()
    page = (
        products.get_entities().filter("ProductGroup eq 'L001'").skip(2).top(3)
        .count(inline=True).execute()
    )  # fmt: skip
    assert page.total_count == len(every) > 5
    assert [p.Product for p in page] == [p.Product for p in every[2:5]]
    assert all(p.ProductGroup == "L001" for p in every)
    assert products.get_entities().count().execute() == 200


def test_incremental_filter_on_last_change_date_time(
    sandbox: RunningSandbox, odata: Service
) -> None:
    since = datetime.now(UTC)
    # SAP stamps changes in whole milliseconds: an edit in the same millisecond as `since`
    # would carry a stamp that is not after it.
    time.sleep(0.002)
    for product in ("TG000003", "TG000001"):
        sandbox.control.update(SYSTEM, "acme", "A_Product", product, {"ProductGroup": "L004"})
    products = odata("API_PRODUCT_SRV").entity_sets.A_Product
    changed = (
        products.get_entities().filter(LastChangeDateTime__gt=since)
        .order_by("LastChangeDateTime").execute()
    )  # fmt: skip
    assert [p.Product for p in changed] == ["TG000003", "TG000001"]
    assert changed[0].LastChangeDateTime < changed[1].LastChangeDateTime
    served = sandbox.control.records_served(SYSTEM, "acme", "A_Product")
    assert served == 2


def test_server_paging_hands_out_next_links(sandbox: RunningSandbox, odata: Service) -> None:
    sandbox.control.set_scale(SYSTEM, "acme", {"A_Product": 1500})
    products = odata("API_PRODUCT_SRV").entity_sets.A_Product
    first = products.get_entities().execute()
    assert len(first) == 1000 and "$skiptoken=1000" in first.next_url
    rest = products.get_entities().next_url(first.next_url).execute()
    assert len(rest) == 500 and rest.next_url is None
    assert len({p.Product for p in [*first, *rest]}) == 1500


def test_get_by_single_and_composite_keys(odata: Service) -> None:
    product = odata("API_PRODUCT_SRV").entity_sets.A_Product.get_entity("TG000002").execute()
    assert product.Product == "TG000002" and product.etag.startswith("W/\"datetimeoffset'")
    orders = odata("API_SALES_ORDER_SRV").entity_sets
    order = orders.A_SalesOrder.get_entity("5000001").expand("to_Item").execute()
    first = order.to_Item[0]
    item = orders.A_SalesOrderItem.get_entity(
        SalesOrder="5000001", SalesOrderItem=first.SalesOrderItem
    )
    assert item.execute().NetAmount == first.NetAmount
    stock = odata("API_MATERIAL_STOCK_SRV").entity_sets.A_MatlStkInAcctMod
    row = stock.get_entities().top(1).execute()[0]
    keys = {p.name: getattr(row, p.name) for p in row._entity_type.key_proprties}
    assert len(keys) == 11
    assert (
        stock.get_entity(**keys).execute().MatlWrhsStkQtyInMatlBaseUnit
        == row.MatlWrhsStkQtyInMatlBaseUnit
    )


def test_create_with_deep_insert_then_update_with_etag(odata: Service) -> None:
    products = odata("API_PRODUCT_SRV").entity_sets.A_Product
    created = (
        products.create_entity()
        .set(ProductType="FERT", ProductGroup="L001", GrossWeight="1.5",
             to_Description=[{"Language": "EN", "ProductDescription": "Proof widget"}])
        .execute()
    )  # fmt: skip
    assert created.Product == "TG000201" and created.GrossWeight == "1.500"
    update = products.update_entity(Product=created.Product).set(ProductGroup="L002")
    update.add_headers({"If-Match": created.etag})
    update.execute()
    stale = products.update_entity(Product=created.Product).set(ProductGroup="L003")
    stale.add_headers({"If-Match": created.etag})
    with pytest.raises(HttpError) as caught:
        stale.execute()
    assert caught.value.response.status_code == 412
    current = products.get_entity(created.Product).expand("to_Description").execute()
    assert current.ProductGroup == "L002" and current.etag != created.etag
    assert [d.ProductDescription for d in current.to_Description] == ["Proof widget"]
    missing = products.update_entity(Product=created.Product).set(ProductGroup="L003")
    with pytest.raises(HttpError) as caught:
        missing.execute()
    assert caught.value.response.status_code == 428


def test_sales_order_create_prices_items_and_delete_removes_it(odata: Service) -> None:
    orders = odata("API_SALES_ORDER_SRV").entity_sets.A_SalesOrder
    order = (
        orders.create_entity()
        .set(SalesOrderType="OR", SalesOrganization="1710", DistributionChannel="10",
             OrganizationDivision="00", SoldToParty="1000001",
             to_Item=[{"Material": "TG000001", "RequestedQuantity": "2"},
                      {"Material": "TG000002", "RequestedQuantity": "1"}])
        .execute()
    )  # fmt: skip
    amounts = [float(i.NetAmount) for i in order.to_Item]
    assert [i.SalesOrderItem for i in order.to_Item] == ["10", "20"]
    assert float(order.TotalNetAmount) == pytest.approx(sum(amounts))
    delete = orders.delete_entity(SalesOrder=order.SalesOrder)
    delete.add_headers({"If-Match": "*"})
    delete.execute()
    with pytest.raises(HttpError) as caught:
        orders.get_entity(order.SalesOrder).execute()
    assert caught.value.response.status_code == 404


def test_a_sales_order_in_process_is_not_deletable(sandbox: RunningSandbox, odata: Service) -> None:
    """SAP keeps a sales document once processing started (deliveries, invoices follow
    it): the delete is refused in the Gateway's error body and the order stays."""
    control = sandbox.control
    processed = next(
        t
        for t in control.iter_records(SYSTEM, "acme", "A_SalesOrder")
        if t.fields.get("OverallSDProcessStatus") == "C"
    )
    orders = odata("API_SALES_ORDER_SRV").entity_sets.A_SalesOrder
    delete = orders.delete_entity(SalesOrder=processed.id)
    delete.add_headers({"If-Match": "*"})
    with pytest.raises(HttpError) as caught:
        delete.execute()
    assert caught.value.response.status_code == 400
    assert "cannot be deleted" in caught.value.response.json()["error"]["message"]["value"]
    assert control.get(SYSTEM, "acme", "A_SalesOrder", processed.id) is not None


def test_products_are_not_deletable(odata: Service) -> None:
    delete = odata("API_PRODUCT_SRV").entity_sets.A_Product.delete_entity(Product="TG000001")
    delete.add_headers({"If-Match": "*"})
    with pytest.raises(HttpError) as caught:
        delete.execute()
    assert caught.value.response.status_code == 405


def test_errors_are_sap_gateway_bodies(odata: Service) -> None:
    products = odata("API_PRODUCT_SRV").entity_sets.A_Product
    with pytest.raises(HttpError) as caught:
        products.get_entities().filter("Colour eq 'red'").execute()
    error = BusinessGatewayError(str(caught.value), caught.value.response)
    assert caught.value.response.status_code == 400
    assert "Property Colour not found in type A_ProductType" in str(error)
    assert error.errordetails and caught.value.response.json()["error"]["code"].startswith(
        "/IWBEP/"
    )
    with pytest.raises(HttpError) as caught:
        products.get_entities().top(5001).execute()
    assert caught.value.response.status_code == 400
    orders = odata("API_SALES_ORDER_SRV").entity_sets.A_SalesOrder
    with pytest.raises(HttpError) as caught:
        orders.create_entity().set(SalesOrderType="OR", SalesOrganization="1710",
                                   DistributionChannel="10", OrganizationDivision="00",
                                   SoldToParty="999").execute()  # fmt: skip
    assert "Sold-to party 999 does not exist" in str(
        BusinessGatewayError("", caught.value.response)
    )


def test_business_partner_addresses_expand_two_levels(odata: Service) -> None:
    partners = odata("API_BUSINESS_PARTNER").entity_sets.A_BusinessPartner
    partner = (
        partners.get_entities().expand("to_BusinessPartnerAddress/to_EmailAddress").top(1)
        .execute()[0]
    )  # fmt: skip
    address = partner.to_BusinessPartnerAddress[0]
    assert address.BusinessPartner == partner.BusinessPartner
    assert "@" in address.to_EmailAddress[0].EmailAddress
    assert partner.LastChangeTime is not None and partner.etag.startswith("W/\"'")
