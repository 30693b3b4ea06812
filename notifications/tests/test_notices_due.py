"""manage.py notices_due: what the jobs would send on a day, one line each, sending nothing.

The term countdown runs only toward a real day: an open-ended term gets none, a renewing one
counts to its last day for notice of non-renewal, a termination notice to its effective day.
"""

import datetime
from io import StringIO
from pathlib import Path

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.template.loader import render_to_string

from agreements.agreement_file import read_agreement
from agreements.countdown import term_notices_to_send
from agreements.models import Party
from agreements.permissions import MANAGER
from agreements.services import import_agreement, termination_notice_give
from agreements.tests.factories import UserFactory
from notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[2] / "agreements" / "tests" / "data"
DAY = datetime.timedelta(days=1)


def notices_due(day: datetime.date, slug: str | None = None) -> list[list[str]]:
    out = StringIO()
    call_command("notices_due", "--on", day.isoformat(), *(["--agreement", slug] if slug else []), stdout=out)
    return [line.split("\t") for line in out.getvalue().splitlines()]


def load(name: str):
    agreement = import_agreement(doc=read_agreement(DATA / name)).agreement
    for party in agreement.parties.all():
        UserFactory(username=f"{party.acronym.lower()}.manager", party=party, roles=[MANAGER])
    return agreement


def test_open_ended_agreement_gets_no_countdown_notice_over_a_year(db):
    logistics = load("logistics-moa-1978.yaml")
    day, kinds = logistics.executed_on, set()
    while day <= logistics.executed_on + 365 * DAY:
        kinds |= {kind for kind, *_ in notices_due(day, logistics.slug)}
        day += DAY
    assert Kind.TERM_NOTICE not in kinds


def test_renewing_agreement_counts_down_to_the_last_day_for_notice(db):
    renewing = load("renewing-data-sharing-agreement.yaml")
    deadline = datetime.date(2026, 12, 3)
    lines = [line for line in notices_due(deadline - 30 * DAY, renewing.slug) if line[0] == Kind.TERM_NOTICE]
    assert sorted(line[2] for line in lines) == ["lmn.manager@example.gov", "opq.manager@example.gov"]
    assert {line[3] for line in lines} == {"notice of non-renewal due 2026-12-03, 30 days before"}


def test_renewed_agreement_counts_down_to_the_next_deadline(db):
    renewing = load("renewing-data-sharing-agreement.yaml")
    lines = notices_due(datetime.date(2027, 12, 3), renewing.slug)
    assert {line[3] for line in lines if line[0] == Kind.TERM_NOTICE} == {
        "notice of non-renewal due 2027-12-03, 0 days before"
    }


def test_termination_notice_counts_down_to_its_effective_day(db):
    logistics = load("logistics-moa-1978.yaml")
    termination_notice_give(
        agreement=logistics, party=Party.objects.get(acronym="NAVY"), given_on=datetime.date(1980, 3, 1)
    )
    assert {line[3] for line in notices_due(datetime.date(1980, 3, 1), logistics.slug)} == {
        "terminates 1980-03-31, 30 days before"
    }
    assert {line[3] for line in notices_due(datetime.date(1980, 3, 31), logistics.slug)} == {
        "terminates 1980-03-31, 0 days before"
    }
    assert notices_due(datetime.date(1980, 4, 1), logistics.slug) == []


def test_notices_due_sends_and_claims_nothing(db):
    renewing = load("renewing-data-sharing-agreement.yaml")
    assert notices_due(datetime.date(2026, 12, 3), renewing.slug)
    assert (Notification.objects.count(), len(mail.outbox)) == (0, 0)


def test_notices_due_refuses_an_unknown_agreement(db):
    with pytest.raises(CommandError, match="no agreement with the slug 'nope'"):
        notices_due(datetime.date(2026, 1, 1), "nope")


def test_doc_dhs_countdown_is_as_before_and_cites_its_modification_clause(moa):
    UserFactory(username="doc.manager", party=Party.objects.get(acronym="DOC"), roles=[MANAGER])
    lines = notices_due(datetime.date(2022, 9, 19), moa.slug)
    assert [line[3] for line in lines if line[0] == Kind.TERM_NOTICE] == [
        "expires 2022-10-19, 30 days before"
    ]
    (due,) = term_notices_to_send(datetime.date(2022, 9, 19), slug=moa.slug)
    body = render_to_string("notifications/email/term_notice.txt", {"agreement": moa, **due.context})
    assert "executed by every party before then (VIII)." in body


def test_notice_e_mails_name_no_clause_the_agreement_does_not_state(db):
    logistics = load("logistics-moa-1978.yaml")
    body = render_to_string(
        "notifications/email/term_notice.txt",
        {
            "agreement": logistics,
            "target": "expiry",
            "expires_on": datetime.date(1990, 1, 1),
            "days_left": 30,
        },
    )
    assert "(VIII)" not in body and "()" not in body
