"""MongoDB errors in words: the URI's password is masked before the message is cut."""

from __future__ import annotations

from pymongo.errors import OperationFailure

from core.store.mongo.uri import secrets_of, translate

URI = "mongodb://hub:Pa55w0rd-canary-secret@db.example:27017/toothpick"


def test_a_password_echoed_near_the_cut_leaves_no_prefix() -> None:
    secrets = secrets_of(URI)
    for pad in range(270, 310):
        error = OperationFailure("x" * pad + " Pa55w0rd-canary-secret", code=2)
        message = str(translate(error, "db.example:27017", secrets))
        assert not any("Pa55w0rd-canary-secret"[:n] in message for n in range(8, 23)), pad
