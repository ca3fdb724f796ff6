"""The sync engine: pages in, maps, diffs, upserts, pushes, checkpoints.

It sees vendors only through the Adapter protocol and persistence only through
the Store protocol, so the same engine runs inside the embedded worker and in
distributed workers.
"""

from core.schemas import RunOutcome
from core.sync.control import RunCancelledError, RunControl, RunLostError
from core.sync.engine import SyncEngine

__all__ = ["RunCancelledError", "RunControl", "RunLostError", "RunOutcome", "SyncEngine"]
