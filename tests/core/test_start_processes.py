"""`toothpick start` stopping what it launched: one grace period for all of them."""

from __future__ import annotations

import subprocess
import time

import pytest

from core.cli import processes


def _deaf_to_sigterm() -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        ["bash", "-c", "trap '' TERM; while true; do sleep 0.1; done"], start_new_session=True
    )


def test_processes_that_ignore_sigterm_are_killed_after_one_grace_for_all(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(processes, "STOP_GRACE_S", 1.0)
    launched = {f"p{n}": _deaf_to_sigterm() for n in range(4)}
    time.sleep(0.3)  # their traps are set
    began = time.monotonic()
    processes._stop_all(launched)
    took = time.monotonic() - began
    for process in launched.values():
        assert process.wait(timeout=5) is not None  # killed
    assert took < 3.0, f"{took:.1f} s: a grace period each (4 s), not one for all"
