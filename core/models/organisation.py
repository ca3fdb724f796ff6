from __future__ import annotations

from pydantic import Field

from core.clock import utcnow
from core.models.common import Identifier, Model, UtcDatetime


class Organisation(Model):
    """A tenant of the hub; every other object belongs to exactly one."""

    id: Identifier
    name: str = Field(min_length=1, max_length=200)
    created_at: UtcDatetime = Field(default_factory=utcnow)
