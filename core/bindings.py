"""Where a connection may call, and secrets bound to where they were given.

Two rules every write of a connection's settings passes (dashboard form, REST
API, CLI, imports), beside the form validation of core.forms:

- Its URLs pass the outbound policy (adapters.outbound) when they are saved,
  not only when they are called, so a refused address is a form error naming
  the field, and nothing is stored.
- A secret was given for one place: changing a connection's address (any URL
  field) or the database it logs into must come with the secrets again. Kept
  secrets would otherwise be sent to the new address on the next test or sync
  (a stolen-token hole: change only the base URL, press "Test"). The refreshed
  OAuth tokens stored beside them are dropped too; they belong to the old place.

    >>> from adapters.registry import system_info
    >>> from core.models import System
    >>> info = system_info(System.HUBSPOT)
    >>> bound_fields(info)
    ['base_url']
"""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import SecretStr

from adapters.outbound import OutboundPolicy
from core.errors import InvalidInputError, OutboundRefusedError
from core.models import ConfigValue
from core.schemas import FieldKind, SystemInfo


def bound_fields(info: SystemInfo) -> list[str]:
    """The fields whose change requires the secrets again."""
    return info.bound_fields


def check_addresses(
    info: SystemInfo, config: Mapping[str, ConfigValue], policy: OutboundPolicy
) -> None:
    """Every URL field against the outbound policy; InvalidInputError naming the field."""
    bound = policy.for_system(info.system.value)
    for form_field in info.form:
        value = config.get(form_field.name)
        if form_field.kind is not FieldKind.URL or not value:
            continue
        try:
            bound.check_url(str(value), what=form_field.label)
        except OutboundRefusedError as exc:
            raise InvalidInputError(str(exc), field=form_field.name) from None


def rebind_secrets(
    info: SystemInfo,
    *,
    old_config: Mapping[str, ConfigValue],
    new_config: Mapping[str, ConfigValue],
    stored: Mapping[str, SecretStr],
    given: Mapping[str, SecretStr],
) -> dict[str, SecretStr]:
    """The secret to seal after an edit: stored + given, or only what was given when the
    connection's place changed (then every stored secret field must have been re-entered)."""
    labels = {f.name: f.label for f in info.form}
    moved = [
        name
        for name in bound_fields(info)
        if _same(old_config.get(name)) != _same(new_config.get(name))
    ]
    if not moved:
        return {**stored, **given}
    missing = [f.name for f in info.form if f.secret and f.name in stored and f.name not in given]
    if missing:
        raise InvalidInputError(
            f"{labels[missing[0]]}: enter it again; secrets are not kept when "
            f"{labels[moved[0]]} changes",
            field=missing[0],
        )
    return dict(given)


def _same(value: ConfigValue | None) -> str:
    return str(value).rstrip("/").lower() if value not in (None, "") else ""
