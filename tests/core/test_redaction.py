from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core.redaction import MASK, RedactingFilter, redact, redact_value, register_secrets


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("GET /v1/deals?api_token=abc123secret&limit=5", "abc123secret"),
        ("Authorization: Bearer eyJhbGciOi.abc.def", "eyJhbGciOi.abc.def"),
        ("{'Authorization': 'Zoho-oauthtoken 1000.f00.b4r'}", "1000.f00.b4r"),
        ('{"refresh_token": "5Aep861.rf", "ok": true}', "5Aep861.rf"),
        ("grant_type=password&client_secret=cs-123&password=pw-456", "cs-123"),
        ("mongodb://admin:s3cr3tpw@db:27017/toothpick", "s3cr3tpw"),
        ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "dXNlcjpwYXNzd29yZA=="),
        ("sent Basic dXNlcjpwYXNzd29yZA== to SAP", "dXNlcjpwYXNzd29yZA=="),
        ("GET /oauth/callback?code=4a7b9c1d2e&state=x", "4a7b9c1d2e"),
    ],
)
def test_patterns_mask_credentials_by_shape(text: str, secret: str) -> None:
    assert secret not in redact(text)
    assert MASK in redact(text)


def test_registered_values_are_masked_anywhere() -> None:
    register_secrets(["canary-9f8e7d"])
    assert redact("vendor echoed canary-9f8e7d back") == f"vendor echoed {MASK} back"
    assert redact_value({"a": ["x canary-9f8e7d y"]}) == {"a": [f"x {MASK} y"]}


def test_logging_filter_redacts_args_and_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    register_secrets(["tb-canary-123"])
    logger = logging.getLogger("test.redaction")
    caplog.handler.addFilter(RedactingFilter())
    try:
        raise RuntimeError("failed with tb-canary-123")
    except RuntimeError:
        logger.exception("call with token %s", "tb-canary-123")
    text = caplog.text
    assert "tb-canary-123" not in text
    assert "call with token ***" in text


@given(st.text(max_size=200))
def test_redact_never_raises_and_never_grows_secrets(text: str) -> None:
    assert isinstance(redact(text), str)


def test_prose_and_error_codes_are_left_alone() -> None:
    for text in (
        "SAP uses basic authentication with a communication user",
        '{"code": "MANDATORY_NOT_FOUND", "status": "error"}',
        "errorCode=INVALID_FIELD",
    ):
        assert redact(text) == text


def test_only_short_lived_access_tokens_are_ever_forgotten() -> None:
    register_secrets(["lasting-client-secret-1"])
    register_secrets((f"old-token-{n:05d}" for n in range(5000)), short_lived=True)
    assert redact("old-token-04999") == MASK
    assert redact("old-token-00000") == "old-token-00000"  # the oldest access tokens went
    assert redact("lasting-client-secret-1") == MASK  # a lasting secret never goes


def test_token_metadata_sealed_with_a_secret_stays_readable() -> None:
    from core.vault import KeyRing, Vault, generate_key

    vault = Vault(KeyRing.from_strings(generate_key()))
    vault.seal(
        {"access_token": "at-9b1c77e2", "instance_url": "https://acme.my.salesforce.example"},
        organisation_id="o",
        connection_id="c",
    )
    message = "GET https://acme.my.salesforce.example/services/data with at-9b1c77e2 failed"
    assert redact(message) == "GET https://acme.my.salesforce.example/services/data with *** failed"
