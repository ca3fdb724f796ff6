"""`SandboxControl`: the Python client of the sandbox's control API.

Tests and the demo act "on the vendor side" with it and read the vendor's truth
to compare after a sync:

>>> control = SandboxControl("http://127.0.0.1:8765")              # doctest: +SKIP
>>> control.reset("salesforce", "acme", scale={"Contact": 1000})   # doctest: +SKIP
>>> rec = control.create("salesforce", "acme", "Contact", {"LastName": "Ng"})  # doctest: +SKIP
>>> control.update("salesforce", "acme", "Contact", rec.id, {"Title": "CFO"})  # doctest: +SKIP
>>> control.add_fault({"system": "salesforce", "sequence": ["server_error"]})  # doctest: +SKIP
>>> control.stats(system="salesforce")["records"]                  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import requests


class SandboxControlError(RuntimeError):
    """The control API refused a request; the message is its explanation."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"sandbox control API {status}: {message}")
        self.status = status


@dataclass(frozen=True)
class TruthRecord:
    """A record as the simulated vendor holds it right now."""

    id: str
    object: str
    fields: dict[str, Any]
    created_at: datetime
    modified_at: datetime
    deleted: bool

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> TruthRecord:
        return cls(
            id=data["id"],
            object=data["object"],
            fields=dict(data["fields"]),
            created_at=datetime.fromisoformat(data["created_at"].replace("Z", "+00:00")),
            modified_at=datetime.fromisoformat(data["modified_at"].replace("Z", "+00:00")),
            deleted=bool(data["deleted"]),
        )


class SandboxControl:
    def __init__(
        self, base_url: str, *, session: requests.Session | None = None, timeout: float = 60.0
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.session = session or requests.Session()
        self.timeout = timeout

    def _call(
        self, method: str, path: str, *, json: Any = None, params: Mapping[str, Any] | None = None
    ) -> Any:
        response = self.session.request(
            method,
            f"{self.base_url}/__sandbox__{path}",
            json=json,
            params=params,
            timeout=self.timeout,
        )
        if response.status_code >= 400:
            try:
                message = response.json().get("error", response.text)
            except ValueError:
                message = response.text
            raise SandboxControlError(response.status_code, message)
        return response.json()

    # --- sandbox-wide ----------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """URLs, systems, objects and every tenant's documented credentials."""
        result: dict[str, Any] = self._call("GET", "/")
        return result

    def stats(self, *, system: str | None = None, tenant: str | None = None) -> dict[str, Any]:
        """{"requests": [...], "records": [...], "statuses": [...]} since the last reset."""
        result: dict[str, Any] = self._call(
            "GET", "/stats", params=_drop_none(system=system, tenant=tenant)
        )
        return result

    def records_served(self, system: str, tenant: str, object_name: str) -> int:
        rows = self.stats(system=system, tenant=tenant)["records"]
        return sum(r["count"] for r in rows if r["object"] == object_name)

    def reset_stats(self, *, system: str | None = None, tenant: str | None = None) -> None:
        self._call("DELETE", "/stats", params=_drop_none(system=system, tenant=tenant))

    def add_fault(self, rule: Mapping[str, Any]) -> str:
        """Start a fault rule (see sandbox/core/faults.py for its JSON); returns its id."""
        rule_id: str = self._call("POST", "/faults", json=dict(rule))["rules"][0]["id"]
        return rule_id

    def faults(self) -> list[dict[str, Any]]:
        rules: list[dict[str, Any]] = self._call("GET", "/faults")["rules"]
        return rules

    def clear_faults(self, *, system: str | None = None, tenant: str | None = None) -> None:
        self._call("DELETE", "/faults", params=_drop_none(system=system, tenant=tenant))

    def webhook_deliveries(
        self, *, system: str | None = None, tenant: str | None = None
    ) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self._call(
            "GET", "/webhooks/deliveries", params=_drop_none(system=system, tenant=tenant)
        )["deliveries"]
        return found

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        """Block until queued webhook events have been delivered (or given up on)."""
        return bool(self._call("POST", "/webhooks/wait", params={"timeout": timeout})["idle"])

    def set_clock(self, at: datetime, *, frozen: bool = True) -> None:
        """Move the sandbox's time (see sandbox/core/clock.py); frozen, it stays there."""
        at_ms = int(at.timestamp() * 1000)
        self._call("PUT", "/clock", json={"at_ms": at_ms, "frozen": frozen})

    def advance_clock(self, seconds: float) -> None:
        self._call("PUT", "/clock", json={"advance_s": seconds})

    def release_clock(self) -> None:
        """Back to the machine's time."""
        self._call("DELETE", "/clock")

    # --- per tenant ------------------------------------------------------------------

    def tenant(self, system: str, tenant: str) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", f"/{system}/{tenant}")
        return result

    def required_fields(self, system: str, tenant: str, object_name: str) -> set[str]:
        """Fields the simulated vendor refuses a record without (all others are optional)."""
        objects = self.tenant(system, tenant)["objects"]
        return set(objects[object_name]["required"])

    def reset(self, system: str, tenant: str, *, scale: Mapping[str, int] | None = None) -> None:
        """Back to the shipped data (edits, scale changes and budget dropped)."""
        self._call("POST", f"/{system}/{tenant}/reset", json={"scale": dict(scale or {})})

    def set_scale(self, system: str, tenant: str, scale: Mapping[str, int]) -> None:
        """Base record counts per object; a rescaled object starts afresh."""
        self._call("PUT", f"/{system}/{tenant}/scale", json=dict(scale))

    def limits(self, system: str, tenant: str) -> dict[str, Any]:
        """{"limits": the tenant's configuration, "usage": its budget now (resets_at_ms...)}."""
        result: dict[str, Any] = self._call("GET", f"/{system}/{tenant}/limits")
        return result

    def set_limits(self, system: str, tenant: str, **limits: Any) -> dict[str, Any]:
        """e.g. set_limits("hubspot", "acme", interval_max=5, enforce=True)."""
        result: dict[str, Any] = self._call("PUT", f"/{system}/{tenant}/limits", json=limits)
        return result

    def add_custom_fields(
        self, system: str, tenant: str, object_name: str, count: int
    ) -> list[str]:
        """`count` more custom fields on the object (vendor-named, values in every record)
        until the tenant's next reset; returns the object's custom field names."""
        body = {"object": object_name, "count": count}
        result = self._call("PUT", f"/{system}/{tenant}/custom_fields", json=body)
        return list(result["custom_fields"])

    def caps(self, system: str, tenant: str) -> dict[str, int]:
        """The result caps in force, e.g. {"search": 10000} for HubSpot."""
        result: dict[str, int] = self._call("GET", f"/{system}/{tenant}/caps")
        return result

    def set_caps(self, system: str, tenant: str, **caps: int) -> dict[str, int]:
        """Lower a vendor's result cap for one tenant until the next call or reset, e.g.
        set_caps("hubspot", "acme", search=150); no arguments: the published caps."""
        result: dict[str, int] = self._call("PUT", f"/{system}/{tenant}/caps", json=caps)
        return result

    def set_latency(self, **settings: Any) -> dict[str, Any]:
        """Realistic vendor timing: set_latency(enabled=True, scale=0.5,
        profiles={"sap": {"fixed_ms": 2000}}) (sandbox.core.latency)."""
        result: dict[str, Any] = self._call("PUT", "/latency", json=settings)
        return result

    def reset_latency(self) -> dict[str, Any]:
        """Back to the published profiles, on or off as the server was started."""
        result: dict[str, Any] = self._call("DELETE", "/latency")
        return result

    def set_vendor_clock(
        self,
        system: str,
        tenant: str,
        *,
        skew_ms: int = 0,
        frozen_at_ms: int | None = None,
        repeat: bool = False,
    ) -> int:
        """Run the vendor's clock `skew_ms` ahead of real time (negative: behind), or freeze
        it at `frozen_at_ms` (writes a millisecond apart from there; with `repeat`, all at
        that very instant), until the next call or reset. Returns the vendor's time now
        (epoch ms)."""
        body = {"skew_ms": skew_ms, "frozen_at_ms": frozen_at_ms, "repeat": repeat}
        return int(self._call("PUT", f"/{system}/{tenant}/clock", json=body)["now_ms"])

    def expire_tokens(self, system: str, tenant: str) -> int:
        return int(self._call("POST", f"/{system}/{tenant}/tokens/expire")["expired"])

    def add_webhook(
        self,
        system: str,
        tenant: str,
        url: str,
        *,
        secret: str | None = None,
        events: list[str] | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        body = {
            "url": url,
            "secret": secret,
            "events": events or [],
            "options": dict(options or {}),
        }
        result: dict[str, Any] = self._call("POST", f"/{system}/{tenant}/webhooks", json=body)
        return result

    def clear_webhooks(self, system: str, tenant: str) -> None:
        self._call("DELETE", f"/{system}/{tenant}/webhooks")

    def change_fields(
        self,
        system: str,
        tenant: str,
        object_name: str,
        *,
        add: list[Mapping[str, Any]] | None = None,
        rename: Mapping[str, str] | None = None,
        delete: list[str] | None = None,
    ) -> list[str]:
        """Add, rename or delete custom fields of an object as the vendor's admin would
        (metadata, records and queries follow); returns the custom fields now. A reset
        undoes it. e.g. change_fields("salesforce", "acme", "Account",
        rename={"Region__c": "Sales_Region__c"})."""
        body = {"add": list(add or []), "rename": dict(rename or {}), "delete": list(delete or [])}
        path = f"/{system}/{tenant}/objects/{object_name}/fields"
        found: list[str] = self._call("PUT", path, json=body)["custom_fields"]
        return found

    def custom_fields(self, system: str, tenant: str, object_name: str) -> list[str]:
        path = f"/{system}/{tenant}/objects/{object_name}/fields"
        found: list[str] = self._call("GET", path)["custom_fields"]
        return found

    def create(
        self, system: str, tenant: str, object_name: str, fields: Mapping[str, Any]
    ) -> TruthRecord:
        data = self._call(
            "POST", f"/{system}/{tenant}/objects/{object_name}", json={"fields": dict(fields)}
        )
        return TruthRecord.from_json(data)

    def update(
        self, system: str, tenant: str, object_name: str, record_id: str, fields: Mapping[str, Any]
    ) -> TruthRecord:
        path = f"/{system}/{tenant}/objects/{object_name}/{record_id}"
        return TruthRecord.from_json(self._call("PATCH", path, json={"fields": dict(fields)}))

    def delete(
        self, system: str, tenant: str, object_name: str, record_id: str, *, hard: bool = False
    ) -> TruthRecord:
        path = f"/{system}/{tenant}/objects/{object_name}/{record_id}"
        return TruthRecord.from_json(
            self._call("DELETE", path, params={"hard": "true" if hard else "false"})
        )

    def get(
        self,
        system: str,
        tenant: str,
        object_name: str,
        record_id: str,
        *,
        include_deleted: bool = False,
    ) -> TruthRecord | None:
        path = f"/{system}/{tenant}/objects/{object_name}/{record_id}"
        try:
            data = self._call("GET", path, params={"include_deleted": str(include_deleted).lower()})
        except SandboxControlError as exc:
            if exc.status == 404:
                return None
            raise
        return TruthRecord.from_json(data)

    def count(
        self, system: str, tenant: str, object_name: str, *, include_deleted: bool = False
    ) -> int:
        path = f"/{system}/{tenant}/objects/{object_name}"
        params = {"limit": 0, "include_deleted": str(include_deleted).lower()}
        return int(self._call("GET", path, params=params)["total"])

    def iter_records(
        self,
        system: str,
        tenant: str,
        object_name: str,
        *,
        include_deleted: bool = False,
        page_size: int = 1000,
    ) -> Iterator[TruthRecord]:
        """Every current record of an object, streamed page by page in id order."""
        path = f"/{system}/{tenant}/objects/{object_name}"
        after: int | None = None
        while True:
            params: dict[str, Any] = {
                "limit": page_size,
                "include_deleted": str(include_deleted).lower(),
            }
            if after is not None:
                params["after"] = after
            page = self._call("GET", path, params=params)
            for data in page["records"]:
                yield TruthRecord.from_json(data)
            after = page["next"]
            if after is None:
                return


def _drop_none(**values: Any) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None}
