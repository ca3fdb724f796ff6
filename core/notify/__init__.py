"""Sending alert transitions to people: one sender per channel kind, one retry policy.

`senders.send(channel_kind, config, secret, message)` speaks one protocol and
raises `DeliveryError` (retriable or not); `delivery.deliver` wraps it in the
tenacity retry policy. Nothing here touches the store: the notifications area
queues messages and records their outcome.
"""
