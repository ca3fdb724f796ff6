"""One suite over every registered adapter: what each SystemInfo and spec must honour.

Vendor adapters join automatically once their module exists; the fake vendor
keeps the suite meaningful until then.
"""

from __future__ import annotations

import pytest

from adapters import registry
from adapters.base_adapter import BaseAdapter
from core.entities import CANONICAL_MODELS
from core.models import CRM_ENTITIES, ERP_ENTITIES, SystemKind
from tests.adapters.fake_vendor import FakeCrmAdapter


def _adapters() -> list[type]:
    found: list[type] = [FakeCrmAdapter]
    for system in registry.available_systems():
        cls = registry.adapter_class(system)
        if cls is not FakeCrmAdapter:
            found.append(cls)  # type: ignore[arg-type]
    return found


@pytest.fixture(params=_adapters(), ids=lambda cls: cls.__name__)
def adapter_class(request):
    return request.param


def test_every_entity_of_its_kind_is_declared_supported_or_refused_with_a_reason(adapter_class):
    info = adapter_class.info
    expected = ERP_ENTITIES if info.kind is SystemKind.ERP else CRM_ENTITIES
    declared = {item.entity for item in info.entities}
    assert set(expected) <= declared, f"{info.label} says nothing about {set(expected) - declared}"
    for item in info.entities:
        if item.supported:
            assert item.vendor_object, f"{info.label} {item.entity}: no vendor object"
        else:
            assert item.reason and item.reason.strip(), f"{info.label} {item.entity}: no reason"


def test_the_form_names_its_secrets(adapter_class):
    info = adapter_class.info
    assert info.secret_fields, f"{info.label} has no secret field"
    assert len({f.name for f in info.form}) == len(info.form)


def test_sign_in_methods_name_fields_of_the_form(adapter_class):
    info = adapter_class.info
    form = {f.name: f for f in info.form}
    for method in info.sign_in:
        assert set(method.fields) | set(method.required) <= set(form), method.name
        assert set(method.required) <= set(method.fields), method.name
        for name, value in method.sets:
            assert value in form[name].choices, (method.name, name)
    assert len({m.name for m in info.sign_in}) == len(info.sign_in)


def test_specs_match_the_declaration_and_map_every_required_field(adapter_class):
    if not issubclass(adapter_class, BaseAdapter):
        pytest.skip("not built on BaseAdapter")
    info = adapter_class.info
    for spec in adapter_class.specs:
        support = info.support(spec.entity)
        assert support.supported
        assert support.incremental_cursor == spec.cursor
        assert support.writable == spec.writable
        model = CANONICAL_MODELS[spec.entity]
        required = {name for name, f in model.model_fields.items() if f.is_required()}
        mapped = {rule.canonical for rule in spec.fields.rules}
        if spec.fields.lines is not None:
            mapped.add("lines")
        assert required <= mapped, f"{info.label} {spec.entity}: {required - mapped} unmapped"
        spec.paginator()  # builds fresh, without arguments


def test_every_adapter_deletes_with_the_protocols_signature(adapter_class):
    """The engine calls `delete(entity, external_ids)` on every adapter (deletes made in
    ToothPick); a vendor's override keeps the protocol's parameters."""
    import inspect

    from adapters.base import Adapter

    wanted = list(inspect.signature(Adapter.delete).parameters)
    assert list(inspect.signature(adapter_class.delete).parameters) == wanted
