"""Inbound vendor webhooks: how a connection is set up to receive them, and one delivery."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WebhookSetup(BaseModel):
    """What only the vendor side knows; everything we may choose is generated.

    - `secret`: HubSpot's app client secret (HubSpot signs with it; required there);
      ignored elsewhere, where we generate the shared secret, token or password.
    - `org_id`: Salesforce's organisation id (15 or 18 characters; required there).
    - `channel_id`: Zoho's notification channel id (generated when not given).
    """

    model_config = ConfigDict(extra="forbid")

    secret: str | None = Field(default=None, min_length=8, max_length=200)
    org_id: str | None = Field(default=None, pattern=r"^[A-Za-z0-9]{15}([A-Za-z0-9]{3})?$")
    channel_id: str | None = Field(default=None, pattern=r"^[0-9]{1,19}$")


class WebhookEndpoint(BaseModel):
    """Where the vendor must send, and the credentials to give it (shown once)."""

    path: str
    how: str
    secret: str | None = None
    user: str | None = None
    channel_id: str | None = None


class InboundWebhook(BaseModel):
    """One delivery as received: what verification needs, nothing HTTP-framework specific."""

    method: str
    url: str  # as the vendor called it (HubSpot signs it)
    headers: dict[str, str]  # names lower-cased
    query: dict[str, str]
    body: bytes


class WebhookReceipt(BaseModel):
    """A verified delivery: what it touched and which run (new or already queued) covers it."""

    notifications: int
    entities: list[str]
    run_id: str | None
    coalesced: bool
    reply: str | None = None  # a body the vendor expects back (Salesforce's SOAP Ack)
    reply_type: str | None = None
