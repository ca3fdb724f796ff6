"""TOOTHPICK_CA_BUNDLE: extra CAs are trusted on top of the standard ones, never instead."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import certifi
import pytest
from requests.adapters import HTTPAdapter

from adapters.http import VendorSession
from adapters.tls import trust_context, trust_store
from core.errors import ConfigError, VendorError
from core.settings import load_settings
from sandbox.testing import RunningSandbox, run_sandbox


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSandbox]:
    with run_sandbox(systems=("salesforce",), data_dir=tmp_path_factory.mktemp("sb")) as running:
        yield running


def test_no_extra_bundle_means_the_standard_one() -> None:
    assert trust_store(None) is True


def test_the_joined_bundle_holds_the_standard_cas_and_the_extra_one(
    sandbox: RunningSandbox,
) -> None:
    assert sandbox.ca_path is not None
    joined = Path(str(trust_store(sandbox.ca_path))).read_bytes()
    assert Path(certifi.where()).read_bytes().strip() in joined
    assert sandbox.ca_path.read_bytes().strip() in joined
    assert trust_store(sandbox.ca_path) == trust_store(sandbox.ca_path)  # written once


def _versions(sandbox: RunningSandbox, verify: str | bool) -> int:
    assert sandbox.tls_url is not None
    session = VendorSession(vendor="Salesforce", base_url=sandbox.tls_url, verify=verify)
    try:
        return session.request("GET", "/services/data", authenticate=False).status_code
    finally:
        session.close()


def test_a_local_ca_is_refused_unless_added(sandbox: RunningSandbox) -> None:
    with pytest.raises(VendorError, match="TLS handshake with the vendor failed"):
        _versions(sandbox, trust_store(None))
    assert sandbox.ca_path is not None
    assert _versions(sandbox, trust_store(sandbox.ca_path)) == 200


def test_a_file_without_certificates_is_a_config_error(tmp_path: Path) -> None:
    bogus = tmp_path / "ca.pem"
    bogus.write_text("not a certificate")
    with pytest.raises(ConfigError, match="no PEM certificate"):
        trust_store(bogus)


def test_the_setting_names_a_missing_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TOOTHPICK_CA_BUNDLE", str(tmp_path / "missing.pem"))
    with pytest.raises(ConfigError, match=r"TOOTHPICK_CA_BUNDLE: .*no such file"):
        load_settings()
    monkeypatch.setenv("TOOTHPICK_CA_BUNDLE", "")
    assert load_settings().ca_bundle is None


def test_every_session_shares_one_context_per_bundle(sandbox: RunningSandbox) -> None:
    """No connection builds an SSL context of its own and parses the bundle into it again
    (about 1 MB each): the pools of every session use the process's one, which verifies."""
    assert sandbox.ca_path is not None and sandbox.tls_url is not None
    verify = trust_store(sandbox.ca_path)
    contexts = []
    for _ in range(2):
        session = VendorSession(vendor="Salesforce", base_url=sandbox.tls_url, verify=verify)
        try:
            assert session.request("GET", "/services/data", authenticate=False).ok
            adapter = session._http.get_adapter(sandbox.tls_url)
            assert isinstance(adapter, HTTPAdapter)
            pools = adapter.poolmanager.pools
            [key] = list(pools.keys())  # one origin: one pool
            pool = pools[key]
            assert pool.ca_certs is None  # not loaded again into the shared context
            contexts.append(pool.conn_kw["ssl_context"])
        finally:
            session.close()
    assert contexts[0] is contexts[1] is trust_context(verify)
