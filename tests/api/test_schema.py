"""Schemathesis against the OpenAPI document: no server error, no response that breaks
the schema, only documented status codes and content types, for every operation.

Driven by hand over the operations (schemathesis' pytest plugin does not run under
pytest 9). The two operations that call a vendor with the generated form values
(test credentials, connect with a test first) are left out: they would go to the
network; tests/api/test_connections.py covers them against the memory vendor.
"""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from core.models import Role
from core.schemas import ApiKeyCreate
from core.service import IntegrationService
from tests.api.conftest import bearer
from tests.core.service_support import ORG

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
CALLS_A_VENDOR = {("POST", "/api/integrations/test"), ("POST", "/api/integrations")}


def test_every_operation_keeps_its_schema() -> None:
    service = IntegrationService.open()
    try:
        token = service.access.create_key(ORG, ApiKeyCreate(name="fuzz", role=Role.ADMIN)).token
        schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(service))
        tested = []
        for result in schema.get_all_operations():
            operation = result.ok()  # type: ignore[union-attr]
            if (operation.method.upper(), operation.path) in CALLS_A_VENDOR:
                continue

            @given(case=operation.as_strategy())
            @settings(
                max_examples=15,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def check(case: schemathesis.Case[Any]) -> None:
                response = case.call(headers=bearer(token))
                case.validate_response(response, checks=CHECKS)

            check()
            tested.append((operation.method.upper(), operation.path))
        assert len(tested) >= 25
    finally:
        service.close()
