"""The three channel protocols: Standard Webhooks, Slack incoming webhooks, SMTP.

- webhook: POST of the JSON body with `webhook-id`, `webhook-timestamp` and
  `webhook-signature` computed by the `standardwebhooks` package (HMAC-SHA256
  over `id.timestamp.body`, key `whsec_...`), so any receiver verifies it with
  the same package in its own language;
- slack: POST `{"text": ...}` to the incoming-webhook URL (Slack, Mattermost,
  Rocket.Chat and Teams' Slack-compatible endpoints accept it);
- email: SMTP, STARTTLS when asked (required unless the server is local and
  `starttls` is off), login when a username is set.

Answers that retrying cannot fix (4xx other than 408/429, refused login, bad
recipient) raise a non-retriable `DeliveryError` naming the setting to fix.
"""

from __future__ import annotations

import ssl
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
import requests

from core.models import ChannelKind

TIMEOUT_S = (5.0, 10.0)
_RETRIABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


class DeliveryError(Exception):
    def __init__(self, message: str, *, retriable: bool) -> None:
        super().__init__(message)
        self.retriable = retriable


@dataclass(frozen=True)
class Message:
    """One alert transition, as every channel renders it."""

    id: str  # stable per (channel, alert, transition): receivers deduplicate on it
    subject: str
    text: str
    body: dict[str, Any]


def send(
    kind: ChannelKind,
    config: dict[str, Any],
    secret: dict[str, str],
    msg: Message,
    *,
    ca_file: str | None = None,
) -> None:
    """`ca_file`: extra CA certificates to trust (the settings' CA bundle)."""
    if kind is ChannelKind.WEBHOOK:
        _webhook(str(config["url"]), secret["signing_secret"], msg, ca_file)
    elif kind is ChannelKind.SLACK:
        _slack(secret["webhook_url"], msg, ca_file)
    else:
        _email(config, secret.get("password"), msg, ca_file)


def _post(
    url: str, data: bytes, headers: dict[str, str], *, setting: str, ca_file: str | None
) -> None:
    try:
        answer = requests.post(
            url, data=data, headers=headers, timeout=TIMEOUT_S, verify=ca_file or True
        )
    except requests.RequestException as exc:
        raise DeliveryError(
            f"{setting}: could not reach the receiver ({type(exc).__name__})", retriable=True
        ) from None
    if answer.status_code < 300:
        return
    retriable = answer.status_code in _RETRIABLE_STATUS
    hint = " (wrong or revoked URL?)" if answer.status_code in (401, 403, 404, 410) else ""
    raise DeliveryError(
        f"{setting}: the receiver answered HTTP {answer.status_code}{hint}", retriable=retriable
    )


def _webhook(url: str, signing_secret: str, msg: Message, ca_file: str | None) -> None:
    # The channels' libraries load on first delivery: every worker imports this module, few
    # deliver anything (standardwebhooks, smtplib and email cost ~7 MB resident each).
    from standardwebhooks.webhooks import Webhook

    payload = orjson.dumps(msg.body).decode()
    now = datetime.now(UTC)
    signature = Webhook(signing_secret).sign(msg.id, now, payload)
    headers = {
        "content-type": "application/json",
        "webhook-id": msg.id,
        "webhook-timestamp": str(int(now.timestamp())),
        "webhook-signature": signature,
    }
    _post(url, payload.encode(), headers, setting="url", ca_file=ca_file)


def _slack(url: str, msg: Message, ca_file: str | None) -> None:
    body = orjson.dumps({"text": f"*{msg.subject}*\n{msg.text}"})
    headers = {"content-type": "application/json"}
    _post(url, body, headers, setting="webhook_url", ca_file=ca_file)


def _email(config: dict[str, Any], password: str | None, msg: Message, ca_file: str | None) -> None:
    import smtplib
    from email.message import EmailMessage

    recipients = [r.strip() for r in str(config["recipients"]).split(",") if r.strip()]
    email = EmailMessage()
    email["Subject"] = msg.subject
    email["From"] = str(config["sender"])
    email["To"] = ", ".join(recipients)
    email["Message-ID"] = f"<{msg.id}@toothpick>"
    email.set_content(msg.text)
    host, port = str(config["host"]), int(config.get("port", 587))
    try:
        with smtplib.SMTP(host, port, timeout=TIMEOUT_S[1]) as smtp:
            if config.get("starttls", True):
                context = ssl.create_default_context()
                if ca_file:
                    context.load_verify_locations(cafile=ca_file)
                smtp.starttls(context=context)
            if config.get("username"):
                smtp.login(str(config["username"]), password or "")
            smtp.send_message(email, to_addrs=recipients)
    except smtplib.SMTPAuthenticationError as exc:
        raise DeliveryError(
            f"username/password: the SMTP server refused the login ({exc.smtp_code})",
            retriable=False,
        ) from None
    except smtplib.SMTPRecipientsRefused:
        raise DeliveryError("recipients: the SMTP server refused them", retriable=False) from None
    except smtplib.SMTPNotSupportedError:
        raise DeliveryError(
            "starttls: the SMTP server does not offer STARTTLS", retriable=False
        ) from None
    except smtplib.SMTPResponseException as exc:
        raise DeliveryError(
            f"host: the SMTP server answered {exc.smtp_code}", retriable=exc.smtp_code >= 400
        ) from None
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(
            f"host/port: could not deliver through {host}:{port} ({type(exc).__name__})",
            retriable=True,
        ) from None
