"""The outbound policy, tried as an attacker would: every address a form or a vendor gives."""

from __future__ import annotations

import ipaddress
import stat
from pathlib import Path

import pytest
from pydantic import SecretStr

from adapters.auth import TokenAuth
from adapters.base import AdapterContext
from adapters.http import VendorSession
from adapters.outbound import OutboundPolicy, literal_address, parse_vendor_hosts
from adapters.salesforce import SalesforceAdapter
from adapters.tls import trust_store
from core.errors import ConfigError, OutboundRefusedError, VendorError
from core.models import Connection, System
from core.settings import load_settings
from tests.adapters.server import ScriptedServer, Step

PRODUCTION = OutboundPolicy(production=True)

ATTACKS = [
    "http://169.254.169.254/latest/meta-data",
    "https://169.254.169.254/latest/meta-data",
    "https://2852039166/",
    "https://0xa9fea9fe/",
    "https://0251.0376.0251.0376/",
    "https://[::ffff:169.254.169.254]/",
    "https://[::ffff:a9fe:a9fe]/",
    "https://[64:ff9b::a9fe:a9fe]/",
    "https://127.0.0.1:8443/",
    "https://[::1]/",
    "https://0.0.0.0/",
    "https://10.0.0.5/",
    "https://192.168.1.1/",
    "https://172.16.0.1/",
    "https://100.64.0.1/",
    "https://localhost/",
    "https://evil.example.com/",
    "https://api.hubapi.com.evil.example/",
    "https://evilhubapi.com/",
]


@pytest.mark.parametrize("url", ATTACKS)
def test_production_refuses_anything_but_the_vendors_own_https_hosts(url):
    with pytest.raises(OutboundRefusedError) as refused:
        PRODUCTION.check_url(url, system="hubspot", what="API URL")
    message = str(refused.value)
    assert message.startswith("API URL: ") and "\n" not in message


@pytest.mark.parametrize(
    ("system", "url"),
    [
        ("hubspot", "https://api.hubapi.com"),
        ("salesforce", "https://login.salesforce.com"),
        ("salesforce", "https://acme.my.salesforce.com/services/data/v60.0"),
        ("zoho", "https://www.zohoapis.eu/crm/v2.1"),
        ("zoho", "https://accounts.zoho.com.au"),
        ("pipedrive", "https://acme.pipedrive.com"),
        ("oracle", "https://abcd.fa.us2.oraclecloud.com"),
        ("sap", "https://my300000-api.s4hana.cloud.sap"),
        ("odoo", "https://acme.odoo.com"),
    ],
)
def test_production_accepts_the_vendors_domains(system, url):
    PRODUCTION.check_url(url, system=system)


def test_a_vendors_domain_does_not_open_another_vendors_connections():
    with pytest.raises(OutboundRefusedError, match="not one of this system's addresses"):
        PRODUCTION.check_url("https://api.hubapi.com", system="salesforce")


def test_an_operator_names_a_customers_private_host_for_one_system():
    hosts = parse_vendor_hosts("sap=erp.acme.example")
    policy = OutboundPolicy(production=True, vendor_hosts=hosts)
    policy.check_url("https://erp.acme.example/sap/opu/odata", system="sap")
    with pytest.raises(OutboundRefusedError):
        policy.check_url("https://erp.acme.example/", system="hubspot")


def test_private_networks_open_only_when_listed():
    listed = OutboundPolicy(production=True, allow_networks=(ipaddress.ip_network("10.20.0.0/16"),))
    listed.check_address(ipaddress.ip_address("10.20.1.2"))
    with pytest.raises(OutboundRefusedError, match="private"):
        listed.check_address(ipaddress.ip_address("10.30.1.2"))
    with pytest.raises(OutboundRefusedError, match="link-local"):
        listed.check_address(ipaddress.ip_address("::ffff:169.254.169.254"))


def test_development_keeps_the_sandbox_on_loopback_but_not_metadata_or_private():
    dev = OutboundPolicy()
    dev.check_url("http://127.0.0.1:8765/hubspot", system="hubspot")
    dev.check_url("https://localhost:8766/salesforce", system="salesforce")
    for url in ("http://169.254.169.254/", "http://2852039166/", "http://10.1.2.3/"):
        with pytest.raises(OutboundRefusedError):
            dev.check_url(url, system="hubspot")


def test_numeric_spellings_are_read_as_the_resolver_reads_them():
    metadata = ipaddress.ip_address("169.254.169.254")
    for spelling in ("2852039166", "0xa9fea9fe", "0251.0376.0251.0376", "169.254.43518"):
        assert literal_address(spelling) == metadata
    assert literal_address("api.hubapi.com") is None
    assert literal_address("1e100.net") is None


def test_settings_refuse_a_bad_host_list_in_one_line(monkeypatch):
    monkeypatch.setenv("TOOTHPICK_OUTBOUND_HOSTS", "nosuchvendor=a.example")
    with pytest.raises(ConfigError, match="TOOTHPICK_OUTBOUND_HOSTS"):
        load_settings()


# --- at connect time, on redirects, and for the addresses vendors hand us -----------------


def session(base_url: str, policy: OutboundPolicy, **options) -> VendorSession:
    return VendorSession(
        vendor="Pipedrive",
        base_url=base_url,
        auth=TokenAuth.header("x-api-token", "canary-token-0123456789"),
        outbound=policy.for_system("pipedrive"),
        timeouts=(2.0, 2.0),
        **options,
    )


def test_a_name_that_resolves_to_a_refused_address_is_refused_after_connecting():
    """DNS rebinding: the name passed validation; the address reached is what counts."""
    with ScriptedServer() as server:
        server.script("GET", "/v1/deals", Step(json={"data": []}))
        url = server.url.replace("127.0.0.1", "localhost")
        vendor = session(url, OutboundPolicy(allow_loopback=False))
        with pytest.raises(OutboundRefusedError, match="loopback"):
            vendor.request_json("GET", "/v1/deals")
        assert server.seen == []


def test_a_redirect_to_another_origin_is_not_followed_and_the_token_stays_home():
    with ScriptedServer() as vendor_side, ScriptedServer() as elsewhere:
        elsewhere.script("GET", "/steal", Step(json={"ok": True}))
        target = elsewhere.url.replace("127.0.0.1", "localhost") + "/steal"
        vendor_side.script("GET", "/v1/deals", Step(302, headers={"Location": target}))
        vendor = session(vendor_side.url, OutboundPolicy())
        with pytest.raises(OutboundRefusedError, match="redirect"):
            vendor.request_json("GET", "/v1/deals")
        assert elsewhere.seen == []


def test_a_redirect_within_the_origin_is_still_followed():
    with ScriptedServer() as server:
        server.script("GET", "/old", Step(301, headers={"Location": "/new"}))
        server.script("GET", "/new", Step(json={"data": [1]}))
        assert session(server.url, OutboundPolicy()).request_json("GET", "/old").body == {
            "data": [1]
        }


def test_an_address_a_vendor_hands_us_passes_the_same_policy():
    """A token answer's instance URL / api_domain moves the base URL: it is checked per call."""
    moved = {"url": "http://[::ffff:169.254.169.254]:80"}
    vendor = session(lambda: moved["url"], OutboundPolicy())  # type: ignore[arg-type]
    with pytest.raises(OutboundRefusedError, match="link-local"):
        vendor.request_json("GET", "/v1/deals")


def test_a_refusal_is_final_not_retried_and_names_no_secret():
    vendor = session("http://10.9.8.7", OutboundPolicy())
    with pytest.raises(VendorError) as refused:
        vendor.request_json("GET", "/v1/deals")
    assert isinstance(refused.value, OutboundRefusedError)
    assert vendor.stats.api_calls == 0
    assert "canary-token" not in str(refused.value)


# --- generated files -------------------------------------------------------------------------


def test_the_joined_ca_bundle_is_owner_only_under_the_data_directory(tmp_path: Path):
    extra = tmp_path / "extra.pem"
    extra.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    data = tmp_path / "data"
    bundle = Path(str(trust_store(extra, directory=data)))
    assert bundle.parent == (data / "tls").resolve()
    assert stat.S_IMODE(bundle.stat().st_mode) == 0o600
    assert stat.S_IMODE(bundle.parent.stat().st_mode) == 0o700


def test_without_a_data_directory_the_bundle_is_not_at_a_predictable_shared_path(tmp_path):
    extra = tmp_path / "extra.pem"
    extra.write_text("-----BEGIN CERTIFICATE-----\nMIIC\n-----END CERTIFICATE-----\n")
    bundle = Path(str(trust_store(extra)))
    assert stat.S_IMODE(bundle.parent.stat().st_mode) == 0o700
    assert bundle.parent.name.startswith("toothpick-tls-")
    assert bundle.parent.name != "toothpick-tls-"  # a random suffix, not a shared name


# --- addresses a vendor's token answer names ------------------------------------------------


def _salesforce(login_url: str, saved: list[dict[str, str]]) -> SalesforceAdapter:
    connection = Connection(
        organisation_id="org",
        system=System.SALESFORCE,
        name="sf",
        config={"login_url": login_url},
        sealed_secret="sealed",
    )
    secret = {"client_id": "cid-123456", "refresh_token": "rt-canary-0123456789"}
    context = AdapterContext(
        connection=connection,
        secret={k: SecretStr(v) for k, v in secret.items()},
        save_secret=saved.append,
        read_timeout_s=2.0,
    )
    return SalesforceAdapter(context, rand=lambda: 0.0)


@pytest.mark.parametrize(
    "instance_url",
    ["http://169.254.169.254", "http://[::ffff:169.254.169.254]", "http://2852039166"],
)
def test_salesforces_instance_url_passes_the_policy_before_the_token_goes_there(instance_url):
    with ScriptedServer() as login:
        token = {"access_token": "at-canary-0123456789", "instance_url": instance_url}
        login.script("POST", "/services/oauth2/token", Step(json=token))
        saved: list[dict[str, str]] = []
        check = _salesforce(login.url, saved).check()
    assert not check.ok and "link-local" in check.message
    assert "at-canary" not in check.message


def test_zohos_api_domain_off_zoho_is_refused_in_production():
    policy = OutboundPolicy(production=True).for_system("zoho")
    policy.check_url("https://www.zohoapis.eu/crm/v2.1/Contacts")
    with pytest.raises(OutboundRefusedError, match="not one of this system's addresses"):
        policy.check_url("https://zohoapis.attacker.example/crm/v2.1/Contacts")
