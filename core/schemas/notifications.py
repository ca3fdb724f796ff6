"""Notification channels in and out (secrets go in, never come out)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from core.models import ChannelKind

ConfigValue = str | int | float | bool


class ChannelCreate(BaseModel):
    """`config` and `secrets` by kind:

    - webhook: config `url`; secrets `signing_secret` (`whsec_` + base64, as the receiver
      has it);
    - slack: secrets `webhook_url`;
    - email: config `host`, `port` (587), `sender`, `recipients` (comma-separated),
      `username`, `starttls` (true); secrets `password`.
    """

    model_config = ConfigDict(extra="forbid")

    kind: ChannelKind
    name: str = Field(min_length=1, max_length=100)
    config: dict[str, ConfigValue] = Field(default_factory=dict)
    secrets: dict[str, SecretStr] = Field(default_factory=dict)
    enabled: bool = True


class ChannelPublic(BaseModel):
    id: str
    kind: ChannelKind
    name: str
    config: dict[str, ConfigValue]
    secret_fields: list[str]
    enabled: bool
    created_at: datetime
