"""An item's latest update day, kept by PostgreSQL (activities 0013), and "stale" read from it.

The day is written by triggers whatever writes the updates, so these tests write them every
way the portal does (the service, a factory's save, bulk_create, a queryset update, a delete)
and compare the day kept with the updates themselves.
"""

import datetime

import pytest
from django.db.models import Max

from activities.models import ProgressUpdate
from activities.services import progress_update_create, progress_update_edit
from activities.tests.factories import ProgressUpdateFactory
from agreements.models import Commitment
from agreements.permissions import STAFF
from agreements.tests.factories import AgreementFactory, CommitmentFactory, PartyFactory, UserFactory
from core.time import today

pytestmark = pytest.mark.django_db


def _kept(item: Commitment) -> datetime.date | None:
    return Commitment.objects.values_list("latest_update_on", flat=True).get(pk=item.pk)


def _latest(item: Commitment) -> datetime.date | None:
    return ProgressUpdate.objects.filter(commitment=item).aggregate(day=Max("as_of"))["day"]


@pytest.fixture
def item():
    return CommitmentFactory(agreement=AgreementFactory(executed_on=today() - datetime.timedelta(days=400)))


def test_an_item_never_reported_on_has_no_latest_day(item):
    assert _kept(item) is None


def test_an_update_logged_through_the_service_sets_the_day(item):
    party = item.agreement.parties.first()
    user = UserFactory(party=party, roles=[STAFF])
    day = today() - datetime.timedelta(days=3)
    progress_update_create(
        commitment=item,
        acting_user=user,
        reporting_party=party,
        as_of=day,
        status="on_track",
        percent_complete=10,
        narrative="Started.",
    )
    assert _kept(item) == day


def test_an_earlier_update_logged_later_leaves_the_latest_day(item):
    ProgressUpdateFactory(commitment=item, as_of=today() - datetime.timedelta(days=2))
    ProgressUpdateFactory(commitment=item, as_of=today() - datetime.timedelta(days=30))
    assert _kept(item) == today() - datetime.timedelta(days=2)


def test_an_edit_that_moves_the_day_back_moves_the_latest_day_back(item):
    party = item.agreement.parties.first()
    user = UserFactory(party=party, roles=[STAFF])
    ProgressUpdateFactory(commitment=item, as_of=today() - datetime.timedelta(days=50))
    update = progress_update_create(
        commitment=item,
        acting_user=user,
        reporting_party=party,
        as_of=today(),
        status="on_track",
        percent_complete=10,
        narrative="Typed the wrong day.",
    )
    progress_update_edit(
        update=update,
        acting_user=user,
        expected_version=update.version,
        as_of=today() - datetime.timedelta(days=20),
        status="on_track",
        percent_complete=10,
        narrative="The right day.",
    )
    assert _kept(item) == today() - datetime.timedelta(days=20) == _latest(item)


def test_rows_written_in_bulk_and_by_a_queryset_update_keep_the_day(item):
    other = CommitmentFactory(agreement=item.agreement)
    party, author = PartyFactory(), UserFactory()
    rows = [
        ProgressUpdate(
            commitment=c,
            as_of=today() - datetime.timedelta(days=d),
            status="on_track",
            percent_complete=5,
            narrative="Bulk.",
            reporting_party=party,
            author=author,
        )
        for c in (item, other)
        for d in (9, 4, 7)
    ]
    ProgressUpdate.objects.bulk_create(rows)
    assert (_kept(item), _kept(other)) == (today() - datetime.timedelta(days=4),) * 2
    # One statement moves every update of `other` onto `item`: both items are taken again.
    ProgressUpdate.objects.filter(commitment=other).update(commitment=item)
    assert _kept(item) == today() - datetime.timedelta(days=4)
    assert _kept(other) is None


def test_deleting_the_latest_update_falls_back_to_the_one_before(item):
    ProgressUpdateFactory(commitment=item, as_of=today() - datetime.timedelta(days=40))
    newest = ProgressUpdateFactory(commitment=item, as_of=today() - datetime.timedelta(days=1))
    newest.delete()
    assert _kept(item) == today() - datetime.timedelta(days=40)
    ProgressUpdate.objects.filter(commitment=item).delete()
    assert _kept(item) is None


def test_saving_an_item_read_before_an_update_does_not_write_back_its_old_day(item):
    read_before = Commitment.objects.get(pk=item.pk)
    ProgressUpdateFactory(commitment=item, as_of=today())
    read_before.owner = UserFactory()
    read_before.save()
    assert _kept(item) == today()


def test_stale_as_of_today_reads_the_kept_day_and_agrees_with_the_updates():
    """The fast rule (the kept day) and the rule over the updates (any past day) name the same
    items, for every case the rule distinguishes, on the day they both answer for."""
    long_ago = today() - datetime.timedelta(days=400)
    agreement = AgreementFactory(executed_on=long_ago)
    young = AgreementFactory(executed_on=today() - datetime.timedelta(days=10))
    cases = {
        "reported inside the window": (agreement, [5], "on_track"),
        "reported on the window's first day": (agreement, [90], "on_track"),
        "reported just before the window": (agreement, [91], "on_track"),
        "reported long ago only": (agreement, [300, 200], "on_track"),
        "never reported, agreement old": (agreement, [], "not_started"),
        "never reported, agreement young": (young, [], "not_started"),
        "complete, reported long ago": (agreement, [300], "complete"),
    }
    items = {}
    for name, (on_agreement, days_ago, status) in cases.items():
        items[name] = CommitmentFactory(agreement=on_agreement, status=status)
        for d in days_ago:
            ProgressUpdateFactory(commitment=items[name], as_of=today() - datetime.timedelta(days=d))

    fast = set(Commitment.objects.stale(on=today(), days=90))
    # The same rule over the updates: asked as of yesterday with a window a day shorter, it
    # covers the same days (nothing is dated today but what the cases say).
    over_updates = set(Commitment.objects.stale(on=today() - datetime.timedelta(days=1), days=89))
    expected = {
        items["reported just before the window"],
        items["reported long ago only"],
        items["never reported, agreement old"],
    }
    assert fast == expected
    assert over_updates == expected
