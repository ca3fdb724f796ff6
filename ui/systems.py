"""One place for how systems, entities and health look: labels, colours, symbols, badges.

Colour is never the only signal: every system also has a short name shown in
its badge and a marker symbol and line dash in charts; every health state has
an icon and a word.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from core.models import Entity, System
from core.schemas import Health


@dataclass(frozen=True)
class SystemStyle:
    label: str
    short: str
    colour: str
    text_colour: str
    symbol: str  # plotly marker symbol
    dash: str  # plotly line dash


# fmt: off
SYSTEMS: dict[System, SystemStyle] = {
    System.SAP: SystemStyle("SAP S/4HANA Cloud", "SAP", "#0A6ED1", "#ffffff", "circle", "solid"),
    System.ODOO: SystemStyle("Odoo", "Odoo", "#714B67", "#ffffff", "square", "dot"),
    System.ORACLE: SystemStyle(
        "Oracle Fusion Cloud ERP", "Oracle", "#C74634", "#ffffff", "diamond", "dash"
    ),
    System.SALESFORCE: SystemStyle(
        "Salesforce", "Salesforce", "#0B7FBF", "#ffffff", "triangle-up", "longdash"
    ),
    System.HUBSPOT: SystemStyle("HubSpot", "HubSpot", "#FF7A59", "#1f2937", "star", "dashdot"),
    System.ZOHO: SystemStyle("Zoho CRM", "Zoho", "#E0A800", "#1f2937", "cross", "longdashdot"),
    System.PIPEDRIVE: SystemStyle("Pipedrive", "Pipedrive", "#1F8A4C", "#ffffff", "x", "solid"),
}
# fmt: on

ENTITY_COLOURS: dict[Entity, str] = {
    Entity.PRODUCT: "#0f766e",
    Entity.ORDER: "#2563eb",
    Entity.INVENTORY: "#7c3aed",
    Entity.QUOTE: "#db2777",
    Entity.CUSTOMER: "#ea580c",
    Entity.CONTACT: "#0891b2",
    Entity.OPPORTUNITY: "#65a30d",
    Entity.ACTIVITY: "#a16207",
    Entity.ACCOUNT: "#475569",
}


@dataclass(frozen=True)
class HealthStyle:
    word: str
    icon: str  # a Streamlit material icon
    colour: str  # a Streamlit markdown colour name


HEALTH: dict[Health, HealthStyle] = {
    Health.HEALTHY: HealthStyle("Healthy", ":material/check_circle:", "green"),
    Health.SYNCING: HealthStyle("Syncing", ":material/sync:", "blue"),
    Health.WARNING: HealthStyle("Needs attention", ":material/warning:", "orange"),
    Health.FAILING: HealthStyle("Failing", ":material/error:", "red"),
    Health.NEEDS_RECONNECT: HealthStyle("Needs reconnecting", ":material/key_off:", "red"),
    Health.DISABLED: HealthStyle("Disabled", ":material/pause_circle:", "gray"),
    Health.NEVER_SYNCED: HealthStyle("Not synced yet", ":material/schedule:", "gray"),
}


def style_of(system: System | str | None) -> SystemStyle | None:
    try:
        return SYSTEMS[System(system)] if system is not None else None
    except ValueError:
        return None


def label(system: System | str | None) -> str:
    style = style_of(system)
    return style.label if style else str(system or "—")


def short(system: System | str | None) -> str:
    style = style_of(system)
    return style.short if style else str(system or "—")


def colour(system: System | str | None) -> str:
    style = style_of(system)
    return style.colour if style else "#64748b"


def text_colour(system: System | str | None) -> str:
    style = style_of(system)
    return style.text_colour if style else "#ffffff"


def badge_html(system: System) -> str:
    """A coloured pill carrying the system's short name (readable without colour)."""
    style = SYSTEMS[system]
    return (
        f'<span class="tp-badge" style="background:{style.colour};color:{style.text_colour}" '
        f'title="{html.escape(style.label)}">{html.escape(style.short)}</span>'
    )


def health_markdown(health: Health) -> str:
    """Icon, word and colour of a health state, as Streamlit markdown."""
    style = HEALTH[health]
    return f":{style.colour}-badge[{style.icon} {style.word}]"


def entity_label(entity: Entity | str | None) -> str:
    if entity is None:
        return "—"
    return str(entity.value if isinstance(entity, Entity) else entity).capitalize()
