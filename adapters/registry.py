"""The registry: which adapter class speaks for which system.

Each vendor module registers its class when imported:

    @register
    class PipedriveAdapter(BaseAdapter):
        info = declare_system(System.PIPEDRIVE, ...)

Importing the registry imports no vendor: a system's module
(`adapters.<system>`) is imported the first time someone asks for it. A system
whose module does not exist yet is reported as unavailable (NotFoundError), and
`all_system_infos()` lists only the systems that are available, so the forms
and the API keep working while adapters are being written.
"""

from __future__ import annotations

import importlib
import threading
from typing import Protocol, TypeVar

from adapters.base import Adapter, AdapterContext, SystemInfo
from core.errors import NotFoundError
from core.models import System


class AdapterClass(Protocol):
    """What the registry holds: a class with a SystemInfo, built from an AdapterContext."""

    info: SystemInfo

    def __call__(self, context: AdapterContext) -> Adapter: ...


A = TypeVar("A", bound=AdapterClass)

_classes: dict[System, AdapterClass] = {}
_lock = threading.RLock()


def module_name(system: System) -> str:
    return f"adapters.{system.value}"


def register(cls: A) -> A:
    """Class decorator: make `cls` the adapter of `cls.info.system` (the last one wins)."""
    with _lock:
        _classes[cls.info.system] = cls
    return cls


def unregister(system: System) -> None:
    """Forget a system's adapter (tests register fakes and clean up after themselves)."""
    with _lock:
        _classes.pop(system, None)


def adapter_class(system: System) -> AdapterClass:
    with _lock:
        if system not in _classes:
            name = module_name(system)
            try:
                importlib.import_module(name)
            except ModuleNotFoundError as exc:
                if exc.name != name:
                    raise  # the module exists but one of its imports is missing: a real bug
                raise NotFoundError(
                    f"{system.value} is not available in this installation (no {name} module)"
                ) from None
        if system not in _classes:
            raise NotFoundError(
                f"{module_name(system)} did not register an adapter for {system.value}"
            )
        return _classes[system]


def system_info(system: System) -> SystemInfo:
    return adapter_class(system).info


def available_systems() -> list[System]:
    found = []
    for system in System:
        try:
            adapter_class(system)
        except NotFoundError:
            continue
        found.append(system)
    return found


def all_system_infos() -> list[SystemInfo]:
    """SystemInfo of every available system, in the order of core.models.System."""
    return [system_info(system) for system in available_systems()]


def build_adapter(context: AdapterContext) -> Adapter:
    """The adapter for the context's connection (no network call happens here)."""
    return adapter_class(context.connection.system)(context)
