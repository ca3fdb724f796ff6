"""A catch-up past a vendor's result cap (issue 15, point 2): more changes since the cursor
than one filtered query of the vendor pages through, and the hub still ends with the exact
truth, without the vendor refusing a page.

HubSpot's search stops at 10,000 results (400 past it: peers "lose" companies past 8-10k);
Zoho's page tokens stop at 100,000 records. The sandbox reproduces each at its published
figure, and at a lowered one (`SandboxControl.set_caps`, per tenant) so that the suite's
proof needs a few hundred changes, not ten thousand; the published figure runs as `slow`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from core.models import RunState, System
from tests.proof.conftest import Hub
from tests.proof.test_no_silent_loss import _edit_at_vendor
from tests.proof.test_sync_proofs import _assert_exact

pytestmark = pytest.mark.systems("hubspot", "zoho")

# The cap each vendor puts on one filtered read: its name, lowered for the suite's proof,
# and published. Zoho's first 2,000 records come by page number, so its token cap is
# lowered no further.
CAPS = {System.HUBSPOT: ("search", 150, 10_000), System.ZOHO: ("page_token", 2_200, 100_000)}
# Refusals a catch-up meets: HubSpot's keyset search (`hs_object_id GT last`) never asks
# past the cap; Zoho says no total, so the adapter learns the cap from its one refusal
# and starts the next query from the newest change read.
REFUSALS = {System.HUBSPOT: 0, System.ZOHO: 1}


@pytest.fixture
def capped(hub: Hub, request: pytest.FixtureRequest) -> Iterator[int]:
    """The vendor's cap for this test (lowered unless the test asks for the published one),
    with the first entity scaled to a hundred records past it."""
    case, control = hub.case, hub.sandbox.control
    name, lowered, published = CAPS[case.system]
    cap = published if getattr(request, "param", None) == "published" else lowered
    object_name = case.objects[case.first_entity]
    control.reset(case.system.value, case.tenant, scale={**case.scale, object_name: cap + 100})
    control.set_caps(case.system.value, case.tenant, **{name: cap})
    try:
        yield cap
    finally:
        control.reset(case.system.value, case.tenant)  # drops the lowered cap


def _refused(hub: Hub) -> list[dict[str, object]]:
    statuses = hub.sandbox.control.stats(system=hub.case.system.value)["statuses"]
    return [row for row in statuses if int(str(row["status"])) >= 400]


def _catch_up_past_the_cap(hub: Hub, cap: int) -> None:
    case, control = hub.case, hub.sandbox.control
    entity, object_name = case.first_entity, case.objects[case.first_entity]
    assert hub.sync(full=True).state is RunState.SUCCEEDED
    edited = _edit_at_vendor(hub, skip=0, count=cap + 50)
    control.reset_stats()
    run = hub.sync()
    assert run.state is RunState.SUCCEEDED, run.error
    assert sum(int(str(r["count"])) for r in _refused(hub)) == REFUSALS[case.system]
    assert control.records_served(case.system.value, case.tenant, object_name) >= edited > cap
    assert run.counts[entity].updated == edited
    _assert_exact(hub)


def test_a_catch_up_past_the_vendors_result_cap_reads_every_change(hub: Hub, capped: int) -> None:
    _catch_up_past_the_cap(hub, capped)


@pytest.mark.slow  # ten thousand vendor edits, and a catch-up of 10,050 records: ~40 s
@pytest.mark.systems("hubspot")
@pytest.mark.parametrize("capped", ["published"], indirect=True)
def test_a_catch_up_past_hubspots_published_10000_cap_reads_every_change(
    hub: Hub, capped: int
) -> None:
    assert capped == 10_000
    _catch_up_past_the_cap(hub, capped)
