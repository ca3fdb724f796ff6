"""The registry: lazy imports, registration, and honest SystemInfo declarations."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import SecretStr

from adapters import registry
from adapters.base import AdapterContext
from core.errors import NotFoundError
from core.models import Connection, Entity, System
from tests.adapters.fake_vendor import FakeCrmAdapter


@pytest.fixture
def fake_registered() -> Iterator[None]:
    """The fake takes Pipedrive's slot; the real adapter (if loaded) gets it back."""
    try:
        previous: Any = registry.adapter_class(System.PIPEDRIVE)
    except NotFoundError:
        previous = None
    registry.register(FakeCrmAdapter)
    yield
    registry.unregister(System.PIPEDRIVE)
    if previous is not None:
        registry.register(previous)


def test_importing_the_registry_imports_no_vendor_module():
    code = (
        "import sys, adapters.registry;"
        "print(sorted(m for m in sys.modules if m.startswith('adapters.')))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    loaded = eval(out.stdout)  # noqa: S307 - our own subprocess's printed list
    assert not any(name.removeprefix("adapters.") in {s.value for s in System} for name in loaded)


def test_a_registered_adapter_is_found_and_built(fake_registered):
    assert registry.system_info(System.PIPEDRIVE).label == "Fake CRM"
    assert System.PIPEDRIVE in registry.available_systems()
    assert "Fake CRM" in [info.label for info in registry.all_system_infos()]
    connection = Connection(
        organisation_id="o",
        system=System.PIPEDRIVE,
        name="F",
        config={"base_url": "http://127.0.0.1:9"},
        sealed_secret="s",
    )
    adapter = registry.build_adapter(
        AdapterContext(connection=connection, secret={"api_token": SecretStr("t-123456")})
    )
    assert isinstance(adapter, FakeCrmAdapter)
    adapter.close()


def test_a_system_without_a_module_is_unavailable_not_broken(monkeypatch):
    try:
        previous: Any = registry.adapter_class(System.ODOO)
    except NotFoundError:
        previous = None
    monkeypatch.setattr(
        registry, "module_name", lambda system: f"adapters.not_written_{system.value}"
    )
    registry.unregister(System.ODOO)
    try:
        with pytest.raises(NotFoundError, match="odoo is not available in this installation"):
            registry.system_info(System.ODOO)
        assert System.ODOO not in registry.available_systems()
    finally:
        if previous is not None:  # the real adapter (if loaded) gets its slot back
            registry.register(previous)


def test_info_declares_supported_and_unsupported_entities_with_reasons(fake_registered):
    info = registry.system_info(System.PIPEDRIVE)
    assert info.supported_entities == [Entity.CONTACT, Entity.ACCOUNT]
    assert info.support(Entity.QUOTE).reason == "Fake CRM has no quotes."
    assert info.support(Entity.CONTACT).incremental_cursor == "update_time"
    assert info.support(Entity.CONTACT).writable and not info.support(Entity.ACCOUNT).writable
    assert info.support(Entity.CONTACT).deletions
    assert info.secret_fields == ["api_token"]
