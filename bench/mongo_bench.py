"""MongoStore figures with store_bench's data and methods, answering per query.

    .venv/bin/python -m bench.mongo_bench --logs 50000 --records 100000
    MONGODB_URI=mongodb://host:27017/ .venv/bin/python -m bench.mongo_bench   # a real server

bench/store_bench.py measures every backend the same way but stops at the
first query that raises. Against the nx-27017 stand-in some KPI queries do
raise, because the stand-in deviates from MongoDB (see STAND_IN_DEVIATIONS in
tests/support/mongo.py), so this script loads the same seeded data with the
same helpers (bench/store_data.py, store_bench.load_logs / upsert_figures),
times the same queries, and reports a query the server cannot answer instead
of stopping. Without MONGODB_URI it starts the stand-in and labels every
figure as the stand-in's: they describe our code on that SQLite-backed
server, not MongoDB. Rates are per second, so runs of different sizes compare.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from bench.store_bench import (
    RESULTS,
    TARGET_QUERY_MS,
    TARGET_RATE,
    best_ms,
    first_connection,
    load_logs,
    open_backend,
    upsert_figures,
)
from bench.store_data import ORG
from core.clock import utcnow
from core.models import LogStatus, System
from core.store.base import Store
from core.store.queries import Bucket, ErrorGroup, KpiGroup, LogFilter


def queries(store: Store, until: datetime) -> dict[str, Callable[[], Any]]:
    """store_bench's read queries, plus KPIs without buckets (answerable by the stand-in)."""
    since, week = until - timedelta(days=30), LogFilter(since=until - timedelta(days=7))
    everything = LogFilter(since=since)
    return {
        "kpis 30d by system by hour": lambda: store.kpis(
            ORG, since=since, until=until, group_by=KpiGroup.SYSTEM, bucket=Bucket.HOUR),
        "kpis 30d by connection by day": lambda: store.kpis(
            ORG, since=since, until=until, group_by=KpiGroup.CONNECTION, bucket=Bucket.DAY),
        "kpis 30d by system (no buckets)": lambda: store.kpis(ORG, since=since, until=until),
        "volume by entity 30d by day": lambda: store.volume_by_entity(
            ORG, since=since, until=until, bucket=Bucket.DAY),
        "volume by entity 30d (no buckets)": lambda: store.volume_by_entity(
            ORG, since=since, until=until),
        "error counts 30d by system": lambda: store.error_counts(
            ORG, since=since, until=until, group_by=ErrorGroup.SYSTEM),
        "log page 2, salesforce errors 30d": lambda: store.query_logs(
            ORG, LogFilter(systems=[System.SALESFORCE], statuses=[LogStatus.ERROR], since=since),
            offset=50, limit=50),
        "log page 2, one connection 30d": lambda: store.query_logs(
            ORG, LogFilter(connection_ids=[first_connection(store)], since=since),
            offset=50, limit=50),
        "log page 2, everything 30d": lambda: store.query_logs(
            ORG, everything, offset=50, limit=50),
        "log page 2, last 7 days": lambda: store.query_logs(ORG, week, offset=50, limit=50),
        "log page 2, text 'timeout' 7d": lambda: store.query_logs(
            ORG, week.model_copy(update={"text": "timeout"}), offset=50, limit=50),
        "log page 2, text 'timeout' 30d": lambda: store.query_logs(
            ORG, everything.model_copy(update={"text": "timeout"}), offset=50, limit=50),
    }  # fmt: skip


def query_figures(store: Store, until: datetime, repeat: int) -> dict[str, dict[str, Any]]:
    figures: dict[str, dict[str, Any]] = {}
    for name, work in queries(store, until).items():
        try:
            ms, result = best_ms(work, repeat)
        except Exception as exc:  # the stand-in cannot answer it: say so, go on
            figures[name] = {"unanswered": f"{type(exc).__name__}: {str(exc).splitlines()[0]}"}
            continue
        size = result.total if hasattr(result, "total") else len(result)
        figures[name] = {"ms": round(ms, 1), "rows_or_total": size}
    return figures


def report(results: dict[str, Any]) -> None:
    print(f"\n{results['backend_label']}: {results['logs']['entries']:,} log entries")
    if "stand-in" in results["backend_label"]:
        print("(SQLite-backed stand-in: these figures describe it, not a MongoDB server)")
    print(f"{'measure':<40} {'figure':>14}  store_bench target")
    rate = results["logs"]["per_second"]
    print(f"{'log append, batches of ' + str(results['batch']):<40} {rate:>12,.0f}/s  "
          f"{TARGET_RATE:,.0f}/s")  # fmt: skip
    for name, figure in results["upserts"].items():
        print(f"{'upsert ' + name:<40} {figure['per_second']:>12,.0f}/s  {TARGET_RATE:,.0f}/s")
    for name, figure in results["queries"].items():
        if "unanswered" in figure:
            print(f"{name:<40} {'not answered':>14}  ({figure['unanswered'][:70]})")
        else:
            print(f"{name:<40} {figure['ms']:>11,.1f} ms  <{TARGET_QUERY_MS:.0f} ms "
                  f"(total/rows {figure['rows_or_total']:,})")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--logs", type=int, default=50_000)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--upsert-batch", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    until = utcnow().replace(minute=0, second=0, microsecond=0)
    with (
        tempfile.TemporaryDirectory(prefix="mongo-bench-") as workdir,
        open_backend("mongo", Path(workdir)) as (store, label),
    ):
        results: dict[str, Any] = {"backend": "mongo", "backend_label": label, "batch": args.batch}
        results["logs"] = load_logs(store, args, until)
        results["queries"] = query_figures(store, until, args.repeat)
        results["upserts"] = upsert_figures(store, args.records, args.upsert_batch)
        database = store.database  # type: ignore[attr-defined]  # a MongoStore
        database.client.drop_database(database.name)
    report(results)
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / f"mongo_bench-{args.logs}-{time.strftime('%Y%m%dT%H%M%S')}.json"
    out.write_text(json.dumps(results, indent=2, default=str))
    print(f"\nJSON: {out}")


if __name__ == "__main__":
    main()
