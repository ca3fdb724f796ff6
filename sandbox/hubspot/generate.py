"""Base records of each HubSpot object type (all property values are strings)."""

from __future__ import annotations

from typing import Any

from sandbox.core import Draw, GenContext
from sandbox.core import words as w
from sandbox.hubspot import schema as s

OWNERS = tuple(str(10_000_000 + i * 7919) for i in range(12))


def _day(draw: Draw, low: int = 2023, high: int = 2026) -> str:
    return f"{draw.between(low, high)}-{draw.between(1, 12):02d}-{draw.between(1, 28):02d}"


def _moment(draw: Draw, low: int = 2023, high: int = 2026) -> str:
    minute = draw.choice(("00", "15", "30", "45"))
    return f"{_day(draw, low, high)}T{draw.between(8, 18):02d}:{minute}:00Z"


def contact(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    first, last, _salutation, title, _department = draw.choice(w.PEOPLE)
    street, city, state, country, _code, postal, prefix = draw.choice(w.ADDRESSES)
    company, domain, _industry = draw.choice(w.COMPANIES)
    return {
        "email": f"{first.lower()}.{last.lower()}{index}@{domain}",
        "firstname": first,
        "lastname": last,
        "phone": w.phone(draw, prefix),
        "mobilephone": w.phone(draw, prefix) if draw.chance(50) else None,
        "company": company,
        "jobtitle": title,
        "address": street,
        "city": city,
        "state": state,
        "zip": postal,
        "country": country,
        "lifecyclestage": draw.choice(s.LIFECYCLE),
        "hs_lead_status": draw.choice(s.LEAD_STATUS),
        "associatedcompanyid": ctx.ref("companies", draw),
        "hubspot_owner_id": draw.choice(OWNERS),
    }


def company(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    name, domain, _industry = draw.choice(w.COMPANIES)
    street, city, state, country, _code, postal, prefix = draw.choice(w.ADDRESSES)
    return {
        "name": name,
        "domain": domain,
        "industry": draw.choice(s.INDUSTRIES),
        "phone": w.phone(draw, prefix),
        "address": street,
        "city": city,
        "state": state,
        "zip": postal,
        "country": country,
        "numberofemployees": str(draw.between(5, 20_000)),
        "annualrevenue": str(draw.between(1, 5000) * 10_000),
        "lifecyclestage": draw.choice(("lead", "opportunity", "customer", "customer")),
        "hubspot_owner_id": draw.choice(OWNERS),
    }


def deal(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    quantity = draw.choice((10, 25, 50, 100, 250, 500, 1000))
    company = draw.choice(w.COMPANIES)[0]
    home = str(ctx.settings.get("currency", "USD"))
    return {
        "dealname": f"{company.split(' ')[0]} - {quantity} {draw.choice(w.PRODUCT_NOUNS)}s",
        "amount": str(quantity * draw.between(5, 400)),
        "dealstage": draw.choice(s.DEAL_STAGES),
        "pipeline": "default",
        "closedate": _moment(draw),
        "dealtype": draw.choice(("newbusiness", "existingbusiness")),
        "deal_currency_code": home if draw.chance(85) else draw.choice(s.CURRENCIES),
        "hs_priority": draw.choice(("low", "medium", "high")),
        "hubspot_owner_id": draw.choice(OWNERS),
    }


def task(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    kind = draw.choice(("TODO", "TODO", "CALL", "EMAIL"))
    return {
        "hs_task_subject": draw.choice(w.SUBJECTS),
        "hs_task_body": None,
        "hs_task_status": draw.choice(
            ("NOT_STARTED", "IN_PROGRESS", "WAITING", "COMPLETED", "COMPLETED")
        ),
        "hs_task_priority": draw.choice(("NONE", "LOW", "MEDIUM", "HIGH")),
        "hs_task_type": kind,
        "hs_timestamp": _moment(draw),
        "hubspot_owner_id": draw.choice(OWNERS),
    }


def call(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    return {
        "hs_call_title": draw.choice(w.SUBJECTS),
        "hs_call_body": None,
        "hs_call_direction": draw.choice(("INBOUND", "OUTBOUND", "OUTBOUND")),
        "hs_call_duration": str(draw.between(30, 3600) * 1000),
        "hs_call_status": draw.choice(("COMPLETED", "COMPLETED", "BUSY", "NO_ANSWER")),
        "hs_timestamp": _moment(draw),
        "hubspot_owner_id": draw.choice(OWNERS),
    }


def meeting(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    day = _day(draw)
    hour = draw.between(8, 17)
    return {
        "hs_meeting_title": draw.choice(w.SUBJECTS),
        "hs_meeting_body": None,
        "hs_meeting_start_time": f"{day}T{hour:02d}:00:00Z",
        "hs_meeting_end_time": f"{day}T{hour + 1:02d}:00:00Z",
        "hs_meeting_location": draw.choice(w.ADDRESSES)[1] if draw.chance(50) else "Zoom",
        "hs_meeting_outcome": draw.choice(
            ("SCHEDULED", "COMPLETED", "COMPLETED", "RESCHEDULED", "NO_SHOW")
        ),
        "hs_timestamp": f"{day}T{hour:02d}:00:00Z",
        "hubspot_owner_id": draw.choice(OWNERS),
    }


def note(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    return {
        "hs_note_body": f"{draw.choice(w.SUBJECTS)}: {draw.choice(w.PRODUCT_ADJECTIVES).lower()} "
        f"{draw.choice(w.PRODUCT_NOUNS).lower()} discussed.",
        "hs_timestamp": _moment(draw),
        "hubspot_owner_id": draw.choice(OWNERS),
    }


def quote(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    return {
        "hs_title": f"{draw.choice(w.COMPANIES)[0]} - {draw.choice(w.PRODUCT_NOUNS)} supply",
        "hs_quote_number": f"{20240000 + index}",
        "hs_expiration_date": _day(draw, 2024, 2026),
        "hs_status": draw.choice(("DRAFT", "APPROVAL_NOT_NEEDED", "PENDING_APPROVAL", "APPROVED")),
        "hs_currency": str(ctx.settings.get("currency", "USD")),
        "hs_quote_amount": str(draw.between(10, 5000) * 20),
        "hs_language": "en",
        "hs_sender_company_name": str(ctx.settings.get("company", "ToothPick Supply")),
    }


def product(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    price = draw.between(100, 50_000)
    return {
        "name": w.product_name(draw),
        "description": None,
        "price": f"{price / 100:.2f}",
        "hs_sku": w.sku(draw, index),
        "hs_cost_of_goods_sold": f"{price * 0.6 / 100:.2f}",
        "hs_product_type": draw.choice(("inventory", "inventory", "non_inventory", "service")),
    }
