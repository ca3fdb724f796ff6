"""Process commands: `toothpick up` (everything), `worker`, `scheduler`."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Annotated

import typer

from core.cli import app
from core.cli.common import open_service
from core.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def _toothpick(*args: str) -> list[str]:
    return [sys.executable, "-c", "from core.cli import main; main()", *args]


def _children(settings_port: int) -> dict[str, list[str]]:
    return {
        "dashboard": [
            sys.executable,
            "-m",
            "streamlit",
            "run",
            str(ROOT / "streamlit_app.py"),
            "--server.headless=true",
            f"--server.port={settings_port}",
            "--browser.gatherUsageStats=false",
        ],
        "worker": _toothpick("worker"),
        "scheduler": _toothpick("scheduler"),
    }


@app.command("up")
def up() -> None:
    """Start the dashboard, a worker and the scheduler on the embedded default.

    Ctrl-C stops them all; if one of them exits, the others are stopped too.
    """
    settings = load_settings()
    processes: dict[str, subprocess.Popen[bytes]] = {}
    for name, command in _children(settings.dashboard_port).items():
        processes[name] = subprocess.Popen(command, cwd=ROOT, start_new_session=True)  # noqa: S603
    typer.echo(f"Dashboard: http://localhost:{settings.dashboard_port}  (Ctrl-C stops everything)")
    try:
        while all(process.poll() is None for process in processes.values()):
            time.sleep(0.5)
        for name, process in processes.items():
            if process.poll() is not None:
                typer.echo(f"{name} exited with status {process.returncode}; stopping the rest.")
    except KeyboardInterrupt:
        typer.echo("Stopping...")
    finally:
        for process in processes.values():
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes.values():
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


@app.command("worker")
def worker(
    poll_interval: Annotated[float, typer.Option(min=0.05, help="Seconds between polls")] = 1.0,
    stale_after: Annotated[
        float, typer.Option(min=5, help="Seconds without heartbeat before a run is taken over")
    ] = 60.0,
) -> None:
    """Execute queued sync runs (any number of workers may share one store)."""
    from core.worker import Worker

    stop = threading.Event()
    _stop_on_signals(stop)
    with open_service() as service:
        Worker(
            service,
            poll_interval_s=poll_interval,
            stale_after_s=stale_after,
            heartbeat_interval_s=min(5.0, stale_after / 4),
        ).run_forever(stop)


@app.command("scheduler")
def scheduler() -> None:
    """Queue scheduled syncs (every connection every 6 hours by default, or its own schedule)."""
    from core.scheduler import SyncScheduler

    with open_service() as service, contextlib.suppress(KeyboardInterrupt, SystemExit):
        SyncScheduler(service).start()
