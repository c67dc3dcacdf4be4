"""Schemathesis over the permit operations in /api/v1/openapi.json, anonymous and as each role:
no 5xx, and every documented response matches its schema."""

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import DataGenerationMethod
from schemathesis.checks import not_a_server_error, response_schema_conformance

from citizen_app.identity.models import ROLES

MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))


@pytest.fixture
def api_schema(app):
    app.config["RATELIMIT_ENABLED"] = False
    from citizen_app.extensions import limiter

    limiter.enabled = False
    yield schemathesis.from_wsgi(
        "/api/v1/openapi.json", app,
        data_generation_methods=[DataGenerationMethod.positive, DataGenerationMethod.negative],
    )
    limiter.enabled = True


@pytest.fixture
def role_headers(make_user, auth_headers):
    headers = {"anonymous": {}}
    for role in ROLES:
        headers[role] = auth_headers(make_user(role))
    return headers


schema = schemathesis.from_pytest_fixture("api_schema")


@schema.parametrize(endpoint="permits")
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_schema(case, role_headers):
    for headers in role_headers.values():
        case.call_and_validate(headers={**(case.headers or {}), **headers},
                               checks=(not_a_server_error, response_schema_conformance))
