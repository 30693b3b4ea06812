"""Every named URL of the portal × every kind of user, against the answer it must give.

The URL list comes from the URL configuration itself, so a URL added without a row in
EXPECTED fails `test_every_url_has_an_expected_row`. To add a row: one line in EXPECTED,
`"namespace:name": row(kwargs, "anonymous doc_staff dhs_staff manager admin outsider")`,
where kwargs is None or a function of the loaded objects `o` returning the URL kwargs
(see `MatrixObjects` and the small functions above EXPECTED; add a field to MatrixObjects
and its fixture when a URL needs an object it does not have yet).

Answers: 200, 403, 404, 405, `login` (302 to the sign-in page) or `redirect` (302 elsewhere).
"manager" is a DOC manager, "admin" a DOC admin, "outsider" a staff user of a party that is
not on the MOA. Its "create" pages answer 200 with no agreement to choose from.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import AbstractUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from activities.models import Evidence, Meeting, Milestone, OutreachEvent, ProgressUpdate
from activities.tests.factories import (
    MeetingFactory,
    MilestoneFactory,
    OutreachEventFactory,
    ProgressUpdateFactory,
)
from agreements import lifecycle
from agreements.models import Agreement, Commitment, DraftUpload, Modification, Party
from compliance.models import CalendarFeedToken
from contacts.models import PointOfContact

LOGIN = "302 to login"
REDIRECT = "302 elsewhere"
WHO = ("anonymous", "doc_staff", "dhs_staff", "manager", "admin", "outsider")
# URL namespaces that are not the portal's own pages.
NOT_OURS = {"admin"}


@dataclass
class MatrixObjects:
    """The records URL kwargs point at: all from the real MOA, plus the matrix's users."""

    moa: Agreement
    doc: Party
    dhs: Party
    doc_contact: PointOfContact
    dhs_contact: PointOfContact
    doc_item: Commitment
    doc_staff: AbstractUser
    dhs_staff: AbstractUser
    doc_update: ProgressUpdate  # by doc_staff, on doc_item, within its 24-hour edit window
    doc_milestone: Milestone
    meeting: Meeting
    event: OutreachEvent
    evidence: Evidence  # attached to doc_update
    feed_token: CalendarFeedToken  # doc_staff's
    draft_upload: DraftUpload  # an agreement file the DOC admin uploaded, not yet confirmed
    modification: Modification  # proposed on the MOA by the DOC admin, awaiting both parties


@dataclass(frozen=True)
class Row:
    kwargs: Callable[[MatrixObjects], dict[str, Any]]
    answers: dict[str, int | str]


TOKENS = {"login": LOGIN, "redirect": REDIRECT}


def row(kwargs: Callable[[MatrixObjects], dict[str, Any]] | None, answers: str) -> Row:
    """`answers`: one token per kind of user in WHO order, e.g. "login 200 200 200 200 404"."""
    tokens = answers.split()
    assert len(tokens) == len(WHO), f"a row gives one answer for each of {WHO}"
    parsed = [TOKENS[t] if t in TOKENS else int(t) for t in tokens]
    return Row(kwargs or (lambda o: {}), dict(zip(WHO, parsed, strict=True)))


# URL kwargs, from the loaded objects.
def moa(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.moa.slug}


def doc_item(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.moa.slug, "code": o.doc_item.code}


def doc_contact(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.doc_contact.pk}


def doc_staff_user(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.doc_staff.pk}


def doc_contact_history(o: MatrixObjects) -> dict[str, Any]:
    return {"model": "contact", "pk": o.doc_contact.pk}


def bad_reset_token(o: MatrixObjects) -> dict[str, Any]:
    return {"uidb64": "MQ", "token": "not-a-token"}


def doc_update(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.doc_update.pk}


def doc_milestone(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.doc_milestone.pk}


def meeting(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.meeting.pk}


def event(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.event.pk}


def evidence(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.evidence.pk}


def draft_upload(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.draft_upload.pk}


def modification(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.moa.slug, "number": o.modification.number}


def summary_csv(o: MatrixObjects) -> dict[str, Any]:
    return {"what": "summary", "fmt": "csv"}


def feed_token(o: MatrixObjects) -> dict[str, Any]:
    return {"token": o.feed_token.token}


# fmt: off
EXPECTED: dict[str, Row] = {
    # url name                 kwargs                   anonymous doc_staff dhs_staff manager admin outsider
    "home":                    row(None,                "login 200 200 200 200 200"),
    "login":                   row(None,                "200   200 200 200 200 200"),
    "logout":                  row(None,                "login 405 405 405 405 405"),
    "password_reset":          row(None,                "200   200 200 200 200 200"),
    "password_reset_done":     row(None,                "200   200 200 200 200 200"),
    "password_reset_confirm":  row(bad_reset_token,     "200   200 200 200 200 200"),
    "password_reset_complete": row(None,                "200   200 200 200 200 200"),
    "password_change":         row(None,                "login 200 200 200 200 200"),
    "password_change_done":    row(None,                "login 200 200 200 200 200"),
    "agreements:list":         row(None,                "login 200 200 200 200 200"),
    "agreements:detail":       row(moa,                 "login 200 200 200 200 404"),
    "activities:commitment":   row(doc_item,            "login 200 200 200 200 404"),
    "contacts:list":           row(None,                "login 200 200 200 200 200"),
    "contacts:create":         row(None,                "login 403 403 403 200 403"),
    "contacts:edit":           row(doc_contact,         "login 403 403 403 200 404"),
    "contacts:deactivate":     row(doc_contact,         "login 403 403 403 200 404"),
    "audit:contact_history":   row(doc_contact,         "login 403 403 403 200 404"),
    "people:list":             row(None,                "login 403 403 403 200 403"),
    "people:create":           row(None,                "login 403 403 403 200 403"),
    "people:edit":             row(doc_staff_user,      "login 403 403 403 200 403"),
    "people:unlock":           row(doc_staff_user,      "login 403 403 403 405 403"),
    "audit:log":               row(None,                "login 403 403 403 200 403"),
    "audit:object_history":    row(doc_contact_history, "login 403 403 403 200 403"),
    "activities:item_list":    row(None,                "login 200 200 200 200 200"),
    "activities:update_list":  row(None,                "login 200 200 200 200 200"),
    "activities:update_create": row(doc_item,           "login 200 403 200 200 404"),
    "activities:update_edit":  row(doc_update,          "login 200 403 403 403 404"),
    "activities:milestone_create": row(doc_item,        "login 200 403 200 200 404"),
    "activities:milestone_complete": row(doc_milestone, "login 405 405 405 405 405"),
    "activities:meeting_list": row(None,                "login 200 200 200 200 200"),
    "activities:meeting_create": row(None,              "login 200 200 200 200 200"),
    "activities:meeting_detail": row(meeting,           "login 200 200 200 200 404"),
    "activities:meeting_edit": row(meeting,             "login 200 200 200 200 404"),
    "activities:meeting_evidence": row(meeting,         "login 405 405 405 405 405"),
    "activities:event_list":   row(None,                "login 200 200 200 200 200"),
    "activities:event_create": row(None,                "login 200 200 200 200 200"),
    "activities:event_detail": row(event,               "login 200 200 200 200 404"),
    "activities:event_edit":   row(event,               "login 200 200 200 200 404"),
    "activities:event_evidence": row(event,             "login 405 405 405 405 405"),
    "activities:evidence_download": row(evidence,       "login 200 200 200 200 404"),
    "compliance:dashboard":    row(None,                "login 403 403 200 200 403"),
    "compliance:export":       row(summary_csv,         "login 403 403 200 200 403"),
    "compliance:report":       row(None,                "login 403 403 200 200 403"),
    "compliance:calendar":     row(None,                "login 200 200 200 200 200"),
    "compliance:calendar_regenerate": row(None,         "login 405 405 405 405 405"),
    "compliance:calendar_revoke": row(None,             "login 405 405 405 405 405"),
    "compliance:calendar_feed": row(feed_token,         "200   200 200 200 200 200"),
    "notifications:list":      row(None,                "login 200 200 200 200 200"),
    "notifications:mark_all_read": row(None,            "login 405 405 405 405 405"),
    "notifications:preferences": row(None,              "login 200 200 200 200 200"),
    "healthz":                 row(None,                "200   200 200 200 200 200"),
    "agreements:new":          row(None,                "login 403 403 403 200 403"),
    "agreements:upload_preview": row(draft_upload,      "login 403 403 403 200 403"),
    "agreements:sign":         row(moa,                 "login 403 403 403 200 404"),
    "agreements:modification_new": row(moa,             "login 403 403 403 200 404"),
    "agreements:modification_detail": row(modification, "login 200 200 200 200 404"),
    "agreements:modification_edit": row(modification,  "login 403 403 403 200 404"),
    "agreements:modification_execute": row(modification, "login 405 405 405 405 405"),
    "agreements:modification_withdraw": row(modification, "login 405 405 405 405 405"),
}

# What a POST (with no fields) answers, for the URLs that write. A refused form shows again
# (200); an execution or withdrawal answers with the page it came from (302 elsewhere) and
# says why in a message. The services' own refusals are agreements/tests/test_lifecycle.py.
POST_EXPECTED: dict[str, Row] = {
    "agreements:new":          row(None,                "login 403 403 403 200 403"),
    "agreements:upload_preview": row(draft_upload,      "login 403 403 403 200 403"),
    "agreements:sign":         row(moa,                 "login 403 403 403 200 404"),
    "agreements:modification_new": row(moa,             "login 403 403 403 200 404"),
    "agreements:modification_detail": row(modification, "login 200 200 200 200 404"),
    "agreements:modification_edit": row(modification,  "login 403 403 403 200 404"),
    "agreements:modification_execute": row(modification, "login 403 403 403 redirect 404"),
    "agreements:modification_withdraw": row(modification, "login 403 403 403 redirect 404"),
}
# fmt: on


def _named_urls(patterns: list, namespace: str = "") -> list[str]:
    names = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in NOT_OURS:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names.extend(_named_urls(entry.url_patterns, inner))
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(f"{namespace}{entry.name}")
    return names


URL_NAMES = sorted(set(_named_urls(get_resolver().url_patterns)))


def test_every_url_has_an_expected_row():
    missing = [name for name in URL_NAMES if name not in EXPECTED]
    assert not missing, f"Add a row to EXPECTED in {__file__} for: {', '.join(missing)}"


def test_every_expected_row_is_a_url():
    assert not set(EXPECTED) - set(URL_NAMES), "EXPECTED has rows for URLs that no longer exist"


@pytest.fixture
def objects(moa, doc, dhs, doc_staff, dhs_staff, doc_admin) -> MatrixObjects:
    doc_item = moa.commitments.filter(lead_party=doc).first()
    doc_update = ProgressUpdateFactory(
        commitment=doc_item, reporting_party=doc, author=doc_staff, as_of=moa.executed_on
    )
    evidence = Evidence.objects.create(
        file=SimpleUploadedFile("minutes.csv", b"a,b\n1,2\n"),
        original_name="minutes.csv",
        content_type="text/csv",
        size=8,
        sha256="0" * 64,
        progress_update=doc_update,
        uploaded_by=doc_staff,
    )
    return MatrixObjects(
        moa=moa,
        doc=doc,
        dhs=dhs,
        doc_contact=moa.points_of_contact.filter(party=doc).first(),
        dhs_contact=moa.points_of_contact.filter(party=dhs).first(),
        doc_item=doc_item,
        doc_staff=doc_staff,
        dhs_staff=dhs_staff,
        doc_update=doc_update,
        doc_milestone=MilestoneFactory(commitment=doc_item, owner_user=doc_staff, due_on=moa.executed_on),
        meeting=MeetingFactory(agreement=moa, organiser=doc_staff),
        event=OutreachEventFactory(agreement=moa, organising_party=doc, created_by=doc_staff),
        evidence=evidence,
        feed_token=CalendarFeedToken.objects.create(user=doc_staff),
        draft_upload=lifecycle.draft_upload_create(
            acting_user=doc_admin,
            file_name="new-two-party-mou.yaml",
            data=(
                Path(__file__).resolve().parents[2] / "agreements/tests/data/new-two-party-mou.yaml"
            ).read_bytes(),
        ),
        modification=lifecycle.modification_propose(
            acting_user=doc_admin,
            agreement=moa,
            title="Retire an item",
            text="The parties retire it.",
            effects={"retire_commitments": [doc_item.code]},
        ),
    )


def _answer(response) -> int | str:
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("login")) else REDIRECT
    return response.status_code


@pytest.mark.parametrize("name", [n for n in URL_NAMES if n in EXPECTED])
def test_url_answers_each_kind_of_user_as_expected(name, client, objects, doc_manager, doc_admin, outsider):
    expected = EXPECTED[name]
    url = reverse(name, kwargs=expected.kwargs(objects))
    users = {
        "anonymous": None,
        "doc_staff": objects.doc_staff,
        "dhs_staff": objects.dhs_staff,
        "manager": doc_manager,
        "admin": doc_admin,
        "outsider": outsider,
    }
    got = {}
    for who, user in users.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        got[who] = _answer(client.get(url))
    wrong = {
        who: f"expected {expected.answers[who]}, got {got[who]}"
        for who in WHO
        if got[who] != expected.answers[who]
    }
    assert not wrong, f"GET {url}: {wrong}"


@pytest.mark.parametrize("name", sorted(POST_EXPECTED))
def test_post_answers_each_kind_of_user_as_expected(name, client, objects, doc_manager, doc_admin, outsider):
    expected = POST_EXPECTED[name]
    url = reverse(name, kwargs=expected.kwargs(objects))
    users = {
        "anonymous": None,
        "doc_staff": objects.doc_staff,
        "dhs_staff": objects.dhs_staff,
        "manager": doc_manager,
        "admin": doc_admin,
        "outsider": outsider,
    }
    got = {}
    for who, user in users.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        got[who] = _answer(client.post(url, {}))
    wrong = {
        who: f"expected {expected.answers[who]}, got {got[who]}"
        for who in WHO
        if got[who] != expected.answers[who]
    }
    assert not wrong, f"POST {url}: {wrong}"


def test_no_post_row_writes_anything_for_users_it_refuses(client, objects, outsider):
    """Every refused POST above leaves the records as they were."""
    before = (
        Agreement.objects.count(),
        Modification.objects.count(),
        objects.modification.executions.count(),
    )
    client.force_login(outsider)
    for name, expected in POST_EXPECTED.items():
        client.post(reverse(name, kwargs=expected.kwargs(objects)), {})
    after = (Agreement.objects.count(), Modification.objects.count(), objects.modification.executions.count())
    assert before == after
