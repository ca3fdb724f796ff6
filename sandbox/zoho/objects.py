"""How the sandbox's Zoho CRM records are made: one generator per module.

Generators return stored fields only (ids and Created/Modified_Time belong to
the collection). Datetimes carry the org's UTC offset, as Zoho writes them.
`derive` (in validate.py) is shared with the write path: the fields Zoho
computes itself (expected revenue, quote totals) come out the same whether a
record was generated or written through the API.
"""

from __future__ import annotations

from typing import Any

from sandbox.core import Draw, GenContext, NumericIds, ObjectSpec
from sandbox.core import words as w
from sandbox.zoho.schema import (
    CATEGORIES,
    CURRENCIES,
    LEAD_SOURCES,
    MODULES,
    PRIORITIES,
    QUOTE_STAGES,
    STAGES,
    TASK_STATUSES,
    UNITS,
    USERS,
    Module,
)
from sandbox.zoho.validate import derive

ID_SPAN = 1_000_000_000  # ids per module within a tenant's range
LINE_OFFSET = 9  # quote line items live in their own id range
_ROLES = ("CEO", "Manager", "Sales Representative", "Sales Representative")


def _tz(ctx: GenContext) -> str:
    return str(ctx.settings.get("tz", "+00:00"))


def _date(draw: Draw, low: int = 2023, high: int = 2026) -> str:
    return f"{draw.between(low, high)}-{draw.between(1, 12):02d}-{draw.between(1, 28):02d}"


def _datetime(draw: Draw, ctx: GenContext) -> str:
    return (
        f"{_date(draw)}T{draw.between(8, 18):02d}:{draw.choice((0, 15, 30, 45)):02d}:00{_tz(ctx)}"
    )


def _currency(draw: Draw, ctx: GenContext) -> str:
    home = str(ctx.settings.get("currency", "USD"))
    return home if draw.chance(80) else draw.choice(CURRENCIES)


def gen_user(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    first, last, *_ = draw.choice(w.PEOPLE)
    domain = f"{ctx.tenant_name}.sandbox.example.com"
    return {
        "first_name": first,
        "last_name": last,
        "email": w.email(first, last, domain, index),
        "role": "CEO" if index == 0 else draw.choice(_ROLES),
        "profile": "Administrator" if index == 0 else "Standard",
        "status": "active",
        "time_zone": str(ctx.settings.get("time_zone", "Etc/UTC")),
    }


def gen_account(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    name, domain, _industry = draw.choice(w.COMPANIES)
    street, city, state, country, _code, postal, prefix = draw.choice(w.ADDRESSES)
    return {
        "Account_Name": name,
        "Account_Number": f"ACC-{index + 10000}",
        "Account_Type": draw.choice(("Customer", "Customer", "Prospect", "Partner", "Reseller")),
        "Industry": draw.choice(
            (
                "Large Enterprise",
                "Small/Medium Enterprise",
                "Systems Integrator",
                "Service Provider",
            )
        ),
        "Phone": w.phone(draw, prefix),
        "Website": f"www.{domain}",
        "Annual_Revenue": float(draw.between(1, 5000) * 10_000),
        "Employees": draw.between(5, 20_000),
        "Billing_Street": street,
        "Billing_City": city,
        "Billing_State": state,
        "Billing_Code": postal,
        "Billing_Country": country,
        "Description": None,
        "Owner": ctx.ref("users", draw),
    }


def gen_contact(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    first, last, salutation, title, department = draw.choice(w.PEOPLE)
    street, city, state, country, _code, postal, prefix = draw.choice(w.ADDRESSES)
    domain = draw.choice(w.COMPANIES)[1]
    return {
        "Salutation": salutation if salutation in ("Mr.", "Mrs.", "Ms.", "Dr.", "Prof.") else None,
        "First_Name": first,
        "Last_Name": last,
        "Email": w.email(first, last, domain, index),
        "Phone": w.phone(draw, prefix),
        "Mobile": w.phone(draw, prefix) if draw.chance(60) else None,
        "Title": title,
        "Department": department,
        "Lead_Source": draw.choice(LEAD_SOURCES),
        "Account_Name": ctx.ref("Accounts", draw) if draw.chance(90) else None,
        "Mailing_Street": street,
        "Mailing_City": city,
        "Mailing_State": state,
        "Mailing_Zip": postal,
        "Mailing_Country": country,
        "Date_of_Birth": _date(draw, 1960, 2000) if draw.chance(40) else None,
        "Email_Opt_Out": draw.chance(10),
        "Description": None,
        "Owner": ctx.ref("users", draw),
    }


def gen_deal(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    quantity = draw.choice((10, 25, 50, 100, 250, 500))
    company = draw.choice(w.COMPANIES)[0].split(" ")[0]
    record = {
        "Deal_Name": f"{company} - {quantity} {draw.choice(w.PRODUCT_NOUNS)}s",
        "Amount": float(quantity * draw.between(5, 400)),
        "Currency": _currency(draw, ctx),
        "Stage": draw.choice(tuple(STAGES)),
        "Closing_Date": _date(draw),
        "Account_Name": ctx.ref("Accounts", draw),
        "Contact_Name": ctx.ref("Contacts", draw) if draw.chance(80) else None,
        "Type": draw.choice(("New Business", "Existing Business")),
        "Lead_Source": draw.choice(LEAD_SOURCES),
        "Next_Step": draw.choice(w.SUBJECTS) if draw.chance(50) else None,
        "Description": None,
        "Owner": ctx.ref("users", draw),
    }
    return derive("Deals", record, None)


def _activity(draw: Draw, ctx: GenContext) -> dict[str, Any]:
    return {
        "Who_Id": ctx.ref("Contacts", draw),
        "What_Id": ctx.ref("Deals", draw),
        "$se_module": "Deals",
        "Description": None,
        "Owner": ctx.ref("users", draw),
    }


def gen_task(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    record = {
        "Subject": draw.choice(w.SUBJECTS),
        "Due_Date": _date(draw),
        "Status": draw.choice(TASK_STATUSES),
        "Priority": draw.choice(PRIORITIES),
        **_activity(draw, ctx),
    }
    record["Closed_Time"] = _datetime(draw, ctx) if record["Status"] == "Completed" else None
    return record


def gen_call(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    return {
        "Subject": f"Call: {draw.choice(w.SUBJECTS)}",
        "Call_Type": draw.choice(("Outbound", "Outbound", "Inbound", "Missed")),
        "Call_Purpose": draw.choice(("Prospecting", "Negotiation", "Demo", "Project")),
        "Call_Start_Time": _datetime(draw, ctx),
        "Call_Duration": f"{draw.between(1, 59):02d}:{draw.between(0, 59):02d}",
        "Call_Result": draw.choice(("Interested", "Not interested", "Requested more info", None)),
        **_activity(draw, ctx),
    }


def gen_event(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    day, hour, tz = _date(draw), draw.between(8, 17), _tz(ctx)
    return {
        "Event_Title": draw.choice(("Demo", "Quarterly business review", "Kick-off", "Site visit")),
        "Start_DateTime": f"{day}T{hour:02d}:00:00{tz}",
        "End_DateTime": f"{day}T{hour + 1:02d}:00:00{tz}",
        "Venue": draw.choice(w.ADDRESSES)[1] if draw.chance(50) else "Video call",
        "All_day": False,
        **_activity(draw, ctx),
    }


def gen_product(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    return {
        "Product_Name": w.product_name(draw),
        "Product_Code": w.sku(draw, index),
        "Product_Active": draw.chance(90),
        "Product_Category": draw.choice(CATEGORIES),
        "Manufacturer": draw.choice(w.COMPANY_WORDS),
        "Unit_Price": draw.money(5, 2000),
        "Usage_Unit": draw.choice(UNITS),
        "Qty_in_Stock": float(draw.between(0, 5000)),
        "Taxable": draw.chance(70),
        "Description": None,
        "Owner": ctx.ref("users", draw),
    }


def gen_quote(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    base = int(ctx.settings["id_base"]) + LINE_OFFSET * ID_SPAN + index * 10
    lines = [
        {
            "id": str(base + k + 1),
            "product": ctx.ref("Products", draw),
            "quantity": float(draw.choice((1, 2, 5, 10, 20, 50))),
            "list_price": draw.money(5, 2000),
            "Discount": 0.0,
            "product_description": None,
        }
        for k in range(draw.between(1, 3))
    ]
    record = {
        "Subject": f"Quote for {draw.choice(w.COMPANIES)[0]}",
        "Quote_Number": f"QT-{index + 1:06d}",
        "Quote_Stage": draw.choice(QUOTE_STAGES),
        "Valid_Till": _date(draw, 2024, 2026),
        "Deal_Name": ctx.ref("Deals", draw),
        "Contact_Name": ctx.ref("Contacts", draw),
        "Account_Name": ctx.ref("Accounts", draw),
        "Currency": _currency(draw, ctx),
        "Product_Details": lines,
        "Discount": float(draw.choice((0, 0, 25, 100))),
        "Tax": 0.0,
        "Adjustment": 0.0,
        "Billing_City": draw.choice(w.ADDRESSES)[1],
        "Billing_Country": draw.choice(w.ADDRESSES)[3],
        "Terms_and_Conditions": "Payment due within 30 days",
        "Description": None,
        "Owner": ctx.ref("users", draw),
    }
    return derive("Quotes", record, None)


GENERATORS = {
    "Accounts": gen_account,
    "Contacts": gen_contact,
    "Deals": gen_deal,
    "Tasks": gen_task,
    "Calls": gen_call,
    "Events": gen_event,
    "Products": gen_product,
    "Quotes": gen_quote,
}


def build_objects(id_base: int) -> list[ObjectSpec]:
    """The specs of one org; `id_base` gives its records ids of their own."""

    def spec(module: Module) -> ObjectSpec:
        return ObjectSpec(
            name=module.api_name,
            fields=module.fields,
            generate=GENERATORS[module.api_name],
            ids=NumericIds(id_base + module.offset * ID_SPAN),
            default_scale=module.scale,
            label=module.singular,
            label_plural=module.plural,
            entity=module.entity,
        )

    users = ObjectSpec(
        "users",
        USERS,
        gen_user,
        NumericIds(id_base),
        default_scale=12,
        label="User",
        label_plural="Users",
        writable=False,
        deletable=False,
    )
    return [users, *(spec(m) for m in MODULES)]
