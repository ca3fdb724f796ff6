"""Field maps both ways: nested paths, line items, overrides, custom fields, messages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from adapters import convert
from adapters.mapping import FieldMap, Lines, Rule
from core.errors import InvalidInputError, RecordError
from core.models import Direction, Entity, FieldOverride

HUBSPOT_CONTACT = FieldMap(
    Entity.CONTACT,
    (
        Rule("first_name", "properties.firstname"),
        Rule("last_name", "properties.lastname"),
        Rule("email", "properties.email"),
        Rule("account_external_id", "properties.associatedcompanyid", convert.REF, writable=False),
    ),
)

SALESFORCE_CONTACT = FieldMap(
    Entity.CONTACT,
    (
        Rule("first_name", "FirstName"),
        Rule("last_name", "LastName"),
        Rule("email", "Email"),
        Rule("title", "Title"),
        Rule("account_external_id", "AccountId", convert.REF),
        Rule("custom.account_name", "Account.Name", writable=False),
    ),
)

SAP_ORDER = FieldMap(
    Entity.ORDER,
    (
        Rule("number", "SalesOrder"),
        Rule("customer_external_id", "SoldToParty", convert.REF),
        Rule("order_date", "SalesOrderDate", convert.DATE_ODATA),
        Rule("currency", "TransactionCurrency"),
        Rule("total_amount", "TotalNetAmount", convert.DECIMAL_TEXT),
    ),
    lines=Lines(
        "to_Item.results",
        (
            Rule("line_id", "SalesOrderItem"),
            Rule("product_external_id", "Material", convert.REF),
            Rule("quantity", "RequestedQuantity", convert.DECIMAL_TEXT),
            Rule("amount", "NetAmount", convert.DECIMAL_TEXT),
        ),
        writable=True,
    ),
)


def override(
    canonical: str,
    vendor: str,
    direction: Direction = Direction.BOTH,
    entity: Entity = Entity.CONTACT,
) -> FieldOverride:
    return FieldOverride(
        entity=entity, canonical_field=canonical, vendor_field=vendor, direction=direction
    )


def test_nested_vendor_paths_read_into_canonical_fields():
    raw = {
        "id": "51",
        "properties": {
            "firstname": "Ada",
            "lastname": "Lovelace",
            "email": "ada@example.com",
            "associatedcompanyid": "9",
        },
    }
    assert HUBSPOT_CONTACT.to_canonical(raw, external_id="51") == {
        "custom": {},
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": "ada@example.com",
        "phone": None,
        "title": None,
        "account_external_id": "9",
    }


def test_relationship_paths_and_null_parents():
    raw: dict[str, Any] = {"Id": "003A", "LastName": "Hopper", "Account": {"Name": "Navy"}}
    assert SALESFORCE_CONTACT.to_canonical(raw, external_id="003A")["custom"] == {
        "account_name": "Navy"
    }
    raw = {"Id": "003B", "LastName": "Hopper", "Account": None}
    assert SALESFORCE_CONTACT.to_canonical(raw, external_id="003B")["custom"] == {}


def test_line_items_and_odata_values():
    raw = {
        "SalesOrder": "1000123",
        "SoldToParty": "17100001",
        "SalesOrderDate": "/Date(1709251200000)/",
        "TransactionCurrency": "EUR",
        "TotalNetAmount": "1520.50",
        "to_Item": {
            "results": [
                {
                    "SalesOrderItem": "10",
                    "Material": "TG11",
                    "RequestedQuantity": "2",
                    "NetAmount": "1520.50",
                }
            ]
        },
    }
    data = SAP_ORDER.to_canonical(raw, external_id="1000123")
    assert data["order_date"] == "2024-03-01"
    assert data["total_amount"] == "1520.50"
    assert data["lines"] == [
        {
            "line_id": "10",
            "product_external_id": "TG11",
            "sku": None,
            "description": None,
            "quantity": "2",
            "unit_price": None,
            "amount": "1520.50",
        }
    ]


def test_a_field_the_vendor_left_empty_is_none_never_a_refusal():
    """The vendor decides what a valid record is (HubSpot keeps contacts without a last
    name): a record our model refused would be lost silently."""
    data = SALESFORCE_CONTACT.to_canonical({"Id": "003xx", "FirstName": "Ada"}, external_id="003xx")
    assert data["first_name"] == "Ada" and data["last_name"] is None


def test_an_unreadable_value_names_the_field_and_the_value():
    raw = {"SalesOrder": "1", "SalesOrderDate": "yesterday"}
    with pytest.raises(
        RecordError,
        match=r"order 1: order_date \(vendor field SalesOrderDate\): "
        r"cannot read 'yesterday' as a date",
    ):
        SAP_ORDER.to_canonical(raw, external_id="1")


def test_a_line_without_a_quantity_is_kept():
    raw = {"SalesOrder": "1", "to_Item": {"results": [{"SalesOrderItem": "10"}]}}
    data = SAP_ORDER.to_canonical(raw, external_id="1")
    assert [(line["line_id"], line["quantity"]) for line in data["lines"]] == [("10", None)]


def test_to_vendor_writes_only_writable_fields_nested_where_they_belong():
    data: dict[str, Any] = {
        "first_name": "Ada",
        "last_name": "Lovelace",
        "email": None,
        "account_external_id": "9",
        "custom": {},
    }
    assert HUBSPOT_CONTACT.to_vendor(data) == {
        "properties": {"firstname": "Ada", "lastname": "Lovelace", "email": None}
    }


def test_to_vendor_writes_only_changed_fields_when_told():
    data = {"first_name": "Ada", "last_name": "Byron", "email": "ada@example.com"}
    assert HUBSPOT_CONTACT.to_vendor(data, changed=["last_name"]) == {
        "properties": {"lastname": "Byron"}
    }


def test_to_vendor_converts_the_stores_json_form_and_writes_lines():
    data = {
        "number": "1",
        "order_date": "2024-03-01",
        "total_amount": "10.00",
        "lines": [{"quantity": "2", "product_external_id": "TG11"}],
    }
    assert SAP_ORDER.to_vendor(data) == {
        "SalesOrder": "1",
        "SalesOrderDate": "/Date(1709251200000)/",
        "TotalNetAmount": "10.00",
        "to_Item": {"results": [{"Material": "TG11", "RequestedQuantity": "2"}]},
    }
    assert "to_Item" not in SAP_ORDER.to_vendor(data, changed=["total_amount"])


def test_an_unwritable_value_is_a_record_error():
    with pytest.raises(RecordError, match="order_date: cannot read 'soon' as a date"):
        SAP_ORDER.to_vendor({"number": "1", "order_date": "soon"})


# --- overrides ------------------------------------------------------------------------------------


def test_renaming_a_standard_fields_source_both_ways():
    fmap = SALESFORCE_CONTACT.with_overrides([override("email", "Work_Email__c")])
    data = fmap.to_canonical(
        {"LastName": "X", "Email": "old@x", "Work_Email__c": "new@x"}, external_id="1"
    )
    assert data["email"] == "new@x"
    assert fmap.to_vendor({"last_name": "X", "email": "e@x"}) == {
        "LastName": "X",
        "Work_Email__c": "e@x",
    }


def test_a_pull_only_rename_keeps_writing_the_default_field():
    fmap = SALESFORCE_CONTACT.with_overrides([override("email", "Work_Email__c", Direction.PULL)])
    assert (
        fmap.to_canonical(
            {"LastName": "X", "Email": "old@x", "Work_Email__c": "new@x"}, external_id="1"
        )["email"]
        == "new@x"
    )
    assert fmap.to_vendor({"last_name": "X", "email": "e@x"}) == {"LastName": "X", "Email": "e@x"}


def test_a_push_only_rename_keeps_reading_the_default_field():
    fmap = SALESFORCE_CONTACT.with_overrides([override("email", "Work_Email__c", Direction.PUSH)])
    assert (
        fmap.to_canonical(
            {"LastName": "X", "Email": "old@x", "Work_Email__c": "new@x"}, external_id="1"
        )["email"]
        == "old@x"
    )
    assert fmap.to_vendor({"last_name": "X", "email": "e@x"}) == {
        "LastName": "X",
        "Work_Email__c": "e@x",
    }


def test_mapping_an_unmapped_standard_field_picks_a_converter_from_its_type():
    fmap = FieldMap(Entity.ACCOUNT, (Rule("name", "Name"),)).with_overrides(
        [override("employees", "NumberOfEmployees", entity=Entity.ACCOUNT)]
    )
    assert (
        fmap.to_canonical({"Name": "A", "NumberOfEmployees": "250"}, external_id="1")["employees"]
        == 250
    )


def test_custom_fields_travel_both_ways():
    fmap = HUBSPOT_CONTACT.with_overrides(
        [
            override("custom.loyalty_tier", "properties.loyalty_tier"),
            override("custom.score", "properties.hs_score", Direction.PULL),
        ]
    )
    raw = {"properties": {"lastname": "L", "loyalty_tier": "gold", "hs_score": 12}}
    data = fmap.to_canonical(raw, external_id="1")
    assert data["custom"] == {"loyalty_tier": "gold", "score": 12}
    assert fmap.to_vendor({"last_name": "L", "custom": {"loyalty_tier": "silver", "score": 1}}) == {
        "properties": {"lastname": "L", "loyalty_tier": "silver"}
    }
    assert fmap.to_vendor({"custom": {"loyalty_tier": "silver"}}, changed=["custom"]) == {
        "properties": {"loyalty_tier": "silver"}
    }
    assert fmap.to_vendor(
        {"custom": {"loyalty_tier": "silver"}}, changed=["custom.loyalty_tier"]
    ) == {"properties": {"loyalty_tier": "silver"}}


def test_overrides_for_other_entities_are_ignored():
    fmap = HUBSPOT_CONTACT.with_overrides([override("name", "dealname", entity=Entity.OPPORTUNITY)])
    assert fmap == HUBSPOT_CONTACT


@pytest.mark.parametrize(
    ("canonical", "message"),
    [
        ("nickname", "contact has no field 'nickname'; map to one of account_external_id, email"),
        ("custom.a.b", "'custom.a.b' is not a custom field name"),
    ],
)
def test_overrides_of_unknown_fields_say_what_is_allowed(canonical, message):
    with pytest.raises(InvalidInputError) as caught:
        HUBSPOT_CONTACT.with_overrides([override(canonical, "x")])
    assert str(caught.value).startswith(message)
    assert caught.value.field == "canonical_field"


def test_vendor_paths_for_field_selection():
    fmap = SALESFORCE_CONTACT.with_overrides([override("custom.tier", "Tier__c", Direction.PUSH)])
    assert fmap.vendor_paths() == [
        "FirstName",
        "LastName",
        "Email",
        "Title",
        "AccountId",
        "Account.Name",
    ]
    assert "Tier__c" in fmap.vendor_paths(Direction.PUSH)


def test_decimal_values_stay_exact_through_validation():
    fmap = FieldMap(
        Entity.OPPORTUNITY, (Rule("name", "title"), Rule("amount", "value", convert.DECIMAL))
    )
    assert fmap.to_canonical({"title": "Deal", "value": 0.1}, external_id="1")["amount"] == str(
        Decimal("0.1")
    )


def test_a_selection_reads_only_its_fields_and_leaves_validation_to_the_merge():
    """A mapping change's backfill asks for the changed fields alone: the selection's vendor
    paths are the field list a read sends, and a part of a record maps to those fields
    alone (not the whole model's, which would fill every other field with None)."""
    fields = SALESFORCE_CONTACT.with_overrides(
        [override("custom.tier", "Tier__c"), override("custom.old", "Old__c", Direction.PUSH)]
    )
    part = fields.selecting(["custom.tier", "title", "custom.old", "phone"])
    assert part.vendor_paths() == ["Title", "Tier__c"]  # custom.old pushed only, phone unmapped
    raw = {"Id": "003", "Title": "CFO", "Tier__c": "gold", "Old__c": "x", "LastName": "Unread"}
    assert part.to_canonical(raw, external_id="003") == {"title": "CFO", "custom": {"tier": "gold"}}
    assert fields.to_canonical(raw, external_id="003")["first_name"] is None  # whole: validated
