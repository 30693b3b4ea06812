"""Fuzz (issue 20): nothing a user types breaks the portal.

- every named URL (from the URL resolver, with real objects from the permission matrix) is
  asked with hostile query values: NUL and control characters, huge numbers, far dates,
  unicode, 10,000-character strings;
- every form of every role is posted with hostile values in its fields, and every file field
  with hostile files.

The assertion is simple: never a 500, and a refused form leaves no half-saved row (the counts
of every record table are what they were). Hypothesis draws the values; the example count is
bounded by the "moa" settings profile (conftest.py, FUZZ_EXAMPLES), so it runs in `make test`.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_otp_webauthn.models import WebAuthnCredential
from hypothesis import given, settings
from hypothesis import strategies as st

from agreements.tests.factories import DEFAULT_PASSWORD
from moa_portal.tests import test_permission_matrix as matrix
from moa_portal.tests.test_permission_matrix import EXPECTED, URL_NAMES, MatrixObjects

# The permission matrix's real objects (the MOA, its items, a meeting, an event, a contact…).
objects = matrix.objects

COVERED: Counter = Counter()

HOSTILE_TEXT = st.one_of(
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\x1b[31m",
            "9" * 25,
            "-1",
            "0",
            "1e400",
            "NaN",
            "0001-01-01",
            "0001-03-31",
            "9999-12-31",
            "9999-12-31T23:30",
            "99999-01-01",
            "2017-02-30",
            "x" * 10_000,
            "é" * 300,
            "\u202e\ufeff\U0001f600",
            "' OR 1=1 --",
            "<script>alert(1)</script>",
            "../../etc/passwd",
            '=HYPERLINK("http://x")',
        ]
    ),
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.dates().map(lambda d: d.isoformat()),
    st.text(max_size=40),
)

QUERY_PARAMS = [
    "page",
    "as_of",
    "agreement",
    "party",
    "q",
    "status",
    "kind",
    "lead",
    "user",
    "model",
    "date_from",
    "date_to",
    "corrects",
    "next",
    "overdue",
]


def _hostile_files():
    contents = st.sampled_from(
        [
            b"",
            b"\x00" * 64,
            b"%PDF-1.7\n<html><script>alert(1)</script></html>",
            b"MZ\x90\x00" + b"\x00" * 60,
            b"PK\x03\x04" + b"\x00" * 26,
            b"<html><body>hi</body></html>",
            b'=1+1,"@SUM(A1)"\n',
        ]
    )
    names = st.sampled_from(
        ["a.pdf", "a.csv", "a.docx", "a.exe", "x" * 300 + ".pdf", "..\\..\\a.pdf", "ü.png", "noext"]
    )
    return st.builds(lambda c, n: SimpleUploadedFile(n, c), contents, names)


# --- URLs ---------------------------------------------------------------------------------------


def _url(name: str, o: MatrixObjects) -> str:
    return reverse(name, kwargs=EXPECTED[name].kwargs(o))


@given(
    name=st.sampled_from(URL_NAMES),
    query=st.dictionaries(st.sampled_from(QUERY_PARAMS), HOSTILE_TEXT, min_size=1, max_size=3),
)
def test_every_url_answers_hostile_query_values_without_a_500(client, objects, doc_admin, name, query):
    client.raise_request_exception = False
    client.force_login(doc_admin)
    response = client.get(_url(name, objects), query)
    COVERED["url examples"] += 1
    COVERED[f"URL {name}"] = 1
    assert response.status_code < 500, (name, query)


@pytest.mark.parametrize("value", ["a\x00b", "9" * 25, "9999-12-31", "x" * 10_000, "\u202e\U0001f600"])
def test_every_url_once_with_each_kind_of_hostile_value(client, objects, doc_admin, doc_staff, value):
    """Every URL is certainly covered, whatever Hypothesis draws, as two kinds of user."""
    client.raise_request_exception = False
    for user in (doc_admin, doc_staff):
        client.force_login(user)
        for name in URL_NAMES:
            response = client.get(_url(name, objects), dict.fromkeys(QUERY_PARAMS, value))
            COVERED[f"URL {name}"] = 1
            assert response.status_code < 500, (name, user.username, value[:20])


# --- forms --------------------------------------------------------------------------------------


def _record_counts() -> dict[str, int]:
    """How many rows each of the portal's record tables holds (history tables included)."""
    models = [
        m
        for label in ("activities", "contacts", "agreements", "people", "notifications", "compliance")
        if label in {a.label for a in apps.get_app_configs()}
        for m in apps.get_app_config(label).get_models()
    ]
    counts = {m._meta.label: m.objects.count() for m in models}
    counts["auth.User"] = apps.get_model("auth", "User").objects.count()
    return counts


def _base_data(form) -> dict[str, Any]:
    """What the page offered (its initial values), as a browser would post it back."""
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if callable(value):
            value = value()
        if value is None or value is False:
            continue
        if isinstance(value, list | tuple):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
        elif value is True:
            data[name] = "on"
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


FOLLOW_UPS = {
    "follow_ups-TOTAL_FORMS": "1",
    "follow_ups-INITIAL_FORMS": "0",
    "follow_ups-MIN_NUM_FORMS": "0",
    "follow_ups-MAX_NUM_FORMS": "1000",
}

# (url name, the user fixture who fills it in, extra query)
FORMS: list[tuple[str, str, Callable[[MatrixObjects], str]]] = [
    ("activities:update_create", "doc_staff", lambda o: ""),
    ("activities:update_edit", "doc_staff", lambda o: ""),
    ("activities:milestone_create", "doc_staff", lambda o: ""),
    ("activities:meeting_create", "doc_staff", lambda o: f"?agreement={o.moa.slug}"),
    ("activities:meeting_edit", "doc_staff", lambda o: ""),
    ("activities:event_create", "doc_staff", lambda o: f"?agreement={o.moa.slug}"),
    ("activities:event_edit", "doc_staff", lambda o: ""),
    ("contacts:create", "doc_admin", lambda o: f"?agreement={o.moa.slug}"),
    ("contacts:edit", "doc_admin", lambda o: ""),
    ("contacts:deactivate", "doc_admin", lambda o: ""),
    ("people:create", "doc_admin", lambda o: ""),
    ("people:edit", "doc_admin", lambda o: ""),
    ("notifications:preferences", "doc_staff", lambda o: ""),
    ("password_change", "doc_staff", lambda o: ""),
    ("login", "anonymous", lambda o: ""),
    ("password_reset", "anonymous", lambda o: ""),
    ("agreements:draft_clause_new", "doc_admin", lambda o: ""),
    ("agreements:draft_clause_edit", "doc_admin", lambda o: ""),
    ("agreements:draft_clause_delete", "doc_admin", lambda o: ""),
    ("agreements:draft_commitment_new", "doc_admin", lambda o: ""),
    ("agreements:draft_commitment_edit", "doc_admin", lambda o: ""),
    ("agreements:draft_obligation_new", "doc_admin", lambda o: ""),
    ("agreements:draft_obligation_edit", "doc_admin", lambda o: ""),
    ("agreements:draft_signatory_edit", "doc_admin", lambda o: ""),
    ("webhooks:create", "doc_admin", lambda o: ""),
    ("webhooks:edit", "doc_admin", lambda o: ""),
]
# Posted without a form page of their own (buttons on other pages).
BUTTONS = [
    ("activities:milestone_complete", "doc_staff", {"completed_on": "x"}),
    ("activities:meeting_evidence", "doc_staff", {}),
    ("activities:event_evidence", "doc_staff", {}),
    ("compliance:calendar_regenerate", "doc_staff", {}),
    ("compliance:calendar_revoke", "doc_staff", {}),
    ("notifications:mark_all_read", "doc_staff", {}),
    ("people:unlock", "doc_admin", {}),
    (
        "agreements:termination",
        "doc_admin",
        {"notice-given_on": "", "notice-notice_days": "", "notice-reason": ""},
    ),
    ("agreements:termination_withdraw", "doc_admin", {}),
    ("agreements:termination_mutual", "doc_admin", {"mutual-terminate_on": "", "mutual-text": ""}),
    ("agreements:termination_non_renewal", "doc_admin", {"nonrenewal-given_on": ""}),
    ("agreements:termination_non_renewal_withdraw", "doc_admin", {}),
    ("agreements:termination_renewal", "doc_admin", {}),
    ("agreements:draft_clause_move", "doc_admin", {"direction": "x"}),
    ("webhooks:pause", "doc_admin", {"active": ""}),
    ("webhooks:rotate", "doc_admin", {}),
    ("accounts:mfa_passkey_options", "doc_staff", {"name": "", "code": "", "password": ""}),
    ("accounts:mfa_passkey_add", "doc_staff", {"name": "", "credential": ""}),
    ("accounts:mfa_passkey_remove", "doc_staff", {"code": "", "password": ""}),
    ("accounts:mfa_recovery_renew", "doc_staff", {"code": "", "password": ""}),
]


#: Each form and button gets a share of the profile's examples (every one is covered).
PER_FORM = settings(max_examples=max(3, settings().max_examples // 5))


@pytest.mark.parametrize("form_index", range(len(FORMS)), ids=[f[0] for f in FORMS])
@PER_FORM
@given(
    hostile=st.lists(HOSTILE_TEXT, min_size=1, max_size=6),
    upload=st.one_of(st.none(), _hostile_files()),
    pick=st.randoms(use_true_random=False),
)
def test_every_form_refuses_hostile_values_without_a_500_or_a_half_saved_row(
    client, objects, request, form_index, hostile, upload, pick
):
    name, who, query = FORMS[form_index]
    client.raise_request_exception = False
    client.logout()
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))
    url = _url(name, objects) + query(objects)
    page = client.get(url)
    assert page.status_code == 200, (name, page.status_code)
    form = page.context["form"]
    data = {**FOLLOW_UPS, **_base_data(form)}
    fields = sorted(form.fields)
    for value in hostile:
        data[pick.choice(fields)] = value
    if upload is not None and "evidence" in form.fields:
        upload.seek(0)
        data["evidence"] = upload
    before = _record_counts()
    response = client.post(url, data)
    COVERED["form examples"] += 1
    COVERED[f"FORM {name}"] = 1
    assert response.status_code < 500, (name, {k: str(v)[:40] for k, v in data.items()})
    if response.status_code != 302:
        assert _record_counts() == before, f"{name} refused the form but saved part of it"


@pytest.mark.parametrize("button_index", range(len(BUTTONS)), ids=[b[0] for b in BUTTONS])
@PER_FORM
@given(
    value=HOSTILE_TEXT,
    upload=st.one_of(st.none(), _hostile_files()),
)
def test_every_button_refuses_hostile_values_without_a_500(
    client, objects, request, button_index, value, upload
):
    name, who, data = BUTTONS[button_index]
    client.raise_request_exception = False
    client.force_login(request.getfixturevalue(who))
    posted = dict.fromkeys(data, value) | {"version": value}
    if upload is not None:
        upload.seek(0)
        posted["evidence"] = upload
    response = client.post(_url(name, objects), posted)
    COVERED["button examples"] += 1
    COVERED[f"FORM {name}"] = 1
    assert response.status_code < 500, name


# What a hostile browser could send as a passkey's answer: text, or JSON shaped like an answer
# with hostile values where the encoded bytes go.
PASSKEY_ANSWERS = st.one_of(
    HOSTILE_TEXT,
    st.fixed_dictionaries(
        {
            "id": HOSTILE_TEXT,
            "rawId": HOSTILE_TEXT,
            "type": st.sampled_from(["public-key", "x", ""]),
            "response": st.dictionaries(
                st.sampled_from(
                    ["clientDataJSON", "authenticatorData", "signature", "userHandle", "attestationObject"]
                ),
                st.one_of(HOSTILE_TEXT, st.sampled_from(["AAAA", "oWNmbXRkbm9uZQ", "eyJ0eXBlIjoxfQ"])),
            ),
        }
    ).map(json.dumps),
)


@pytest.mark.parametrize("step", ["accounts:mfa_passkey_add", "accounts:mfa_verify_passkey"])
@PER_FORM
@given(answer=PASSKEY_ANSWERS)
def test_the_passkey_steps_refuse_hostile_answers_without_a_500_or_a_saved_row(client, objects, step, answer):
    """After the options were asked for (a challenge in the session), as the script would."""
    client.raise_request_exception = False
    client.logout()
    if step == "accounts:mfa_verify_passkey":  # a pending sign-in of an account with a passkey
        client.post(reverse("login"), {"username": objects.doc_staff.username, "password": DEFAULT_PASSWORD})
        client.post(reverse("accounts:mfa_verify_passkey_options"))
    else:
        client.force_login(objects.doc_staff)  # who has a passkey: the options ask the password
        client.post(reverse("accounts:mfa_passkey_options"), {"password": DEFAULT_PASSWORD})
    before = (_record_counts(), WebAuthnCredential.objects.count())
    response = client.post(reverse(step), {"name": "Fuzz", "credential": answer})
    COVERED["form examples"] += 1
    COVERED[f"FORM {step}"] = 1
    assert response.status_code < 500, (step, answer[:60])
    assert (_record_counts(), WebAuthnCredential.objects.count()) == before
    if step == "accounts:mfa_verify_passkey":
        assert "_auth_user_id" not in client.session


@pytest.fixture(autouse=True, scope="module")
def coverage_report() -> Iterator[None]:
    """Says, after the module, how much the fuzz tests covered in this run."""
    yield
    urls = sum(1 for k in COVERED if k.startswith("URL "))
    forms = sum(1 for k in COVERED if k.startswith("FORM "))
    if COVERED:
        print(
            f"\nfuzz: {COVERED['url examples']} hostile-query examples + {len(URL_NAMES) * 10} fixed "
            f"requests over {urls}/{len(URL_NAMES)} URLs; {COVERED['form examples']} form examples and "
            f"{COVERED['button examples']} button examples over {forms}/{len(FORMS) + len(BUTTONS) + 1} forms"
        )
