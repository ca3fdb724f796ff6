"""The simulated Salesforce objects and how their base records are generated."""

from __future__ import annotations

from typing import Any

from sandbox.core import Draw, GenContext, ObjectSpec
from sandbox.core import words as w
from sandbox.salesforce import fields as f
from sandbox.salesforce.ids import SalesforceIds

KEY_PREFIXES = {
    "User": "005",
    "Account": "001",
    "Contact": "003",
    "Opportunity": "006",
    "Task": "00T",
    "Event": "00U",
    "Product2": "01t",
    "Quote": "0Q0",
    "Order": "801",
}


ACCOUNT_TYPES = f.ACCOUNT[1].options


def _currency(draw: Draw, ctx: GenContext) -> str:
    home = str(ctx.settings.get("currency", "USD"))
    return home if draw.chance(80) else draw.choice(f.CURRENCIES)


def _date(draw: Draw, year_low: int = 2023, year_high: int = 2026) -> str:
    return (
        f"{draw.between(year_low, year_high)}-{draw.between(1, 12):02d}-{draw.between(1, 28):02d}"
    )


def _owner(draw: Draw, ctx: GenContext) -> str | None:
    return ctx.ref("User", draw)


def gen_user(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    first, last, _salutation, title, department = draw.choice(w.PEOPLE)
    domain = f"{ctx.tenant_name}.sandbox.example.com"
    return {
        "Username": f"{first.lower()}.{last.lower()}{index}@{domain}",
        "FirstName": first,
        "LastName": last,
        "Email": w.email(first, last, domain, index),
        "Alias": (first[:1] + last[:4]).lower(),
        "Title": title,
        "Department": department,
        "IsActive": index == 0 or draw.chance(90),
        "TimeZoneSidKey": "America/Los_Angeles" if draw.chance(60) else "Europe/Madrid",
    }


def gen_account(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    name, domain, industry = draw.choice(w.COMPANIES)
    street, city, state, country, _code, postal, phone_prefix = draw.choice(w.ADDRESSES)
    return {
        "Name": name,
        "Type": draw.choice(ACCOUNT_TYPES),
        "Industry": industry,
        "AccountNumber": f"CD{index + 100000}",
        "Phone": w.phone(draw, phone_prefix),
        "Website": f"https://www.{domain}",
        "BillingStreet": street,
        "BillingCity": city,
        "BillingState": state,
        "BillingPostalCode": postal,
        "BillingCountry": country,
        "AnnualRevenue": float(draw.between(1, 5000) * 10_000),
        "NumberOfEmployees": draw.between(5, 20_000),
        "CurrencyIsoCode": _currency(draw, ctx),
        "Description": None,
        "OwnerId": _owner(draw, ctx),
    }


def gen_contact(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    first, last, salutation, title, department = draw.choice(w.PEOPLE)
    street, city, state, country, _code, postal, phone_prefix = draw.choice(w.ADDRESSES)
    domain = draw.choice(w.COMPANIES)[1]
    return {
        "AccountId": ctx.ref("Account", draw),
        "Salutation": salutation,
        "FirstName": first,
        "LastName": last,
        "Title": title,
        "Department": department,
        "Email": f"{first.lower()}.{last.lower()}{index}@{domain}",
        "Phone": w.phone(draw, phone_prefix),
        "MobilePhone": w.phone(draw, phone_prefix) if draw.chance(60) else None,
        "MailingStreet": street,
        "MailingCity": city,
        "MailingState": state,
        "MailingPostalCode": postal,
        "MailingCountry": country,
        "LeadSource": draw.choice(f.LEAD_SOURCES),
        "CurrencyIsoCode": _currency(draw, ctx),
        "Description": None,
        "OwnerId": _owner(draw, ctx),
    }


def stage_fields(stage: str) -> dict[str, Any]:
    """Fields Salesforce derives from the stage (probability, forecast, closed/won)."""
    _name, probability, forecast = f.STAGE_INFO.get(stage, (stage, 10, "Pipeline"))
    return {
        "Probability": float(probability),
        "ForecastCategoryName": forecast,
        "IsClosed": stage.startswith("Closed"),
        "IsWon": stage == "Closed Won",
    }


def gen_opportunity(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    stage = draw.choice(f.STAGE_NAMES)
    quantity = draw.choice((10, 25, 50, 100, 250, 500, 1000))
    company = draw.choice(w.COMPANIES)[0]
    record = {
        "AccountId": ctx.ref("Account", draw),
        "ContactId": ctx.ref("Contact", draw),
        "Name": f"{company.split(' ')[0]} - {quantity} {draw.choice(w.PRODUCT_NOUNS)}s",
        "StageName": stage,
        "Amount": float(quantity * draw.between(5, 400)),
        "CloseDate": _date(draw, 2023, 2026),
        "Type": draw.choice(f.OPPORTUNITY[7].options),
        "LeadSource": draw.choice(f.LEAD_SOURCES),
        "NextStep": draw.choice(w.SUBJECTS) if draw.chance(50) else None,
        "CurrencyIsoCode": _currency(draw, ctx),
        "Description": None,
        "OwnerId": _owner(draw, ctx),
    }
    record.update(stage_fields(stage))
    return record


def gen_task(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    status = draw.choice(f.TASK[1].options)
    subtype = draw.choice(("Task", "Task", "Call", "Email"))
    return {
        "Subject": draw.choice(w.SUBJECTS) if subtype == "Task" else subtype,
        "Status": status,
        "Priority": draw.choice(("High", "Normal", "Normal", "Low")),
        "ActivityDate": _date(draw, 2023, 2026),
        "WhoId": ctx.ref("Contact", draw),
        "WhatId": ctx.ref("Opportunity", draw),
        "TaskSubtype": subtype,
        "IsClosed": status == "Completed",
        "Description": None,
        "OwnerId": _owner(draw, ctx),
    }


def gen_event(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    day = _date(draw, 2023, 2026)
    hour = draw.between(8, 17)
    minutes = draw.choice((30, 60, 60, 90))
    end_hour, end_minute = divmod(hour * 60 + minutes, 60)
    city = draw.choice(w.ADDRESSES)[1]
    return {
        "Subject": draw.choice(("Meeting", "Meeting", "Call", "Other")),
        "StartDateTime": f"{day}T{hour:02d}:00:00.000+0000",
        "EndDateTime": f"{day}T{end_hour:02d}:{end_minute:02d}:00.000+0000",
        "DurationInMinutes": minutes,
        "ActivityDate": day,
        "Location": city if draw.chance(50) else "Video call",
        "ShowAs": "Busy",
        "WhoId": ctx.ref("Contact", draw),
        "WhatId": ctx.ref("Opportunity", draw),
        "Description": None,
        "OwnerId": _owner(draw, ctx),
    }


def gen_product(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    sku = w.sku(draw, index)
    return {
        "Name": w.product_name(draw),
        "ProductCode": sku,
        "StockKeepingUnit": sku,
        "Description": None,
        "Family": draw.choice(f.PRODUCT2[4].options),
        "IsActive": draw.chance(90),
        "QuantityUnitOfMeasure": draw.choice(f.PRODUCT2[6].options),
        "CurrencyIsoCode": _currency(draw, ctx),
    }


def gen_quote(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    subtotal = float(draw.between(10, 5000) * 20)
    discount = float(draw.choice((0, 0, 5, 10, 15)))
    total = round(subtotal * (100 - discount) / 100, 2)
    tax = round(total * 0.1, 2)
    shipping = float(draw.choice((0, 25, 50, 120)))
    return {
        "Name": f"Q-{index + 1:05d} {draw.choice(w.PRODUCT_NOUNS)} supply",
        "QuoteNumber": f"{index + 1:08d}",
        "OpportunityId": ctx.ref("Opportunity", draw),
        "AccountId": ctx.ref("Account", draw),
        "ContactId": ctx.ref("Contact", draw),
        "Status": draw.choice(f.QUOTE[5].options),
        "ExpirationDate": _date(draw, 2024, 2026),
        "Subtotal": subtotal,
        "Discount": discount,
        "TotalPrice": total,
        "Tax": tax,
        "ShippingHandling": shipping,
        "GrandTotal": round(total + tax + shipping, 2),
        "CurrencyIsoCode": _currency(draw, ctx),
        "Email": None,
        "Phone": None,
        "Description": None,
    }


def gen_order(draw: Draw, index: int, ctx: GenContext) -> dict[str, Any]:
    place = draw.choice(w.ADDRESSES)
    return {
        "AccountId": ctx.ref("Account", draw),
        "OrderNumber": f"{index + 100:08d}",
        "EffectiveDate": _date(draw, 2023, 2025),
        "Status": "Activated" if draw.chance(70) else "Draft",
        "Type": draw.choice(("New", "New", "Renewal", "Replacement")),
        "PoNumber": f"PO-{draw.digits(6)}",
        "TotalAmount": draw.money(100, 250_000),
        "BillingCity": place[1],
        "BillingCountry": place[3],
        "CurrencyIsoCode": _currency(draw, ctx),
        "Description": None,
        "OwnerId": _owner(draw, ctx),
    }


def build_objects(pod: str) -> list[ObjectSpec]:
    """The object specs of one org; `pod` makes its ids its own."""

    def spec(
        name: str,
        fields: tuple[Any, ...],
        gen: Any,
        scale: int,
        label: str,
        plural: str,
        entity: str | None,
        writable: bool = True,
    ) -> ObjectSpec:
        return ObjectSpec(
            name=name,
            fields=fields,
            generate=gen,
            ids=SalesforceIds(KEY_PREFIXES[name], pod),
            default_scale=scale,
            label=label,
            label_plural=plural,
            entity=entity,
            writable=writable,
            deletable=writable,
        )

    return [
        spec("User", f.USER, gen_user, 20, "User", "Users", None, writable=False),
        spec("Account", f.ACCOUNT, gen_account, 200, "Account", "Accounts", "account"),
        spec("Contact", f.CONTACT, gen_contact, 500, "Contact", "Contacts", "contact"),
        spec(
            "Opportunity",
            f.OPPORTUNITY,
            gen_opportunity,
            300,
            "Opportunity",
            "Opportunities",
            "opportunity",
        ),
        spec("Task", f.TASK, gen_task, 400, "Task", "Tasks", "activity"),
        spec("Event", f.EVENT, gen_event, 200, "Event", "Events", "activity"),
        spec("Product2", f.PRODUCT2, gen_product, 120, "Product", "Products", None),
        spec("Quote", f.QUOTE, gen_quote, 150, "Quote", "Quotes", "quote"),
        spec("Order", f.ORDER, gen_order, 200, "Order", "Orders", None),
    ]
