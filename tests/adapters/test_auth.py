"""Authenticators on a VendorSession against a real local server."""

from __future__ import annotations

import base64
from typing import Any

import pytest

from adapters.auth import BasicAuth, SapCsrf, TokenAuth
from adapters.base import CallStats
from adapters.failures import Resolution, error_code, json_body
from adapters.http import VendorSession
from adapters.oauth import EXPIRES_AT, OAuth2
from core.errors import NeedsReconnectError, TransientVendorError, VendorAuthError, VendorError
from tests.adapters.fakes import FakeClock
from tests.adapters.server import ScriptedServer, Seen, Step

SF_TOKEN = {
    "access_token": "00D-new-access-token",
    "instance_url": "https://acme.my.salesforce.com",
    "id": "https://login.salesforce.com/id/00D/005",
    "token_type": "Bearer",
    "issued_at": "1767614400000",
    "signature": "c2lnbmF0dXJl",
    "scope": "api refresh_token",
}
EXPIRED = [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]


def oauth(
    server: ScriptedServer, clock: FakeClock, saved: list[dict[str, str]], **options: Any
) -> OAuth2:
    options.setdefault(
        "tokens", {"access_token": "old-access-token", "refresh_token": "refresh-abc123"}
    )
    return OAuth2(
        vendor="Salesforce",
        token_url=f"{server.url}/services/oauth2/token",
        client_id="client-id",
        client_secret="client-secret-xyz",
        on_refresh=saved.append,
        clock=clock,
        **options,
    )


def session_for(
    server: ScriptedServer, clock: FakeClock, auth: Any, **options: Any
) -> VendorSession:
    return VendorSession(
        vendor=getattr(auth, "vendor", "Vendor") if not isinstance(auth, TokenAuth) else "HubSpot",
        base_url=server.url,
        auth=auth,
        clock=clock,
        stats=CallStats(),
        rand=lambda: 0.5,
        **options,
    )


def test_a_401_refreshes_once_keeps_every_field_and_saves_them(server, clock):
    server.script("GET", "/query", Step(401, json=EXPIRED), Step(json={"records": []}))
    server.script("POST", "/services/oauth2/token", Step(json=SF_TOKEN))
    saved: list[dict[str, str]] = []
    auth = oauth(server, clock, saved)
    session = session_for(server, clock, auth)

    assert session.request_json("GET", "/query").body == {"records": []}

    calls = [(s.method, s.path) for s in server.seen]
    assert calls == [("GET", "/query"), ("POST", "/services/oauth2/token"), ("GET", "/query")]
    assert server.seen[0].header("Authorization") == "Bearer old-access-token"
    assert server.seen[2].header("Authorization") == "Bearer 00D-new-access-token"
    form = server.seen[1].form()
    assert form == {
        "grant_type": "refresh_token",
        "refresh_token": "refresh-abc123",
        "client_id": "client-id",
        "client_secret": "client-secret-xyz",
    }
    assert len(saved) == 1
    for name, value in SF_TOKEN.items():
        assert saved[0][name] == value  # instance_url, signature, issued_at... all kept
    assert saved[0]["refresh_token"] == "refresh-abc123"  # not returned, so kept
    assert auth.tokens["instance_url"] == "https://acme.my.salesforce.com"
    assert (session.stats.api_calls, session.stats.retries) == (3, 1)


def test_the_instance_url_of_a_refresh_becomes_the_base_url(server, clock):
    """Salesforce: a connection may hold only a refresh token; the API host comes with
    the first access token."""
    server.script(
        "POST", "/services/oauth2/token", Step(json={**SF_TOKEN, "instance_url": server.url})
    )
    server.script("GET", "/services/data/v60.0/limits", Step(json={"DailyApiRequests": {}}))
    auth = oauth(server, clock, [], tokens={"refresh_token": "refresh-abc123"})
    session = VendorSession(
        vendor="Salesforce",
        base_url=lambda: auth.tokens.get("instance_url", "https://login.invalid"),
        auth=auth,
        clock=clock,
    )
    session.request_json("GET", "/services/data/v60.0/limits")
    assert [s.path for s in server.seen] == [
        "/services/oauth2/token",
        "/services/data/v60.0/limits",
    ]


def test_a_refused_refresh_asks_for_a_reconnect_in_words(server, clock):
    server.script("GET", "/query", Step(401, json=EXPIRED))
    refusal = {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    server.script("POST", "/services/oauth2/token", Step(400, json=refusal))
    saved: list[dict[str, str]] = []
    session = session_for(server, clock, oauth(server, clock, saved))
    with pytest.raises(NeedsReconnectError) as caught:
        session.request_json("GET", "/query")
    assert str(caught.value) == (
        "Salesforce refused to refresh the access token (invalid_grant: expired access/refresh "
        "token): reconnect this connection"
    )
    assert saved == []
    assert len(server.calls("POST", "/services/oauth2/token")) == 1


def test_zoho_refusing_with_a_200_is_still_a_refusal(server, clock):
    server.script("GET", "/crm/v2/Contacts", Step(401, json={"code": "INVALID_TOKEN"}))
    server.script("POST", "/services/oauth2/token", Step(json={"error": "invalid_code"}))
    auth = oauth(server, clock, [], scheme="Zoho-oauthtoken")
    auth.vendor = "Zoho CRM"
    session = session_for(server, clock, auth)
    with pytest.raises(NeedsReconnectError, match=r"Zoho CRM refused to refresh .*invalid_code"):
        session.request_json("GET", "/crm/v2/Contacts")
    assert server.seen[0].header("Authorization") == "Zoho-oauthtoken old-access-token"


def test_a_second_401_after_refresh_is_an_auth_error_not_a_loop(server, clock):
    server.script("GET", "/query", Step(401, json=EXPIRED))
    server.script("POST", "/services/oauth2/token", Step(json=SF_TOKEN))
    session = session_for(server, clock, oauth(server, clock, []))
    with pytest.raises(VendorAuthError) as caught:
        session.request_json("GET", "/query")
    assert not isinstance(caught.value, NeedsReconnectError)
    assert len(server.calls("GET", "/query")) == 2
    assert len(server.calls("POST", "/services/oauth2/token")) == 1


def test_the_token_endpoint_being_down_is_transient_not_a_reconnect(server, clock):
    server.script("GET", "/query", Step(401, json=EXPIRED), Step(json={"records": []}))
    server.script("POST", "/services/oauth2/token", Step(503), Step(json=SF_TOKEN))
    session = session_for(server, clock, oauth(server, clock, []))
    assert session.request_json("GET", "/query").body == {"records": []}
    assert len(server.calls("POST", "/services/oauth2/token")) == 2

    server.script("GET", "/other", Step(401, json=EXPIRED))
    server.script("POST", "/services/oauth2/token", Step(503))
    with pytest.raises(TransientVendorError):
        session.request_json("GET", "/other")


def test_an_expiring_token_is_refreshed_before_the_call(server, clock):
    server.script("GET", "/crm/v3/objects/contacts", Step(json={"results": []}))
    server.script(
        "POST",
        "/services/oauth2/token",
        Step(json={"access_token": "fresh-1234", "expires_in": 1800}),
    )
    saved: list[dict[str, str]] = []
    soon = str(clock.now().timestamp() + 60)  # inside the 5-minute margin
    auth = oauth(
        server,
        clock,
        saved,
        tokens={"access_token": "old", "refresh_token": "r-123456", EXPIRES_AT: soon},
    )
    session = session_for(server, clock, auth)
    session.request_json("GET", "/crm/v3/objects/contacts")
    assert [s.path for s in server.seen] == ["/services/oauth2/token", "/crm/v3/objects/contacts"]
    assert saved[0]["expires_in"] == "1800"
    assert float(saved[0][EXPIRES_AT]) == pytest.approx(clock.now().timestamp() + 1800)

    clock.advance(1000)  # still 800 s left, more than the margin: no refresh
    session.request_json("GET", "/crm/v3/objects/contacts")
    assert len(server.calls("POST", "/services/oauth2/token")) == 1


def test_salesforce_lifetime_counts_from_issued_at(server, clock):
    issued_ms = str(int(clock.now().timestamp() * 1000))
    server.script("POST", "/services/oauth2/token", Step(json={**SF_TOKEN, "issued_at": issued_ms}))
    server.script("GET", "/query", Step(json={}))
    auth = oauth(server, clock, [], tokens={"refresh_token": "r-123456"}, lifetime_s=7200)
    session_for(server, clock, auth).request_json("GET", "/query")
    assert float(auth.tokens[EXPIRES_AT]) == pytest.approx(clock.now().timestamp() + 7200)


def test_client_credentials_fetches_a_token_first_with_basic_client_auth(server, clock):
    server.script(
        "POST",
        "/services/oauth2/token",
        Step(json={"access_token": "cc-token-1", "expires_in": 3600}),
    )
    server.script("GET", "/api", Step(json={}))
    auth = oauth(
        server,
        clock,
        [],
        tokens={},
        grant="client_credentials",
        client_auth="basic",
        extra={"scope": "api"},
    )
    session_for(server, clock, auth).request_json("GET", "/api")
    token_call = server.calls("POST", "/services/oauth2/token")[0]
    assert token_call.form() == {"grant_type": "client_credentials", "scope": "api"}
    expected = base64.b64encode(b"client-id:client-secret-xyz").decode()
    assert token_call.header("Authorization") == f"Basic {expected}"
    assert server.calls("GET", "/api")[0].header("Authorization") == "Bearer cc-token-1"


def test_refused_client_credentials_point_at_the_settings(server, clock):
    server.script("POST", "/services/oauth2/token", Step(401, json={"error": "invalid_client"}))
    auth = oauth(server, clock, [], tokens={}, grant="client_credentials")
    with pytest.raises(
        VendorAuthError, match=r"refused the client credentials grant \(invalid_client\): check"
    ) as caught:
        session_for(server, clock, auth).request_json("GET", "/api")
    assert not isinstance(caught.value, NeedsReconnectError)


def test_no_refresh_token_means_reconnect(server, clock):
    server.script("GET", "/query", Step(401, json=EXPIRED))
    session = session_for(
        server, clock, oauth(server, clock, [], tokens={"access_token": "a-123456"})
    )
    with pytest.raises(NeedsReconnectError, match="gave no refresh token"):
        session.request_json("GET", "/query")


def test_zoho_invalid_token_code_triggers_a_refresh_via_the_vendor_hook(server, clock):
    def zoho(response: Any) -> Resolution | None:
        if error_code(json_body(response)) == "INVALID_TOKEN":
            return Resolution.refresh("Zoho reported the access token as invalid")
        return None

    server.script(
        "GET", "/crm/v2/Leads", Step(400, json={"code": "INVALID_TOKEN"}), Step(json={"data": []})
    )
    server.script(
        "POST",
        "/services/oauth2/token",
        Step(json={"access_token": "z-new-1234", "api_domain": "https://www.zohoapis.eu"}),
    )
    saved: list[dict[str, str]] = []
    session = session_for(server, clock, oauth(server, clock, saved), classify=zoho)
    assert session.request_json("GET", "/crm/v2/Leads").body == {"data": []}
    assert saved[0]["api_domain"] == "https://www.zohoapis.eu"


# --- static credentials ------------------------------------------------------------------------


def test_a_static_token_refused_points_at_the_settings(server, clock):
    server.script(
        "GET",
        "/crm/v3/objects/contacts",
        Step(401, json={"message": "Authentication credentials not found"}),
    )
    session = session_for(server, clock, TokenAuth.bearer("pat-na1-123456"))
    with pytest.raises(VendorAuthError) as caught:
        session.request_json("GET", "/crm/v3/objects/contacts")
    assert str(caught.value) == (
        "HubSpot refused the API token (401: Authentication credentials not found): "
        "check them in the connection settings"
    )
    assert len(server.seen) == 1


@pytest.mark.parametrize(
    ("auth", "where"),
    [
        (TokenAuth.query("api_token", "tok-123456"), ("query", "api_token", "tok-123456")),
        (TokenAuth.header("x-api-token", "tok-123456"), ("header", "x-api-token", "tok-123456")),
        (TokenAuth.bearer("tok-123456"), ("header", "Authorization", "Bearer tok-123456")),
        (
            BasicAuth("user", "pw-123456"),
            ("header", "Authorization", "Basic " + base64.b64encode(b"user:pw-123456").decode()),
        ),
    ],
)
def test_static_credentials_go_where_the_vendor_expects_them(server, clock, auth, where):
    server.script("GET", "/x", Step(json={}))
    session_for(server, clock, auth).request_json("GET", "/x")
    seen = server.seen[0]
    kind, name, value = where
    assert (seen.query[name][0] if kind == "query" else seen.header(name)) == value


# --- SAP CSRF -------------------------------------------------------------------------------------

SERVICE = "/sap/opu/odata/sap/API_PRODUCT_SRV/"


def test_sap_writes_fetch_a_csrf_token_keep_cookies_and_refetch_once_when_required(server, clock):
    tokens = iter(["csrf-one-1111", "csrf-two-2222"])

    def fetch(seen: Seen) -> Step:
        assert seen.header("X-CSRF-Token") == "Fetch"
        token = next(tokens)
        return Step(
            json={}, headers={"X-CSRF-Token": token, "Set-Cookie": f"SAP_SESSIONID={token}; Path=/"}
        )

    server.script("GET", SERVICE, Step(reply=fetch))
    created = {"d": {"Product": "TG11"}}
    server.script(
        "POST",
        SERVICE + "A_Product",
        Step(201, json=created),
        Step(
            403,
            body=b"CSRF token validation failed",
            headers={"x-csrf-token": "Required", "Content-Type": "text/plain"},
        ),
        Step(201, json=created),
    )
    server.script("GET", SERVICE + "A_Product", Step(json={"d": {"results": []}}))
    auth = SapCsrf(BasicAuth("COMM_USER", "pw-123456"), fetch_url=SERVICE)
    session = session_for(server, clock, auth)

    session.request_json("GET", SERVICE + "A_Product")  # reads need no token
    assert (
        session.request_json("POST", SERVICE + "A_Product", json={"Product": "TG11"}).status == 201
    )
    assert (
        session.request_json("POST", SERVICE + "A_Product", json={"Product": "TG11"}).status == 201
    )

    calls = [(s.method, s.path) for s in server.seen]
    assert calls == [
        ("GET", SERVICE + "A_Product"),
        ("GET", SERVICE),
        ("POST", SERVICE + "A_Product"),
        ("POST", SERVICE + "A_Product"),
        ("GET", SERVICE),
        ("POST", SERVICE + "A_Product"),
    ]
    posts = server.calls("POST", SERVICE + "A_Product")
    assert [p.header("X-CSRF-Token") for p in posts] == [
        "csrf-one-1111",
        "csrf-one-1111",
        "csrf-two-2222",
    ]
    assert "SAP_SESSIONID=csrf-one-1111" in (posts[0].header("Cookie") or "")
    assert "SAP_SESSIONID=csrf-two-2222" in (posts[2].header("Cookie") or "")
    assert all(
        p.header(
            "Authorization",
        ).startswith("Basic ")
        for p in posts
    )


def test_sap_without_a_csrf_token_refuses_to_write_in_words(server, clock):
    server.script("GET", SERVICE, Step(json={}))
    session = session_for(server, clock, SapCsrf(BasicAuth("U", "pw-123456"), fetch_url=SERVICE))
    with pytest.raises(VendorError, match="did not hand out a CSRF token"):
        session.request_json("POST", SERVICE + "A_Product", json={})
