"""service.access: API keys, users and live sessions (admins only), and signing in for a
session; a session's own holder may sign out, here or everywhere."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response

from api.deps import Admin, ServiceDep, Viewer
from api.problems import PROBLEM_RESPONSES
from api.schemas import ListOf
from core.models import Identifier
from core.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyPublic,
    SessionCreate,
    SessionIssued,
    SessionPublic,
    UserCreate,
    UserPublic,
)

router = APIRouter(tags=["access"], responses=PROBLEM_RESPONSES)


@router.get("/api/keys")
def list_keys(service: ServiceDep, caller: Admin) -> ListOf[ApiKeyPublic]:
    found = service.access.list_keys(caller.organisation_id)
    return ListOf(data=found, count=len(found))


@router.post("/api/keys", status_code=201)
def create_key(form: ApiKeyCreate, service: ServiceDep, caller: Admin) -> ApiKeyCreated:
    """The answer carries the token once; only its hash is stored."""
    return service.access.create_key(caller.organisation_id, form)


@router.delete("/api/keys/{key_id}", status_code=204)
def revoke_key(key_id: Identifier, service: ServiceDep, caller: Admin) -> Response:
    service.access.revoke_key(caller.organisation_id, key_id)
    return Response(status_code=204)


@router.get("/api/users")
def list_users(service: ServiceDep, caller: Admin) -> ListOf[UserPublic]:
    found = service.access.list_users(caller.organisation_id)
    return ListOf(data=found, count=len(found))


@router.post("/api/users", status_code=201)
def create_user(form: UserCreate, service: ServiceDep, caller: Admin) -> UserPublic:
    """A built-in user (password hashed with argon2id) who can sign in for a session."""
    return service.access.create_user(caller.organisation_id, form)


@router.delete("/api/users/{user_id}", status_code=204)
def disable_user(user_id: Identifier, service: ServiceDep, caller: Admin) -> Response:
    """The user can no longer sign in; their open sessions stop working at once."""
    service.access.disable_user(caller.organisation_id, user_id)
    return Response(status_code=204)


@router.post("/api/sessions", status_code=201)
def sign_in(form: SessionCreate, service: ServiceDep) -> SessionIssued:
    """Trade a built-in user's name and password for a bearer token that expires
    (TOOTHPICK_SESSION_TTL_MINUTES). A wrong name or password is a bare 401."""
    issued = service.access.sign_in(form)
    if issued is None:
        raise HTTPException(401, headers={"WWW-Authenticate": "Bearer"})
    return issued


@router.get("/api/sessions")
def list_sessions(
    service: ServiceDep, caller: Admin, user_id: Identifier | None = None
) -> ListOf[SessionPublic]:
    """Live sessions of the organisation (or of one user), newest first; never their tokens."""
    found = service.access.list_sessions(caller.organisation_id, user_id)
    return ListOf(data=found, count=len(found))


@router.delete("/api/sessions/{session_id}", status_code=204)
def revoke_session(session_id: Identifier, service: ServiceDep, caller: Admin) -> Response:
    """End one session at once; the user's other sessions go on."""
    service.access.revoke_session(caller.organisation_id, session_id)
    return Response(status_code=204)


@router.post("/api/users/{user_id}/sign-out", status_code=204)
def sign_user_out(user_id: Identifier, service: ServiceDep, caller: Admin) -> Response:
    """End every session of one user (they may sign in again)."""
    service.access.sign_out_everywhere(caller.organisation_id, user_id)
    return Response(status_code=204)


@router.post(
    "/api/sessions/sign-out",
    status_code=204,
    responses={400: {**PROBLEM_RESPONSES[401], "description": "Not a session token"}},
)
def sign_out(service: ServiceDep, caller: Viewer, everywhere: bool = False) -> Response:
    """End the session this request carries, or (`everywhere=true`) all of its user's."""
    if caller.session_id is None or not caller.key_id.startswith("user:"):
        raise HTTPException(400, "Only a session token can sign out; revoke an API key instead.")
    if everywhere:
        service.access.sign_out_everywhere(caller.organisation_id, caller.key_id[len("user:") :])
    else:
        service.access.revoke_session(caller.organisation_id, caller.session_id)
    return Response(status_code=204)
