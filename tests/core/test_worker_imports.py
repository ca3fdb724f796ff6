"""What a `toothpick worker` process loads before its first run: every module stays
resident for the process's life, so libraries of other processes (the dashboard's,
the REST API's) or of settings left unset (REDIS_URL) must not come with it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# What `toothpick worker` does before it polls: the CLI's commands, the worker, the
# notification dispatcher, the service opened from the environment.
WORKER_START = """
import json, sys
from core.cli import _register_commands
_register_commands()
from core.notify.dispatcher import Dispatcher
from core.worker import Worker
from core.cli.common import open_service
with open_service() as service:
    Worker(service)
    print(json.dumps(sorted({name.split(".")[0] for name in sys.modules})))
"""
# The dashboard's and the API's libraries, the Redis queue's (REDIS_URL unset), the
# scheduler's, the sign-in hasher and the alert channels' (loaded on first delivery).
NOT_IN_A_WORKER = {
    "pandas", "plotly", "streamlit", "pyarrow", "fastapi", "starlette", "uvicorn",
    "redis", "dramatiq", "apscheduler", "argon2", "standardwebhooks", "smtplib",
}  # fmt: skip


def _worker_modules(data_dir: Path) -> set[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "MONGODB_URI")}
    env |= {"TOOTHPICK_DATA_DIR": str(data_dir), "PYTHONPATH": str(REPO)}
    done = subprocess.run(
        [sys.executable, "-c", WORKER_START],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_a_worker_without_redis_loads_no_library_it_does_not_use(tmp_path: Path) -> None:
    loaded = _worker_modules(tmp_path)
    assert "core" in loaded and "requests" in loaded  # the probe saw the worker's imports
    assert loaded & NOT_IN_A_WORKER == set()
