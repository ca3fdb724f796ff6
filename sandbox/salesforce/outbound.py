"""Outbound Messages: the only HTTP push Salesforce itself makes.

Change Data Capture and Platform Events reach subscribers over CometD or gRPC,
not HTTP, so the sandbox's webhooks take the form of workflow Outbound
Messages: a SOAP `notifications` envelope per object with up to 100
notifications, carrying OrganizationId (the receiver's check, as there is no
HMAC), an ActionId, the partner/enterprise URLs and the record's fields.
Deletions are not sent (workflow rules do not fire on delete).

Target options: "action_id" (workflow action id), "session_id" (include one).
`events` lists the objects to send (empty: all).
"""

from __future__ import annotations

from itertools import count
from xml.sax.saxutils import escape

from sandbox.core import ChangeEvent, OutboundRequest, WebhookTarget
from sandbox.salesforce.ids import SalesforceIds
from sandbox.salesforce.tenants import API_VERSION, PODS, org_id

_notification_ids = count(1)
SOBJECT_NS = "urn:sobject.enterprise.soap.sforce.com"


def _value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return escape(str(value))


def outbound_messages(
    target: WebhookTarget, events: list[ChangeEvent], base_url: str
) -> list[OutboundRequest]:
    pod = PODS.get(target.tenant, "5g")
    org = org_id(target.tenant) if target.tenant in PODS else ""
    action = str(target.options.get("action_id") or SalesforceIds("04k", pod).format(7))
    session = str(target.options.get("session_id") or "")
    by_object: dict[str, list[ChangeEvent]] = {}
    for event in events:
        if event.kind == "deleted" or (target.events and event.object not in target.events):
            continue
        by_object.setdefault(event.object, []).append(event)
    requests: list[OutboundRequest] = []
    for object_name, object_events in by_object.items():
        for start in range(0, len(object_events), 100):
            chunk = object_events[start : start + 100]
            notes = []
            for event in chunk:
                fields = "".join(
                    f"<sf:{name}>{_value(v)}</sf:{name}>"
                    for name, v in event.fields.items()
                    if v is not None
                )
                note_id = SalesforceIds("04l", pod).format(next(_notification_ids))
                notes.append(
                    f"<Notification><Id>{note_id}</Id>"
                    f'<sObject xsi:type="sf:{object_name}" xmlns:sf="{SOBJECT_NS}">'
                    f"<sf:Id>{event.record_id}</sf:Id>{fields}</sObject></Notification>"
                )
            session_xml = (
                f"<SessionId>{escape(session)}</SessionId>"
                if session
                else '<SessionId xsi:nil="true"/>'
            )
            body = (
                '<?xml version="1.0" encoding="UTF-8"?>'
                '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" '
                'xmlns:xsd="http://www.w3.org/2001/XMLSchema" '
                'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
                "<soapenv:Body>"
                '<notifications xmlns="http://soap.sforce.com/2005/09/outbound">'
                f"<OrganizationId>{org}</OrganizationId><ActionId>{action}</ActionId>{session_xml}"
                f"<EnterpriseUrl>{base_url}/services/Soap/c/{API_VERSION}/{org[:15]}</EnterpriseUrl>"
                f"<PartnerUrl>{base_url}/services/Soap/u/{API_VERSION}/{org[:15]}</PartnerUrl>"
                f"{''.join(notes)}</notifications></soapenv:Body></soapenv:Envelope>"
            )
            requests.append(
                OutboundRequest(
                    "POST",
                    target.url,
                    {
                        "Content-Type": "text/xml; charset=utf-8",
                        "SOAPAction": '""',
                        "User-Agent": "Salesforce - OM",
                    },
                    body.encode(),
                )
            )
    return requests
