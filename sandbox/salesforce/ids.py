"""Salesforce record ids: 3-char key prefix, 2-char pod, a reserved '0', 9 base-62
digits, and the 3-character case-safe checksum that turns 15 characters into 18."""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_B62_VALUE = {c: i for i, c in enumerate(_B62)}
_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
_PAIRS = [a + b for a in _B62 for b in _B62]
# Uppercase letters become "1", everything else "0": a chunk's flags in one C call.
_UPPER_BITS = str.maketrans(
    dict.fromkeys(string.ascii_uppercase, "1")
    | dict.fromkeys(string.ascii_lowercase + string.digits + string.punctuation + " ", "0")
)


def _chunk_suffix(chunk: str) -> str:
    bits = chunk.translate(_UPPER_BITS)
    return _SUFFIX[int(bits[::-1], 2)] if bits.isdigit() else "A"


def checksum18(id15: str) -> str:
    """The 18-character form of a 15-character id (Salesforce's published algorithm:
    per 5-character chunk, bit i set when character i is an uppercase letter)."""
    return id15 + _chunk_suffix(id15[:5]) + _chunk_suffix(id15[5:10]) + _chunk_suffix(id15[10:15])


_CHAR_UP = [1 if c.isupper() else 0 for c in _B62]
_PAIR_UP = [_CHAR_UP[i // 62] | _CHAR_UP[i % 62] << 1 for i in range(3844)]


@lru_cache(maxsize=65536)
def _format(head: str, number: int) -> str:
    """prefix + pod + "0" + 9 base-62 digits + checksum, with the checksum flags of
    the two variable chunks computed from per-digit tables (this runs per record)."""
    number, r1 = divmod(number, 3844)
    number, r2 = divmod(number, 3844)
    number, r3 = divmod(number, 3844)
    number, r4 = divmod(number, 3844)
    digit = number % 62
    chunk2 = _CHAR_UP[digit] << 1 | _PAIR_UP[r4] << 2 | (_PAIR_UP[r3] & 1) << 4
    chunk3 = _PAIR_UP[r3] >> 1 | _PAIR_UP[r2] << 1 | _PAIR_UP[r1] << 3
    return (
        head
        + "0"
        + _B62[digit]
        + _PAIRS[r4]
        + _PAIRS[r3]
        + _PAIRS[r2]
        + _PAIRS[r1]
        + _chunk_suffix(head)
        + _SUFFIX[chunk2]
        + _SUFFIX[chunk3]
    )


@dataclass(frozen=True, slots=True)
class SalesforceIds:
    prefix: str
    pod: str
    head: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "head", self.prefix + self.pod)

    def format(self, index: int) -> str:
        return _format(self.head, index + 1)

    def parse(self, record_id: str) -> int | None:
        if len(record_id) not in (15, 18):
            return None
        if record_id[:3] != self.prefix or record_id[3:5] != self.pod or record_id[5] != "0":
            return None
        if len(record_id) == 18 and checksum18(record_id[:15]).upper() != record_id.upper():
            return None
        number = 0
        for char in record_id[6:15]:
            value = _B62_VALUE.get(char)
            if value is None:
                return None
            number = number * 62 + value
        return number - 1 if number > 0 else None


def looks_like_id(value: str) -> bool:
    return len(value) in (15, 18) and all(c in _B62_VALUE for c in value)
