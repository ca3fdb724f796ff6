"""describeGlobal, sObject basic info and sObject describe, from the tenant schema
(custom fields `*__c` included, as each org has its own)."""

from __future__ import annotations

from typing import Any

from sandbox.core import FieldDef
from sandbox.salesforce.sfschema import SfObject, relationship_name

_TYPES = {
    "id": ("id", "tns:ID"),
    "string": ("string", "xsd:string"),
    "text": ("textarea", "xsd:string"),
    "email": ("email", "xsd:string"),
    "phone": ("phone", "xsd:string"),
    "url": ("url", "xsd:string"),
    "picklist": ("picklist", "xsd:string"),
    "boolean": ("boolean", "xsd:boolean"),
    "integer": ("int", "xsd:int"),
    "number": ("double", "xsd:double"),
    "currency": ("currency", "xsd:double"),
    "percent": ("percent", "xsd:double"),
    "date": ("date", "xsd:date"),
    "datetime": ("datetime", "xsd:dateTime"),
    "reference": ("reference", "tns:ID"),
}


def _urls(version: str, name: str) -> dict[str, str]:
    base = f"/services/data/v{version}/sobjects/{name}"
    return {
        "compactLayouts": f"{base}/describe/compactLayouts",
        "rowTemplate": f"{base}/{{ID}}",
        "defaultValues": f"{base}/defaultValues?recordTypeId&fields",
        "describe": f"{base}/describe",
        "layouts": f"{base}/describe/layouts",
        "sobject": base,
    }


def global_entry(obj: SfObject, version: str) -> dict[str, Any]:
    return {
        "activateable": False,
        "createable": obj.writable,
        "custom": False,
        "customSetting": False,
        "deepCloneable": False,
        "deletable": obj.writable,
        "deprecatedAndHidden": False,
        "feedEnabled": True,
        "hasSubtypes": False,
        "isInterface": False,
        "isSubtype": False,
        "keyPrefix": obj.key_prefix,
        "label": obj.label,
        "labelPlural": obj.label_plural,
        "layoutable": True,
        "mergeable": obj.name in ("Account", "Contact"),
        "mruEnabled": True,
        "name": obj.name,
        "queryable": True,
        "replicateable": True,
        "retrieveable": True,
        "searchable": True,
        "triggerable": True,
        "undeletable": obj.writable,
        "updateable": obj.writable,
        "urls": _urls(version, obj.name),
    }


def describe_global(objects: list[SfObject], version: str) -> dict[str, Any]:
    return {
        "encoding": "UTF-8",
        "maxBatchSize": 200,
        "sobjects": [global_entry(obj, version) for obj in objects],
    }


def _field(obj: SfObject, definition: FieldDef) -> dict[str, Any]:
    sf_type, soap_type = _TYPES[definition.type]
    system = not obj.is_stored(definition.name)
    createable = definition.updateable and not system
    textual = sf_type in (
        "string",
        "textarea",
        "email",
        "phone",
        "url",
        "picklist",
        "id",
        "reference",
    )
    numeric = sf_type in ("double", "currency", "percent")
    return {
        "aggregatable": sf_type != "textarea",
        "autoNumber": definition.name in ("QuoteNumber", "OrderNumber"),
        "byteLength": definition.length * 3 if textual else 0,
        "calculated": False,
        "caseSensitive": False,
        "createable": createable,
        "custom": definition.custom,
        "defaultValue": None,
        "defaultedOnCreate": system or definition.name == "OwnerId",
        "dependentPicklist": False,
        "digits": 9 if sf_type == "int" else 0,
        "externalId": definition.external_id,
        "filterable": not (sf_type == "textarea" and definition.length > 255),
        "groupable": sf_type not in ("textarea", "double", "currency", "percent", "datetime"),
        "idLookup": definition.name == "Id",
        "inlineHelpText": definition.description or None,
        "label": definition.display_label,
        "length": definition.length if textual else 0,
        "name": definition.name,
        "nameField": definition.name == "Name",
        "nillable": not definition.required
        and definition.type not in ("boolean", "id")
        and not system,
        "picklistValues": [
            {"active": True, "defaultValue": False, "label": v, "validFor": None, "value": v}
            for v in definition.options
        ],
        "polymorphicForeignKey": definition.name in ("WhoId", "WhatId"),
        "precision": 18 if numeric else 0,
        "referenceTo": [definition.reference_to] if definition.reference_to else [],
        "relationshipName": relationship_name(definition.name) if definition.reference_to else None,
        "restrictedPicklist": False,
        "scale": 2 if numeric else 0,
        "soapType": soap_type,
        "sortable": sf_type != "textarea",
        "type": sf_type,
        "unique": definition.external_id,
        "updateable": createable,
    }


def describe_object(obj: SfObject, version: str) -> dict[str, Any]:
    described = global_entry(obj, version)
    described.update(
        {
            "actionOverrides": [],
            "childRelationships": [],
            "fields": [_field(obj, d) for d in obj.fields.values()],
            "namedLayoutInfos": [],
            "networkScopeFieldName": None,
            "recordTypeInfos": [],
            "supportedScopes": [{"label": "All " + obj.label_plural.lower(), "name": "everything"}],
        }
    )
    return described
