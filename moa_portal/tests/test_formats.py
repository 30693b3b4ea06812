"""One way of writing dates for people ("December 1, 2026"), ISO in data files, durations in words."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse

from core.time import duration_in_words, long_date


def test_a_day_is_written_month_day_year():
    assert long_date(datetime.date(2026, 12, 1)) == "December 1, 2026"


def test_a_moment_is_written_as_its_day_on_the_portal_clock():
    late_evening = datetime.datetime(2026, 12, 2, 3, 30, tzinfo=datetime.UTC)  # 22:30 in New York
    assert long_date(late_evening) == "December 1, 2026"


def test_templates_name_the_format_and_get_the_same_words():
    rendered = Template('{{ d|date:"DATE_FORMAT" }} · {{ t|date:"DATETIME_FORMAT" }}').render(
        Context(
            {
                "d": datetime.date(2026, 12, 1),
                "t": datetime.datetime(2026, 12, 1, 15, 30, tzinfo=ZoneInfo("America/New_York")),
            }
        )
    )
    assert rendered == "December 1, 2026 · December 1, 2026, 3:30 p.m."


@pytest.mark.parametrize(
    ("duration", "words"),
    [
        (datetime.timedelta(minutes=30), "30 minutes"),
        (datetime.timedelta(hours=1), "1 hour"),
        (datetime.timedelta(hours=1, minutes=30), "1 hour 30 minutes"),
        (datetime.timedelta(days=2, minutes=1), "2 days 1 minute"),
        (datetime.timedelta(seconds=20), "less than a minute"),
    ],
)
def test_durations_are_written_in_words(duration, words):
    assert duration_in_words(duration) == words


@pytest.mark.django_db
def test_the_lockout_page_says_how_long_in_words(client, doc_staff):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(
            reverse("login"), {"username": doc_staff.username, "password": "wrong-password-123"}
        )
    page = response.content.decode()
    assert "refused for 30 minutes" in page
    assert "0:30:00" not in page
