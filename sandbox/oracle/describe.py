"""`/describe` and the context root: what an Oracle REST client reads to discover
attributes (custom ones included), children, finders and framework versions.

The describe document has the ADF shape: `{"Resources": {<name>: {"title",
"titlePlural", "attributes": [...], "collection": {"rangeSize", "finders",
"links"}, "item": {"links", "actions"}, "children": {...}}}}`. Custom fields
appear where Fusion puts them: App Composer fields (`*_c`) among an account's
attributes, flexfield segments among the attributes of the `ItemDFF` child.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sandbox.oracle.resources import VERSION, Resource

FRAMEWORKS = {
    "fscmRestApi": ("1", "2", "3", "4"),
    "crmRestApi": tuple(str(v) for v in range(1, 10)),
}


def _attribute(attr: Any) -> dict[str, Any]:
    found: dict[str, Any] = {
        "name": attr.name,
        "type": attr.type,
        "updatable": attr.updatable,
        "mandatory": False,
        "queryable": True,
        "allowChanges": "always" if attr.updatable else "never",
        "title": attr.title or attr.name,
    }
    if attr.max_length is not None:
        found["maxLength"] = str(attr.max_length)
    if attr.custom:
        found["properties"] = {"fnd:CUSTOM": "true"}
    return found


def _shape(resource: Resource, href: str, children: Mapping[str, Resource]) -> dict[str, Any]:
    return {
        "discrColumnType": False,
        "title": resource.title,
        "titlePlural": resource.title,
        "attributes": [_attribute(a) for a in resource.attrs],
        "collection": {
            "rangeSize": 25,
            "finders": [{"name": "PrimaryKey", "title": "PrimaryKey", "attributes": []}],
            "links": [{"rel": "self", "href": href, "name": "self", "kind": "collection"}],
            "actions": [{"name": "get", "method": "GET"}]
            + ([{"name": "create", "method": "POST"}] if resource.creatable else []),
        },
        "item": {
            "links": [{"rel": "self", "href": f"{href}/{{id}}", "name": "self", "kind": "item"}],
            "actions": [{"name": "get", "method": "GET"}]
            + ([{"name": "update", "method": "PATCH"}] if resource.updatable else [])
            + ([{"name": "delete", "method": "DELETE"}] if resource.deletable else []),
        },
        "children": {
            name: _shape(child, f"{href}/{{id}}/child/{name}", {})
            for name, child in children.items()
        },
    }


def describe(resource: Resource, base_url: str, children: Mapping[str, Resource]) -> dict[str, Any]:
    href = f"{base_url}{resource.path}"
    return {"Resources": {resource.name: _shape(resource, href, children)}}


def context_root(base_url: str, root: str) -> dict[str, Any]:
    """GET /<root>/resources: the API versions with their framework defaults."""
    allowed = list(FRAMEWORKS[root])
    return {
        "items": [
            {
                "version": VERSION,
                "isLatest": True,
                "adf:extension": {
                    "defaultFrameworkVersion": "1",
                    "allowedFrameworkVersions": allowed,
                },
                "links": [
                    {
                        "rel": "self",
                        "href": f"{base_url}/{root}/resources/{VERSION}",
                        "name": "self",
                        "kind": "collection",
                    },
                ],
            }
        ]
    }
