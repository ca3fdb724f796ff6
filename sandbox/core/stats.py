"""Request statistics, so a test can prove what a sync actually fetched.

Counts requests per (system, tenant, method, endpoint path template, operation) and records
served per (system, tenant, object) since the last reset, and per (system, tenant) the
longest request URL seen and how many were refused as too long (`uris`). An incremental sync
test resets the stats, edits three records on the vendor side, syncs, and then
asserts that three records (not the whole collection) were served.
"""

from __future__ import annotations

from collections import Counter
from typing import Any


class Stats:
    def __init__(self) -> None:
        self._requests: Counter[tuple[str, str, str, str, str]] = Counter()
        self._records: Counter[tuple[str, str, str]] = Counter()
        self._statuses: Counter[tuple[str, str, int]] = Counter()
        self._longest_uri: Counter[tuple[str, str]] = Counter()
        self._uris_refused: Counter[tuple[str, str]] = Counter()

    def request(
        self, system: str, tenant: str | None, method: str, path: str, status: int, op: str = ""
    ) -> None:
        """`op` is the request's operation (list, read, create, update, delete...), so a test
        can tell reads from writes even where one path carries both (Odoo's RPC)."""
        who = tenant or "-"
        self._requests[(system, who, method, path, op)] += 1
        self._statuses[(system, who, status)] += 1

    def uri(self, system: str, tenant: str, length: int, *, refused: bool) -> None:
        key = (system, tenant)
        if length > self._longest_uri[key]:
            self._longest_uri[key] = length
        if refused:
            self._uris_refused[key] += 1

    def records(self, system: str, tenant: str, object_name: str, count: int) -> None:
        if count:
            self._records[(system, tenant, object_name)] += count

    def reset(self, *, system: str | None = None, tenant: str | None = None) -> None:
        def keep(key: tuple[Any, ...]) -> bool:
            return (system is not None and key[0] != system) or (
                tenant is not None and key[1] != tenant
            )

        counters: tuple[Counter[Any], ...] = (
            self._requests,
            self._records,
            self._statuses,
            self._longest_uri,
            self._uris_refused,
        )
        for counter in counters:
            for key in [k for k in counter if not keep(k)]:
                del counter[key]

    def snapshot(self, *, system: str | None = None, tenant: str | None = None) -> dict[str, Any]:
        def wanted(key: tuple[Any, ...]) -> bool:
            return (system is None or key[0] == system) and (tenant is None or key[1] == tenant)

        return {
            "requests": [
                {
                    "system": k[0],
                    "tenant": k[1],
                    "method": k[2],
                    "path": k[3],
                    "op": k[4],
                    "count": n,
                }
                for k, n in sorted(self._requests.items())
                if wanted(k)
            ],
            "records": [
                {"system": k[0], "tenant": k[1], "object": k[2], "count": n}
                for k, n in sorted(self._records.items())
                if wanted(k)
            ],
            "uris": [
                {
                    "system": k[0],
                    "tenant": k[1],
                    "longest": n,
                    "refused": self._uris_refused.get(k, 0),
                }
                for k, n in sorted(self._longest_uri.items())
                if wanted(k)
            ],
            "statuses": [
                {"system": k[0], "tenant": k[1], "status": k[2], "count": n}
                for k, n in sorted(self._statuses.items())
                if wanted(k)
            ],
        }
