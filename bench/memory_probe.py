"""What a worker's memory holds while its runs are in flight (throughput bench `--profile`).

Peak RSS alone says how much, not what. The probe samples the process's resident
size twice a second and, with `tracemalloc` on, takes a snapshot whenever a new
peak is reached; at the end it writes the growth from the snapshot taken before the
runs to the one at the peak, grouped by traceback, beside the threads alive and the
malloc arenas' share (what Python allocated against what the process holds).

    probe = MemoryProbe.start(out=Path("bench/results/memory.txt"), frames=12)
    ...  # the runs
    probe.finish()

Python's allocations are what tracemalloc sees; OpenSSL, SQLite's page cache and
glibc's arenas are not, so the report puts the traced total beside VmRSS.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import sys
import threading
import time
import tracemalloc
from collections import Counter, deque
from dataclasses import dataclass, field
from pathlib import Path


def _sqlite_heap() -> tuple[float, float]:
    """SQLite's own heap in MB (page caches, schemas, statements), now and at its peak:
    tracemalloc cannot see it (the library `_sqlite3` is linked against keeps the count)."""
    try:
        lib = ctypes.CDLL(ctypes.util.find_library("sqlite3") or "libsqlite3.so.0")
    except OSError:
        return (0.0, 0.0)
    lib.sqlite3_memory_used.restype = lib.sqlite3_memory_highwater.restype = ctypes.c_int64
    return (lib.sqlite3_memory_used() / 2**20, lib.sqlite3_memory_highwater(0) / 2**20)


def _mappings(pid: int | str = "self") -> Counter[str]:
    """Resident KB by kind of mapping (/proc/<pid>/smaps): thread stacks (8 MiB each),
    glibc's thread arenas (64 MiB heaps), the main heap, other anonymous memory (Python's
    own arenas, large buffers), and files (code, the SQLite file's shared pages)."""
    kinds: Counter[str] = Counter()
    kind = "other"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        head = line.split()
        if "-" in head[0] and len(head) >= 5 and ":" in head[3]:  # a mapping's first line
            start, end = (int(x, 16) for x in head[0].split("-"))
            size_kb = (end - start) // 1024
            name = head[5] if len(head) > 5 else ""
            if name.startswith("/"):
                kind = "files"
            elif name in ("[heap]", "[stack]"):
                kind = name
            elif size_kb in (8192, 8188, 8196):
                kind = "thread stacks"
            elif start % (64 << 20) == 0:  # a thread arena's heap starts 64 MiB-aligned
                kind = "malloc arenas"
            else:
                kind = "other anonymous"
        elif head[0] == "Rss:":
            kinds[kind] += int(head[1])
    return kinds


def _holders(top: int = 12) -> list[str]:
    """The largest containers alive and what holds them: what keeps memory, not only
    where it was allocated."""
    sized = []
    for obj in gc.get_objects():
        if isinstance(obj, (list, dict, set, deque)):
            try:
                if len(obj) >= 2000:
                    sized.append(obj)
            except TypeError:
                continue
    sized.sort(key=len, reverse=True)
    lines = []
    for obj in sized[:top]:
        sample = next(iter(obj), None)
        owners = []
        for ref in gc.get_referrers(obj):
            if ref is sized or isinstance(ref, type(sys._getframe())):
                continue
            owner = type(ref).__name__
            if isinstance(ref, dict):  # an instance's __dict__: name its class
                for holder in gc.get_referrers(ref):
                    if getattr(holder, "__dict__", None) is ref:
                        owner = f"{type(holder).__module__}.{type(holder).__qualname__}"
            elif owner == "module":
                owner = f"module {ref.__name__}"
            elif owner == "cell":  # a closure's variable: name the function
                for closure in gc.get_referrers(ref):
                    for function in gc.get_referrers(closure):
                        if getattr(function, "__closure__", None) is closure:
                            owner = f"closure of {function.__module__}.{function.__qualname__}"
            owners.append(owner)
        lines.append(
            f"{type(obj).__name__}[{len(obj)}] of {type(sample).__name__} ({str(sample)[:40]!r})"
            f" held by {owners[:4]}"
        )
    del sized
    return lines


def _dict_holders(top: int = 6, depth: int = 5) -> list[str]:
    """The most numerous kinds of dict alive (by their first keys) and, for one of each,
    the chain of objects holding it."""
    counts: Counter[str] = Counter()
    samples: dict[str, object] = {}
    for obj in gc.get_objects():
        if type(obj) is dict and 3 <= len(obj) <= 200:
            shape = ",".join(str(k)[:16] for k in list(obj)[:4])
            counts[shape] += 1
            samples.setdefault(shape, obj)
    lines = []
    frame_type = type(sys._getframe())
    for shape, count in counts.most_common(top):
        chain: list[str] = []
        current = samples[shape]
        mine: list[object] = [samples]  # the probe's own lists refer to what they list
        for _ in range(depth):
            refs = [
                r
                for r in gc.get_referrers(current)
                if not isinstance(r, frame_type) and not any(r is m for m in mine)
            ]
            mine.append(refs)
            if not refs:
                break
            current = refs[0]
            what = type(current).__qualname__
            if isinstance(current, dict):
                what += "{" + ",".join(str(k)[:12] for k in list(current)[:3]) + "}"
            elif isinstance(current, (list, tuple, set)):
                what += f"[{len(current)}]"
            chain.append(what)
        lines.append(f"{count:8d} dicts ({shape}) <- " + " <- ".join(chain))
    samples.clear()
    return lines


def _status_kb(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    return 0


@dataclass
class MemoryProbe:
    out: Path
    frames: int = 12
    trace: bool = True
    interval_s: float = 0.5
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _before: tracemalloc.Snapshot | None = None
    _peak: tracemalloc.Snapshot | None = None
    _peak_rss_kb: int = 0
    _peak_threads: Counter[str] = field(default_factory=Counter)
    _traced_at_peak: int = 0
    _sqlite_at_peak: float = 0.0
    _mapped_at_peak: Counter[str] = field(default_factory=Counter)
    _timeline: list[str] = field(default_factory=list)
    _holders_at_peak: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, *, out: Path, frames: int = 12, trace: bool = True) -> MemoryProbe:
        probe = cls(out=out, frames=frames, trace=trace)
        if trace:
            tracemalloc.start(frames)
            probe._before = tracemalloc.take_snapshot()
        probe._thread = threading.Thread(target=probe._watch, name="memory-probe", daemon=True)
        probe._thread.start()
        return probe

    def _watch(self) -> None:
        started = time.monotonic()
        while not self._stop.wait(self.interval_s):
            rss = _status_kb("VmRSS")
            self._timeline.append(
                f"{time.monotonic() - started:6.1f} s {rss / 1024:6.1f} MB "
                f"{threading.active_count():4d} threads {sys.getallocatedblocks():9d} blocks"
            )
            if rss <= self._peak_rss_kb * 1.02:  # a snapshot costs: only a clearly new peak
                continue
            self._peak_rss_kb = rss
            self._sqlite_at_peak = _sqlite_heap()[0]
            self._mapped_at_peak = _mappings()
            self._holders_at_peak = _holders() + _dict_holders()
            self._peak_threads = Counter(
                t.name.rstrip("0123456789_-") for t in threading.enumerate()
            )
            if self.trace:
                self._traced_at_peak = tracemalloc.get_traced_memory()[0]
                self._peak = tracemalloc.take_snapshot()

    def finish(self, top: int = 30) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        lines = [
            f"peak VmRSS sampled {self._peak_rss_kb / 1024:.1f} MB, "
            f"VmHWM {_status_kb('VmHWM') / 1024:.1f} MB",
            f"threads at the peak: {sum(self._peak_threads.values())} "
            + ", ".join(f"{n}={c}" for n, c in self._peak_threads.most_common(12)),
            f"SQLite heap at the peak {self._sqlite_at_peak:.1f} MB, "
            f"its own high-water {_sqlite_heap()[1]:.1f} MB",
            "resident at the peak: "
            + ", ".join(f"{k} {v / 1024:.1f} MB" for k, v in self._mapped_at_peak.most_common()),
        ]
        if self.trace and self._before is not None and self._peak is not None:
            traced = self._traced_at_peak / 2**20
            lines.append(f"traced by tracemalloc at the peak: {traced:.1f} MB")
            ignore = [tracemalloc.Filter(False, tracemalloc.__file__)]
            before = self._before.filter_traces(ignore)
            peak = self._peak.filter_traces(ignore)
            for key in ("filename", "traceback"):
                stats = peak.compare_to(before, key)
                lines.append(f"\n--- growth to the peak, by {key} ---")
                for stat in stats[:top]:
                    lines.append(
                        f"{stat.size_diff / 2**20:8.2f} MB {stat.count_diff:8d} blocks"
                        f"  {stat.traceback[-1]}"
                    )
                    if key == "traceback":
                        lines.extend(f"        {frame}" for frame in list(stat.traceback)[-8:])
            tracemalloc.stop()
        lines += ["\n--- the largest containers at the peak ---", *self._holders_at_peak]
        lines += ["\n--- timeline: resident size, threads, Python's allocated blocks ---"]
        lines += self._timeline
        self.out.parent.mkdir(parents=True, exist_ok=True)
        self.out.write_text("\n".join(lines) + "\n")
