"""Logins are reused: the next run (in another process) starts from the stored token.

A Salesforce user is locked out after 3,600 logins an hour; a token request per
run would be one. Each case syncs once (a login, stored sealed), then a second
service (as another worker process would) syncs again: no auth call, and the
sandbox's token endpoint saw one request in all.
"""

from __future__ import annotations

import pytest

from core.models import Organisation, RunState, SyncOptions, SyncRun
from core.schemas import ConnectionCreate
from core.service import IntegrationService
from core.worker import Worker
from sandbox.testing import RunningSandbox
from tests.proof.case import ProofCase
from tests.proof.cases import oracle, salesforce, sap
from tests.proof.conftest import ORG

LOGIN_CASES = [salesforce.CASE, sap.CASE, oracle.CASE]


@pytest.fixture(params=LOGIN_CASES, ids=[c.id for c in LOGIN_CASES])
def login_case(
    request: pytest.FixtureRequest, sandbox: RunningSandbox, monkeypatch: pytest.MonkeyPatch
) -> ProofCase:
    case: ProofCase = request.param
    sandbox.control.clear_faults()
    sandbox.control.reset(case.system.value, case.tenant, scale=dict(case.scale))
    for name, value in case.environment(sandbox).items():
        monkeypatch.setenv(name, value)
    return case


def _sync(service: IntegrationService, connection_id: str, case: ProofCase) -> SyncRun:
    first_entity = next(iter(case.objects))
    run = service.syncs.queue_sync(
        ORG, connection_id, SyncOptions(entities=[first_entity], full=True)
    )
    Worker(service, worker_id="login-worker").run_by_id(run.id)
    done = service.syncs.get_run(ORG, run.id)
    assert done.state is RunState.SUCCEEDED, done.error
    return done


@pytest.mark.slow
def test_the_next_run_reuses_the_stored_token(
    login_case: ProofCase, sandbox: RunningSandbox
) -> None:
    case = login_case
    first = IntegrationService.open()
    first.runtime.store.ensure_organisation(Organisation(id=ORG, name="Proof"))
    connection = first.connections.connect(
        ORG,
        ConnectionCreate(
            system=case.system,
            name=f"{case.id} logins",
            fields=case.connection_fields(sandbox),
            entities=list(case.objects),
        ),
        test_first=False,
    )
    sandbox.control.reset_stats(system=case.system.value)
    try:
        one = _sync(first, connection.id, case)
        assert one.totals.auth_calls == 1  # the first run logs in once
    finally:
        first.close()
    second = IntegrationService.open()  # another worker process
    try:
        two = _sync(second, connection.id, case)
        assert two.totals.auth_calls == 0
        assert two.totals.read_calls == two.totals.api_calls > 0
    finally:
        second.close()
    requests = sandbox.control.stats(system=case.system.value)["requests"]
    token_calls = sum(r["count"] for r in requests if "token" in r["path"])
    assert token_calls == 1, requests
