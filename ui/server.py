"""The dashboard's ASGI app: Streamlit's own server for streamlit_app.py, plus the
seed's demo address.

`streamlit run ui/server.py` (what `toothpick up` runs) finds `app` and serves it.
Streamlit page paths cannot nest, so the demo page lives at /demo and this app
redirects the seed's /demo/integrations there.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Route
from streamlit.runtime.pages_manager import PagesManager

ENTRYPOINT = Path(__file__).resolve().parents[1] / "streamlit_app.py"
SEED_DEMO_PATH = "/demo/integrations"


async def to_demo(request: Request) -> RedirectResponse:
    path = request.url.path.rstrip("/")
    prefix = path[: -len(SEED_DEMO_PATH)] if path.endswith(SEED_DEMO_PATH) else ""
    query = f"?{request.url.query}" if request.url.query else ""
    return RedirectResponse(f"{prefix}/demo{query}", status_code=307)


# Streamlit treats a `pages/` folder beside the entry point as old-style (v1) pages
# until some session has run st.navigation, so a deep link such as /logs opened
# first after a start would bypass the frame. Our entry point always navigates;
# say so up front, exactly as st.navigation itself does on its first run.
PagesManager.uses_pages_directory = False

app = st.App(
    ENTRYPOINT,
    routes=[Route(SEED_DEMO_PATH, to_demo), Route(SEED_DEMO_PATH + "/", to_demo)],
)
