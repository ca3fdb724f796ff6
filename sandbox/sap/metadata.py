"""`$metadata` (EDMX with sap: annotations) and the service document of each service.

The document has the shape SAP Gateway serves (edmx 1.0 wrapper, a V2 schema
in the 2008/09 EDM namespace, one association per navigation with SAP's
`assoc_<hash>` names, an entity container with sap:creatable/updatable/
deletable on the sets) so that pyodata and SAP's own tools read it. A
tenant's extension fields (YY1_...) appear in its own $metadata, flagged
`sap:is-extension-field`, which is how an integration discovers them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from xml.sax.saxutils import quoteattr

from sandbox.sap.catalog import sets_of
from sandbox.sap.edm import EntitySet, Prop

EDMX = "http://schemas.microsoft.com/ado/2007/06/edmx"
META = "http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"
SAP = "http://www.sap.com/Protocols/SAPData"
EDM = "http://schemas.microsoft.com/ado/2008/09/edm"


def association(entity_set: EntitySet, nav: str) -> str:
    digest = hashlib.md5(
        f"{entity_set.service}.{entity_set.name}.{nav}".encode(), usedforsecurity=False
    )
    return "assoc_" + digest.hexdigest().upper()


def _property(prop: Prop) -> str:
    bits = [f'Name="{prop.name}" Type="{prop.edm}"']
    if prop.precision is not None:
        bits.append(f'Precision="{prop.precision}"')
    if prop.scale is not None:
        bits.append(f'Scale="{prop.scale}"')
    if not prop.nullable:
        bits.append('Nullable="false"')
    if prop.max_length is not None:
        bits.append(f'MaxLength="{prop.max_length}"')
    if prop.concurrency:
        bits.append('ConcurrencyMode="Fixed"')
    sap = {
        "display-format": prop.display_format,
        "unit": prop.unit,
        "label": prop.label or None,
        "semantics": prop.semantics,
        "is-extension-field": "true" if prop.custom else None,
        "creatable": None if prop.creatable else "false",
        "updatable": None if prop.updatable else "false",
    }
    bits += [f"sap:{k}={quoteattr(v)}" for k, v in sap.items() if v]
    return f"<Property {' '.join(bits)}/>"


def _entity_type(entity_set: EntitySet) -> str:
    keys = "".join(f'<PropertyRef Name="{k}"/>' for k in entity_set.keys)
    props = "".join(_property(p) for p in entity_set.props)
    navs = "".join(
        f'<NavigationProperty Name="{nav.name}" Relationship="{entity_set.service}.{a}" '
        f'FromRole="FromRole_{a}" ToRole="ToRole_{a}"/>'
        for nav in entity_set.navs
        for a in (association(entity_set, nav.name),)
    )
    label = quoteattr(entity_set.label)
    return (
        f'<EntityType Name="{entity_set.type_name}" sap:label={label} sap:content-version="1">'
        f"<Key>{keys}</Key>{props}{navs}</EntityType>"
    )


def edmx(service: str, sets: Mapping[str, EntitySet], self_url: str) -> bytes:
    mine = [sets[s.name] for s in sets_of(service)]
    types = "".join(_entity_type(s) for s in mine)
    associations, entity_sets, association_sets = [], [], []
    for entity_set in mine:
        flags = " ".join(
            f'sap:{name}="false"'
            for name, allowed in (
                ("creatable", entity_set.creatable),
                ("updatable", entity_set.updatable),
                ("deletable", entity_set.deletable),
            )
            if not allowed
        )
        entity_sets.append(
            f'<EntitySet Name="{entity_set.name}" EntityType="{entity_set.qualified_type}" '
            f'{flags} sap:content-version="1"/>'.replace("  ", " ")
        )
        for nav in entity_set.navs:
            name = association(entity_set, nav.name)
            target = sets[nav.target]
            associations.append(
                f'<Association Name="{name}" sap:content-version="1">'
                f'<End Type="{entity_set.qualified_type}" Multiplicity="1" Role="FromRole_{name}"/>'
                f'<End Type="{target.qualified_type}" Multiplicity="{"*" if nav.many else "0..1"}" '
                f'Role="ToRole_{name}"/></Association>'
            )
            association_sets.append(
                f'<AssociationSet Name="{name}" Association="{service}.{name}" '
                'sap:creatable="false" sap:updatable="false" sap:deletable="false" '
                'sap:content-version="1">'
                f'<End EntitySet="{entity_set.name}" Role="FromRole_{name}"/>'
                f'<End EntitySet="{target.name}" Role="ToRole_{name}"/></AssociationSet>'
            )
    container = (
        f'<EntityContainer Name="{service}_Entities" m:IsDefaultEntityContainer="true" '
        'sap:message-scope-supported="true" sap:supported-formats="atom json xlsx">'
        + "".join(entity_sets)
        + "".join(association_sets)
        + "</EntityContainer>"
    )
    links = (
        f'<atom:link rel="self" href={quoteattr(self_url)} xmlns:atom="http://www.w3.org/2005/Atom"/>'
        f'<atom:link rel="latest-version" href={quoteattr(self_url)} '
        'xmlns:atom="http://www.w3.org/2005/Atom"/>'
    )
    document = (
        '<?xml version="1.0" encoding="utf-8"?>'
        f'<edmx:Edmx Version="1.0" xmlns:edmx="{EDMX}" xmlns:m="{META}" xmlns:sap="{SAP}">'
        '<edmx:DataServices m:DataServiceVersion="2.0">'
        f'<Schema Namespace="{service}" xml:lang="en" sap:schema-version="1" xmlns="{EDM}">'
        f"{types}{''.join(associations)}{container}{links}</Schema>"
        "</edmx:DataServices></edmx:Edmx>"
    )
    return document.encode()


def service_document(service: str) -> dict[str, object]:
    return {"d": {"EntitySets": [s.name for s in sets_of(service)]}}
