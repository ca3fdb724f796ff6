"""Whatever a client sends, the Zoho simulator answers as Zoho would: a 2xx/304 or a
Zoho error body with code, details, message and status, never a 500 of ours."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.testing import RunningSandbox
from tests.sandbox.zoho.conftest import client

TEXT = st.one_of(st.text(max_size=8), st.sampled_from(["0", "-1", "201", "2", "asc", "id", "x"]))
PARAMS = st.fixed_dictionaries(
    {},
    optional=dict.fromkeys(
        ("page", "per_page", "page_token", "sort_by", "sort_order", "fields", "ids"), TEXT
    ),
)
FLOATS = st.floats(allow_nan=False, allow_infinity=False)  # JSON has no inf
VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), FLOATS, st.text(max_size=6),
    st.just({"id": "1"}), st.lists(st.integers(), max_size=2),
)  # fmt: skip
KEYS = ["Last_Name", "Email", "Account_Name", "Owner", "Date_of_Birth", "Email_Opt_Out", "Nope"]
KEYS += ["id", "Employees", "Product_Details", "What_Id", "$se_module"]
ROW = st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5)
BODIES = st.one_of(
    st.none(), st.lists(ROW, max_size=3), st.fixed_dictionaries({"data": st.lists(ROW, max_size=3)})
)
MODULES = st.sampled_from(["Contacts", "Deals", "Tasks", "Quotes", "Accounts"])


def _zoho_answer(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:  # a whole-request error, or one per record
        body = response.json()
        rows = body.get("data") if set(body) == {"data"} else [body]
        assert all({"code", "message", "status"} <= set(row) for row in rows)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(module=MODULES, params=PARAMS)
def test_list_parameters(sandbox: RunningSandbox, module: str, params: dict[str, str]) -> None:
    _zoho_answer(client(sandbox).get(module, params=params))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(module=MODULES, body=BODIES, method=st.sampled_from(["POST", "PUT"]))
def test_write_bodies(sandbox: RunningSandbox, module: str, body: Any, method: str) -> None:
    response = client(sandbox).send(method, module, json=body)
    _zoho_answer(response)
    for row in response.json().get("data", []) if response.status_code != 204 else []:
        assert row["status"] in ("success", "error") and "code" in row
