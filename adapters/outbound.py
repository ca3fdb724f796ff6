"""The outbound policy: the hub calls only the vendor, whatever a form or a vendor says.

Every address the hub is about to call passes one `OutboundPolicy`: a connection's
URLs when they are validated, and every request's URL when it is sent (so the
addresses vendors hand us — Salesforce's `instance_url`, Zoho's and Pipedrive's
`api_domain`, next-page links, token endpoints — pass it too). Three checks:

1. The URL. In production it must be https and its host on the system's vendor
   domains (`VENDOR_DOMAINS` below), or on a host the operator names for that
   system in `TOOTHPICK_OUTBOUND_HOSTS` (a customer's own SAP, Oracle or Odoo).
   In development any http(s) host is accepted: the sandbox runs on loopback.
2. The address. A host written as an IP address (in any spelling the resolver
   accepts: `2852039166`, `0xa9fea9fe`, `[::ffff:169.254.169.254]`) is checked at
   once; every connection is checked again on the address it actually reached,
   after connecting (DNS may answer differently at connect time than at
   validation: rebinding). Loopback, private, link-local (cloud metadata),
   shared, multicast and reserved addresses are refused unless listed in
   `TOOTHPICK_OUTBOUND_ALLOW_NETWORKS`; loopback is allowed in development.
3. Redirects. Never followed to another origin (scheme, host, port): the
   request's credential headers (Authorization, x-api-token, cookies) would go
   along. A redirect within the origin is followed as before.

Why by hand: requests and urllib3 have no address policy, and the known
SSRF-filter packages check the name before connecting (rebinding passes) or
patch the socket module process-wide. Checking the connected socket's peer in
urllib3's connection class is the one point no resolver trick gets past.

    >>> policy = OutboundPolicy(production=True)
    >>> policy.check_url("https://acme.my.salesforce.com", system="salesforce", what="Login URL")
    >>> policy.check_url("http://2852039166/", system="salesforce", what="Login URL")
    Traceback (most recent call last):
    ...
    core.errors.OutboundRefusedError: Login URL: must start with https:// in production
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit

import requests

from core.errors import OutboundRefusedError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_ZOHO_DCS = ("com", "eu", "in", "com.au", "com.cn", "jp", "ca", "sa", "uk")

# The vendors' own domains, each allowing its subdomains. Sources: vendor-apis.md and the
# vendors' documentation of login, API and data-centre hosts.
VENDOR_DOMAINS: Mapping[str, tuple[str, ...]] = {
    # login/test.salesforce.com, <name>.my.salesforce.com, instance hosts, *.force.com
    "salesforce": ("salesforce.com", "force.com", "cloudforce.com"),
    # api.hubapi.com (API and OAuth), app.hubspot.com
    "hubspot": ("hubapi.com", "hubspot.com"),
    # accounts.zoho.<dc> and www.zohoapis.<dc>, for every data centre
    "zoho": (
        *(f"zoho.{dc}" for dc in _ZOHO_DCS),
        *(f"zohoapis.{dc}" for dc in _ZOHO_DCS),
        "zohocloud.ca",
    ),
    # <company>.pipedrive.com, api.pipedrive.com, oauth.pipedrive.com
    "pipedrive": ("pipedrive.com",),
    # Odoo Online and Odoo.sh; self-hosted Odoo goes in TOOTHPICK_OUTBOUND_HOSTS
    "odoo": ("odoo.com",),
    # S/4HANA Cloud API hosts (my<n>-api.s4hana.cloud.sap, older *.s4hana.ondemand.com)
    # and the BTP token hosts (*.hana.ondemand.com)
    "sap": ("s4hana.cloud.sap", "s4hana.ondemand.com", "hana.ondemand.com"),
    # <pod>.fa.<dc>.oraclecloud.com and the identity domains (idcs-*.identity.oraclecloud.com)
    "oracle": ("oraclecloud.com",),
}

# The resolver's own spellings of IPv4 numbers (inet_aton): 2852039166, 0xa9fea9fe, 0251.0376...
_NUMERIC_HOST = frozenset("0123456789abcdefx.")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def parse_vendor_hosts(text: str) -> dict[str, tuple[str, ...]]:
    """`TOOTHPICK_OUTBOUND_HOSTS`: `system=host` entries, comma or space separated; a host
    starting with a dot also allows its subdomains.

    >>> parse_vendor_hosts("sap=erp.acme.example, odoo=.odoo.acme.example")
    {'sap': ('erp.acme.example',), 'odoo': ('.odoo.acme.example',)}
    """
    hosts: dict[str, tuple[str, ...]] = {}
    for entry in text.replace(",", " ").split():
        system, sep, host = entry.partition("=")
        system, host = system.strip().lower(), host.strip().lower().rstrip(".")
        if not sep or system not in VENDOR_DOMAINS or not host.strip(".") or "/" in host:
            raise ValueError(
                f"{entry!r} is not system=host with system one of {', '.join(VENDOR_DOMAINS)}"
            )
        hosts[system] = (*hosts.get(system, ()), host)
    return hosts


def parse_networks(text: str) -> tuple[IPNetwork, ...]:
    """`TOOTHPICK_OUTBOUND_ALLOW_NETWORKS`: CIDR networks, comma or space separated."""
    try:
        return tuple(ipaddress.ip_network(item) for item in text.replace(",", " ").split())
    except ValueError as exc:
        raise ValueError(f"not a list of networks ({exc})") from None


def literal_address(host: str) -> IPAddress | None:
    """The IP address a host names by itself, in any spelling the resolver would accept."""
    try:
        return ipaddress.ip_address(host.split("%", 1)[0])
    except ValueError:
        pass
    if host and set(host.lower()) <= _NUMERIC_HOST and host[0].isdigit():
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        port = parts.port or {"http": 80, "https": 443}.get(scheme)
    except ValueError:
        port = None
    return scheme, (parts.hostname or "").rstrip("."), port


@dataclass(frozen=True)
class OutboundPolicy:
    """What the hub may call. `system` set (by `for_system`) adds that vendor's domains."""

    production: bool = False
    vendor_hosts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    allow_networks: tuple[IPNetwork, ...] = ()
    system: str | None = None
    allow_loopback: bool | None = None  # None: in development only (the sandbox)

    @classmethod
    def from_settings(cls, settings: Any) -> OutboundPolicy:
        return cls(
            production=settings.is_production,
            vendor_hosts=parse_vendor_hosts(settings.outbound_hosts),
            allow_networks=parse_networks(settings.outbound_allow_networks),
        )

    def for_system(self, system: str) -> OutboundPolicy:
        return replace(self, system=system)

    def allowed_hosts(self, system: str | None = None) -> tuple[str, ...]:
        """Domains (subdomains included) and the operator's named hosts for a system."""
        system = system or self.system
        if system is None:
            return ()
        named = self.vendor_hosts.get(system, ())
        return tuple(f".{d}" for d in VENDOR_DOMAINS.get(system, ())) + tuple(named)

    # --- checks ----------------------------------------------------------------------------

    def check_url(self, url: str, *, system: str | None = None, what: str = "URL") -> None:
        """Raise OutboundRefusedError (one line starting with `what`) unless `url` may be
        called."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").rstrip(".")
        if scheme not in ("http", "https") or not host:
            raise OutboundRefusedError(f"{what}: must be a web address starting with https://")
        if parts.username or parts.password:
            raise OutboundRefusedError(f"{what}: must not contain a user name or password")
        if self.production and scheme != "https":
            raise OutboundRefusedError(f"{what}: must start with https:// in production")
        address = literal_address(host)
        if address is not None:
            self.check_address(address, what=what)
        if self.production and not self._on_vendor_host(host, system or self.system):
            allowed = ", ".join(f"*{h}" if h.startswith(".") else h for h in self.allowed_hosts())
            raise OutboundRefusedError(
                f"{what}: {host} is not one of this system's addresses "
                f"({allowed or 'none configured'}); name a private host in "
                "TOOTHPICK_OUTBOUND_HOSTS"
            )

    def check_address(self, address: IPAddress, *, what: str = "address") -> None:
        """Refuse special-purpose addresses (unless allowed), IPv4 inside IPv6 included."""
        inner = _embedded_ipv4(address)
        for candidate in (address, inner) if inner is not None else (address,):
            if any(candidate in network for network in self.allow_networks):
                return
        checked = inner if inner is not None else address
        loopback_ok = not self.production if self.allow_loopback is None else self.allow_loopback
        if checked.is_loopback and loopback_ok:
            return  # the sandbox, in development
        kind = _special_kind(checked)
        if kind is not None:
            raise OutboundRefusedError(
                f"{what}: {address} is a {kind} address, which the hub does not call "
                "(allow a network with TOOTHPICK_OUTBOUND_ALLOW_NETWORKS)"
            )

    def _on_vendor_host(self, host: str, system: str | None) -> bool:
        host = host.lower()
        for allowed in self.allowed_hosts(system):
            if allowed.startswith("."):
                if host.endswith(allowed) or host == allowed[1:]:
                    return True
            elif host == allowed:
                return True
        return False

    def mount(self, session: requests.Session) -> None:
        """Wire the policy into a requests session (adapters.outbound_http)."""
        from adapters.outbound_http import mount

        mount(self, session)


def _embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    if address.sixtofour is not None:
        return address.sixtofour
    return address.teredo[1] if address.teredo is not None else None


def _special_kind(address: IPAddress) -> str | None:
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local (cloud metadata)"
    if address.is_unspecified:
        return "unspecified"
    if address.is_multicast:
        return "multicast"
    if address.is_private:
        return "private"
    if address.is_reserved or not address.is_global:
        return "reserved"
    return None


__all__ = [
    "VENDOR_DOMAINS",
    "OutboundPolicy",
    "literal_address",
    "origin",
    "parse_networks",
    "parse_vendor_hosts",
]
