"""Resource items and collections as the ADF REST framework renders them.

An item carries its attributes and `links` (self with the `changeIndicator`,
canonical, and one `child` link per child collection); `onlyData=true` drops
the links. Children asked for with `expand` come inline: an array under
framework versions 1 and 2, a collection object (`items`, `count`, `hasMore`,
`limit`, `offset`, `links`) from version 3 on. A composite key is addressed by
an opaque hash (`itemsV2UniqID`), which the simulator can read back.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sandbox.core import Entry, Tenant
from sandbox.oracle.resources import CHILDREN, RESOURCES, Attr, Resource, with_custom

COLLECTION_TYPE = "application/vnd.oracle.adf.resourcecollection+json"
ITEM_TYPE = "application/vnd.oracle.adf.resourceitem+json"
DFF_OWNER = {"itemsV2": "ItemDFF"}  # where a resource's flexfield segments are shown


def key_hash(values: Sequence[Any]) -> str:
    """An opaque, reversible key (Oracle's is a serialized Java key, also hex)."""
    parts = [str(v if v is not None else "").encode() for v in values]
    return "0002" + f"{len(parts):04X}" + "".join(f"{len(p):04X}{p.hex().upper()}" for p in parts)


def unhash(text: str) -> list[str] | None:
    try:
        if not text.startswith("0002"):
            return None
        count, position, values = int(text[4:8], 16), 8, []
        for _ in range(count):
            size = int(text[position : position + 4], 16)
            values.append(bytes.fromhex(text[position + 4 : position + 4 + size * 2]).decode())
            position += 4 + size * 2
        return values if position == len(text) else None
    except (ValueError, UnicodeDecodeError):
        return None


def change_indicator(entry: Entry) -> str:
    return f"ACED0005770C{entry.modified_ms:016X}"


def resources_for(tenant: Tenant) -> dict[str, Resource]:
    """The tenant's resources: accounts gain their `_c` fields; items keep their
    flexfield segments for the ItemDFF child."""
    found: dict[str, Resource] | None = tenant.schema_cache.get("oracle.resources")
    if found is None:
        found = {}
        for name, resource in RESOURCES.items():
            extra = tuple(
                Attr(f.name, _kind(f.type), f.display_label, max_length=f.length, custom=True)
                for f in tenant.custom_fields(name)
            )
            owner = DFF_OWNER.get(name)
            found[name] = resource if owner else with_custom(resource, extra)
            if owner:
                found[f"{name}.{owner}"] = with_custom(CHILDREN[(name, owner)], extra)
        for (parent, child), resource in CHILDREN.items():
            found.setdefault(f"{parent}.{child}", resource)
        tenant.schema_cache["oracle.resources"] = found
    return found


def _kind(neutral: str) -> str:
    return {
        "integer": "integer",
        "number": "number",
        "currency": "number",
        "boolean": "boolean",
        "date": "date",
        "datetime": "datetime",
    }.get(neutral, "string")


@dataclass(frozen=True)
class Renderer:
    base_url: str
    resources: Mapping[str, Resource]
    version: int
    only_data: bool = False

    def path_key(self, resource: Resource, entry: Entry) -> str:
        if resource.key == "hash":
            return key_hash(
                [self.value(resource.index[a], entry.fields, entry) for a in resource.hash_of]
            )
        return str(self.value(resource.index[resource.key], entry.fields, entry))

    @staticmethod
    def value(attr: Attr, row: Mapping[str, Any], entry: Entry | None) -> Any:
        if attr.derived is not None and entry is not None:
            return attr.derived(entry)
        return row.get(attr.name)

    def item(
        self,
        resource: Resource,
        entry: Entry,
        *,
        fields: Mapping[str, set[str] | None] | None = None,
        expand: set[str] = frozenset(),  # type: ignore[assignment]
    ) -> dict[str, Any]:
        wanted = (fields or {}).get("")
        out = {
            a.name: self.value(a, entry.fields, entry)
            for a in resource.attrs
            if wanted is None or a.name in wanted
        }
        href = f"{self.base_url}{resource.path}/{self.path_key(resource, entry)}"
        for child in resource.children:
            if child in expand or (fields is not None and child in fields):
                out[child] = self._children(resource, child, entry, href, (fields or {}).get(child))
        if not self.only_data:
            links: list[dict[str, Any]] = [
                {
                    "rel": "self",
                    "href": href,
                    "name": resource.name,
                    "kind": "item",
                    "properties": {"changeIndicator": change_indicator(entry)},
                },
                {"rel": "canonical", "href": href, "name": resource.name, "kind": "item"},
            ]
            links += [
                {"rel": "child", "href": f"{href}/child/{c}", "name": c, "kind": "collection"}
                for c in resource.children
            ]
            out["links"] = links
        return out

    def child_rows(self, resource: Resource, child: str, entry: Entry) -> list[dict[str, Any]]:
        spec = self.resources[f"{resource.name}.{child}"]
        if child == "ItemDFF":  # flexfield segments are stored on the item itself
            row = {a.name: entry.fields.get(a.name) for a in spec.attrs if a.custom}
            rows = [
                {
                    "InventoryItemId": int(entry.id),
                    "OrganizationId": entry.fields.get("OrganizationId"),
                    "__FLEX_Context": "Global",
                    **row,
                }
            ]
        else:
            rows = [dict(r) for r in entry.fields.get(child) or ()]
        if not self.only_data:
            href = f"{self.base_url}{resource.path}/{self.path_key(resource, entry)}/child/{child}"
            for row in rows:
                key = (
                    key_hash([row[a] for a in spec.hash_of])
                    if spec.key == "hash"
                    else row[spec.key]
                )
                link = {"rel": "self", "href": f"{href}/{key}", "name": child, "kind": "item"}
                row["links"] = [link]
        return rows

    def _children(
        self, resource: Resource, child: str, entry: Entry, href: str, wanted: set[str] | None
    ) -> Any:
        rows = [
            {k: v for k, v in r.items() if wanted is None or k in wanted}
            for r in self.child_rows(resource, child, entry)
        ]
        if self.version < 3:
            return rows
        return {
            "items": rows,
            "count": len(rows),
            "hasMore": False,
            "limit": max(25, len(rows)),
            "offset": 0,
            "links": [
                {
                    "rel": "self",
                    "href": f"{href}/child/{child}",
                    "name": child,
                    "kind": "collection",
                }
            ],
        }

    def collection(
        self,
        resource: Resource,
        items: list[dict[str, Any]],
        *,
        url: str,
        limit: int,
        offset: int,
        more: bool,
        total: int | None,
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"items": items}
        if total is not None:
            body["totalResults"] = total
        body.update(count=len(items), hasMore=more, limit=limit, offset=offset)
        if not self.only_data:
            body["links"] = [
                {"rel": "self", "href": url, "name": resource.name, "kind": "collection"}
            ]
        return body


def api_record(
    object_name: str,
    fields: Mapping[str, Any],
    *,
    record_id: str,
    created_ms: int,
    modified_ms: int,
    custom_fields: Sequence[Any] = (),
    version: int = 4,
) -> dict[str, Any]:
    """A stored record rendered as a list returns it with every child expanded (for tests)."""
    from sandbox.core.tenants import TenantConfig

    tenant = Tenant(
        "oracle", TenantConfig("t", 0, {}, custom_fields={object_name: tuple(custom_fields)}), {}
    )
    resources = resources_for(tenant)
    entry = Entry(0, record_id, dict(fields), created_ms, modified_ms)
    resource = resources[object_name]
    return Renderer("http://sandbox", resources, version).item(
        resource, entry, expand=set(resource.children)
    )
