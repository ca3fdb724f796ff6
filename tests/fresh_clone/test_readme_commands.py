"""The README's two commands, met the way a new user meets them: in a fresh clone.

A warm checkout hides first-run bugs (the start command once stopped silently after
installing, because the last line of the bootstrap returned 1 on a plain install, and
CI, which installs the dev extras, never saw it). So this test clones the repository
into a temporary directory with no `.venv` and runs the commands exactly as the
README's quick start spells them:

- the start command, cold (it creates `.venv` without the dev extras) and then warm:
  each time the dashboard answers its health check, the overview in a real browser
  shows the demo organisation's connections, and SIGINT (Ctrl-C) leaves no process
  it started behind;
- the cheap half of the test command: the bootstrap with the dev extras in the same
  clone, which must add the test tools on top of the plain install.

The clone is of what is in the working tree now (committed or not), so a developer
tests their own change before committing it.
"""

from __future__ import annotations

import contextlib
import os
import random
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import expect, sync_playwright

from core.demo import demo_names

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-sync"]
_OUR_VARIABLES = ("INTEGRATION_ENCRYPTION_", "MONGODB_URI", "REDIS_URL", "TOOTHPICK_")
COLD_START_S = 600  # a fresh .venv installs every pinned dependency first
WARM_START_S = 120


def readme_commands() -> tuple[str, str]:
    """The quick start's two commands: (start, test)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```bash\n(.*?)```", section, re.DOTALL)
    assert block is not None, "README's quick start has no bash block"
    lines = [line.strip() for line in block.group(1).splitlines() if line.strip()]
    assert len(lines) == 2, f"README's quick start should hold two commands, not {lines}"
    return lines[0], lines[1]


def _snapshot_commit(scratch: Path) -> str:
    """A commit of the working tree as it is (tracked and untracked, .gitignore obeyed),
    made with a private index so the developer's own index and tree are untouched
    (`.git` may be a file: a worktree)."""
    index = scratch / "snapshot-index"
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True
        ).stdout.strip()

    try:
        git("read-tree", "HEAD")
        git("add", "-A")
        tree = git("write-tree")
        return git("commit-tree", tree, "-p", "HEAD", "-m", "fresh-clone test snapshot")
    finally:
        index.unlink(missing_ok=True)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("fresh") / "toothpick"
    commit = _snapshot_commit(target.parent)
    subprocess.run(["git", "clone", "--quiet", "--no-checkout", str(ROOT), str(target)], check=True)
    subprocess.run(["git", "checkout", "--quiet", commit], cwd=target, check=True)
    assert not (target / ".venv").exists()
    return target


def _free_port() -> int:
    """A free port below the kernel's ephemeral range. The start command binds it a
    minute later, after its install: a port the kernel handed out (bind to port 0) may
    by then be any outgoing connection's (pip's downloads, the other tests), and the
    dashboard once found its port taken ("Port 44793 is not available")."""
    ephemeral_low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    low = max(1024, ephemeral_low - 12_000)
    for port in random.sample(range(low, ephemeral_low), 200):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {low}-{ephemeral_low - 1}")


def _user_environment() -> dict[str, str]:
    """A new user's shell: none of our settings; only free ports, so the test can run
    beside other products on this machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_OUR_VARIABLES)}
    env.pop("VIRTUAL_ENV", None)
    names = ("DASHBOARD", "SANDBOX", "SANDBOX_TLS", "API")
    ports: set[int] = set()
    while len(ports) < len(names):
        ports.add(_free_port())
    for name, port in zip(names, sorted(ports), strict=True):
        env[f"TOOTHPICK_{name}_PORT"] = str(port)
    return env


@dataclass
class Started:
    process: subprocess.Popen[bytes]
    log: Path
    url: str
    seconds_to_healthy: float


def _descendants(pid: int) -> set[int]:
    """Every live process below `pid` (children start their own sessions, so the
    process group is not enough)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError, IndexError, ValueError):
            stat = (entry / "stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found: set[int] = set()
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _processes_in(directory: Path) -> set[int]:
    """Live processes whose command line or working directory is inside `directory`
    (catches anything orphaned and re-parented to init)."""
    inside: set[int] = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        with contextlib.suppress(OSError):
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            cwd = os.readlink(entry / "cwd")
            if str(directory) in cmdline or cwd.startswith(str(directory)):
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    inside.add(int(entry.name))
    return inside


def _wait_healthy(started: Started, deadline_s: float) -> None:
    begin = time.monotonic()
    while time.monotonic() - begin < deadline_s:
        if started.process.poll() is not None:
            pytest.fail(
                f"the start command exited with {started.process.returncode}:\n"
                + started.log.read_text(errors="replace")[-4000:]
            )
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(  # noqa: S310
                f"{started.url}/_stcore/health", timeout=1
            ) as answer,
        ):
            if answer.read() == b"ok":
                started.seconds_to_healthy = time.monotonic() - begin
                return
        time.sleep(0.25)
    pytest.fail("the dashboard never became healthy:\n" + started.log.read_text()[-4000:])


@contextlib.contextmanager
def _run_start(clone: Path, command: str, log: Path, deadline_s: float) -> Iterator[Started]:
    env = _user_environment()
    with log.open("wb") as out:
        process = subprocess.Popen(
            ["bash", "-c", command], cwd=clone, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    url = f"http://127.0.0.1:{env['TOOTHPICK_DASHBOARD_PORT']}"
    started = Started(process, log, url, 0.0)
    try:
        _wait_healthy(started, deadline_s)
        yield started
    finally:
        _interrupt_and_check_all_gone(started, clone)


def _interrupt_and_check_all_gone(started: Started, clone: Path) -> None:
    """Ctrl-C as a terminal sends it (SIGINT to the foreground group), then: nothing
    that the command started may still run."""
    process = started.process
    ours = _descendants(process.pid) | {process.pid}
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGINT)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        # its children run in sessions of their own (core.cli.processes): not in its group
        stuck = ours | _descendants(process.pid) | _processes_in(clone)
        os.killpg(process.pid, signal.SIGKILL)
        for pid in stuck:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        pytest.fail("the start command did not stop within 30 s of Ctrl-C")
    deadline = time.monotonic() + 10
    left = {pid for pid in ours if Path(f"/proc/{pid}").exists()} | _processes_in(clone)
    while left and time.monotonic() < deadline:
        time.sleep(0.2)
        left = {pid for pid in left if Path(f"/proc/{pid}").exists()}
    for pid in left:  # do not leave them to the rest of the suite
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes left after Ctrl-C: {sorted(left)}"


def _overview_shows_the_demo(url: str) -> None:
    """In a thread of its own: Playwright's sync API refuses to start where an asyncio
    loop runs, and an earlier test on the same worker may have left one behind."""
    failure: list[BaseException] = []

    def check() -> None:
        try:
            _open_overview(url)
        except BaseException as exc:  # handed to the test's own thread
            failure.append(exc)

    thread = threading.Thread(target=check, name="overview-check")
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


def _open_overview(url: str) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(url)
            expect(page.get_by_role("heading", name="Overview", exact=True)).to_be_visible(
                timeout=60_000
            )
            for name in demo_names():
                expect(page.get_by_text(name).first).to_be_visible(timeout=60_000)
        finally:
            browser.close()


def _announced_dashboard(log: Path, url: str) -> bool:
    port = url.rsplit(":", 1)[1]
    return f"http://localhost:{port}" in log.read_text(errors="replace")


@pytest.mark.slow
def test_the_start_command_on_a_fresh_clone_cold_then_warm(clone: Path) -> None:
    start, _test = readme_commands()
    for attempt, deadline in (("cold", COLD_START_S), ("warm", WARM_START_S)):
        log = clone.parent / f"start-{attempt}.log"
        with _run_start(clone, start, log, deadline) as started:
            _overview_shows_the_demo(started.url)
            assert _announced_dashboard(log, started.url), log.read_text()[-2000:]
            print(f"{attempt}: dashboard healthy {started.seconds_to_healthy:.1f} s after start")
        if attempt == "cold":
            assert (clone / ".venv" / "bin" / "toothpick").exists()
            # A plain install: the test tools are not there.
            assert not (clone / ".venv" / "bin" / "pytest").exists()


@pytest.mark.slow
def test_the_test_commands_bootstrap_adds_the_dev_tools(clone: Path) -> None:
    """The test command's first step, after a plain install in the same clone (the
    order a user who first ran the product meets it), then once more (no-op)."""
    _start, test = readme_commands()
    script = clone / test
    bootstrap = script.parent / "bootstrap"
    assert f"{bootstrap.relative_to(clone)} dev" in script.read_text(), "test command changed"
    env = _user_environment()
    subprocess.run([str(bootstrap)], cwd=clone, env=env, check=True, capture_output=True)
    for run in ("first", "again"):
        done = subprocess.run(
            [str(bootstrap), "dev"], cwd=clone, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, f"{run}: {done.stdout}{done.stderr}"
        for tool in ("pytest", "ruff", "mypy", "toothpick"):
            assert (clone / ".venv" / "bin" / tool).exists(), f"{run}: no {tool}"
    assert "installing" not in done.stdout, "a second dev bootstrap reinstalled"
