"""A proposed modification awaits the other parties: their admins are told, once per version."""

from __future__ import annotations

import pytest

from agreements import lifecycle
from agreements.permissions import ADMIN, STAFF
from agreements.tests.factories import AgreementFactory, SectionFactory, UserFactory
from notifications.models import Kind, Notification


@pytest.fixture
def agreement(doc, dhs):
    agreement = AgreementFactory(slug="pact", parties=[doc, dhs])
    SectionFactory(agreement=agreement, number="I")
    return agreement


@pytest.fixture
def dhs_admin(dhs):
    return UserFactory(username="dhs.admin", party=dhs, roles=[ADMIN], email="dhs.admin@dhs.gov")


def propose(user, agreement, django_capture_on_commit_callbacks):
    effects = {
        "add_commitments": [
            {"code": "N1", "kind": "joint_activity", "title": "New", "leads": ["DOC", "DHS"], "clause": "I"}
        ]
    }
    with django_capture_on_commit_callbacks(execute=True):
        return lifecycle.modification_propose(
            acting_user=user,
            agreement=agreement,
            title="More",
            text="The parties add an item.",
            effects=effects,
        )


def test_a_proposal_notifies_the_other_parties_admins_only(
    agreement, doc_admin, dhs_admin, dhs, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(username="dhs.staff2", party=dhs, roles=[STAFF], email="staff@dhs.gov")
    propose(doc_admin, agreement, django_capture_on_commit_callbacks)
    sent = Notification.objects.filter(kind=Kind.MODIFICATION_AWAITING)
    assert [n.user for n in sent] == [dhs_admin]
    assert [m.to for m in mailoutbox] == [["dhs.admin@dhs.gov"]]
    assert "modification 1 awaits your party's execution" in mailoutbox[0].subject


def test_a_changed_proposal_tells_the_other_parties_again(
    agreement, doc_admin, dhs_admin, django_capture_on_commit_callbacks
):
    m = propose(doc_admin, agreement, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.modification_update(
            acting_user=doc_admin,
            modification=m,
            expected_version=m.version,
            title=m.title,
            text="Changed words.",
            effects=m.effects,
        )
    notices = Notification.objects.filter(kind=Kind.MODIFICATION_AWAITING, user=dhs_admin).order_by("pk")
    assert notices.count() == 2
    assert "no longer count" in notices.last().body_text
