"""Run a sandbox for a test: in a background thread, or as a child process.

>>> with run_sandbox() as sb:                                   # doctest: +SKIP
...     requests.get(sb.url + "/crm/v3/objects/contacts", headers=...)
...     sb.control.create("hubspot", "acme", "contacts", {...})
...     session = sb.https_session()   # trusts the sandbox CA for the TLS port

Both pick free ports, so tests can run in parallel. Use `sandbox_process()`
when a test must kill the server (or needs it outside the GIL of the test).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from sandbox.control import SandboxControl
from sandbox.core.config import SandboxConfig
from sandbox.core.server import SandboxServer


@dataclass
class RunningSandbox:
    url: str
    tls_url: str | None
    ca_path: Path | None
    control: SandboxControl
    process: subprocess.Popen[bytes] | None = None
    server: SandboxServer | None = field(default=None, repr=False)

    def https_session(self) -> requests.Session:
        """A requests session that trusts the sandbox's TLS certificate.

        `trust_env` is off because requests lets REQUESTS_CA_BUNDLE/CURL_CA_BUNDLE
        override a session's `verify`, which would hide the sandbox CA.
        """
        session = requests.Session()
        session.trust_env = False
        session.verify = str(self.ca_path) if self.ca_path else True
        return session


def _default_data_dir() -> Path:
    return Path(tempfile.gettempdir()) / "toothpick-sandbox-tests"


@contextmanager
def run_sandbox(
    *,
    scale: Mapping[str, int] | None = None,
    systems: tuple[str, ...] | None = None,
    data_dir: Path | None = None,
    tls: bool = True,
    webhooks: bool = True,
) -> Iterator[RunningSandbox]:
    """A sandbox on free ports in a daemon thread of this process, stopped on exit."""
    config = SandboxConfig(
        port=0,
        tls_port=0 if tls else None,
        data_dir=data_dir or _default_data_dir(),
        systems=systems,
        scale=dict(scale or {}),
        webhooks=webhooks,
    )
    server = SandboxServer(config)
    server.bind()
    failure: list[BaseException] = []

    def serve() -> None:
        try:
            asyncio.run(server.serve())
        except BaseException as exc:  # reported to the waiting test below
            failure.append(exc)
            server.started.set()

    thread = threading.Thread(target=serve, name="sandbox-server", daemon=True)
    thread.start()
    if not server.started.wait(30) or failure:
        server.stop()
        raise RuntimeError(f"sandbox did not start: {failure[0] if failure else 'timeout'}")
    urls = server.sandbox.urls
    try:
        yield RunningSandbox(
            urls.http, urls.tls, urls.ca_path, SandboxControl(urls.http), server=server
        )
    finally:
        server.stop()
        thread.join(timeout=15)


@contextmanager
def sandbox_process(
    *,
    scale: Mapping[str, str | int] | None = None,
    systems: tuple[str, ...] | None = None,
    data_dir: Path | None = None,
    extra_args: tuple[str, ...] = (),
) -> Iterator[RunningSandbox]:
    """A sandbox in a child process (`python -m sandbox`); `.process` can be killed."""
    args = [sys.executable, "-m", "sandbox", "--port", "0", "--tls-port", "0", "--ready-json"]
    args += ["--data-dir", str(data_dir or _default_data_dir())]
    for key, value in (scale or {}).items():
        args += ["--scale", f"{key}={value}"]
    for system in systems or ():
        args += ["--system", system]
    args += list(extra_args)
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module
        args, stdout=subprocess.PIPE, cwd=root, env=env, start_new_session=True
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        if not line:
            raise RuntimeError(f"sandbox process exited with {process.wait()}")
        ready = json.loads(line)
        ca = Path(ready["ca_path"]) if ready.get("ca_path") else None
        yield RunningSandbox(
            ready["http"], ready.get("tls"), ca, SandboxControl(ready["http"]), process=process
        )
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if process.stdout is not None:
            process.stdout.close()
