"""The REST API (FastAPI): one router per service area, every route scoped to the caller.

    uvicorn --factory api.app:create_app     # or `toothpick up` / `toothpick api`

Layout, after FastAPI's full-stack template: `app.py` builds the app,
`deps.py` holds the `Annotated` dependencies (service, caller, roles),
`problems.py` turns every error into RFC 9457 problem details, `limits.py`
bounds bodies and rates, `schemas.py` holds the API's own request/response
models, and `routers/` mirrors core/services/ one to one.
"""
