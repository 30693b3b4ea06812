"""The dashboard page: who may see it, what it shows, and that it costs a fixed number of queries."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from activities.tests.factories import ProgressUpdateFactory
from agreements.permissions import ADMIN, MANAGER
from agreements.tests.factories import AgreementFactory, CommitmentFactory, UserFactory
from compliance.tests.conftest import grow

pytestmark = pytest.mark.django_db
URL = reverse("compliance:dashboard")
# Session, user, roles and membership, the agreement and its parties, one query per panel part,
# and the header's unread-notification count; the agreement picker asks whether its choices
# are more than it draws (keys only, unordered), then, when they are few, reads them in order.
DASHBOARD_QUERIES = 27


def test_staff_are_refused_the_dashboard(client, pact, staff):
    client.force_login(staff)
    assert client.get(URL, {"agreement": "pact"}).status_code == 403


def test_manager_sees_the_dashboard_of_their_agreement(client, pact, manager):
    client.force_login(manager)
    response = client.get(URL, {"agreement": "pact", "as_of": "2021-06-30"})
    assert response.status_code == 200
    assert response.context["filters"].as_of == datetime.date(2021, 6, 30)
    assert b"<h1" in response.content and response.content.count(b"<h1") == 1


def test_manager_of_another_party_gets_404_for_the_agreement(client, pact, outside_manager):
    client.force_login(outside_manager)
    assert client.get(URL, {"agreement": "pact"}).status_code == 404


def test_party_not_on_the_agreement_is_404(client, pact, manager):
    client.force_login(manager)
    assert client.get(URL, {"agreement": "pact", "party": "NOPE"}).status_code == 404


def test_anonymous_user_is_sent_to_sign_in(client, pact):
    response = client.get(URL)
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_without_an_agreement_the_latest_visible_one_is_shown(client, pact, manager):
    client.force_login(manager)
    assert client.get(URL).context["filters"].agreement == pact


def test_a_query_without_a_day_shows_today_in_the_as_of_box(client, pact, manager):
    with time_machine.travel(datetime.datetime(2026, 11, 23, 15, tzinfo=datetime.UTC), tick=False):
        client.force_login(manager)
        html = client.get(URL, {"agreement": "pact"}).content.decode()
    assert 'name="as_of" value="2026-11-23"' in html


def test_a_bad_as_of_date_is_an_error_next_to_the_field_and_today_is_used(client, pact, manager):
    client.force_login(manager)
    response = client.get(URL, {"agreement": "pact", "as_of": "not-a-date"})
    assert response.status_code == 200
    assert response.context["form"].errors["as_of"]


def test_every_panel_shows_its_signal_in_words(client, pact, manager):
    client.force_login(manager)
    html = client.get(URL, {"agreement": "pact", "as_of": "2021-06-30"}).content.decode()
    for label in ("On course", "Needs attention", "Action needed"):
        if label in html:
            break
    else:
        pytest.fail("no signal label")
    assert html.count('class="signal mb-2"') == 12  # six panels, each in the overview too


def test_charts_get_their_numbers_from_json_script_and_no_inline_script(client, pact, manager):
    client.force_login(manager)
    html = client.get(URL, {"agreement": "pact"}).content.decode()
    assert 'id="chart-commitments-data" type="application/json"' in html
    assert 'id="chart-outreach-data" type="application/json"' in html
    assert "<script>" not in html and "style=" not in html
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/dashboard.js" in html


def test_user_typed_text_is_escaped(client, pact, manager, abc):
    CommitmentFactory(agreement=pact, code="X1", title="<script>alert(1)</script>")
    ProgressUpdateFactory(commitment=pact.commitments.get(code="X1"), as_of=datetime.date(2020, 2, 1))
    client.force_login(manager)
    html = client.get(URL, {"agreement": "pact", "as_of": "2021-06-30"}).content.decode()
    assert "<script>alert(1)" not in html


@pytest.mark.parametrize("factor", [1, 10])
def test_dashboard_answers_in_a_fixed_number_of_queries(
    client, pact, manager, abc, xyz, factor, django_assert_max_num_queries
):
    grow(pact, [abc, xyz], manager, factor)
    client.force_login(manager)
    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(URL, {"agreement": "pact", "as_of": "2021-06-30"})
    assert response.status_code == 200
    assert response.context["commitments"].total == 4 * factor


def test_draft_agreement_not_yet_executed_still_shows_its_dashboard_to_its_admins(client, abc, xyz):
    # A draft is seen by the admins of its parties only (agreements.permissions.visibility_of).
    AgreementFactory(slug="draft", executed_on=None, parties=[abc, xyz])
    client.force_login(UserFactory(username="abc.admin", party=abc, roles=[ADMIN]))
    response = client.get(URL, {"agreement": "draft"})
    assert response.status_code == 200
    assert response.context["term"].signal.reason.startswith("Not yet in force")


def test_default_agreement_is_the_latest_executed_not_a_draft(client, pact, manager, abc, xyz):
    AgreementFactory(slug="draft", executed_on=None, parties=[abc, xyz])
    client.force_login(manager)
    assert client.get(URL).context["filters"].agreement == pact


def test_manager_without_an_agency_sees_no_agreement(client, pact):
    client.force_login(UserFactory(username="lone.manager", roles=[MANAGER]))
    response = client.get(URL)
    assert response.status_code == 200
    assert "no agreement of your agency" in response.content.decode()


def test_chart_segments_link_to_the_same_lists_as_the_table(client, pact, manager, abc, xyz):
    grow(pact, [abc, xyz], manager, 1)
    client.force_login(manager)
    context = client.get(URL, {"agreement": "pact", "as_of": "2021-06-30"}).context
    chart = context["charts"]["commitments"]
    blocked = next(d for d in chart["datasets"] if d["label"] == "Blocked")
    table = [row.cells[3].url for row in context["commitments"].by_kind]
    assert blocked["urls"] == table
    assert table[0] == "/commitments/?agreement=pact&status=blocked&kind=objective"


def test_the_filter_form_labels_every_field_and_ties_a_bad_date_to_its_error(client, pact, manager):
    client.force_login(manager)
    html = client.get(URL, {"agreement": "pact", "as_of": "not-a-date"}).content.decode()
    for field in ("agreement", "party", "as_of"):
        assert f'<label for="id_{field}" class="form-label">' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_as_of_helptext id_as_of_error"' in html
    assert '<div id="id_as_of_error" class="invalid-feedback">' in html
    assert "Enter a valid date." in html
    assert '<option value="pact" selected>' in html
