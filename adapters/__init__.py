"""Vendor adapters: one module per system, built on the shared pieces in this package.

base.py          the Adapter protocol and what flows to the engine (the contract)
base_adapter.py  BaseAdapter: the protocol implemented once; vendors override hooks
spec.py          EntitySpec (one per entity) and declare_system -> SystemInfo
registry.py      system -> adapter class, imported lazily; build_adapter(context)
http.py          VendorSession: the one place that sends HTTP
tls.py           the CAs vendor calls trust (standard + TOOTHPICK_CA_BUNDLE)
failures.py      the failure table: status/exception -> action + category
retry.py         backoff with full jitter, Retry-After, the per-call retry budget
ratelimit.py     sliding-window limiter corrected by rate-limit headers; slots
circuit.py       circuit breaker for repeated connectivity failures
auth.py          static token, Basic, SAP CSRF;  oauth.py  OAuth2 with refresh
xmlrpc.py        XML-RPC over VendorSession, Odoo's common/object services
paging.py        paginator strategies with loop detection and resume positions
mapping.py       field maps, overrides, custom fields;  convert.py  converters
payload.py       JSON bodies in and out;  paths.py  dotted paths;  timing.py  clocks
redaction.py     per-session face of core.redaction
"""
