"""VendorSession: the one place that sends HTTP to a vendor.

Every call goes through the same steps: circuit breaker, rate limiter (and
concurrency slot), authenticator, a `requests` send with connect/read timeouts,
the vendor's rate-limit headers, the failure table (vendor hook first), and the
retry loop. Everything that reaches a log line or an exception message passes
the connection's `Redactor`. Exceptions raised are only those of core.errors,
never chained to the underlying `requests` error (whose text may hold a URL
with a token in it).

    session = VendorSession(vendor="HubSpot", base_url="https://api.hubapi.com",
                            auth=TokenAuth.bearer(token), stats=stats,
                            limiter=RateLimiter([RateLimit(100, 10.0)]))
    reply = session.request_json("GET", "/crm/v3/objects/contacts", params={"limit": 100})
    reply.body["results"]
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Mapping
from contextlib import nullcontext
from datetime import timedelta
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit

import requests
from requests.utils import resolve_proxies

from adapters.auth import Authenticator
from adapters.base import CallStats
from adapters.budget import CallKind, call_entity, call_kind
from adapters.circuit import CircuitBreaker
from adapters.failures import (
    Action,
    Classifier,
    Resolution,
    as_exception,
    classify_exception,
    classify_status,
    error_detail,
    is_success,
)
from adapters.outbound import OutboundPolicy
from adapters.payload import Reply, decode_json, encode_json
from adapters.ratelimit import RateLimiter, RateReader
from adapters.redaction import Redactor, install_log_filters
from adapters.retry import RetryBudget, RetryPolicy, parse_retry_after
from adapters.timing import SYSTEM_CLOCK, Clock
from core.errors import (
    FailureCategory,
    MalformedResponseError,
    QuotaExhaustedError,
    RateLimitedError,
    VendorError,
)

log = logging.getLogger("adapters.http")
T = TypeVar("T")
_UNSAFE_TO_REPEAT = frozenset({"POST"})
SLOW_ANSWER_S = 2.0  # an answer awaited this long is shown in the run's progress


class VendorSession:
    def __init__(
        self,
        *,
        vendor: str,
        base_url: str | Callable[[], str],
        auth: Authenticator | None = None,
        stats: CallStats | None = None,
        limiter: RateLimiter | None = None,
        rate_reader: RateReader | None = None,
        breaker: CircuitBreaker | None = None,
        retry: RetryPolicy | None = None,
        classify: Classifier | None = None,
        redactor: Redactor | None = None,
        timeouts: tuple[float, float] = (5.0, 30.0),
        headers: Mapping[str, str] | None = None,
        verify: str | bool = True,  # adapters.tls.trust_store: never False in production
        clock: Clock = SYSTEM_CLOCK,
        rand: Callable[[], float] = random.random,
        http: requests.Session | None = None,
        outbound: OutboundPolicy | None = None,
        meter: Callable[[CallKind], None] | None = None,  # AccountBudget.charge
    ) -> None:
        install_log_filters()
        self.vendor = vendor
        self._base_url = base_url
        self.auth = auth or Authenticator()
        self.stats = stats if stats is not None else CallStats()
        self.limiter = limiter or RateLimiter(clock=clock)
        self.rate_reader = rate_reader
        self.breaker = breaker or CircuitBreaker(vendor, clock=clock)
        self.retry = retry or RetryPolicy()
        self.classify = classify
        self.redactor = redactor or Redactor()
        self.timeouts = timeouts
        self.clock = clock
        self._rand = rand
        self._http = http or requests.Session()
        self._http.verify = verify  # send() bypasses REQUESTS_CA_BUNDLE, so this is what counts
        self._http.headers.update(headers or {})
        self.outbound = outbound or OutboundPolicy()
        self.outbound.mount(self._http)  # peer addresses checked, cross-origin redirects refused
        self._lock = threading.Lock()
        self.meter = meter
        self._note: str | None = None  # the last 429's wait, in words, until it ends
        self._note_until = 0.0
        self._in_flight: dict[int, float] = {}  # call -> when it was sent (monotonic)
        self._proxies_by_origin: dict[tuple[str, str], dict[str, str]] = {}
        for secret in self.auth.secrets():
            self.redactor.add(secret)

    # --- public surface ------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        return self._base_url() if callable(self._base_url) else self._base_url

    def url(self, path_or_url: str) -> str:
        """Absolute URL of a path below the base URL (absolute URLs pass through; a leading
        slash does not escape the base URL's own path)."""
        if urlsplit(path_or_url).scheme:
            return path_or_url
        return urljoin(self.base_url.rstrip("/") + "/", path_or_url.lstrip("/"))

    def redact(self, text: str) -> str:
        return self.redactor.text(text)

    def request(self, method: str, url: str, **options: Any) -> requests.Response:
        """Send and return the raw response (2xx, or any non-retriable answer when
        `accept_errors=True`). Options: params, json, data, headers, authenticate,
        idempotent, kind, accept_errors, rate_limited."""
        return self.send(method, url, decode=lambda response: response, **options)

    def request_json(self, method: str, url: str, **options: Any) -> Reply:
        """Send and decode JSON; an unreadable body is retried, then MalformedResponseError."""
        return self.send(method, url, decode=decode_json, **options)

    def send(
        self,
        method: str,
        url: str,
        *,
        decode: Callable[[requests.Response], T],
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: bytes | str | Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        authenticate: bool = True,
        idempotent: bool | None = None,
        kind: CallKind | None = None,  # this call's kind when its method misleads (deletes)
        accept_errors: bool = False,
        rate_limited: bool = True,
    ) -> T:
        method = method.upper()
        repeatable = idempotent if idempotent is not None else method not in _UNSAFE_TO_REPEAT
        body = encode_json(json) if json is not None else data
        request_headers = dict(headers or {})
        if json is not None:
            request_headers.setdefault("Content-Type", "application/json")
        budget = RetryBudget(self.retry, rand=self._rand)
        kind = kind or call_kind(method, authenticate=authenticate, idempotent=idempotent)
        refreshed = malformed = False
        while True:
            self.breaker.before_call()
            request = requests.Request(
                method, None, params=dict(params or {}), data=body, headers=dict(request_headers)
            )
            if authenticate:  # before taking a slot: a token refresh makes calls of its own
                self.auth.apply(request, self)
            # resolved after apply(): a refresh may have moved the base URL (instance_url)
            request.url = full_url = self.url(url)
            self.outbound.check_url(full_url, what=f"{self.vendor} address")
            if authenticate:
                self._check_origin(full_url)
            what = f"{method} {self.redact(full_url)}"
            response, resolution = self._attempt(request, rate_limited=rate_limited, kind=kind)
            if resolution is None:
                assert response is not None
                try:
                    value = decode(response)
                except MalformedResponseError as exc:
                    malformed = True
                    resolution = Resolution(Action.RETRY, FailureCategory.TRANSIENT, str(exc))
                else:
                    log.debug("%s %s -> %s", self.vendor, what, response.status_code)
                    return value
            status = response.status_code if response is not None else None
            resolution = self._wait_or_pause(resolution)
            # An expired token is not the vendor's final word: refresh before handing back.
            refresh = resolution.action is Action.REFRESH_AUTH and authenticate and not refreshed
            final = resolution.action in _FINAL_ACTIONS and not refresh
            if accept_errors and response is not None and final:
                return decode(response)
            if refresh:
                assert response is not None
                log.info("%s %s -> %s; refreshing the credentials", self.vendor, what, status)
                self.auth.refresh(self, response)
                refreshed = True
                self._count(retries=1)
                continue
            if resolution.action is Action.RATE_LIMITED:
                asked = resolution.retry_after
                if asked is None and response is not None:
                    asked = self._vendor_wait(response)
                delay = budget.next_delay(asked)
                if delay is None and asked is not None and asked > self.retry.max_retry_after_s:
                    raise QuotaExhaustedError(  # too long to wait in place: pause the run
                        self._message(what, status, resolution, response, budget),
                        resets_at=self.clock.now() + timedelta(seconds=asked),
                        status=status,
                    )
                if delay is None:
                    raise RateLimitedError(
                        self._message(what, status, resolution, response, budget),
                        retry_after=asked if asked is not None else budget.last_refusal,
                        status=status,
                    )
                self._warn(what, status, resolution, budget, delay)
                self._count(retries=1)
                told = f"Retry-After {asked:.0f} s" if asked is not None else "no Retry-After"
                with self._lock:
                    self._note = (
                        f"Waiting {delay:.0f} s on {self.vendor}: it answered {status} "
                        f"({resolution.message}; {told})"
                    )
                    self._note_until = self.clock.monotonic() + delay
                if rate_limited:
                    self.limiter.pause(delay)  # the next acquire() waits it, for every caller
                else:
                    self._count(rate_limit_wait_s=delay)
                    self.clock.sleep(delay)
                continue
            if resolution.action is Action.RETRY and (repeatable or resolution.unsent):
                delay = budget.next_delay(
                    self._vendor_wait(response) if response is not None else None
                )
                if delay is not None:
                    self._warn(what, status, resolution, budget, delay)
                    self._count(retries=1)
                    self.clock.sleep(delay)
                    continue
            message = self._message(what, status, resolution, response, budget)
            if resolution.action is Action.RETRY and not (repeatable or resolution.unsent):
                message += "; the write may or may not have been applied, so it was not repeated"
            raise as_exception(
                resolution, message, status=status, now=self.clock.now(), malformed=malformed
            )

    def _attempt(
        self, request: requests.Request, *, rate_limited: bool, kind: CallKind = CallKind.READ
    ) -> tuple[requests.Response | None, Resolution | None]:
        """One send under the limiter; the resolution is None for a success."""
        response: requests.Response | None = None
        if self.meter is not None:
            self.meter(kind)  # a spent share of the daily allowance pauses the run here
        with self.limiter.slot() if rate_limited else nullcontext(0.0) as slot_wait:
            waited = self.limiter.acquire() if rate_limited else 0.0
            self._count(api_calls=1, rate_limit_wait_s=waited + slot_wait, kind=kind)
            call = id(request)
            with self._lock:
                self._in_flight[call] = self.clock.monotonic()
            try:
                prepared = self._http.prepare_request(request)
                proxies = self._proxies(prepared)
                response = self._http.send(prepared, timeout=self.timeouts, proxies=proxies)
                resolution = self._resolve(response)
            except requests.RequestException as exc:
                resolution = classify_exception(exc)
            finally:
                with self._lock:
                    self._in_flight.pop(call, None)
        if resolution is not None and resolution.connectivity:
            self.breaker.record_failure(resolution.message)
        elif response is not None:
            self.breaker.record_success()
        return response, resolution

    def close(self) -> None:
        self._http.close()

    def waiting_on(self) -> str | None:
        """What the calls wait on at the vendor now, in words (a 429's wait while it lasts,
        an answer slower than SLOW_ANSWER_S while it is awaited); None at the usual pace.
        The run's heartbeat shows it in the run's progress."""
        now = self.clock.monotonic()
        with self._lock:
            if self._note is not None and now < self._note_until:
                return self._note
            oldest = min(self._in_flight.values(), default=None)
        if oldest is not None and now - oldest >= SLOW_ANSWER_S:
            return f"Waiting on {self.vendor}: no answer for {now - oldest:.0f} s"
        return None

    # --- helpers ---------------------------------------------------------------------------

    def _proxies(self, request: requests.PreparedRequest) -> dict[str, str]:
        """The proxies for the request's origin, as requests' send() would resolve them,
        worked out once per origin: send() reads the proxy environment (HTTP_PROXY,
        NO_PROXY, ...) on every call, walking os.environ three times, which cost a
        worker a fifth of the CPU of a vendor call."""
        origin = urlsplit(request.url or "")[:2]
        found = self._proxies_by_origin.get(origin)
        if found is None:
            found = resolve_proxies(request, dict(self._http.proxies), self._http.trust_env)
            self._proxies_by_origin[origin] = found
        return dict(found)

    def _resolve(self, response: requests.Response) -> Resolution | None:
        if self.rate_reader is not None:
            observation = self.rate_reader(response.headers)
            if observation is not None:
                self.limiter.observe(observation)
        if is_success(response.status_code):
            return None
        for hook in (self.auth.classify, self.classify):
            resolution = hook(response) if hook is not None else None
            if resolution is not None:
                return resolution
        return classify_status(response.status_code)

    def _wait_or_pause(self, resolution: Resolution) -> Resolution:
        """A spent allowance that comes back within the wait we allow in place (the
        policy's `max_retry_after_s`) is waited for, like a rate limit; a longer one
        pauses the run until it resets (and so does a rate limit asking for longer,
        above). The time decides, not the vendor's name for the limit, so that all
        seven adapters agree: at 23:58 a daily limit that resets at midnight costs a
        two-minute wait, at 00:01 it pauses the run until the next midnight."""
        if resolution.action is not Action.QUOTA_EXHAUSTED or resolution.resets_at is None:
            return resolution
        left = (resolution.resets_at - self.clock.now()).total_seconds()
        if left > self.retry.max_retry_after_s:
            return resolution
        return Resolution.rate_limited(
            f"{resolution.message} (it resets in {max(left, 0):.0f} s)",
            retry_after=max(left, 0.0) + 1.0,  # a second past the reset, not on it
        )

    def _vendor_wait(self, response: requests.Response) -> float | None:
        asked = parse_retry_after(response.headers.get("Retry-After"), now=self.clock.now())
        if asked is None and self.rate_reader is not None:
            observation = self.rate_reader(response.headers)
            asked = observation.reset_after_s if observation is not None else None
        return asked

    def _check_origin(self, url: str) -> None:
        target, base = urlsplit(url), urlsplit(self.base_url)
        if (target.scheme, target.netloc.lower()) != (base.scheme, base.netloc.lower()):
            raise VendorError(
                f"{self.vendor} pointed us to {target.scheme}://{target.netloc}, which is not "
                f"the connection's address ({base.scheme}://{base.netloc}); the credentials "
                "were not sent"
            )

    def _count(
        self,
        *,
        api_calls: int = 0,
        retries: int = 0,
        rate_limit_wait_s: float = 0.0,
        kind: CallKind | None = None,
    ) -> None:
        entity = call_entity()  # the entity this thread reads for (adapters.budget)
        with self._lock:
            self.stats.add(
                api_calls=api_calls,
                retries=retries,
                rate_limit_wait_s=rate_limit_wait_s,
                kind=kind.value if kind is not None else None,
                entity=entity,
            )

    def _warn(
        self, what: str, status: int | None, why: Resolution, budget: RetryBudget, delay: float
    ) -> None:
        answer = f"answered {status}" if status is not None else "failed"
        retry, of = budget.attempts - 1, self.retry.max_attempts - 1
        log.warning(
            "%s %s %s (%s); retry %d of %d in %.1f s",
            *(self.vendor, what, answer, why.message, retry, of, delay),
        )

    def _message(
        self,
        what: str,
        status: int | None,
        resolution: Resolution,
        response: requests.Response | None,
        budget: RetryBudget,
    ) -> str:
        head = f"{self.vendor} answered {status} to {what}" if status else f"{self.vendor}: {what}"
        text = f"{head}: {resolution.message}"
        detail = error_detail(response) if response is not None else ""
        if detail:
            text += f" ({detail})"
        if budget.attempts > 1:
            text += f"; gave up after {budget.attempts} attempts"
        return self.redact(text)


# Answers `accept_errors` hands back; a spent quota still raises QuotaExhaustedError (the
# run must pause), and a refusal of the credentials is handed back once refreshing is over.
_FINAL_ACTIONS = frozenset({Action.FAIL, Action.REFRESH_AUTH})


__all__ = ["Reply", "VendorSession", "decode_json", "encode_json"]
