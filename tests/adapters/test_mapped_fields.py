"""The mapped-field check (adapters.mapped_fields): names gone from the vendor's metadata."""

from __future__ import annotations

from adapters import convert
from adapters.mapped_fields import fields_gone, mapped_by_overrides, missing
from adapters.mapping import FieldMap, Rule
from core.models import Entity, FieldOverride

DEFAULT = FieldMap(Entity.ACCOUNT, (Rule("name", "Name"), Rule("city", "BillingCity")))


def test_only_the_fields_the_overrides_add_are_checked() -> None:
    mapped = DEFAULT.with_overrides(
        [
            FieldOverride(
                entity=Entity.ACCOUNT, canonical_field="custom.tier", vendor_field="Tier__c"
            ),
            FieldOverride(entity=Entity.ACCOUNT, canonical_field="city", vendor_field="Name"),
            FieldOverride(entity=Entity.CONTACT, canonical_field="custom.x", vendor_field="X__c"),
        ]
    )
    assert mapped_by_overrides(DEFAULT, mapped) == ["Tier__c"]
    assert mapped_by_overrides(DEFAULT, DEFAULT) == []
    assert convert.RAW is next(r for r in mapped.rules if r.vendor == "Tier__c").convert


def test_a_path_inside_a_known_field_is_known_and_case_folds_where_the_vendor_does() -> None:
    known = {"Account", "ItemDFF.items.0.shelfLife", "custom_fields.ab12"}
    paths = ["Account.Name", "ItemDFF.items.0.shelfLife", "custom_fields.ab12", "tier__C"]
    assert missing(paths, known) == ["tier__C"]
    assert missing(["tier__C"], {"Tier__c"}, fold_case=True) == []
    assert missing(["custom_fields.ab"], {"custom_fields.ab12"}) == ["custom_fields.ab"]


def test_the_refusal_is_one_line_naming_the_fields_and_the_mapping() -> None:
    error = fields_gone("Salesforce", "Account", Entity.ACCOUNT, ["Tier__c", "Size__c"])
    text = str(error)
    assert "\n" not in text and "Tier__c, Size__c" in text and "account field mapping" in text
    assert error.field == "field_overrides"
