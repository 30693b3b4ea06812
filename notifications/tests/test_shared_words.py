"""A notice's words are rendered once per text its recipients share, and each recipient still
gets exactly the words rendered for them alone (their name in the greeting, links or none)."""

import pytest

from activities import reminders
from agreements import countdown
from agreements.permissions import MANAGER
from agreements.tests.factories import UserFactory
from notifications import jobs
from notifications.models import Kind, Notification
from notifications.services import _finished, _Words, notices_claim
from notifications.tests.factories import PointOfContactFactory
from notifications.tests.test_worker import ON, make_everything_due

WORDS = ("subject", "summary", "body_text", "body_html")


def alone(notice) -> dict[str, str]:
    """The words rendered for this one recipient, as every notice was rendered before sharing."""
    return _finished(_Words().render(notice, notice.recipient))


@pytest.mark.django_db
def test_each_recipient_of_a_shared_text_gets_the_words_rendered_for_them_alone():
    make_everything_due()
    parties = {p.acronym: p for p in countdown.term_notices_due(ON)[0].agreement.parties.all()}
    # A name that HTML must escape, and one like another's but for case and spacing.
    UserFactory(
        username="obrien",
        first_name="Zoë",
        last_name="O'Brien & <Partners>",
        party=parties["AAA"],
        roles=[MANAGER],
    )
    UserFactory(username="twin", first_name="ZOË", last_name="o'brien", party=parties["AAA"], roles=[MANAGER])
    ending = countdown.term_notices_due(ON)[0].agreement
    PointOfContactFactory(
        agreement=ending,
        party=parties["BBB"],
        email="nameless@example.gov",
        person_name="",
        role_title="",
        is_coordinator=True,
    )
    decided = [
        (Kind.TERM_NOTICE, countdown.term_notices_to_send(ON)),
        (Kind.MEETING_REMINDER, reminders.meeting_reminders_to_send(ON)),
        (Kind.MEETING_UNSCHEDULED, reminders.unscheduled_period_notices_to_send(ON)),
        (Kind.MINUTES_MISSING, reminders.minutes_nudges_to_send(ON)),
    ]
    notices = [n for kind, due in decided for n in jobs.notices_of(kind, due)]
    expected = {n.key: alone(n) for n in notices}

    claimed = notices_claim(notices=notices)

    rows = {
        (r.agreement_id, r.kind, r.occasion, r.recipient): {w: getattr(r, w) for w in WORDS}
        for r in Notification.objects.filter(pk__in=[c.pk for c in claimed])
    }
    assert rows == expected
    assert {n.kind for n in notices} == {
        Kind.TERM_NOTICE,
        Kind.MEETING_REMINDER,
        Kind.MEETING_UNSCHEDULED,
        Kind.MINUTES_MISSING,
    }
    term = [r for key, r in rows.items() if key[1] == Kind.TERM_NOTICE]
    assert len(term) == 4  # one text, to the four managers
    assert any("Dear Zoë O&#x27;Brien &amp; &lt;Partners&gt;," in r["body_html"] for r in term)
    assert any("Dear Zoë O'Brien & <Partners>," in r["body_text"] for r in term)
    assert any("Dear colleague," in r["body_text"] for r in rows.values())  # the contact without a name
