"""Which entities and fields a mapping change touches (each one gets a backfill)."""

from __future__ import annotations

from core.models import Direction, Entity, FieldOverride
from core.services.backfill import mapping_changes


def _o(entity: Entity, canonical: str, vendor: str, **kw: object) -> FieldOverride:
    return FieldOverride.model_validate(
        {"entity": entity, "canonical_field": canonical, "vendor_field": vendor, **kw}
    )


def test_added_changed_and_removed_mappings_are_changes_and_the_rest_is_not() -> None:
    kept = _o(Entity.CONTACT, "custom.tier", "Tier__c")
    before = [kept, _o(Entity.CONTACT, "title", "Title"), _o(Entity.ACCOUNT, "name", "Name")]
    after = [
        kept,
        _o(Entity.CONTACT, "title", "Title", direction=Direction.PULL),  # changed
        _o(Entity.CONTACT, "custom.new", "New__c"),  # added
    ]  # the account's mapping removed
    assert mapping_changes(before, after) == {
        Entity.ACCOUNT: ["name"],
        Entity.CONTACT: ["custom.new", "title"],
    }
    assert mapping_changes(before, list(reversed(before))) == {}
