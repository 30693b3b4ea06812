"""Every API endpoint fuzzed against its own OpenAPI schema (schemathesis), in `make test`.

The schema is the one `/api/v1/schema/` serves (drf-spectacular's generator). Each operation
gets API_FUZZ_EXAMPLES generated requests (bounded, so the suite stays quick; raise it for a
longer search), sent in-process to the portal's WSGI application with a real token, against
the real MOA:

- with a read-only token: every write is refused with 403, and nothing is saved;
- as a user of a party not on the MOA (read-and-write token): no write changes anything (a
  write of their own, marking their notifications read, has none to mark);
- as DOC staff with a read-and-write token (writes go through);
and in every case no 500, and every answer one the schema documents, with the documented
content type, headers and body.
"""

from __future__ import annotations

import hashlib
import os
from urllib.parse import unquote

import pytest
import schemathesis
from django.contrib.auth.models import Group
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from drf_spectacular.generators import SchemaGenerator
from hypothesis import settings
from schemathesis import checks as st_checks

from activities.models import FollowUpAction, Meeting, Milestone, OutreachEvent, ProgressUpdate
from agreements.models import Agreement, Commitment, Section
from api.models import AccessToken
from contacts.models import PointOfContact
from notifications.models import Notification

from .conftest import make_token

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Every table an API write can change.
WRITTEN = (
    ProgressUpdate,
    Commitment,
    PointOfContact,
    Notification,
    Milestone,
    Meeting,
    Meeting.attendee_users.through,
    Meeting.attendee_contacts.through,
    Meeting.items.through,
    FollowUpAction,
    OutreachEvent,
    OutreachEvent.items.through,
    Agreement,
    Section,
)


def _snapshot() -> str:
    """A digest of every row an API write can change."""
    digest = hashlib.sha256()
    for model in WRITTEN:
        for row in model.objects.order_by("pk").values_list():
            # A binary column (a notice's attachment) comes as a memoryview, whose repr is its address.
            digest.update(repr([bytes(v) if isinstance(v, memoryview) else v for v in row]).encode())
    digest.update(repr(list(Group.objects.order_by("pk").values_list("pk", "name"))).encode())
    return digest.hexdigest()


def _routed(path: str) -> bool:
    try:
        resolve(unquote(path))
    except Resolver404:
        return False
    return True


@pytest.fixture
def wsgi_app():
    """The portal's WSGI application, keeping the test's database connection between requests
    (as Django's test client does): otherwise the end of each request would close it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield WSGIHandler()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(moa, doc, doc_staff, outsider):
    """The MOA with a progress update, a milestone, a meeting, an outreach event and a
    notification to aim at."""
    from activities.tests.factories import (
        MeetingFactory,
        MilestoneFactory,
        OutreachEventFactory,
        ProgressUpdateFactory,
    )
    from notifications.tests.factories import NotificationFactory

    item = moa.commitments.filter(lead_parties=doc).first()
    ProgressUpdateFactory(commitment=item, reporting_party=doc, author=doc_staff, as_of=moa.executed_on)
    MilestoneFactory(commitment=item, owner_user=doc_staff, due_on=moa.executed_on)
    MeetingFactory(agreement=moa, organiser=doc_staff)
    OutreachEventFactory(agreement=moa, organising_party=doc, created_by=doc_staff)
    NotificationFactory(user=doc_staff, agreement=moa)
    return {
        "staff": make_token(doc_staff, AccessToken.Scope.READ_WRITE),
        "read_only": make_token(doc_staff, AccessToken.Scope.READ),
        "outsider": make_token(outsider, AccessToken.Scope.READ_WRITE),
    }


# The schema /api/v1/schema/ serves, built when the tests are collected: one test per operation.
schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))

CONFORMANCE = [
    st_checks.not_a_server_error,
    st_checks.status_code_conformance,
    st_checks.content_type_conformance,
    st_checks.response_schema_conformance,
]


@schema.parametrize()
@settings(max_examples=EXAMPLES)
def test_every_endpoint_keeps_its_schema_and_refuses_writes_without_the_right(case, fuzz_world, wsgi_app):
    """One test per operation (the MOA is loaded once for all three users' requests)."""
    sent = case.method.upper()
    # Schemathesis also sends methods an operation does not take: refused with 405 (or 403 first).
    refusals = (403,) if sent == case.operation.method.upper() else (403, 405)
    if not _routed(case.formatted_path):
        refusals = (*refusals, 404)  # an address no route takes (an id "0.5") never reaches a view
    # A body no parser reads (a multipart without its boundary, a text/plain body) is refused
    # before any view: 400 or 415. Every well-formed write of a read-only token is a 403 (above
    # the parsers), which api/tests/test_writes.py checks endpoint by endpoint.
    refusals = (*refusals, 400, 415)
    if sent in WRITES:
        before = _snapshot()
        read_only = case.call(app=wsgi_app, headers={"Authorization": f"Bearer {fuzz_world['read_only']}"})
        assert read_only.status_code in refusals, f"a read-only token's {sent}: {read_only.status_code}"
        outsider = case.call(app=wsgi_app, headers={"Authorization": f"Bearer {fuzz_world['outsider']}"})
        case.validate_response(outsider, checks=CONFORMANCE)
        assert outsider.status_code in (200, 404, 409, 428, *refusals), outsider.status_code
        assert _snapshot() == before, f"a {case.method} without the right changed a record"
    response = case.call(app=wsgi_app, headers={"Authorization": f"Bearer {fuzz_world['staff']}"})
    case.validate_response(response, checks=CONFORMANCE)
