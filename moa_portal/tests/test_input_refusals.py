"""Issue 20: control characters are refused with a plain 400; page numbers are bounded;
the pages name what is required and group checkboxes; the report's tables have captions."""

import logging

from django.urls import reverse

from activities.models import Milestone
from activities.tests.factories import MilestoneFactory
from compliance.models import CalendarFeedToken
from core.bounds import MAX_PAGE, page_number


def test_nul_in_a_query_answers_a_plain_400_page(client, doc_staff):
    client.force_login(doc_staff)
    response = client.get(reverse("activities:commitment_list"), {"q": "a\x00b"})
    assert response.status_code == 400
    assert "control character" in response.content.decode()


def test_escape_character_in_form_text_is_refused_and_nothing_saved(client, doc_staff, doc, moa):
    client.force_login(doc_staff)
    url = reverse("activities:milestone_create", kwargs={"slug": moa.slug, "code": "DOC-A1"})
    response = client.post(url, {"title": "Ship\x1b[2J", "due_on": "2021-01-01", "owner_user": doc_staff.pk})
    assert response.status_code == 400
    assert not Milestone.objects.exists()


def test_tabs_and_newlines_in_form_text_are_fine(client, doc_staff, moa):
    client.force_login(doc_staff)
    url = reverse("activities:milestone_create", kwargs={"slug": moa.slug, "code": "DOC-A1"})
    response = client.post(url, {"title": "Ship\tit", "due_on": "2021-01-01", "owner_user": doc_staff.pk})
    assert response.status_code == 302


def test_page_numbers_are_bounded_whatever_is_typed():
    assert page_number("9" * 25) == MAX_PAGE
    assert [page_number(v) for v in ("", None, "-3", "abc", "1e9", "٣", "0")] == [1, 1, 1, 1, 1, 1, 1]
    assert page_number("7") == 7


def test_audit_log_page_of_25_digits_answers_the_last_page(client, doc_admin):
    client.force_login(doc_admin)
    assert client.get(reverse("audit:log"), {"page": "9" * 25}).status_code == 200


def test_feed_skips_a_milestone_it_cannot_draw_and_logs_it(client, moa, doc_staff, caplog):
    good = MilestoneFactory(commitment=moa.commitments.get(code="DOC-A1"), owner_user=doc_staff, title="Good")
    bad = MilestoneFactory(commitment=moa.commitments.get(code="DOC-A1"), owner_user=doc_staff, title="Bad")
    Milestone.objects.filter(pk=bad.pk).update(due_on="9999-12-31")
    token = CalendarFeedToken.objects.create(user=doc_staff)
    with caplog.at_level(logging.WARNING, logger="compliance.calendar"):
        response = client.get(reverse("compliance:calendar_feed", args=[token.token]))
    assert response.status_code == 200
    body = response.content.decode()
    assert good.title in body and "Due: Bad" not in body
    assert f"milestone {bad.pk}" in caplog.text


def test_forms_explain_the_asterisk_and_mark_required_selects(client, doc_staff, moa):
    client.force_login(doc_staff)
    page = client.get(reverse("activities:update_create", args=[moa.slug, "DOC-A1"])).content.decode()
    assert page.count('id="required-note"') == 1
    assert 'name="status" aria-required="true"' in page or 'aria-required="true" name="status"' in page
    assert 'name="reporting_party"' in page and page.count('aria-required="true"') >= 2


def test_event_audiences_are_one_group_with_a_legend(client, doc_staff, moa):
    client.force_login(doc_staff)
    page = client.get(reverse("activities:event_create") + f"?agreement={moa.slug}").content.decode()
    start = page.index("Audiences reached")
    legend = page.rindex("<legend", 0, start)
    group = page[page.rindex("<fieldset", 0, legend) : page.index("</fieldset>", start)]
    assert page.index("</legend>", legend) > start  # the group's name is its legend
    assert group.count('name="audiences"') == 3  # the agreement's three audiences, in the one group


def test_every_report_table_has_a_caption(client, doc_manager, moa):
    client.force_login(doc_manager)
    page = client.get(reverse("compliance:report"), {"agreement": moa.slug}).content.decode()
    assert page.count("<table") == page.count("<caption>") > 0


def test_audit_log_times_carry_no_microseconds(client, doc_admin, moa):
    client.force_login(doc_admin)
    page = client.get(reverse("audit:log")).content.decode()
    stamps = [chunk.split('"')[0] for chunk in page.split('<time datetime="')[1:]]
    assert stamps
    assert all("." not in s and len(s) == len("2026-01-01T00:00:00+0000") for s in stamps), stamps[:3]
