"""Process commands: `toothpick up` runs the product's processes together."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import typer

from core.cli import app
from core.settings import load_settings

ROOT = Path(__file__).resolve().parents[2]


def _dashboard_command(port: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "streamlit_app.py"),
        "--server.headless=true",
        f"--server.port={port}",
        "--browser.gatherUsageStats=false",
    ]


@app.command("up")
def up() -> None:
    """Start the dashboard (and, as they land, worker, scheduler, sandbox and API).

    Ctrl-C stops them all; if one of them exits, the others are stopped too.
    """
    settings = load_settings()
    children = {"dashboard": _dashboard_command(settings.dashboard_port)}
    processes: dict[str, subprocess.Popen[bytes]] = {}
    for name, command in children.items():
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
