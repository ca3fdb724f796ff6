"""`$batch` as SAP Gateway's OData V2 documentation writes it: a multipart/mixed body with
a retrieval and changesets, each request as application/http, after the CSRF fetch."""

from __future__ import annotations

import requests

from adapters.odata_batch import decode
from sandbox.testing import RunningSandbox
from tests.sandbox.sap.conftest import ROOT, SYSTEM, basic_session, with_csrf

SERVICE = f"{ROOT}/API_PRODUCT_SRV"
# The shape of the documented example: a GET outside, then changesets of writes.
BODY = """--batch_36522ad7-fc75-4b56-8c71-56071383e77b
Content-Type: application/http
Content-Transfer-Encoding: binary

GET A_Product('TG000001')?$select=Product,ProductGroup HTTP/1.1
Accept: application/json


--batch_36522ad7-fc75-4b56-8c71-56071383e77b
Content-Type: multipart/mixed; boundary=changeset_77162fcd-b8da-41ac-a9f8-9357efbbd

--changeset_77162fcd-b8da-41ac-a9f8-9357efbbd
Content-Type: application/http
Content-Transfer-Encoding: binary

POST A_Product HTTP/1.1
Content-Type: application/json
Accept: application/json

{"Product": "tp-batch-1", "ProductType": "FERT", "to_Description": [{"Language": "EN", "ProductDescription": "Café"}]}
--changeset_77162fcd-b8da-41ac-a9f8-9357efbbd--

--batch_36522ad7-fc75-4b56-8c71-56071383e77b
Content-Type: multipart/mixed; boundary=changeset_2

--changeset_2
Content-Type: application/http
Content-Transfer-Encoding: binary

PATCH A_Product('TG000002') HTTP/1.1
Content-Type: application/json
If-Match: *

{"ProductGroup": "L009"}
--changeset_2
Content-Type: application/http
Content-Transfer-Encoding: binary

POST A_Product HTTP/1.1
Content-Type: application/json

{"Product": "TG000003", "ProductType": "FERT"}
--changeset_2--

--batch_36522ad7-fc75-4b56-8c71-56071383e77b--
"""  # noqa: E501
KIND = "multipart/mixed; boundary=batch_36522ad7-fc75-4b56-8c71-56071383e77b"


def _post(sandbox: RunningSandbox, session: requests.Session) -> requests.Response:
    return session.post(
        f"{sandbox.url}{SERVICE}/$batch",
        data=BODY.replace("\n", "\r\n").encode(),
        headers={"Content-Type": KIND, "Accept": "multipart/mixed"},
        timeout=10,
    )


def test_batch_answers_each_part_and_a_failed_changeset_leaves_nothing(
    sandbox: RunningSandbox,
) -> None:
    sandbox.control.reset(SYSTEM, "acme")
    session = with_csrf(basic_session(), f"{sandbox.url}{SERVICE}/")
    answer = _post(sandbox, session)
    assert answer.status_code == 202
    [read], [created], [refused] = decode(answer.headers["content-type"], answer.content)
    assert read.status == 200 and read.json()["d"]["Product"] == "TG000001"
    assert created.status == 201
    made = created.json()["d"]
    assert made["Product"] == "TP-BATCH-1"  # the client's key, kept (upper case)
    assert made["to_Description"]["results"][0]["ProductDescription"] == "Café"
    assert refused.status == 400  # TG000003 exists: the whole second changeset fails
    assert refused.json()["error"]["code"] == "MM_PRODUCT/010"
    untouched = sandbox.control.get(SYSTEM, "acme", "A_Product", "TG000002")
    assert untouched is not None and untouched.fields["ProductGroup"] != "L009"
    again = _post(sandbox, session)  # the same create again: the key is taken now
    [_read], [second], [_refused] = decode(again.headers["content-type"], again.content)
    assert second.status == 400 and "already exists" in second.json()["error"]["message"]["value"]


def test_batch_needs_the_csrf_token_and_changes_inside_changesets(
    sandbox: RunningSandbox,
) -> None:
    sandbox.control.reset(SYSTEM, "acme")
    assert _post(sandbox, basic_session()).status_code == 403
    session = with_csrf(basic_session(), f"{sandbox.url}{SERVICE}/")
    loose = BODY.split("--batch_36522ad7-fc75-4b56-8c71-56071383e77b\nContent-Type: multipart")[0]
    loose = loose.replace(
        "GET A_Product('TG000001')?$select=Product,ProductGroup", "DELETE A_Product('TG000001')"
    )
    answer = session.post(
        f"{sandbox.url}{SERVICE}/$batch",
        data=(loose + "--batch_36522ad7-fc75-4b56-8c71-56071383e77b--\n").replace("\n", "\r\n"),
        headers={"Content-Type": KIND},
        timeout=10,
    )
    [[refused]] = decode(answer.headers["content-type"], answer.content)
    assert refused.status == 400 and "changeset" in refused.json()["error"]["message"]["value"]
