"""Records as Zoho CRM's GET APIs write them.

Lookups become `{"name", "id"}` (Owner also carries the user's email),
timestamps are ISO 8601 in the org's UTC offset without fractions
("2024-03-05T14:02:11+05:30"), line items get Zoho's computed keys, and a few
`$` system keys come along. `render` takes plain values rather than a
sandbox entry so that tests can turn the sandbox's truth into exactly what the
API would have answered.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache
from typing import Any
from weakref import WeakKeyDictionary

from sandbox.core import Tenant
from sandbox.core.timefmt import formatter
from sandbox.zoho.schema import BY_NAME, LINE_ITEMS, MODULES

SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "INR": "Rs.", "JPY": "¥", "AUD": "A$"}
# module -> lookup field -> target module; What_Id follows the record's $se_module instead.
LOOKUPS = {
    m.api_name: {
        f.name: f.reference_to for f in m.fields if f.type == "reference" and f.reference_to
    }
    for m in MODULES
}
NameOf = Callable[[str, str], "dict[str, Any] | None"]


@lru_cache(maxsize=32)
def _zone(offset: str) -> timezone:
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = offset[1:].split(":")
    return timezone(sign * timedelta(hours=int(hours), minutes=int(minutes)))


@lru_cache(maxsize=32)
def _formatter(offset: str) -> tuple[Callable[[int], str], int]:
    shift = _zone(offset).utcoffset(None)
    assert shift is not None
    return formatter(millis=False, suffix=offset), int(shift.total_seconds() * 1000)


def zoho_time(ms: int, offset: str) -> str:
    """`2024-03-05T14:02:11+05:30`: the org's local time, whole seconds, its offset."""
    format_ms, shift = _formatter(offset)
    return format_ms(ms + shift)


def parse_zoho_time(text: str) -> int:
    """Milliseconds of an ISO 8601 time (Zoho's own, or any with an offset or Z)."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return int(value.timestamp() * 1000)


def display_name(module: str, fields: Mapping[str, Any]) -> str | None:
    if module == "users":
        return f"{fields.get('first_name') or ''} {fields.get('last_name') or ''}".strip()
    if module == "Contacts":
        return f"{fields.get('First_Name') or ''} {fields.get('Last_Name') or ''}".strip()
    spec = BY_NAME.get(module)
    value = fields.get(spec.display_field) if spec else None
    return str(value) if value is not None else None


def _lookup_extra(module: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"name": display_name(module, fields)}
    if module == "users":
        out["email"] = fields.get("email")
    elif module == "Products":
        out["Product_Code"] = fields.get("Product_Code")
    return out


# What a lookup shows of an unedited base record never changes while its collection
# lives, so it is kept per collection (a reset or rescale makes a new collection).
_BASE_NAMES: WeakKeyDictionary[Any, dict[int, dict[str, Any]]] = WeakKeyDictionary()


def tenant_names(tenant: Tenant) -> NameOf:
    """Looks referenced records up in the tenant, for the `name` half of lookups."""

    def name_of(module: str, record_id: str) -> dict[str, Any] | None:
        if module not in tenant.specs:
            return None
        collection = tenant.collection(module)
        index = collection.index_of(record_id)
        if index is None:
            return None
        if not collection.edited(index) and index < collection.count:
            cache = _BASE_NAMES.setdefault(collection, {})
            found = cache.get(index)
            if found is None:
                if len(cache) > 200_000:
                    cache.clear()
                found = cache[index] = _lookup_extra(module, collection.generate(index).fields)
            return found
        entry = collection.entry(index)
        return None if entry is None or entry.deleted else _lookup_extra(module, entry.fields)

    return name_of


def _lookup(module: str, value: Any, names: NameOf | None) -> Any:
    if value in (None, ""):
        return None
    record_id = str(value)
    extra = names(module, record_id) if names is not None else None
    return {**(extra or {"name": None}), "id": record_id}


def _lines(lines: Any, names: NameOf | None) -> list[dict[str, Any]]:
    out = []
    for line in lines or []:
        quantity, price = float(line["quantity"]), float(line["list_price"])
        discount = float(line.get("Discount") or 0)
        total = round(quantity * price, 2)
        product = _lookup("Products", line.get("product"), names)
        out.append(
            {
                "product": product,
                "quantity": quantity,
                "Discount": discount,
                "total_after_discount": round(total - discount, 2),
                "net_total": round(total - discount, 2),
                "book": None,
                "Tax": 0.0,
                "list_price": price,
                "unit_price": price,
                "quantity_in_stock": None,
                "total": total,
                "id": line.get("id"),
                "product_description": line.get("product_description"),
                "line_tax": [],
            }
        )
    return out


def render(
    module: str,
    record_id: str,
    fields: Mapping[str, Any],
    created_ms: int,
    modified_ms: int,
    *,
    offset: str,
    names: NameOf | None = None,
    wanted: Collection[str] | None = None,
    currency: str = "USD",
) -> dict[str, Any]:
    """One record; `wanted` limits the fields (the `fields` parameter); id always comes."""
    out: dict[str, Any] = {}
    lookups = LOOKUPS.get(module, {})
    for key, value in fields.items():
        if wanted is not None and key not in wanted:
            continue
        if key == "What_Id":
            out[key] = _lookup(str(fields.get("$se_module") or "Deals"), value, names)
        elif key in lookups:
            out[key] = _lookup(lookups[key], value, names)
        elif key == LINE_ITEMS:
            out[key] = _lines(value, names)
        else:
            out[key] = value
    money = str(fields.get("Currency") or currency)
    out["$currency_symbol"] = SYMBOLS.get(money, money)
    if module == "Contacts" and (wanted is None or "Full_Name" in wanted):
        out["Full_Name"] = display_name(module, fields)
    owner = out.get("Owner") if "Owner" in out else _lookup("users", fields.get("Owner"), names)
    created, modified = zoho_time(created_ms, offset), zoho_time(modified_ms, offset)
    if wanted is None or "Created_Time" in wanted:
        out["Created_Time"] = created
        out["Created_By"] = owner
    if wanted is None or "Modified_Time" in wanted:
        out["Modified_Time"] = modified
        out["Modified_By"] = owner
    out["$approved"] = True
    out["$editable"] = True
    out["$state"] = "save"
    out["id"] = record_id
    return out


def render_user(record_id: str, fields: Mapping[str, Any], offset: str) -> dict[str, Any]:
    """An entry of GET /crm/v2/users (a settings API, not a module: lower-case keys)."""
    return {
        "id": record_id,
        "full_name": display_name("users", fields),
        "first_name": fields.get("first_name"),
        "last_name": fields.get("last_name"),
        "email": fields.get("email"),
        "role": {"name": fields.get("role"), "id": record_id[:-3] + "026"},
        "profile": {"name": fields.get("profile"), "id": record_id[:-3] + "031"},
        "status": fields.get("status"),
        "time_zone": fields.get("time_zone"),
        "confirm": True,
        "offset": int(_zone(offset).utcoffset(None).total_seconds() * 1000),
    }
