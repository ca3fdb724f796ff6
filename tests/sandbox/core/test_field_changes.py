"""An admin's custom-field change on a collection: values follow the field, others keep theirs."""

from __future__ import annotations

import pytest

from sandbox.core.collection import Collection
from sandbox.core.draw import collection_key
from sandbox.core.field_changes import FieldChange, FieldChangeError
from sandbox.core.schema import FieldDef
from tests.sandbox.core.test_collection import SPEC, _Ctx

CUSTOM = (
    FieldDef("Tier__c", "picklist", options=("A", "B", "C"), custom=True),
    FieldDef("Note__c", "string", custom=True),
    FieldDef("Size__c", "integer", custom=True),
)


def make() -> Collection:
    key = collection_key("test", 1)
    return Collection(SPEC, key=key, count=50, ctx=_Ctx(), custom_fields=CUSTOM)


def test_a_rename_moves_every_value_and_a_delete_leaves_the_others_as_they_were() -> None:
    coll = make()
    before = [coll.generate(i) for i in range(50)]
    edited = coll.update(before[3].id, {"Note__c": "kept", "name": "edited"})
    coll.change_fields(FieldChange(rename={"Note__c": "Memo__c"}, delete=("Tier__c",)))
    assert [f.name for f in coll.custom_fields] == ["Memo__c", "Size__c"]
    assert "Note__c" not in coll.field_index and "Memo__c" in coll.field_index
    for old in before:
        now = coll.get(old.id)
        assert now is not None and "Note__c" not in now.fields and "Tier__c" not in now.fields
        if old.index != 3:
            assert now.fields["Memo__c"] == old.fields["Note__c"]
            assert now.fields["Size__c"] == old.fields["Size__c"]  # same draw as before
        assert now.modified_ms == (edited if old.index == 3 else old).modified_ms  # untouched
    assert coll.get(before[3].id).fields["Memo__c"] == "kept"  # type: ignore[union-attr]


def test_an_added_field_has_a_value_on_every_record_and_changes_no_other() -> None:
    coll = make()
    before = [coll.generate(i).fields for i in range(50)]
    coll.change_fields(FieldChange(add=(FieldDef("Extra__c", "string", custom=True),)))
    after = [coll.generate(i).fields for i in range(50)]
    assert all(a.pop("Extra__c") for a in after)
    assert after == before


@pytest.mark.parametrize(
    "body",
    [
        {"rename": {"Gone__c": "X__c"}},
        {"delete": ["name"]},  # a standard field: not the admin's to delete here
        {"add": [{"name": "Size__c"}]},
        {"rename": {"Tier__c": "Size__c"}},
        {"add": [{"name": "Ref__c", "type": "reference"}]},
        {"drop": ["Tier__c"]},
    ],
)
def test_a_change_that_does_not_fit_is_refused_in_words(body: dict[str, object]) -> None:
    coll = make()
    with pytest.raises(FieldChangeError):
        coll.change_fields(FieldChange.from_json(body))
    assert [f.name for f in coll.custom_fields] == ["Tier__c", "Note__c", "Size__c"]
