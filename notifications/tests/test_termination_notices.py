"""A party gives (or withdraws) notice of termination or non-renewal: the other parties' admins are told."""

from __future__ import annotations

import datetime

import pytest

from agreements import termination
from agreements.models import TerminationRight
from agreements.permissions import ADMIN, STAFF
from agreements.tests.factories import AgreementFactory, UserFactory
from core.time import today
from notifications.models import Kind, Notification


@pytest.fixture
def agreement(doc, dhs):
    """In force for a year, renewing by itself once unless a party gives 60 days' notice; either
    party may terminate on 30 days' notice."""
    agreement = AgreementFactory(
        slug="pact",
        parties=[doc, dhs],
        executed_on=today() - datetime.timedelta(days=10),
        term_years=1,
        renews=True,
        renewal_periods=1,
        renewal_years=1,
        renewal_notice_days=60,
    )
    for party in (doc, dhs):
        TerminationRight.objects.create(agreement=agreement, party=party, notice_days=30)
    return agreement


@pytest.fixture
def dhs_admin(dhs):
    return UserFactory(username="dhs.admin", party=dhs, roles=[ADMIN], email="dhs.admin@dhs.gov")


def test_a_termination_notice_tells_the_other_partys_admins_only(
    agreement, doc, doc_admin, dhs_admin, mailoutbox, django_capture_on_commit_callbacks
):
    UserFactory(username="doc.staff2", party=doc, roles=[STAFF], email="staff@doc.gov")
    with django_capture_on_commit_callbacks(execute=True):
        termination.termination_notice_give_for(
            acting_user=dhs_admin, agreement=agreement, given_on=today(), notice_days=30
        )
    sent = Notification.objects.filter(kind=Kind.TERMINATION_NOTICE)
    assert [n.user for n in sent] == [doc_admin]
    effective = today() + datetime.timedelta(days=30)
    assert mailoutbox[0].subject == (
        f"{agreement.short_name}: DHS gave notice of termination, effective {effective:%B %-d, %Y}"
    )
    assert "/agreements/pact/termination/" in mailoutbox[0].body


def test_withdrawing_the_notice_tells_them_again(
    agreement, doc_admin, dhs_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        termination.termination_notice_give_for(
            acting_user=dhs_admin, agreement=agreement, given_on=today(), notice_days=30
        )
        termination.termination_notice_withdraw_for(acting_user=dhs_admin, agreement=agreement)
    subjects = list(
        Notification.objects.filter(kind=Kind.TERMINATION_NOTICE, user=doc_admin)
        .order_by("pk")
        .values_list("subject", flat=True)
    )
    assert len(subjects) == 2
    assert subjects[1] == f"{agreement.short_name}: DHS withdrew its notice of termination"


def test_a_non_renewal_notice_tells_the_other_partys_admins(
    agreement, doc_admin, dhs_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        termination.non_renewal_notice_give(acting_user=dhs_admin, agreement=agreement, given_on=today())
    assert list(
        Notification.objects.filter(kind=Kind.TERMINATION_NOTICE).values_list("subject", flat=True)
    ) == [f"{agreement.short_name}: DHS gave notice of non-renewal"]


def test_withdrawing_a_non_renewal_notice_tells_the_other_partys_admins(
    agreement, doc_admin, dhs_admin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        termination.non_renewal_notice_give(acting_user=dhs_admin, agreement=agreement, given_on=today())
        termination.non_renewal_notice_withdraw_for(acting_user=dhs_admin, agreement=agreement)
    assert list(
        Notification.objects.filter(kind=Kind.TERMINATION_NOTICE, user=doc_admin)
        .order_by("pk")
        .values_list("subject", flat=True)
    ) == [
        f"{agreement.short_name}: DHS gave notice of non-renewal",
        f"{agreement.short_name}: DHS withdrew its notice of non-renewal",
    ]
