"""A vendor query timing out mid-read (issue 15, point 2; peers: a Salesforce QUERY_TIMEOUT
that did not fail the job): the run retries it to the end, or fails saying why; it never
succeeds with part of the changes, and a failed run's cursor passes nothing it did not read,
so the next incremental ends in the exact truth.

The timeouts here are the vendor giving up on the query (Salesforce's 400 QUERY_TIMEOUT,
another vendor's gateway 504) on every attempt of one call of an incremental read, past its
first page (tests/proof/test_sync_proofs.py's faults prove a
single timeout absorbed by a retry on a full read).
"""

from __future__ import annotations

import pytest

from adapters.retry import RetryPolicy
from core.models import RunState, System
from tests.proof.conftest import Hub
from tests.proof.test_no_silent_loss import _edit_at_vendor
from tests.proof.test_sync_proofs import _assert_exact

# Two attempts a call; a page read ahead in a thread is asked for once more by the read
# itself: four timeouts in a row fail either, and stay under the circuit breaker's five
# (which would pause calls to the vendor for a minute, the next run's too).
ATTEMPTS = 2


def test_a_query_timing_out_mid_read_never_ends_a_run_short(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    case, control = hub.case, hub.sandbox.control
    entity, object_name = case.first_entity, case.objects[case.first_entity]
    # Quick retries: which calls are retried is proven here, not how long the waits are.
    monkeypatch.setattr(
        type(hub.adapter()),
        "retry_policy",
        RetryPolicy(max_attempts=ATTEMPTS, base_delay_s=0.01, max_delay_s=0.02),
    )
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    before = hub.stored(entity)
    edited = _edit_at_vendor(hub, skip=0, count=None)
    timeout = {"kind": "query_timeout"}  # Salesforce's QUERY_TIMEOUT, a 504 elsewhere
    control.add_fault(
        {
            "system": case.system.value,
            "tenant": case.tenant,
            "object": object_name,
            "op": "search" if case.system is System.HUBSPOT else "list",  # data pages only
            "sequence": ["ok", *[timeout] * 2 * ATTEMPTS],
        }
    )
    run = hub.sync()
    if run.state is RunState.SUCCEEDED:  # retried to the end (Zoho asks a page read ahead
        _assert_exact(hub)  # in a thread once more): then it read every change
        return
    assert run.state is RunState.FAILED, run.state
    assert run.error, "a failed run says why"
    assert case.system is not System.SALESFORCE or "QUERY_TIMEOUT" in run.error, run.error
    stored = hub.stored(entity)
    assert sum(stored[k] != before[k] for k in before) < edited  # it did stop short
    control.clear_faults()
    again = hub.sync()
    assert again.state is RunState.SUCCEEDED, again.error
    _assert_exact(hub)
