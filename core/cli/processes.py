"""Process commands: `toothpick up` (everything), `worker`, `scheduler`."""

from __future__ import annotations

import contextlib
import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from core.cli import app
from core.cli.common import open_service
from core.service import IntegrationService
from core.settings import Settings, load_settings

if TYPE_CHECKING:
    from core.worker import Worker

ROOT = Path(__file__).resolve().parents[2]
# How long the processes `start` launched have, together, to stop after SIGTERM before
# they are killed.
STOP_GRACE_S = 10.0


def _toothpick(*args: str) -> list[str]:
    return [sys.executable, "-c", "from core.cli import main; main()", *args]


def _dashboard(settings: Settings) -> list[str]:
    # ui/server.py wraps streamlit_app.py in Streamlit's own ASGI app and adds the
    # seed's /demo/integrations address.
    return [
        sys.executable, "-m", "streamlit", "run", str(ROOT / "ui" / "server.py"),
        "--server.headless=true", f"--server.port={settings.dashboard_port}",
        f"--server.address={settings.dashboard_host}",
        "--browser.gatherUsageStats=false", "--server.fileWatcherType=none",
    ]  # fmt: skip


def _sandbox() -> list[str] | None:
    """`toothpick sandbox` (on the settings' ports), when the sandbox is installed."""
    if importlib.util.find_spec("sandbox.__main__") is None:
        return None
    return _toothpick("sandbox")


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout_s: float = 20) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return True
        time.sleep(0.1)
    return False


def _dashboard_ready(settings: Settings, process: subprocess.Popen[bytes]) -> bool:
    """The dashboard answers its health check (a port alone could be someone else's)."""
    host = settings.dashboard_host
    host = "127.0.0.1" if host in {"", "0.0.0.0", "::"} else host  # noqa: S104
    url = f"http://{host}:{settings.dashboard_port}/_stcore/health"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and process.poll() is None:
        with (
            contextlib.suppress(OSError, ValueError),
            urllib.request.urlopen(url, timeout=1) as answer,
        ):
            if answer.read() == b"ok":
                return True
        time.sleep(0.2)
    return False


def _failed_to_start(processes: dict[str, subprocess.Popen[bytes]]) -> str | None:
    """The first essential part that is not running, told in words; None if all are."""
    for name in ("dashboard", "worker", "scheduler"):
        process = processes[name]
        if process.poll() is not None:
            return f"The {name} could not start (exit status {process.returncode})."
    return None


def _seed_demo(settings: Settings) -> None:
    from core.cli.demo import describe

    with open_service() as service:
        typer.echo(describe(service.admin.seed_demo(settings.organisation)))


def _trust_sandbox(settings: Settings, process: subprocess.Popen[bytes]) -> dict[str, str]:
    """Wait for the sandbox; then let vendor calls trust its local CA (TLS-only vendors)."""
    if not _wait_for_port(settings.sandbox_port, process):
        typer.echo(f"The sandbox did not answer on port {settings.sandbox_port}.")
        return {}
    ca = (settings.data_dir / "sandbox" / "tls" / "ca.pem").resolve()
    if settings.ca_bundle is not None or not ca.exists():
        return {}
    return {"TOOTHPICK_CA_BUNDLE": str(ca)}


def _start(
    name: str,
    command: list[str],
    processes: dict[str, subprocess.Popen[bytes]],
    env: dict[str, str],
) -> None:
    processes[name] = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)  # noqa: S603


@app.command("up")
def up(
    demo: Annotated[
        bool,
        typer.Option(
            "--demo/--no-demo",
            help="Seed the demo organisation (sandbox connections); never in production",
        ),
    ] = True,
    sandbox: Annotated[
        bool,
        typer.Option(
            "--sandbox/--no-sandbox", help="Start the vendor sandbox; never in production"
        ),
    ] = True,
) -> None:
    """Start the dashboard, the REST API, a worker, the scheduler and the vendor sandbox.

    Outside production the sandbox starts too and the demo organisation is seeded
    (idempotent), so a fresh machine shows sandbox connections with history at once.
    Ctrl-C stops them all; if one of them exits, the others are stopped too.
    """
    settings = load_settings()
    with open_service():  # a fatal configuration error stops here, before anything starts
        pass
    processes: dict[str, subprocess.Popen[bytes]] = {}
    # Children run from the project root: give them the data directory as an absolute path.
    env = {**os.environ, "TOOTHPICK_DATA_DIR": str(settings.data_dir.resolve())}
    _interrupt_on(signal.SIGTERM, signal.SIGHUP)  # stopping `up` stops its children too
    try:
        sandbox_command = _sandbox() if sandbox and not settings.is_production else None
        if sandbox_command is not None:
            _start("sandbox", sandbox_command, processes, env)
        if demo and not settings.is_production:
            _seed_demo(settings)  # while the sandbox starts
        if "sandbox" in processes:
            env.update(_trust_sandbox(settings, processes["sandbox"]))
        _start("dashboard", _dashboard(settings), processes, env)
        _start("api", _toothpick("api"), processes, env)
        _start("worker", _toothpick("worker"), processes, env)
        _start("scheduler", _toothpick("scheduler"), processes, env)
        ready = _dashboard_ready(settings, processes["dashboard"])
        failure = _failed_to_start(processes)
        if failure is None and not ready:
            failure = "The dashboard did not answer its health check within 90 s."
        if failure is not None:
            typer.echo(f"{failure} Stopping the rest; nothing is running.", err=True)
            raise typer.Exit(1)
        typer.echo(
            f"Dashboard: http://localhost:{settings.dashboard_port}  "
            f"API: http://localhost:{settings.api_port}/docs  (Ctrl-C stops everything)"
        )
        if _watch(processes):
            raise typer.Exit(1)
    except KeyboardInterrupt:
        typer.echo("Stopping...")
    finally:
        _stop_all(processes)


def _watch(processes: dict[str, subprocess.Popen[bytes]]) -> str:
    """Return (its name) when an essential process exits; the sandbox may stop on its own."""
    while True:
        time.sleep(0.5)
        for name, process in list(processes.items()):
            if process.poll() is None:
                continue
            if name == "sandbox":
                typer.echo(
                    f"The sandbox exited with status {process.returncode}; the rest goes on, "
                    "but sandbox connections cannot sync until `toothpick sandbox` runs."
                )
                del processes[name]
                continue
            typer.echo(
                f"{name} exited with status {process.returncode}; stopping the rest.", err=True
            )
            return name


def _interrupt_on(*signals: signal.Signals) -> None:
    def handler(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    for signum in signals:
        signal.signal(signum, handler)


def _stop_all(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE_S  # one grace for all, not one each
    for process in processes.values():
        try:
            process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def _stop_on_signals(stop: threading.Event) -> None:
    def handler(signum: int, _frame: object) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def _beacon(service: IntegrationService) -> Callable[[], int]:
    """This worker process's lease "worker:<host>:<pid>", renewed every 10 s, so that
    `toothpick status` lists the live workers."""
    holder = f"{socket.gethostname()}:{os.getpid()}"

    def beat() -> int:
        service.syncs.hold_lease(f"worker:{holder}", holder, ttl_s=30.0)
        return 0

    beat()
    return beat


def _drain_on(stop: threading.Event, runner: Worker) -> None:
    stop.wait()
    runner.drain()


@app.command("worker")
def worker(
    poll_interval: Annotated[float, typer.Option(min=0.05, help="Seconds between polls")] = 0.5,
    stale_after: Annotated[
        float, typer.Option(min=5, help="Seconds without heartbeat before a run is taken over")
    ] = 60.0,
) -> None:
    """Execute queued sync runs (any number of workers may share one store), and
    deliver queued alert notifications."""
    from core.notify.dispatcher import Dispatcher
    from core.worker import Worker

    stop = threading.Event()
    _stop_on_signals(stop)
    with (
        open_service() as service,
        Dispatcher(service.notifications.deliver_due),
        Dispatcher(_beacon(service), interval_s=10.0),
    ):
        runner = Worker(
            service,
            poll_interval_s=poll_interval,
            stale_after_s=stale_after,
            heartbeat_interval_s=min(5.0, stale_after / 4),
            runs_in_flight=service.settings.worker_runs_in_flight,
        )
        if service.settings.redis_url is not None:
            from core.taskqueue import serve
            from core.worker import tune_process

            tune_process(service.settings.sqlite_worker_heap_mib)  # as run_forever does
            # SIGTERM: the runs in flight go back to the queue at their next checkpoint.
            threading.Thread(target=_drain_on, args=(stop, runner), daemon=True).start()
            serve(  # runs arrive as Dramatiq messages
                service.settings,
                runner.run_by_id,
                stop,
                threads=runner.runs_in_flight,
                busy=runner.busy,
                grace_s=runner.shutdown_grace_s,
            )
        else:
            runner.run_forever(stop)  # embedded default: poll the store


@app.command("scheduler")
def scheduler() -> None:
    """Queue scheduled syncs (every connection every 6 hours by default, or its own schedule)."""
    from core.scheduler import SyncScheduler

    with open_service() as service, contextlib.suppress(KeyboardInterrupt, SystemExit):
        running = SyncScheduler(service)
        try:
            running.start()
        finally:
            running.stop()
