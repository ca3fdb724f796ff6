"""How the sandbox's Pipedrive records are made, one generator per object.

Ids are small integers per company (leads have UUIDs), times are UTC, emails
and phones are lists of {value, primary, label}, prices a list per currency.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sandbox.core import Draw, GenContext, NumericIds, ObjectSpec
from sandbox.core import words as w
from sandbox.core.schema import FieldDef, Generator
from sandbox.pipedrive.schema import (
    ACTIVITIES,
    ACTIVITY_TYPES,
    CATEGORIES,
    CURRENCIES,
    DEALS,
    LEADS,
    NOTES,
    ORGANIZATIONS,
    PERSONS,
    PRODUCTS,
    STAGES,
    UNITS,
    USERS,
)


@dataclass(frozen=True, slots=True)
class LeadIds:
    """Leads have UUIDs; the sandbox's carry the company and the record index."""

    company: int

    def format(self, index: int) -> str:
        return f"{self.company:08x}-0e10-11eb-879b-{index + 1:012x}"

    def parse(self, record_id: str) -> int | None:
        head, _, tail = record_id.rpartition("-")
        if head != f"{self.company:08x}-0e10-11eb-879b" or len(tail) != 12:
            return None
        try:
            index = int(tail, 16) - 1
        except ValueError:
            return None
        return index if index >= 0 else None


def _date(draw: Draw, low: int = 2023, high: int = 2026) -> str:
    return f"{draw.between(low, high)}-{draw.between(1, 12):02d}-{draw.between(1, 28):02d}"


def _stamp(draw: Draw) -> str:
    return f"{_date(draw, 2022, 2024)}T{draw.between(8, 18):02d}:{draw.between(0, 59):02d}:00Z"


def _home(draw: Draw, ctx: GenContext) -> str:
    home = str(ctx.settings.get("currency", "USD"))
    return home if draw.chance(80) else draw.choice(CURRENCIES)


def gen_user(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    first, last, *_ = draw.choice(w.PEOPLE)
    domain = f"{ctx.tenant_name}.sandbox.example.com"
    return {
        "name": f"{first} {last}",
        "email": w.email(first, last, domain, index),
        "is_admin": index == 0,
        "active_flag": index == 0 or draw.chance(90),
        "timezone_name": str(ctx.settings.get("timezone", "Europe/Tallinn")),
        "default_currency": str(ctx.settings.get("currency", "USD")),
    }


def gen_organization(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    name, domain, _industry = draw.choice(w.COMPANIES)
    street, city, state, country, _code, postal, _prefix = draw.choice(w.ADDRESSES)
    number, route = street.split(" ", 1)
    return {
        "name": name,
        "owner_id": ctx.ref("users", draw),
        "address": {
            "value": f"{street}, {postal} {city}, {country}",
            "street_number": number,
            "route": route,
            "locality": city,
            "admin_area_level_1": state,
            "country": country,
            "postal_code": postal,
        },
        "website": f"https://www.{domain}",
        "linkedin": None,
        "industry": draw.between(1, 30) if draw.chance(60) else None,
        "annual_revenue": draw.between(1, 5000) * 10_000,
        "employee_count": draw.between(5, 20_000),
        "visible_to": 3,
        "label_ids": [],
    }


def gen_person(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    first, last, _salutation, title, _department = draw.choice(w.PEOPLE)
    prefix = draw.choice(w.ADDRESSES)[6]
    domain = draw.choice(w.COMPANIES)[1]
    phones = [{"value": w.phone(draw, prefix), "primary": True, "label": "work"}]
    if draw.chance(40):
        phones.append({"value": w.phone(draw, prefix), "primary": False, "label": "mobile"})
    return {
        "name": f"{first} {last}",
        "first_name": first,
        "last_name": last,
        "owner_id": ctx.ref("users", draw),
        "org_id": ctx.ref("organizations", draw) if draw.chance(85) else None,
        "emails": [
            {"value": w.email(first, last, domain, index), "primary": True, "label": "work"}
        ],
        "phones": phones,
        "job_title": title,
        "visible_to": 3,
        "label_ids": [],
    }


def gen_deal(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    stage_id, _name, pipeline_id, probability = draw.choice(STAGES)
    status = draw.choice(("open", "open", "open", "won", "lost"))
    closed = _stamp(draw) if status != "open" else None
    quantity = draw.choice((10, 25, 50, 100, 250))
    company = draw.choice(w.COMPANIES)[0].split(" ")[0]
    return {
        "title": f"{company} deal - {quantity} {draw.choice(w.PRODUCT_NOUNS)}s",
        "owner_id": ctx.ref("users", draw),
        "person_id": ctx.ref("persons", draw) if draw.chance(85) else None,
        "org_id": ctx.ref("organizations", draw),
        "pipeline_id": pipeline_id,
        "stage_id": stage_id,
        "value": float(quantity * draw.between(5, 400)),
        "currency": _home(draw, ctx),
        "status": status,
        "probability": float(probability) if draw.chance(30) else None,
        "lost_reason": "Price too high" if status == "lost" else None,
        "expected_close_date": _date(draw),
        "stage_change_time": _stamp(draw),
        "close_time": closed,
        "won_time": closed if status == "won" else None,
        "lost_time": closed if status == "lost" else None,
        "is_archived": False,
        "origin": "ManuallyCreated",
        "visible_to": 3,
        "label_ids": [],
    }


def gen_activity(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    done = draw.chance(40)
    kind = draw.choice(ACTIVITY_TYPES)
    return {
        "subject": draw.choice(w.SUBJECTS),
        "type": kind,
        "owner_id": ctx.ref("users", draw),
        "creator_user_id": ctx.ref("users", draw),
        "deal_id": ctx.ref("deals", draw) if draw.chance(70) else None,
        "person_id": ctx.ref("persons", draw),
        "org_id": ctx.ref("organizations", draw) if draw.chance(60) else None,
        "lead_id": None,
        "due_date": _date(draw),
        "due_time": f"{draw.between(8, 17):02d}:{draw.choice((0, 30)):02d}"
        if draw.chance(70)
        else None,
        "duration": "00:30" if kind in ("call", "meeting") else None,
        "busy": kind == "meeting",
        "done": done,
        "marked_as_done_time": _stamp(draw) if done else None,
        "note": None,
        "public_description": None,
        "priority": None,
    }


def gen_product(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    price = draw.money(5, 2000)
    return {
        "name": w.product_name(draw),
        "code": w.sku(draw, index),
        "description": None,
        "unit": draw.choice(UNITS),
        "tax": float(draw.choice((0, 0, 10, 20))),
        "category": draw.choice(CATEGORIES),
        "owner_id": ctx.ref("users", draw),
        "is_linkable": True,
        "visible_to": 3,
        "prices": [
            {
                "currency": _home(draw, ctx),
                "price": price,
                "cost": round(price * 0.6, 2),
                "direct_cost": None,
                "notes": None,
            }
        ],
        "billing_frequency": "one-time",
    }


def gen_lead(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    return {
        "title": f"{draw.choice(w.COMPANIES)[0]} lead",
        "owner_id": ctx.ref("users", draw),
        "person_id": ctx.ref("persons", draw) if draw.chance(70) else None,
        "organization_id": ctx.ref("organizations", draw),
        "value": {"amount": float(draw.between(1, 500) * 100), "currency": _home(draw, ctx)},
        "expected_close_date": _date(draw) if draw.chance(50) else None,
        "is_archived": draw.chance(10),
        "label_ids": [],
        "source_name": "API",
        "was_seen": draw.chance(60),
    }


def gen_note(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    return {
        "content": f"<p>{draw.choice(w.SUBJECTS)}.</p>",
        "user_id": ctx.ref("users", draw),
        "deal_id": ctx.ref("deals", draw) if draw.chance(60) else None,
        "person_id": ctx.ref("persons", draw),
        "org_id": None,
        "lead_id": None,
        "pinned_to_deal_flag": False,
    }


OBJECTS: tuple[tuple[str, tuple[FieldDef, ...], Generator, int, str | None], ...] = (
    ("users", USERS, gen_user, 10, None),
    ("organizations", ORGANIZATIONS, gen_organization, 300, "account"),
    ("persons", PERSONS, gen_person, 1000, "contact"),
    ("deals", DEALS, gen_deal, 500, "opportunity"),
    ("activities", ACTIVITIES, gen_activity, 600, "activity"),
    ("products", PRODUCTS, gen_product, 150, "product"),
    ("leads", LEADS, gen_lead, 100, None),
    ("notes", NOTES, gen_note, 200, None),
)


def build_objects(offset: int, users_offset: int) -> list[ObjectSpec]:
    """One company's specs: `offset` makes its ids its own (users get their own range)."""
    specs = []
    for name, fields, generate, scale, entity in OBJECTS:
        ids: Any = NumericIds(users_offset if name == "users" else offset)
        if name == "leads":
            ids = LeadIds(offset or 1)
        writable = name != "users"
        specs.append(
            ObjectSpec(
                name,
                fields,
                generate,
                ids,
                default_scale=scale,
                entity=entity,
                writable=writable,
                deletable=writable,
            )
        )
    return specs
