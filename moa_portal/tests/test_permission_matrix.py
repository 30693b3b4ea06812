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
Every 403 must be the site's 403 page (templates/403.html) with a plain reason and navigation.

The API (`api:` names, under /api/) answers 401 to the anonymous rather than the sign-in
page, its refusals are JSON (`{"detail": …}`, checked instead of the 403 page), and a write that
goes through answers 200 or 201 rather than a redirect; the pages of API tokens (`tokens:`)
are pages like any other, and a new token is shown on a 201 page.

POSTs: every URL that writes has a row in POSTS, sent with valid data by every kind of user
(the six above plus a DHS manager and a DHS admin, where the party matters): an allowed user's
POST goes through (`ok`, a 302 elsewhere), so the data is valid, and any other answer (403, 404,
`login`, or 200 for a form shown again with its errors: a DHS admin may not add a DOC contact)
changes no row of any table the portal writes (`_snapshot`). Every other URL is READ_ONLY:
posting to it, as anyone, changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key
from django_otp_webauthn.models import WebAuthnAttestation, WebAuthnCredential, WebAuthnUserHandle

from activities.models import (
    Evidence,
    FollowUpAction,
    Meeting,
    Milestone,
    OutreachEvent,
    ProgressUpdate,
)
from activities.tests import files
from activities.tests.factories import (
    MeetingFactory,
    MilestoneFactory,
    OutreachEventFactory,
    ProgressUpdateFactory,
)
from agreements import drafting, drafts, lifecycle
from agreements.agreement_file import read_agreement
from agreements.models import (
    Agreement,
    Commitment,
    DraftUpload,
    Modification,
    ModificationExecution,
    Party,
    PartyMembership,
    ReadingProposal,
    Section,
    Signatory,
    TerminationNotice,
    TextReading,
)
from agreements.obligations import Obligation
from agreements.permissions import ADMIN, MANAGER, STAFF, party_of
from agreements.services import import_agreement, termination_notice_give
from agreements.tests.factories import DEFAULT_PASSWORD, UserFactory
from api.models import AccessToken
from api.services import access_token_create
from compliance.models import CalendarFeedToken, ReportSubscription
from contacts.models import PointOfContact
from core.time import today
from notifications.models import Mute, Notification, WebhookSubscription
from notifications.selectors import mutable_kinds
from notifications.services import webhook_create
from notifications.tests.factories import NotificationFactory
from people import mfa
from people.models import RecoveryCode, RecoveryCodeDevice
from people.services import user_version

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
    upcoming_meeting: Meeting  # DOC's, two weeks ahead, with no agenda yet (it has an agenda draft)
    follow_up: FollowUpAction  # of `meeting`, owned by doc_staff, open
    event: OutreachEvent
    evidence: Evidence  # attached to doc_update
    feed_token: CalendarFeedToken  # doc_staff's
    draft_upload: DraftUpload  # an agreement file the DOC admin uploaded, not yet confirmed
    modification: Modification  # proposed on the MOA by the DOC admin, awaiting both parties
    # In force (the MOA has expired), either party may terminate on 30 days' notice:
    mou: Agreement  # renews by itself once unless a party gives 60 days' notice; no notice given
    mou_noticed: Agreement  # renews only by agreement; DOC's notice of termination stands
    mou_non_renewed: Agreement  # renews by itself; DOC's notice of non-renewal stands
    draft: Agreement  # a DOC–DHS draft the DOC admin started (visible to the two parties' admins only)
    draft_clause: Section  # the draft's first clause (empty), with a second one after it
    draft_item: Commitment  # of the draft, citing the second clause
    draft_obligation: Obligation  # of the draft, citing the second clause
    draft_signatory: Signatory  # DOC's, named, not yet signed
    text_reading: TextReading  # the MOA's text the DOC admin uploaded for review
    clause: Section  # of the MOA
    notification: Notification  # doc_staff's, unread
    access_token: AccessToken  # doc_staff's API token
    webhook: WebhookSubscription  # DOC's, to a loopback port where nothing listens
    passkey: WebAuthnCredential  # doc_staff's


@dataclass(frozen=True)
class Row:
    kwargs: Callable[[MatrixObjects], dict[str, Any]]
    answers: dict[str, int | str]


TOKENS = {"login": LOGIN, "redirect": REDIRECT, "ok": REDIRECT}  # "ok": a POST that went through


def row(kwargs: Callable[[MatrixObjects], dict[str, Any]] | None, answers: str) -> Row:
    """`answers`: one token per kind of user in WHO order, e.g. "login 200 200 200 200 404"."""
    tokens = answers.split()
    assert len(tokens) == len(WHO), f"a row gives one answer for each of {WHO}"
    parsed = [TOKENS[t] if t in TOKENS else int(t) for t in tokens]
    return Row(kwargs or (lambda o: {}), dict(zip(WHO, parsed, strict=True)))


# URL kwargs, from the loaded objects.
def moa(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.moa.slug}


def moa_part(o: MatrixObjects) -> dict[str, Any]:
    """A top-level clause of the MOA: its part of the text (a page of its own in a long text)."""
    return {"slug": o.moa.slug, "pk": o.moa.sections.get(number="VI").pk}


def moa_clause(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.moa.slug, "pk": o.moa.sections.get(number="VI.1").pk}


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


def bad_email_change_token(o: MatrixObjects) -> dict[str, Any]:
    return {"token": "not-a-token"}


def doc_update(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.doc_update.pk}


def doc_milestone(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.doc_milestone.pk}


def meeting(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.meeting.pk}


def upcoming_meeting(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.upcoming_meeting.pk}


def follow_up(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.follow_up.pk}


def event(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.event.pk}


def evidence(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.evidence.pk}


def draft_upload(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.draft_upload.pk}


def mou(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.mou.slug}


def mou_noticed(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.mou_noticed.slug}


def mou_non_renewed(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.mou_non_renewed.slug}


def text_reading(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.text_reading.pk}


def reading_proposal(o: MatrixObjects) -> dict[str, Any]:
    return {"pk": o.text_reading.pk, "position": 0}


def modification(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.moa.slug, "number": o.modification.number}


def draft(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.draft.slug}


def draft_clause(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.draft.slug, "pk": o.draft_clause.pk}


def draft_item(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.draft.slug, "pk": o.draft_item.pk}


def draft_obligation(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.draft.slug, "pk": o.draft_obligation.pk}


def draft_signatory(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.draft.slug, "pk": o.draft_signatory.pk}


def pk_of(field: str) -> Callable[[MatrixObjects], dict[str, Any]]:
    """URL kwargs `{"pk": <the object's pk>}` (the API's detail URLs, a token's revoke)."""
    return lambda o: {"pk": getattr(o, field).pk}


def moa_slug(o: MatrixObjects) -> dict[str, Any]:
    return {"slug": o.moa.slug}


def summary_csv(o: MatrixObjects) -> dict[str, Any]:
    return {"what": "summary", "fmt": "csv"}


def feed_token(o: MatrixObjects) -> dict[str, Any]:
    return {"token": o.feed_token.token}


def no_provider(o: MatrixObjects) -> dict[str, Any]:
    return {"provider": "agency"}


# fmt: off
EXPECTED: dict[str, Row] = {
    # url name                 kwargs                   anonymous doc_staff dhs_staff manager admin outsider
    "landing":                 row(None,                "login redirect redirect redirect redirect redirect"),
    "my_work":                 row(None,                "login 200 200 200 200 200"),
    "login":                   row(None,                "200   200 200 200 200 200"),
    "logout":                  row(None,                "login 405 405 405 405 405"),
    "password_reset":          row(None,                "200   200 200 200 200 200"),
    "password_reset_done":     row(None,                "200   200 200 200 200 200"),
    "password_reset_confirm":  row(bad_reset_token,     "200   200 200 200 200 200"),
    "password_reset_complete": row(None,                "200   200 200 200 200 200"),
    "password_change":         row(None,                "login 200 200 200 200 200"),
    "password_change_done":    row(None,                "login 200 200 200 200 200"),
    # No notice is configured in the tests: the notice page sends everyone on to the sign-in page.
    "accounts:notice":         row(None,                "login login login login login login"),
    # Without a password given first, the code page sends everyone to sign in.
    "accounts:mfa_verify":     row(None,                "login login login login login login"),
    "accounts:mfa":            row(None,                "login 200 200 200 200 200"),
    "accounts:mfa_app":        row(None,                "login 200 200 200 200 200"),
    # Shown once after the codes are made; with none to show, back to Sign-in security.
    "accounts:mfa_recovery_codes": row(None,            "login redirect redirect redirect redirect redirect"),
    "accounts:mfa_recovery_renew": row(None,            "login 405 405 405 405 405"),
    "accounts:mfa_remove":     row(None,                "login 405 405 405 405 405"),
    # Passkeys: the options and the answers are POSTs (static/js/passkey.js); removing one asks
    # first, and only its owner finds it.
    "accounts:mfa_passkey_options": row(None,           "login 405 405 405 405 405"),
    "accounts:mfa_passkey_add": row(None,               "login 405 405 405 405 405"),
    "accounts:mfa_passkey_remove": row(pk_of("passkey"), "login 200 404 404 404 404"),
    "accounts:mfa_verify_passkey_options": row(None,    "405   405 405 405 405 405"),
    "accounts:mfa_verify_passkey": row(None,            "405   405 405 405 405 405"),
    # No identity provider is configured in the matrix: every provider name is unknown.
    "accounts:sso_start":      row(no_provider,         "404   404 404 404 404 404"),
    "accounts:sso_callback":   row(no_provider,         "404   404 404 404 404 404"),
    "accounts:saml_start":     row(no_provider,         "404   404 404 404 404 404"),
    # The SAML answer is a POST from the provider (a GET is not one); no metadata without SAML.
    "accounts:saml_acs":       row(None,                "405   405 405 405 405 405"),
    "accounts:saml_metadata":  row(None,                "404   404 404 404 404 404"),
    "agreements:list":         row(None,                "login 200 200 200 200 200"),
    # The agreement picker's suggestions: each user's own visible agreements (the outsider's: none).
    "agreements:lookup":       row(None,                "login 200 200 200 200 200"),
    "agreements:detail":       row(moa,                 "login 200 200 200 200 404"),
    "agreements:text_part":    row(moa_part,            "login 200 200 200 200 404"),
    # Where a clause is shown: the agreement page (or, in a long text, the page of its part).
    "agreements:clause":       row(moa_clause,          "login redirect redirect redirect redirect 404"),
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
    "people:locked":           row(None,                "login 403 403 403 200 403"),
    "people:email_change_approve": row(bad_email_change_token, "400 400 400 400 400 400"),
    "people:email_change_confirm": row(bad_email_change_token, "400 400 400 400 400 400"),
    "audit:log":               row(None,                "login 403 403 403 200 403"),
    "audit:object_history":    row(doc_contact_history, "login 403 403 403 200 403"),
    "activities:commitment_list":    row(None,                "login 200 200 200 200 200"),
    "activities:update_list":  row(None,                "login 200 200 200 200 200"),
    "activities:update_create": row(doc_item,           "login 200 403 200 200 404"),
    "activities:update_edit":  row(doc_update,          "login 200 403 403 403 404"),
    "activities:commitment_assign": row(doc_item,       "login 403 403 200 200 404"),
    # The owner picker's suggestions: for whoever may assign the item's owner.
    "activities:commitment_owners": row(doc_item,       "login 403 403 200 200 404"),
    "activities:milestone_create": row(doc_item,        "login 200 403 200 200 404"),
    "activities:milestone_complete": row(doc_milestone, "login 405 405 405 405 405"),
    "activities:milestone_edit": row(doc_milestone,     "login 200 403 200 200 404"),
    "activities:milestone_cancel": row(doc_milestone,   "login 405 405 405 405 405"),
    "activities:meeting_list": row(None,                "login 200 200 200 200 200"),
    "activities:meeting_create": row(None,              "login 200 200 200 200 200"),
    "activities:meeting_detail": row(meeting,           "login 200 200 200 200 404"),
    "activities:meeting_edit": row(meeting,             "login 200 403 200 200 404"),
    "activities:meeting_evidence": row(meeting,         "login 405 405 405 405 405"),
    "activities:meeting_agenda_use": row(upcoming_meeting, "login 405 405 405 405 405"),
    "activities:follow_up_complete": row(follow_up,     "login 405 405 405 405 405"),
    "activities:event_list":   row(None,                "login 200 200 200 200 200"),
    "activities:event_create": row(None,                "login 200 200 200 200 200"),
    "activities:event_detail": row(event,               "login 200 200 200 200 404"),
    "activities:event_edit":   row(event,               "login 200 403 200 200 404"),
    "activities:event_evidence": row(event,             "login 405 405 405 405 405"),
    "activities:evidence_download": row(evidence,       "login 200 200 200 200 404"),
    "activities:evidence_withdraw": row(evidence,       "login 405 405 405 405 405"),
    "compliance:dashboard":    row(None,                "login 403 403 200 200 403"),
    "compliance:export":       row(summary_csv,         "login 403 403 200 200 403"),
    "compliance:report":       row(None,                "login 403 403 200 200 403"),
    "compliance:report_subscription": row(moa, "login 403 403 200 200 404"),
    "compliance:calendar":     row(None,                "login 200 200 200 200 200"),
    "compliance:calendar_regenerate": row(None,         "login 405 405 405 405 405"),
    "compliance:calendar_revoke": row(None,             "login 405 405 405 405 405"),
    "compliance:calendar_feed": row(feed_token,         "200   200 200 200 200 200"),
    "search:search":           row(None,                "login 200 200 200 200 200"),
    "notifications:list":      row(None,                "login 200 200 200 200 200"),
    "notifications:mark_all_read": row(None,            "login 405 405 405 405 405"),
    "notifications:preferences": row(None,              "login 200 200 200 200 200"),
    "healthz":                 row(None,                "200   200 200 200 200 200"),
    "healthz_detail":          row(None,                "403   403 403 403 200 403"),
    "metrics":                 row(None,                "403   403 403 403 200 403"),
    "operations:page":         row(None,                "login 403 403 403 200 403"),
    "operations:resend":       row(None,                "login 403 403 403 405 403"),
    "keep_alive":              row(None,                "login 204 204 204 204 204"),
    "agreements:new":          row(None,                "login 403 403 403 200 403"),
    "agreements:upload_preview": row(draft_upload,      "login 403 403 403 200 403"),
    "agreements:reading_review": row(text_reading,      "login 403 403 403 200 403"),
    "agreements:reading_decide": row(reading_proposal,  "login 405 405 405 405 405"),
    "agreements:reading_draft": row(text_reading,       "login 405 405 405 405 405"),
    "agreements:sign":         row(moa,                 "login 403 403 403 200 404"),
    "agreements:modification_new": row(moa,             "login 403 403 403 200 404"),
    "agreements:modification_detail": row(modification, "login 200 200 200 200 404"),
    "agreements:modification_edit": row(modification,  "login 403 403 403 200 404"),
    "agreements:modification_execute": row(modification, "login 405 405 405 405 405"),
    "agreements:modification_withdraw": row(modification, "login 405 405 405 405 405"),
    "agreements:termination":  row(mou,                 "login 200 200 200 200 404"),
    "agreements:termination_withdraw": row(mou_noticed, "login 405 405 405 405 405"),
    "agreements:termination_mutual": row(mou,           "login 405 405 405 405 405"),
    "agreements:termination_non_renewal": row(mou,      "login 405 405 405 405 405"),
    "agreements:termination_non_renewal_withdraw": row(mou_non_renewed, "login 405 405 405 405 405"),
    "agreements:termination_renewal": row(mou_noticed,  "login 405 405 405 405 405"),
    # A draft is seen by the admins of its parties only: everyone else does not find it (404).
    "agreements:draft":        row(draft,               "login 404 404 404 200 404"),
    "agreements:draft_clause_new": row(draft,           "login 404 404 404 200 404"),
    "agreements:draft_clause_edit": row(draft_clause,   "login 404 404 404 200 404"),
    "agreements:draft_clause_move": row(draft_clause,   "login 405 405 405 405 405"),
    "agreements:draft_clause_delete": row(draft_clause, "login 404 404 404 200 404"),
    "agreements:draft_commitment_new": row(draft,       "login 404 404 404 200 404"),
    "agreements:draft_commitment_edit": row(draft_item, "login 404 404 404 200 404"),
    "agreements:draft_commitment_delete": row(draft_item, "login 404 404 404 200 404"),
    "agreements:draft_obligation_new": row(draft,       "login 404 404 404 200 404"),
    "agreements:draft_obligation_edit": row(draft_obligation, "login 404 404 404 200 404"),
    "agreements:draft_obligation_delete": row(draft_obligation, "login 404 404 404 200 404"),
    "agreements:draft_signatory_edit": row(draft_signatory, "login 404 404 404 200 404"),
    "tokens:list":             row(None,                "login 200 200 200 200 200"),
    "webhooks:list":           row(None,                "login 403 403 403 200 403"),
    "webhooks:create":         row(None,                "login 403 403 403 200 403"),
    "webhooks:edit":           row(pk_of("webhook"),    "login 403 403 403 200 403"),
    "webhooks:delete":         row(pk_of("webhook"),    "login 403 403 403 200 403"),
    "webhooks:pause":          row(pk_of("webhook"),    "login 405 405 405 405 405"),
    "webhooks:rotate":         row(pk_of("webhook"),    "login 405 405 405 405 405"),
    "webhooks:test":           row(pk_of("webhook"),    "login 405 405 405 405 405"),
    "tokens:revoke":           row(pk_of("access_token"), "login 405 405 405 405 405"),
    "api:docs":                row(None,                "login 200 200 200 200 200"),
    "api:schema":              row(None,                "401   200 200 200 200 200"),
    "api:agreement-list":      row(None,                "401   200 200 200 200 200"),
    "api:agreement-detail":    row(moa_slug,            "401   200 200 200 200 404"),
    "api:clause-list":         row(None,                "401   200 200 200 200 200"),
    "api:clause-detail":       row(pk_of("clause"),     "401   200 200 200 200 404"),
    "api:commitment-list":     row(None,                "401   200 200 200 200 200"),
    "api:commitment-detail":   row(pk_of("doc_item"),   "401   200 200 200 200 404"),
    "api:commitment-assignment": row(pk_of("doc_item"), "401   405 405 405 405 405"),
    "api:progress-update-list": row(None,               "401   200 200 200 200 200"),
    "api:progress-update-detail": row(pk_of("doc_update"), "401 200 200 200 200 404"),
    "api:milestone-list":      row(None,                "401   200 200 200 200 200"),
    "api:milestone-detail":    row(pk_of("doc_milestone"), "401 200 200 200 200 404"),
    "api:milestone-complete":  row(pk_of("doc_milestone"), "401 405 405 405 405 405"),
    "api:milestone-cancel":    row(pk_of("doc_milestone"), "401 405 405 405 405 405"),
    "api:meeting-list":        row(None,                "401   200 200 200 200 200"),
    "api:meeting-detail":      row(pk_of("meeting"),    "401   200 200 200 200 404"),
    "api:outreach-event-list": row(None,                "401   200 200 200 200 200"),
    "api:outreach-event-detail": row(pk_of("event"),    "401   200 200 200 200 404"),
    # Admins see their party's webhooks; others have none (an empty list; a subscription: 404).
    "api:webhook-subscription-list": row(None,          "401   200 200 200 200 200"),
    "api:webhook-subscription-detail": row(pk_of("webhook"), "401 404 404 404 200 404"),
    "api:contact-list":        row(None,                "401   200 200 200 200 200"),
    "api:contact-detail":      row(pk_of("doc_contact"), "401  200 200 200 200 404"),
    "api:contact-deactivate":  row(pk_of("doc_contact"), "401  405 405 405 405 405"),
    "api:notification-list":   row(None,                "401   200 200 200 200 200"),
    "api:notification-detail": row(pk_of("notification"), "401 200 404 404 404 404"),
    "api:notification-mark-read": row(None,             "401   405 405 405 405 405"),
}

# What a POST (with no fields) answers, for the URLs that write. A refused form shows again
# (200); an execution or withdrawal answers with the page it came from (302 elsewhere) and
# says why in a message. The services' own refusals are agreements/tests/test_lifecycle.py.
POST_EXPECTED: dict[str, Row] = {
    "agreements:new":          row(None,                "login 403 403 403 200 403"),
    "agreements:upload_preview": row(draft_upload,      "login 403 403 403 200 403"),
    "agreements:reading_decide": row(reading_proposal,  "login 403 403 403 200 403"),
    "agreements:reading_draft": row(text_reading,       "login 403 403 403 200 403"),
    "agreements:sign":         row(moa,                 "login 403 403 403 200 404"),
    "agreements:modification_new": row(moa,             "login 403 403 403 200 404"),
    "agreements:modification_detail": row(modification, "login 200 200 200 200 404"),
    "agreements:modification_edit": row(modification,  "login 403 403 403 200 404"),
    "agreements:modification_execute": row(modification, "login 403 403 403 redirect 404"),
    "agreements:modification_withdraw": row(modification, "login 403 403 403 redirect 404"),
    # Options for adding a passkey (a challenge in the session, and the account's WebAuthn user
    # handle): without proof of a factor for an account that has one (doc_staff's matrix
    # passkey: the password) none (400); a passkey posted without its name and answer is shown
    # again with the errors.
    "accounts:mfa_passkey_options": row(None,          "login 400 200 200 200 200"),
    "accounts:mfa_passkey_add": row(None,              "login 200 200 200 200 200"),
    # Without a password given first: no options (400), and the answer sends to sign in.
    "accounts:mfa_verify_passkey_options": row(None,   "400   400 400 400 400 400"),
    "accounts:mfa_verify_passkey": row(None,           "login login login login login login"),
    # The pickers' lookups read (GET only): a POST is refused before anything is looked up.
    "agreements:lookup":       row(None,                "login 405 405 405 405 405"),
    "activities:commitment_owners": row(doc_item,       "login 405 405 405 405 405"),
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
def objects(moa, doc, dhs, doc_staff, dhs_staff, doc_admin, tmp_path) -> MatrixObjects:
    doc_item = (
        moa.commitments.filter(lead_parties=doc)
        .exclude(lead_parties__in=moa.parties.exclude(pk=doc.pk))
        .first()
    )
    doc_update = ProgressUpdateFactory(
        commitment=doc_item, reporting_party=doc, author=doc_staff, as_of=moa.executed_on
    )
    # doc_staff's account is locked (five failed sign-ins), so that unlocking it changes a row.
    AccessAttempt.objects.create(
        username=doc_staff.username,
        ip_address="192.0.2.1",
        user_agent="matrix",
        http_accept="*/*",
        path_info="/accounts/login/",
        get_data="",
        post_data="",
        failures_since_start=5,
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
    meeting = MeetingFactory(agreement=moa, organiser=doc_staff)
    new_mou = Path(__file__).resolve().parents[2] / "agreements/tests/data/new-two-party-mou.yaml"
    new_draft = lifecycle.agreement_draft_create(
        acting_user=doc_admin,
        slug="matrix-draft",
        short_name="Matrix draft",
        title="A draft of the permission matrix",
        kind="mou",
        parties=[doc, dhs],
        purpose="",
        term_years=3,
    )
    clauses = [
        drafts.clause_create(
            acting_user=doc_admin, agreement=new_draft, number=number, heading="", text="Text.", parent=None
        )
        for number in ("I", "II")
    ]
    draft_item = drafts.commitment_create(
        acting_user=doc_admin,
        agreement=new_draft,
        code="II.1",
        kind="joint_activity",
        title="Matrix activity",
        description="",
        lead_parties=[doc, dhs],
        source_section=clauses[1],
        goal=None,
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
        meeting=meeting,
        upcoming_meeting=MeetingFactory(
            agreement=moa,
            organiser=doc_staff,
            title="Matrix upcoming call",
            starts_at=timezone.now() + datetime.timedelta(days=14),
            agenda="",
            minutes="",
        ),
        follow_up=FollowUpAction.objects.create(
            meeting=meeting, description="Matrix follow-up", owner_user=doc_staff, due_on=moa.executed_on
        ),
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
        mou=_in_force_mou(new_mou, tmp_path, "matrix-mou", renews_by_itself=True),
        mou_noticed=_noticed(
            _in_force_mou(new_mou, tmp_path, "matrix-mou-noticed", renews_by_itself=False), doc
        ),
        mou_non_renewed=_non_renewed(
            _in_force_mou(new_mou, tmp_path, "matrix-mou-non-renewed", renews_by_itself=True), doc
        ),
        draft=new_draft,
        draft_clause=clauses[0],
        draft_item=draft_item,
        draft_obligation=drafts.obligation_create(
            acting_user=doc_admin, agreement=new_draft, values=obligation_values(new_draft, "MATRIX-Q")
        ),
        draft_signatory=Signatory.objects.create(
            agreement=new_draft, party=doc, name="DOC Secretary", title="Secretary"
        ),
        text_reading=drafting.text_reading_create(
            acting_user=doc_admin,
            file_name="doc-dhs-ecommerce-moa-2017.txt",
            data=(
                Path(__file__).resolve().parents[2] / "agreements/data/sources/doc-dhs-ecommerce-moa-2017.txt"
            ).read_bytes(),
        ),
        clause=moa.sections.order_by("position").first(),
        notification=NotificationFactory(user=doc_staff, agreement=moa, read_at=None),
        access_token=access_token_create(
            acting_user=doc_staff, name="Matrix", scope="read", expires_on=today()
        ).token,
        webhook=webhook_create(
            acting_user=doc_admin,
            party=doc,
            name="Matrix hook",
            url="http://127.0.0.1:9/matrix",
            events=["update.logged"],
            format="standard",
        )[0],
        passkey=WebAuthnCredential.objects.create(
            user=doc_staff, name="Matrix key", credential_id=b"matrix-key", public_key=b"-", aaguid="0" * 36
        ),
    )


def _in_force_mou(source: Path, folder: Path, slug: str, *, renews_by_itself: bool) -> Agreement:
    """The two-party MOU of the lifecycle tests under another slug, in force for ten days, renewing."""
    path = folder / f"{slug}.yaml"
    path.write_text(source.read_text().replace("slug: trade-data-mou", f"slug: {slug}"))
    agreement = import_agreement(doc=read_agreement(path)).agreement
    agreement.executed_on = today() - datetime.timedelta(days=10)
    agreement.renews, agreement.renewal_automatic = True, renews_by_itself
    agreement.renewal_years, agreement.renewal_periods, agreement.renewal_notice_days = 1, 1, 60
    agreement.save()
    return agreement


def _non_renewed(agreement: Agreement, party: Party) -> Agreement:
    agreement.non_renewal_notice_on, agreement.non_renewal_notice_by = today(), party
    agreement.save()
    return agreement


def _noticed(agreement: Agreement, party: Party) -> Agreement:
    termination_notice_give(agreement=agreement, party=party, given_on=today())
    agreement.refresh_from_db()
    return agreement


def obligation_values(agreement: Agreement, code: str) -> dict[str, Any]:
    return {
        "code": code,
        "kind": "report",
        "title": "Matrix report",
        "section": agreement.sections.order_by("position").last(),
        "item": None,
        "parties": list(agreement.parties.all()),
        "cadence": "quarterly",
        "anchor": "calendar",
        "rrule": "",
        "window_days": 30,
        "due_day": None,
        "meeting_kinds": [],
        "audiences": [],
        "requires_minutes": False,
    }


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
        response = client.get(url)
        got[who] = _answer(response)
        if got[who] == 403:
            assert not (problems := _refusal_page_problems(response)), f"GET {url} as {who}: {problems}"
    wrong = {
        who: f"expected {expected.answers[who]}, got {got[who]}"
        for who in WHO
        if got[who] != expected.answers[who]
    }
    assert not wrong, f"GET {url}: {wrong}"


def _refusal_page_problems(response) -> list[str]:
    """What is wrong with a 403 answer, if anything: it must be the site's 403 page (the layout
    with the signed-in user's navigation and a way back) saying why, in plain words; the API's
    is JSON saying why."""
    problems = []
    if response.get("Content-Type", "").startswith("application/json"):
        return [] if response.json().get("detail") else ["no reason given in the API's refusal"]
    if "403.html" not in [t.name for t in response.templates]:
        problems.append("not the site's 403 page")
    html = response.content.decode()
    reason = response.context["exception"] if response.context else ""
    if not reason:
        problems.append("no reason given (raise PermissionDenied with a plain reason)")
    elif escape(reason) not in html:
        problems.append(f"the reason {reason!r} is not on the page")
    if "You cannot do that here" not in html:
        problems.append("no heading")
    signed_in = response.wsgi_request.user.is_authenticated
    # An anonymous visitor (a monitor without its token) has no navigation to show.
    if signed_in and f'href="{reverse("activities:commitment_list")}"' not in html:
        problems.append("no navigation")
    if f'href="{reverse("my_work")}">Back to My work' not in html:
        problems.append("no way back")
    return problems


# --- POSTs ---------------------------------------------------------------------------------------

POST_WHO = (*WHO, "dhs_manager", "dhs_admin")
DAY = "2018-03-15"  # inside the MOA's term, in the past


@dataclass(frozen=True)
class PostRow:
    kwargs: Callable[[MatrixObjects], dict[str, Any]]
    data: Callable[[MatrixObjects, Any], dict[str, Any]]  # (objects, the posting user) -> form data
    answers: dict[str, int | str]
    query: str = ""


def post(kwargs, data, answers: str, query: Callable[[MatrixObjects], str] | None = None) -> PostRow:
    """`answers`: one token per kind of user in POST_WHO order."""
    tokens = answers.split()
    assert len(tokens) == len(POST_WHO), f"a POST row gives one answer for each of {POST_WHO}"
    parsed = [TOKENS[t] if t in TOKENS else int(t) for t in tokens]
    return PostRow(
        kwargs or (lambda o: {}), data or (lambda o, u: {}), dict(zip(POST_WHO, parsed, strict=True)), query
    )


def for_moa(o: MatrixObjects) -> str:
    return f"?agreement={o.moa.slug}"


# Valid form data: what an allowed user's POST saves.
def update_data(o, user):
    current = ProgressUpdate.objects.get(pk=o.doc_update.pk)
    return {
        "version": str(current.version),
        "as_of": DAY,
        "status": "on_track",
        "percent_complete": "40",
        "narrative": "Posted by the permission matrix.",
        "next_steps": "",
        "reporting_party": str(o.doc.pk),
    }


def milestone_data(o, user):
    return {"title": "Matrix milestone", "due_on": "2018-03-31", "owner_user": str(o.doc_staff.pk)}


def assign_data(o, user):
    current = Commitment.objects.get(pk=o.doc_item.pk)
    return {
        "owner": str(o.doc_staff.pk),
        "target_date": "2018-06-30",
        "opened_owner": str(current.owner_id or ""),
        "opened_target_date": current.target_date.isoformat() if current.target_date else "",
    }


def milestone_edit_data(o, user):
    return {**milestone_data(o, user), "version": str(Milestone.objects.get(pk=o.doc_milestone.pk).version)}


def cancel_data(o, user):
    # A second cancelling is refused with a message and the same redirect (the first one kept).
    current = Milestone.objects.get(pk=o.doc_milestone.pk)
    return {"cancel_reason": "Planned by mistake (permission matrix).", "version": str(current.version)}


def complete_data(o, user):
    # A second completion is refused with a message and the same redirect (the first one kept).
    return {"completed_on": DAY, "version": str(Milestone.objects.get(pk=o.doc_milestone.pk).version)}


def follow_up_close_data(o, user):
    # After the meeting (MeetingFactory's 2021-05-12); a second closing is refused with a message
    # and the same redirect, the first closing staying on record.
    return {"completed_on": "2021-05-20"}


def meeting_data(o, user):
    return {
        "kind": "quarterly",
        "title": "Matrix call",
        "starts_at": f"{DAY}T14:00",
        "format": "call",
        "agenda": "Priorities",
        "minutes": "Posted by the permission matrix.",
        "decisions": "",
        # A commitment DOC alone owes: the meeting stays DOC's to keep, whoever posted before.
        "items": [str(o.doc_item.pk)],
        "version": str(Meeting.objects.get(pk=o.meeting.pk).version),
        # The same kind on the same day asks to confirm; an allowed poster confirms.
        "confirm_duplicate": "on",
        "follow_ups-TOTAL_FORMS": "0",
        "follow_ups-INITIAL_FORMS": "0",
        "follow_ups-MIN_NUM_FORMS": "0",
        "follow_ups-MAX_NUM_FORMS": "1000",
    }


def agenda_use_data(o, user):
    return {"version": str(Meeting.objects.get(pk=o.upcoming_meeting.pk).version)}


def event_data(o, user):
    party = party_of(user) if user is not None else None
    return {
        "title": "Matrix forum",
        "held_on": DAY,
        "city": "Chicago",
        "country": "United States",
        "place": "us",
        "audiences": ["enterprises"],
        "attendance": "40",
        "outcomes": "",
        "organising_party": str((party or o.doc).pk),
        "version": str(OutreachEvent.objects.get(pk=o.event.pk).version),
    }


def evidence_data(o, user):
    return {"evidence": files.pdf("matrix.pdf")}


def withdraw_data(o, user):
    # A second withdrawal is refused with a message and the same redirect (the first one kept).
    return {"withdrawal_reason": "Wrong file (permission matrix)."}


def contact_fields(contact: PointOfContact) -> dict[str, Any]:
    return {
        "role_title": contact.role_title,
        "office": contact.office,
        "person_name": "Matrix Person",
        "email": "matrix.person@example.gov",
        "phone": "202-555-0100",
        "is_coordinator": "on" if contact.is_coordinator else "",
        "active_from": contact.active_from.isoformat(),
    }


def contact_create_data(o, user):
    return {
        **contact_fields(o.doc_contact),
        "role_title": "Matrix Liaison",
        "agreement": str(o.moa.pk),
        "party": str(o.doc.pk),
    }


def contact_edit_data(o, user):
    current = PointOfContact.objects.get(pk=o.doc_contact.pk)
    return {**contact_fields(current), "version": str(current.version)}


def contact_deactivate_data(o, user):
    current = PointOfContact.objects.get(pk=o.doc_contact.pk)
    return {
        "active_to": (current.active_from or o.moa.executed_on).isoformat(),
        "version": str(current.version),
    }


def draft_clause_data(o, user):
    current = Section.objects.get(pk=o.draft_clause.pk)
    return {
        "number": current.number,
        "heading": "Edited",
        "text": "By the matrix.",
        "version": current.version,
    }


def draft_clause_new_data(o, user):
    return {"number": f"M{getattr(user, 'pk', 0)}", "heading": "Added", "text": "By the matrix."}


def draft_clause_move_data(o, user):
    # The DOC admin moves the first clause down; DHS's admin moves it back up.
    current = Section.objects.get(pk=o.draft_clause.pk)
    first = o.draft.sections.order_by("position").first()
    return {"direction": "down" if first == current else "up", "version": current.version}


def draft_version(model):
    def data(o, user):
        field = {Section: "draft_clause", Commitment: "draft_item", Obligation: "draft_obligation"}[model]
        # After the removal, the next admin posts the version they would have seen.
        current = model.objects.filter(pk=getattr(o, field).pk).values_list("version", flat=True).first()
        return {"version": current or getattr(o, field).version}

    return data


def draft_item_fields(o) -> dict[str, Any]:
    return {
        "kind": "joint_activity",
        "title": "By the matrix",
        "lead_parties": [str(o.doc.pk)],
        "source_section": str(o.draft_clause.pk),
    }


def draft_item_new_data(o, user):
    return {**draft_item_fields(o), "code": f"M-{getattr(user, 'pk', 0)}"}


def draft_item_data(o, user):
    current = Commitment.objects.get(pk=o.draft_item.pk)
    return {**draft_item_fields(o), "code": current.code, "version": current.version}


def draft_obligation_fields(o) -> dict[str, Any]:
    return {
        "kind": "report",
        "title": "By the matrix",
        "section": str(o.draft_item.source_section_id),
        "parties": [str(o.doc.pk), str(o.dhs.pk)],
        "cadence": "monthly",
        "anchor": "calendar",
        "window_days": "10",
    }


def draft_obligation_new_data(o, user):
    return {**draft_obligation_fields(o), "code": f"M-{getattr(user, 'pk', 0)}"}


def draft_obligation_data(o, user):
    current = Obligation.objects.get(pk=o.draft_obligation.pk)
    return {**draft_obligation_fields(o), "code": current.code, "version": current.version}


def draft_signatory_data(o, user):
    current = Signatory.objects.get(pk=o.draft_signatory.pk)
    return {"name": "Matrix Signatory", "title": "Secretary", "signed_on": "", "version": current.version}


def user_create_data(o, user):
    return {
        "username": "matrix.new",
        "email": "matrix.new@example.gov",
        "party": str(o.doc.pk),
        "roles": [STAFF],
    }


def user_edit_data(o, user):
    edited = get_user_model().objects.get(pk=o.doc_staff.pk)
    return {
        "version": user_version(user=edited),
        "first_name": "Matrix",
        "last_name": "Edited",
        "email": o.doc_staff.email,
        "party": str(o.doc.pk),
        "roles": [STAFF, MANAGER],
        "is_active": "on",
    }


def mute_data(o, user):
    return {"muted": [mutable_kinds()[0][0]]}


def termination_notice_data(o, user):
    return {"notice-given_on": today().isoformat(), "notice-notice_days": "30", "notice-reason": "Matrix."}


def mutual_termination_data(o, user):
    terminate_on = today() + datetime.timedelta(days=10)
    return {"mutual-terminate_on": terminate_on.isoformat(), "mutual-text": "The Parties end it (matrix)."}


def report_subscription_data(o, user):
    return {"subscribe": "1"}


def non_renewal_data(o, user):
    return {"nonrenewal-given_on": today().isoformat()}


def api_update_data(o, user):
    return {
        "commitment": str(o.doc_item.pk),
        "as_of": DAY,
        "status": "on_track",
        "percent_complete": "40",
        "narrative": "Posted through the API by the permission matrix.",
    }


def api_meeting_data(o, user):
    return {
        "agreement": o.moa.slug,
        "kind": "quarterly",
        "title": "Recorded through the API by the permission matrix",
        "starts_at": f"{DAY}T10:00:00-04:00",
        "format": "call",
        "confirm_duplicate": "true",
    }


def api_event_data(o, user):
    return {
        "agreement": o.moa.slug,
        "title": "Recorded through the API by the permission matrix",
        "held_on": DAY,
        "city": "Chicago",
        "country": "United States",
        "place": "us",
        "audiences": "platforms",
    }


def api_contact_data(o, user):
    return {
        "agreement": o.moa.slug,
        "party": "DOC",
        "role_title": "Matrix API Liaison",
        "active_from": o.doc_contact.active_from.isoformat(),
    }


def api_contact_deactivate_data(o, user):
    current = PointOfContact.objects.get(pk=o.doc_contact.pk)
    return {"active_to": current.active_from.isoformat(), "version": str(current.version)}


def api_milestone_data(o, user):
    return {"commitment": str(o.doc_item.pk), "title": "Matrix API milestone", "due_on": "2018-03-31"}


def api_milestone_complete_data(o, user):
    return {"completed_on": DAY, "version": str(Milestone.objects.get(pk=o.doc_milestone.pk).version)}


def api_milestone_cancel_data(o, user):
    current = Milestone.objects.get(pk=o.doc_milestone.pk)
    return {"cancel_reason": "Planned by mistake (permission matrix, API).", "version": str(current.version)}


def token_data(o, user):
    return {"name": "Matrix token", "scope": "read", "expires_on": today().isoformat()}


def webhook_data(o, user):
    url = "http://127.0.0.1:9/new"
    return {"name": "Matrix receiver", "url": url, "events": ["notice.due"], "format": "slack"}


def pause_data(o, user):
    return {"active": "0"}


def webhook_edit_data(o, user):
    current = WebhookSubscription.objects.get(pk=o.webhook.pk)
    return {**webhook_data(o, user), "version": str(current.version)}


def password_change_data(o, user):
    new = "matrix-horse-battery-staple-2"
    return {"old_password": DEFAULT_PASSWORD, "new_password1": new, "new_password2": new}


def _app_code(key_hex: str) -> str:
    return f"{TOTP(bytes.fromhex(key_hex)).token():06d}"


def mfa_app_data(o, user):
    """A secret offered to this user, and the code an app holding it shows now."""
    if user is None:
        return {"secret": "none", "code": "000000"}
    key_hex = default_key()
    return {
        "secret": signing.dumps({"key": key_hex, "user": user.pk}, salt=mfa.SECRET_SALT),
        "code": _app_code(key_hex),
        "password": DEFAULT_PASSWORD,  # doc_staff has a passkey: adding an app asks the password
    }


def current_factor_data(o, user):
    """Proof of the user's current factor (people.mfa.proof_asked): the password, and the app's
    code if they have an app (only the one asked for is read)."""
    data = {"password": DEFAULT_PASSWORD}
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() if user is not None else None
    if device is not None:
        data["code"] = _app_code(device.key)
    return data


def mfa_code_data(o, user):
    """The current code of the user's app (one is set for them if they have none)."""
    if user is None:
        return {"code": "000000"}
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="Matrix app", confirmed=True
    )
    return {"code": _app_code(device.key)}


# fmt: off
POSTS: dict[str, PostRow] = {
    # url name: post(kwargs, data, answers for anonymous doc_staff dhs_staff manager admin outsider
    #                                         dhs_manager dhs_admin)
    "contacts:create": post(None, contact_create_data, "login 403 403 403 ok 403 403 200"),
    "contacts:edit": post(doc_contact, contact_edit_data, "login 403 403 403 ok 404 403 403"),
    "contacts:deactivate": post(doc_contact, contact_deactivate_data, "login 403 403 403 ok 404 403 403"),
    "people:create": post(None, user_create_data, "login 403 403 403 ok 403 403 200"),
    "people:edit": post(doc_staff_user, user_edit_data, "login 403 403 403 ok 403 403 404"),
    "people:unlock": post(doc_staff_user, None, "login 403 403 403 ok 403 403 ok"),
    "activities:update_create": post(doc_item, update_data, "login ok 403 ok ok 404 403 403"),
    "activities:update_edit": post(doc_update, update_data, "login ok 403 403 403 404 403 403"),
    "activities:commitment_assign": post(doc_item, assign_data, "login 403 403 ok ok 404 403 403"),
    "activities:milestone_create": post(doc_item, milestone_data, "login ok 403 ok ok 404 403 403"),
    "activities:milestone_complete": post(doc_milestone, complete_data, "login ok 403 ok ok 404 403 403"),
    "activities:milestone_edit": post(doc_milestone, milestone_edit_data, "login ok 403 ok ok 404 403 403"),
    "activities:milestone_cancel": post(doc_milestone, cancel_data, "login ok 403 ok ok 404 403 403"),
    "activities:meeting_create": post(None, meeting_data, "login ok ok ok ok 404 ok ok", for_moa),
    "activities:meeting_edit": post(meeting, meeting_data, "login ok 403 ok ok 404 403 403"),
    "activities:meeting_evidence": post(meeting, evidence_data, "login ok 403 ok ok 404 403 403"),
    "activities:meeting_agenda_use": post(
        upcoming_meeting, agenda_use_data, "login ok 403 ok ok 404 403 403"
    ),
    "activities:follow_up_complete": post(follow_up, follow_up_close_data, "login ok ok ok ok 404 ok ok"),
    "activities:event_create": post(None, event_data, "login ok ok ok ok 404 ok ok", for_moa),
    "activities:event_edit": post(event, event_data, "login ok 403 ok ok 404 403 403"),
    "activities:event_evidence": post(event, evidence_data, "login ok 403 ok ok 404 403 403"),
    "activities:evidence_withdraw": post(evidence, withdraw_data, "login ok 403 ok ok 404 403 403"),
    "compliance:report_subscription": post(moa, report_subscription_data, "login 403 403 ok ok 404 ok ok"),
    "compliance:calendar_regenerate": post(None, None, "login ok ok ok ok ok ok ok"),
    "compliance:calendar_revoke": post(None, None, "login ok ok ok ok ok ok ok"),
    "notifications:mark_all_read": post(None, None, "login ok ok ok ok ok ok ok"),
    "notifications:preferences": post(None, mute_data, "login ok ok ok ok ok ok ok"),
    "password_change": post(None, password_change_data, "login ok ok ok ok ok ok ok"),
    "logout": post(None, None, "login login login login login login login login"),
    # DOC's admin gives notice first: DHS's is then refused on the form (a notice stands).
    "agreements:termination": post(mou, termination_notice_data, "login 403 403 403 ok 404 403 200"),
    # DOC's notice is withdrawn by DOC's admin; DHS's admin then finds none (a message, redirect).
    "agreements:termination_withdraw": post(mou_noticed, None, "login 403 403 403 ok 404 403 ok"),
    "agreements:termination_mutual": post(mou, mutual_termination_data, "login 403 403 403 ok 404 403 ok"),
    # DOC's admin gives notice first: DHS's is then refused on the form (one already given).
    "agreements:termination_non_renewal": post(mou, non_renewal_data, "login 403 403 403 ok 404 403 200"),
    "agreements:termination_non_renewal_withdraw": post(
        mou_non_renewed, None, "login 403 403 403 ok 404 403 ok"
    ),
    "agreements:termination_renewal": post(mou_noticed, None, "login 403 403 403 ok 404 403 ok"),
    # A draft: its parties' admins (DOC's and DHS's) edit it; no one else finds it. A removed
    # item is not found by the next admin.
    "agreements:draft_clause_new": post(draft, draft_clause_new_data, "login 404 404 404 ok 404 404 ok"),
    "agreements:draft_clause_edit": post(draft_clause, draft_clause_data, "login 404 404 404 ok 404 404 ok"),
    "agreements:draft_clause_move": post(
        draft_clause, draft_clause_move_data, "login 404 404 404 ok 404 404 ok"
    ),
    "agreements:draft_clause_delete": post(
        draft_clause, draft_version(Section), "login 404 404 404 ok 404 404 404"
    ),
    "agreements:draft_commitment_new": post(draft, draft_item_new_data, "login 404 404 404 ok 404 404 ok"),
    "agreements:draft_commitment_edit": post(draft_item, draft_item_data, "login 404 404 404 ok 404 404 ok"),
    "agreements:draft_commitment_delete": post(
        draft_item, draft_version(Commitment), "login 404 404 404 ok 404 404 404"
    ),
    "agreements:draft_obligation_new": post(
        draft, draft_obligation_new_data, "login 404 404 404 ok 404 404 ok"
    ),
    "agreements:draft_obligation_edit": post(
        draft_obligation, draft_obligation_data, "login 404 404 404 ok 404 404 ok"
    ),
    "agreements:draft_obligation_delete": post(
        draft_obligation, draft_version(Obligation), "login 404 404 404 ok 404 404 404"
    ),
    # DOC's signatory: DHS's admin sees the draft but may not correct another party's signatory.
    "agreements:draft_signatory_edit": post(
        draft_signatory, draft_signatory_data, "login 404 404 404 ok 404 404 403"
    ),
    "accounts:mfa_app": post(None, mfa_app_data, "login ok ok ok ok ok ok ok"),
    "accounts:mfa_recovery_renew": post(None, mfa_code_data, "login ok ok ok ok ok ok ok"),
    "accounts:mfa_remove": post(None, mfa_code_data, "login ok ok ok ok ok ok ok"),
    "accounts:mfa_passkey_remove": post(
        pk_of("passkey"), current_factor_data, "login ok 404 404 404 404 404 404"
    ),
    "tokens:list": post(None, token_data, "login 201 201 201 201 201 201 201"),
    "tokens:revoke": post(pk_of("access_token"), None, "login ok 404 404 404 404 404 404"),
    # DOC's webhook: DOC's admin keeps it; DHS's admin adds DHS's own, and does not find DOC's.
    "webhooks:create": post(None, webhook_data, "login 403 403 403 201 403 403 201"),
    "webhooks:edit": post(pk_of("webhook"), webhook_edit_data, "login 403 403 403 ok 403 403 404"),
    "webhooks:pause": post(pk_of("webhook"), pause_data, "login 403 403 403 ok 403 403 404"),
    "webhooks:rotate": post(pk_of("webhook"), None, "login 403 403 403 201 403 403 404"),
    "webhooks:test": post(pk_of("webhook"), None, "login 403 403 403 ok 403 403 404"),
    "webhooks:delete": post(pk_of("webhook"), None, "login 403 403 403 ok 403 403 404"),
    "api:progress-update-list": post(None, api_update_data, "401 201 403 201 201 404 403 403"),
    "api:milestone-list": post(None, api_milestone_data, "401 201 403 201 201 404 403 403"),
    # The lead party's staff complete (or cancel) the milestone once; the manager's and the admin's
    # after them are refused (400: the first completion, or cancelling, stays), changing nothing.
    "api:milestone-complete": post(
        pk_of("doc_milestone"), api_milestone_complete_data, "401 200 403 400 400 404 403 403"
    ),
    "api:milestone-cancel": post(
        pk_of("doc_milestone"), api_milestone_cancel_data, "401 200 403 400 400 404 403 403"
    ),
    "api:contact-list": post(None, api_contact_data, "401 403 403 403 201 403 403 403"),
    "api:contact-deactivate": post(
        pk_of("doc_contact"), api_contact_deactivate_data, "401 403 403 403 200 404 403 403"
    ),
    # Staff of either party record the MOA's meetings and their own party's events; the outsider
    # does not see the MOA (400: no such agreement among those they see).
    "api:meeting-list": post(None, api_meeting_data, "401 201 201 201 201 400 201 201"),
    "api:outreach-event-list": post(None, api_event_data, "401 201 201 201 201 400 201 201"),
    "api:notification-mark-read": post(None, None, "401 200 200 200 200 200 200 200"),
}
# fmt: on
# Open to anyone by design (signing in, asking for a reset link); their abuse limits are tested
# with the sign-in (django-axes) and the reset pages.
OPEN_FORMS = {"login", "password_reset", "password_reset_confirm", "accounts:mfa_verify"}
READ_ONLY = sorted(set(EXPECTED) - set(POSTS) - OPEN_FORMS - set(POST_EXPECTED))
# Signing out writes only the session (sends everyone to the sign-in page).
SIGN_OUT = {"logout"}

# Every table a POST to the portal can write.
WRITTEN = (
    ProgressUpdate,
    Evidence,
    Milestone,
    Meeting,
    FollowUpAction,
    OutreachEvent,
    Commitment,
    Section,
    Obligation,
    Signatory,
    PointOfContact,
    get_user_model(),
    get_user_model().groups.through,
    PartyMembership,
    CalendarFeedToken,
    Notification,
    Mute,
    AccessAttempt,
    Agreement,
    TerminationNotice,
    Modification,
    ModificationExecution,
    TextReading,
    ReadingProposal,
    DraftUpload,
    TOTPDevice,
    RecoveryCodeDevice,
    RecoveryCode,
    WebAuthnCredential,
    WebAuthnAttestation,
    WebAuthnUserHandle,
    AccessToken,
    WebhookSubscription,
    ReportSubscription,
)


def _snapshot() -> dict[str, list[dict[str, Any]]]:
    """Every row of every table a POST can write, field by field."""
    return {model._meta.label: list(model.objects.order_by("pk").values()) for model in WRITTEN}


def _changes(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


@pytest.fixture
def post_users(objects, doc_manager, doc_admin, outsider) -> dict[str, Any]:
    return {
        "anonymous": None,
        "doc_staff": objects.doc_staff,
        "dhs_staff": objects.dhs_staff,
        "manager": doc_manager,
        "admin": doc_admin,
        "outsider": outsider,
        "dhs_manager": UserFactory(username="dhs.manager", party=objects.dhs, roles=[MANAGER]),
        "dhs_admin": UserFactory(username="dhs.admin", party=objects.dhs, roles=[ADMIN], is_staff=True),
    }


def test_every_url_is_posted_or_declared_read_only():
    assert not set(POSTS) - set(EXPECTED), "POSTS has rows for URLs that are not in EXPECTED"
    assert set(POSTS) | OPEN_FORMS | set(READ_ONLY) | set(POST_EXPECTED) == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(POSTS))
def test_post_answers_each_kind_of_user_and_a_refused_post_changes_nothing(name, client, objects, post_users):
    row = POSTS[name]
    url = reverse(name, kwargs=row.kwargs(objects)) + (row.query(objects) if row.query else "")
    got, wrong = {}, {}
    for who in POST_WHO:
        user = post_users[who]
        client.logout()
        if user is not None:
            client.force_login(user)
        before = _snapshot()
        response = client.post(url, row.data(objects, user))
        got[who] = _answer(response)
        if got[who] != row.answers[who]:
            wrong[who] = f"expected {row.answers[who]}, got {got[who]}"
        # A page's write answers with a redirect (or, making a token, the 201 page showing it);
        # the API's with 200 or 201.
        went_through = got[who] in (REDIRECT, 201) or (name.startswith("api:") and got[who] == 200)
        if not went_through or name in SIGN_OUT:
            changed = _changes(before, _snapshot())
            assert not changed, f"POST {url} as {who} was not saved ({got[who]}) yet changed {changed}"
        if got[who] == 403:
            assert not (problems := _refusal_page_problems(response)), f"POST {url} as {who}: {problems}"
    assert not wrong, f"POST {url}: {wrong}"


@pytest.mark.parametrize("name", READ_ONLY)
def test_posting_to_a_read_only_url_changes_nothing(name, client, objects, post_users):
    url = reverse(name, kwargs=EXPECTED[name].kwargs(objects))
    for who in POST_WHO:
        user = post_users[who]
        client.logout()
        if user is not None:
            client.force_login(user)
        before = _snapshot()
        response = client.post(url, {"anything": "at all"})
        assert response.status_code < 500, f"POST {url} as {who} answered {response.status_code}"
        assert not (changed := _changes(before, _snapshot())), f"POST {url} as {who} changed {changed}"


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
