"""One router per service area (core/services/), plus health and inbound webhooks."""
