"""Odoo over XML-RPC through VendorSession: calls, faults, malformed answers, retries."""

from __future__ import annotations

import xmlrpc.client

import pytest

from adapters.base import CallStats
from adapters.budget import CallKind, counting_as
from adapters.http import VendorSession
from adapters.xmlrpc import OdooXmlRpc
from core.errors import MalformedResponseError, VendorAuthError, VendorError
from tests.adapters.server import Seen, Step

PASSWORD = "odoo-api-key-0123456789"


def answer(value) -> Step:
    return Step(
        body=xmlrpc.client.dumps((value,), methodresponse=True).encode(),
        headers={"Content-Type": "text/xml"},
    )


def fault(code: int, text: str) -> Step:
    return Step(
        body=xmlrpc.client.dumps(xmlrpc.client.Fault(code, text), methodresponse=True).encode(),
        headers={"Content-Type": "text/xml"},
    )


def odoo(server, clock) -> OdooXmlRpc:
    session = VendorSession(
        vendor="Odoo", base_url=server.url, clock=clock, stats=CallStats(), rand=lambda: 0.5
    )
    return OdooXmlRpc(session, db="acme", login="api@acme.example", password=PASSWORD)


def test_version_login_and_search_read(server, clock):
    server.script("POST", "/xmlrpc/2/common", Step(reply=lambda seen: _common(seen)))
    rows = [{"id": 7, "name": "Azure Interior", "write_date": "2026-01-02 10:00:00"}]
    server.script("POST", "/xmlrpc/2/object", Step(503), answer(rows))
    client = odoo(server, clock)
    assert client.server_version() == (17, 0)
    got = client.execute_kw(
        "res.partner",
        "search_read",
        [[["is_company", "=", True]]],
        {"fields": ["name"], "limit": 200},
    )
    assert got == rows
    params, method = xmlrpc.client.loads(server.calls("POST", "/xmlrpc/2/object")[-1].body)
    assert method == "execute_kw"
    assert params == (
        "acme",
        2,
        PASSWORD,
        "res.partner",
        "search_read",
        [[["is_company", "=", True]]],
        {"fields": ["name"], "limit": 200},
    )
    assert client.session.stats.retries == 1


def _common(seen: Seen) -> Step:
    _params, method = xmlrpc.client.loads(seen.body)
    if method == "version":
        return answer({"server_version": "17.0", "server_version_info": [17, 0, 0, "final", 0, ""]})
    return answer(2)


def test_refused_login_is_an_auth_error_in_words(server, clock):
    server.script("POST", "/xmlrpc/2/common", answer(False))
    with pytest.raises(
        VendorAuthError, match=r"Odoo refused the login for 'api@acme\.example' on database 'acme'"
    ):
        odoo(server, clock).uid()


@pytest.mark.parametrize(
    ("code", "text", "error", "words"),
    [
        (3, "Access Denied", VendorAuthError, "Odoo refused the login (Access Denied)"),
        (
            4,
            "Traceback (most recent call last):\n  File x\n"
            "odoo.exceptions.AccessError: You are not allowed to read Contacts",
            VendorAuthError,
            "denied access during res.partner.read: odoo.exceptions.AccessError: You are not",
        ),
        (
            1,
            "Traceback ...\nValueError: Invalid field 'nme' on model 'res.partner'",
            VendorError,
            "Odoo refused res.partner.read: ValueError: Invalid field 'nme'",
        ),
    ],
)
def test_faults_become_our_exceptions_without_tracebacks(server, clock, code, text, error, words):
    server.script("POST", "/xmlrpc/2/common", answer(2))
    server.script("POST", "/xmlrpc/2/object", fault(code, text))
    with pytest.raises(error) as caught:
        odoo(server, clock).execute_kw("res.partner", "read", [[1]])
    assert words in str(caught.value)
    assert "Traceback" not in str(caught.value)
    assert len(server.calls("POST", "/xmlrpc/2/object")) == 1  # a fault is an answer: no retry


def test_a_user_error_keeps_its_whole_message(server, clock):
    server.script("POST", "/xmlrpc/2/common", answer(2))
    text = "Record does not exist or has been deleted.\n(Record: res.partner(9,), User: 2)"
    server.script("POST", "/xmlrpc/2/object", fault(2, text))
    with pytest.raises(VendorError) as caught:
        odoo(server, clock).execute_kw("res.partner", "write", [[9], {"city": "Ghent"}])
    assert str(caught.value) == (
        "Odoo refused res.partner.write: Record does not exist or has been deleted. "
        "(Record: res.partner(9,), User: 2)"
    )


def test_a_truncated_answer_is_retried_then_malformed(server, clock):
    server.script("POST", "/xmlrpc/2/common", answer(2))
    server.script(
        "POST",
        "/xmlrpc/2/object",
        Step(body=b"<?xml version='1.0'?><methodResponse><params><param><value><arr"),
    )
    with pytest.raises(MalformedResponseError, match="not valid XML-RPC"):
        odoo(server, clock).execute_kw("res.partner", "search_count", [[]])
    assert len(server.calls("POST", "/xmlrpc/2/object")) == 5


def test_a_create_that_failed_midway_is_not_repeated(server, clock):
    server.script("POST", "/xmlrpc/2/common", answer(2))
    server.script("POST", "/xmlrpc/2/object", Step(502))
    with pytest.raises(VendorError, match="may or may not have been applied"):
        odoo(server, clock).execute_kw("res.partner", "create", [{"name": "X"}])
    assert len(server.calls("POST", "/xmlrpc/2/object")) == 1


def test_the_password_never_shows_in_messages(server, clock):
    server.script("POST", "/xmlrpc/2/common", answer(2))
    server.script("POST", "/xmlrpc/2/object", fault(1, f"bad credentials {PASSWORD}"))
    with pytest.raises(VendorError) as caught:
        odoo(server, clock).execute_kw("res.partner", "read", [[1]])
    assert PASSWORD not in str(caught.value)


def test_calls_are_counted_by_what_they_do_not_by_where_the_password_travels(server, clock):
    """XML-RPC carries the password inside every call; only the login is an auth call, the
    version a metadata call, a search a read and a create a write."""
    server.script("POST", "/xmlrpc/2/common", Step(reply=lambda seen: _common(seen)))
    server.script("POST", "/xmlrpc/2/object", answer([]), answer(9))
    client = odoo(server, clock)
    client.server_version()
    client.execute_kw("res.partner", "search_read", [[]], {"fields": ["name"]})
    client.execute_kw("res.partner", "create", [{"name": "New"}], None, idempotent=False)
    assert client.session.stats.by_kind == {"metadata": 1, "auth": 1, "read": 1, "write": 1}


def test_a_declared_kind_wins(server, clock):
    """Field discovery declares its calls metadata; an XML-RPC `fields_get` inside keeps it."""
    server.script("POST", "/xmlrpc/2/common", Step(reply=lambda seen: _common(seen)))
    server.script("POST", "/xmlrpc/2/object", answer({}))
    client = odoo(server, clock)
    client.uid()
    with counting_as(CallKind.METADATA):
        client.execute_kw("res.partner", "fields_get", [], {"attributes": ["type"]})
    assert client.session.stats.by_kind == {"auth": 1, "metadata": 1}
