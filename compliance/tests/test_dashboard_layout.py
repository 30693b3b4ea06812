"""The dashboard's period lists: the last four shown, the others behind "Show all" (<details>)."""

import datetime
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
URL = reverse("compliance:dashboard")


def _visible_and_hidden(html: str, marker: str) -> tuple[list[str], list[str]]:
    details = html.index("<details data-earlier-periods>", html.index(marker))
    end = html.index("</details>", details)
    inside = re.findall(r'data-quarter="([^"]+)"', html[details:end])
    before = re.findall(r'data-quarter="([^"]+)"', html[html.index(marker) : details])
    return before, inside


def test_the_last_four_periods_up_to_now_show_and_the_rest_are_one_show_all_away(client, manager, pact):
    client.force_login(manager)
    response = client.get(URL, {"agreement": "pact", "as_of": "2022-06-30"})
    panel = response.context["meetings"]
    codes = [p.code for p in panel.periods]
    shown, hidden = _visible_and_hidden(response.content.decode(), f'id="{panel.anchor}"')
    assert shown == ["2021-Q3", "2021-Q4", "2022-Q1", "2022-Q2"]
    assert hidden == [c for c in codes if c not in shown]  # earlier ones, then those to come
    assert f"Show all {len(codes)} periods" in response.content.decode()


def test_early_in_the_term_the_first_four_periods_show(client, manager, pact):
    client.force_login(manager)
    response = client.get(URL, {"agreement": "pact", "as_of": "2020-02-15"})
    assert [p.code for p in response.context["meetings"].last_periods] == [
        "2020-Q1",
        "2020-Q2",
        "2020-Q3",
        "2020-Q4",
    ]


def test_outreach_quarters_collapse_the_same_way(client, manager, pact):
    client.force_login(manager)
    response = client.get(URL, {"agreement": "pact", "as_of": "2022-06-30"})
    panel = response.context["outreach"]
    html = response.content.decode()
    assert len(panel.last_quarters) == 4
    assert panel.quarters[-1].quarter == panel.last_quarters[-1].quarter
    assert f"Show all {len(panel.quarters)} quarters" in html
    assert panel.last_quarters[0].quarter.starts_on > datetime.date(2021, 6, 30)
