"""Stale items and overdue milestones: the shared rules the pages, dashboard and jobs use."""

import datetime

import pytest

from activities.models import Milestone
from activities.tests.factories import MilestoneFactory, ProgressUpdateFactory
from agreements.models import Commitment
from agreements.tests.factories import AgreementFactory, CommitmentFactory

pytestmark = pytest.mark.django_db
DAY = datetime.date(2021, 6, 30)


def test_item_with_an_update_inside_the_window_is_not_stale():
    item = CommitmentFactory(agreement=AgreementFactory(executed_on=datetime.date(2020, 1, 1)))
    ProgressUpdateFactory(commitment=item, as_of=DAY - datetime.timedelta(days=89))
    assert not Commitment.objects.stale(on=DAY, days=90).exists()


def test_item_whose_latest_update_is_older_than_the_window_is_stale():
    item = CommitmentFactory(agreement=AgreementFactory(executed_on=datetime.date(2020, 1, 1)))
    ProgressUpdateFactory(commitment=item, as_of=DAY - datetime.timedelta(days=91))
    assert list(Commitment.objects.stale(on=DAY, days=90)) == [item]


def test_never_reported_item_is_stale_only_once_the_agreement_is_that_old():
    young = CommitmentFactory(agreement=AgreementFactory(executed_on=DAY - datetime.timedelta(days=10)))
    old = CommitmentFactory(agreement=AgreementFactory(executed_on=datetime.date(2020, 1, 1)))
    assert list(Commitment.objects.stale(on=DAY, days=90)) == [old]
    assert young not in Commitment.objects.stale(on=DAY, days=90)


def test_update_reported_after_the_as_of_day_does_not_count_then():
    item = CommitmentFactory(agreement=AgreementFactory(executed_on=datetime.date(2020, 1, 1)))
    ProgressUpdateFactory(commitment=item, as_of=DAY + datetime.timedelta(days=5))
    assert list(Commitment.objects.stale(on=DAY, days=90)) == [item]


def test_milestone_due_before_the_day_and_not_completed_is_overdue():
    late = MilestoneFactory(due_on=DAY - datetime.timedelta(days=1))
    MilestoneFactory(due_on=DAY - datetime.timedelta(days=1), completed_on=DAY - datetime.timedelta(days=2))
    MilestoneFactory(due_on=DAY + datetime.timedelta(days=1))
    assert list(Milestone.objects.overdue(on=DAY)) == [late]


def test_milestone_completed_after_the_as_of_day_was_overdue_on_that_day():
    ms = MilestoneFactory(
        due_on=DAY - datetime.timedelta(days=3), completed_on=DAY + datetime.timedelta(days=3)
    )
    assert list(Milestone.objects.overdue(on=DAY)) == [ms]


def test_complete_item_is_never_stale():
    CommitmentFactory(agreement=AgreementFactory(executed_on=datetime.date(2020, 1, 1)), status="complete")
    assert not Commitment.objects.stale(on=DAY, days=90).exists()
