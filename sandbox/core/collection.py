"""One (system, tenant, object) collection: generated base records plus an overlay.

Base record `i` is computed on demand from (collection key, i); nothing is stored
for it until the vendor side or a client edits it. Base records are modified at
`start + (i + 1) * step` (all in the past, increasing with the index), so a filter
`modified >= t` over the base is an index range found with arithmetic, and paging
from any position costs O(page size) however large the collection is. Edits,
creations and deletions live in a small in-memory overlay, stamped with the
current time, and are merged into every scan in key order.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, insort
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from sandbox.core.draw import Draw
from sandbox.core.entry import Entry
from sandbox.core.field_changes import FieldChange
from sandbox.core.schema import FieldDef, GenContext, ObjectSpec, generate_value

Order = Literal["index", "modified"]
SortKey = int | tuple[int, int]

BASE_START_MS = 1_640_995_200_000  # 2022-01-01T00:00:00Z
BASE_SPAN_MS = 94_694_400_000  # three years: the base always ends by 2025-01-01
CREATED_LAG_MS = 30 * 86_400_000


def _step_for(count: int) -> int:
    return max(1000, (BASE_SPAN_MS // max(count, 1)) // 1000 * 1000)


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def _within(base: range, window: range) -> range:
    start = max(base.start, window.start)
    return range(start, max(start, min(base.stop, window.stop)))


class Collection:
    """Records of one object for one tenant; see the module docstring for the model."""

    def __init__(
        self,
        spec: ObjectSpec,
        *,
        key: bytes,
        count: int,
        ctx: GenContext,
        custom_fields: tuple[FieldDef, ...] = (),
    ) -> None:
        self.spec = spec
        self.count = count
        # Each custom field as first drawn, and its name now (None: deleted): base values stay
        # the same through renames and deletions, as the vendor keeps the column's data.
        self._drawn: list[tuple[FieldDef, FieldDef | None]] = [(f, f) for f in custom_fields]
        self._set_custom(custom_fields)
        self.step_ms = _step_for(count)
        self._key = key
        self._ctx = ctx
        self._generator = spec.generate
        self._format = spec.ids.format
        self._overlay: dict[int, Entry] = {}
        self._named: dict[str, int] = {}  # client-supplied ids -> their index
        self._undo: list[tuple[int, Entry | None]] | None = None  # see begin()
        self._undo_ids: tuple[int, dict[str, int]] = (0, {})
        self._by_index: list[int] = []
        self._by_modified: list[tuple[int, int]] = []
        self._next_index = count
        self._last_ms = 0
        self._repeat = False  # writes never share a time unless a test says so
        self.version = 0  # bumped by every write: a cache key for derived results

    def _set_custom(self, custom_fields: tuple[FieldDef, ...]) -> None:
        self.custom_fields = custom_fields
        self.fields: tuple[FieldDef, ...] = self.spec.fields + custom_fields
        self.field_index: dict[str, FieldDef] = {f.name: f for f in self.fields}

    def change_fields(self, change: FieldChange) -> None:
        """An admin's edit of the object's custom fields (sandbox.core.field_changes): the
        records keep their modified time, as a vendor's schema change does not touch them."""
        self._drawn = change.apply(self._drawn, standard=self.spec.field_index)
        for entry in self._overlay.values():
            change.move_values(entry.fields)
        self._set_custom(tuple(now for _drawn, now in self._drawn if now is not None))
        self.version += 1

    # --- reading -------------------------------------------------------------------

    def base_modified_ms(self, index: int) -> int:
        return BASE_START_MS + (index + 1) * self.step_ms

    def base_range(self, since_ms: int | None = None, until_ms: int | None = None) -> range:
        """Base indexes whose base modified time is in [since_ms, until_ms)."""
        low, high = 0, self.count
        if since_ms is not None:
            low = max(low, _ceil_div(since_ms - BASE_START_MS, self.step_ms) - 1)
        if until_ms is not None:
            high = min(high, max(0, _ceil_div(until_ms - BASE_START_MS, self.step_ms) - 1))
        return range(low, max(low, high))

    def generate(self, index: int) -> Entry:
        """The untouched base record `index` (ignores the overlay)."""
        draw = Draw(self._key, index)
        fields = self._generator(draw, index, self._ctx)
        for drawn, now in self._drawn:
            value = None if drawn.external_id else generate_value(draw, drawn)
            if now is not None:
                fields[now.name] = value
        modified = BASE_START_MS + (index + 1) * self.step_ms
        return Entry(index, self._format(index), fields, modified - CREATED_LAG_MS, modified)

    def index_of(self, record_id: str) -> int | None:
        named = self._named.get(record_id)
        if named is not None:
            return named
        index = self.spec.ids.parse(record_id)
        if index is None or index >= self._next_index:
            return None
        return index

    def entry(self, index: int) -> Entry | None:
        """Current state of record `index`, including deleted ones (not purged ones)."""
        found = self._overlay.get(index)
        if found is not None:
            return None if found.purged else found
        if 0 <= index < self.count:
            return self.generate(index)
        return None

    def get(self, record_id: str, *, include_deleted: bool = False) -> Entry | None:
        index = self.index_of(record_id)
        if index is None:
            return None
        found = self.entry(index)
        if found is None or (found.deleted and not include_deleted):
            return None
        return found

    def count_matching(
        self,
        since_ms: int | None = None,
        until_ms: int | None = None,
        *,
        include_deleted: bool = False,
        after_index: int | None = None,
        window: range | None = None,
    ) -> int:
        """How many records a scan with these bounds yields (only indexes above
        `after_index`, and in `window`, if given), in O(overlay) time."""
        base = self.base_range(since_ms, until_ms)
        if after_index is not None:
            base = range(
                max(base.start, after_index + 1), max(base.start, base.stop, after_index + 1)
            )
        if window is not None:
            base = _within(base, window)
        total = len(base)
        for index, found in self._overlay.items():
            if index < self.count and index in base:
                total -= 1
            if (
                (after_index is None or index > after_index)
                and (window is None or index in window)
                and self._visible(found, since_ms, until_ms, include_deleted)
            ):
                total += 1
        return total

    def scan(
        self,
        *,
        order: Order = "index",
        after: SortKey | None = None,
        since_ms: int | None = None,
        until_ms: int | None = None,
        include_deleted: bool = False,
        descending: bool = False,
        window: range | None = None,
    ) -> Iterator[Entry]:
        """Records in key order, starting strictly after `after` (a key this scan yields),
        only those whose index is in `window` if given (an id range: see id_window).

        The key is the index for order "index" and (modified_ms, index) for order
        "modified"; `key_of` computes it, so a vendor's cursor is just the last key.
        """
        base = self.base_range(since_ms, until_ms)
        if window is not None:  # base records are modified in index order: both orders
            base = _within(base, window)
        over = [
            e
            for e in self._overlay_in(order)
            if self._visible(e, since_ms, until_ms, include_deleted)
            and (window is None or e.index in window)
        ]
        if order == "index":
            start = after if isinstance(after, int) else None
            indexes = self._index_window(base, start, descending)
            if start is not None:
                over = [e for e in over if (e.index < start if descending else e.index > start)]
            if descending:
                over.reverse()
            return self._merge(indexes, over, lambda e: e.index, descending)
        position = after if isinstance(after, tuple) else None
        indexes = self._modified_window(base, position, descending)
        if position is not None:
            over = [
                e
                for e in over
                if (
                    (e.modified_ms, e.index) < position
                    if descending
                    else (e.modified_ms, e.index) > position
                )
            ]
        if descending:
            over.reverse()
        return self._merge(indexes, over, lambda e: (e.modified_ms, e.index), descending)

    def overlay_entries(self) -> list[Entry]:
        """Edited, created and deleted records (not purged), in index order: what a
        vendor scans for "archived only" listings or unique-value look-ups."""
        return [e for e in self._overlay_in("index") if not e.purged]

    def is_overlaid(self, index: int) -> bool:
        return index in self._overlay

    @staticmethod
    def key_of(entry: Entry, order: Order) -> SortKey:
        return entry.index if order == "index" else (entry.modified_ms, entry.index)

    @property
    def next_index(self) -> int:
        """The index (hence id) the next `create` will use."""
        return self._next_index

    @property
    def named_ids(self) -> bool:
        """Whether a client chose any id (they need not follow the index order)."""
        return bool(self._named)

    @property
    def overlay_size(self) -> int:
        return len(self._overlay)

    def edited(self, index: int) -> bool:
        """Whether record `index` lives in the overlay (written since generation): anything
        derived from an unedited base record may be cached for the collection's lifetime."""
        return index in self._overlay

    # --- writing -------------------------------------------------------------------

    def create(self, fields: Mapping[str, Any], *, record_id: str | None = None) -> Entry:
        """A new record at the next index. `record_id`: a key the client chose (SAP's
        external numbering); the vendor checks it is free. Internal numbering then skips
        any id a client already took, as separate number ranges never collide."""
        index = self._next_index
        self._next_index += 1
        if record_id is None:
            while self._format(index) in self._named:
                index = self._next_index
                self._next_index += 1
        now = self._tick()
        created = Entry(index, record_id or self._format(index), dict(fields), now, now)
        if record_id is not None:
            self._named[record_id] = index
        self._put(created)
        return created

    def update(self, record_id: str, fields: Mapping[str, Any]) -> Entry:
        """Merge `fields` into a live record and bump its modified time; KeyError if gone."""
        current = self.get(record_id)
        if current is None:
            raise KeyError(record_id)
        merged = {**current.fields, **fields}
        updated = Entry(current.index, current.id, merged, current.created_ms, self._tick())
        self._put(updated)
        return updated

    def delete(self, record_id: str, *, hard: bool = False) -> Entry:
        """Soft-delete (visible to include_deleted scans) or, with hard=True, purge."""
        current = self.get(record_id)
        if current is None:
            raise KeyError(record_id)
        now = self._tick()
        gone = Entry(current.index, current.id, current.fields, current.created_ms, now, now, hard)
        self._put(gone)
        return gone

    def restore(self, record_id: str) -> Entry:
        current = self.get(record_id, include_deleted=True)
        if current is None or not current.deleted:
            raise KeyError(record_id)
        back = Entry(current.index, current.id, current.fields, current.created_ms, self._tick())
        self._put(back)
        return back

    # --- transactions (a vendor's all-or-nothing request, e.g. an OData changeset) ------

    def begin(self) -> None:
        """Start remembering what each write replaces, so that rollback() can undo them."""
        self._undo = []
        self._undo_ids = (self._next_index, dict(self._named))

    def commit(self) -> None:
        self._undo = None

    def rollback(self) -> None:
        """Undo the writes since begin(): O(writes), whatever the overlay's size."""
        for index, old in reversed(self._undo or []):
            current = self._overlay.get(index)
            if current is not None:
                del self._by_modified[bisect_left(self._by_modified, (current.modified_ms, index))]
            if old is None:
                self._overlay.pop(index, None)
                del self._by_index[bisect_left(self._by_index, index)]
            else:
                self._overlay[index] = old
                insort(self._by_modified, (old.modified_ms, old.index))
        self._next_index, self._named = self._undo_ids
        self._undo = None
        self.version += 1

    # --- internals -----------------------------------------------------------------

    def follow_clock(self, *, repeat: bool = False) -> None:
        """The vendor's clock was set (back, perhaps): the next write takes its time even
        if that is before the last write's (never-repeated times resume from there). With
        `repeat`, writes may share one time, as a vendor's bulk edit stamps many records at
        one instant, instead of each taking the next millisecond."""
        self._last_ms = 0
        self._repeat = repeat

    def _tick(self) -> int:
        now = self._ctx.vendor_now_ms()
        if now <= self._last_ms and not self._repeat:
            now = self._last_ms + 1
        self._last_ms = now
        return now

    def _put(self, entry: Entry) -> None:
        self.version += 1
        old = self._overlay.get(entry.index)
        if self._undo is not None:
            self._undo.append((entry.index, old))
        if old is None:
            insort(self._by_index, entry.index)
        else:
            position = bisect_left(self._by_modified, (old.modified_ms, old.index))
            del self._by_modified[position]
        self._overlay[entry.index] = entry
        insort(self._by_modified, (entry.modified_ms, entry.index))

    def _overlay_in(self, order: Order) -> list[Entry]:
        if order == "index":
            return [self._overlay[i] for i in self._by_index]
        return [self._overlay[i] for _, i in self._by_modified]

    @staticmethod
    def _visible(
        entry: Entry, since_ms: int | None, until_ms: int | None, include_deleted: bool
    ) -> bool:
        if entry.purged or (entry.deleted and not include_deleted):
            return False
        if since_ms is not None and entry.modified_ms < since_ms:
            return False
        return until_ms is None or entry.modified_ms < until_ms

    @staticmethod
    def _index_window(base: range, after: int | None, descending: bool) -> range:
        if after is None:
            return base[::-1] if descending else base
        if descending:
            return range(min(base.stop, after) - 1, base.start - 1, -1)
        return range(max(base.start, after + 1), base.stop)

    def _modified_window(
        self, base: range, after: tuple[int, int] | None, descending: bool
    ) -> range:
        if after is None:
            return base[::-1] if descending else base
        pivot = self.base_range(after[0], None).start  # first base index modified >= after
        if descending:
            stop = pivot
            if pivot < self.count and self.base_modified_ms(pivot) == after[0] and pivot < after[1]:
                stop = pivot + 1
            return range(min(base.stop, stop) - 1, base.start - 1, -1)
        start = pivot
        if pivot < self.count and self.base_modified_ms(pivot) == after[0] and pivot <= after[1]:
            start = pivot + 1
        return range(max(base.start, start), base.stop)

    def _merge(
        self, indexes: range, over: list[Entry], key: Any, descending: bool
    ) -> Iterator[Entry]:
        overlay = self._overlay
        generate = self.generate
        if not overlay:
            return map(generate, indexes)
        base_entries = (generate(i) for i in indexes if i not in overlay)
        if not over:
            return base_entries
        return heapq.merge(base_entries, over, key=key, reverse=descending)
