"""Exports of the summary, progress updates and meetings, with the dashboard's filters applied."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from activities.tests.factories import MeetingFactory, OutreachEventFactory, ProgressUpdateFactory
from agreements.tests.factories import CommitmentFactory
from compliance.exports import safe_cell
from compliance.tests.conftest import NY

pytestmark = pytest.mark.django_db


def url(what, fmt):
    return reverse("compliance:export", kwargs={"what": what, "fmt": fmt})


def read_csv(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def read_xlsx(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def updates(pact, abc, xyz, manager):
    item = CommitmentFactory(agreement=pact, code="VI.1", lead_party=None)
    return [
        ProgressUpdateFactory(
            commitment=item,
            as_of=datetime.date(2021, 1, 10),
            reporting_party=abc,
            author=manager,
            narrative="=1+1",
        ),
        ProgressUpdateFactory(
            commitment=item, as_of=datetime.date(2021, 2, 10), reporting_party=xyz, author=manager
        ),
        ProgressUpdateFactory(
            commitment=item, as_of=datetime.date(2021, 9, 10), reporting_party=abc, author=manager
        ),
    ]


def test_updates_csv_has_the_updates_of_the_party_up_to_the_day(client, manager, updates):
    client.force_login(manager)
    response = client.get(url("updates", "csv"), {"agreement": "pact", "party": "ABC", "as_of": "2021-06-30"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="pact-abc-updates-2021-06-30.csv"'
    rows = read_csv(response)
    assert rows[0][:4] == ["Commitment", "Kind", "Title", "As of"]
    assert [(r[0], r[3], r[8]) for r in rows[1:]] == [("VI.1", "2021-01-10", "ABC")]


def test_narrative_that_looks_like_a_formula_is_not_run_by_a_spreadsheet(client, manager, updates):
    client.force_login(manager)
    rows = read_csv(client.get(url("updates", "csv"), {"agreement": "pact", "as_of": "2021-06-30"}))
    assert rows[1][6] == "'=1+1"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)" and safe_cell(5) == 5


def test_updates_xlsx_holds_the_same_rows(client, manager, updates):
    client.force_login(manager)
    rows = read_xlsx(client.get(url("updates", "xlsx"), {"agreement": "pact", "as_of": "2021-06-30"}))
    assert rows[0][0] == "Commitment"
    assert [(r[0], r[3].date(), r[8]) for r in rows[1:]] == [
        ("VI.1", datetime.date(2021, 1, 10), "ABC"),
        ("VI.1", datetime.date(2021, 2, 10), "XYZ"),
    ]


def test_meetings_export_lists_meetings_up_to_the_day_with_their_quarter(client, manager, pact):
    MeetingFactory(agreement=pact, organiser=manager, starts_at=datetime.datetime(2020, 5, 12, 10, tzinfo=NY))
    MeetingFactory(
        agreement=pact, organiser=manager, starts_at=datetime.datetime(2020, 8, 12, 10, tzinfo=NY), minutes=""
    )
    MeetingFactory(agreement=pact, organiser=manager, starts_at=datetime.datetime(2021, 8, 12, 10, tzinfo=NY))
    client.force_login(manager)
    rows = read_csv(client.get(url("meetings", "csv"), {"agreement": "pact", "as_of": "2021-06-30"}))
    assert [(r[0], r[3], r[7]) for r in rows[1:]] == [
        ("2020-Q2", "2020-05-12 10:00", "yes"),
        ("2020-Q3", "2020-08-12 10:00", "no"),
    ]
    xlsx = read_xlsx(client.get(url("meetings", "xlsx"), {"agreement": "pact", "as_of": "2021-06-30"}))
    assert len(xlsx) == 3


def test_summary_export_has_each_panels_signal_and_the_counts(client, manager, pact, updates):
    client.force_login(manager)
    rows = read_csv(client.get(url("summary", "csv"), {"agreement": "pact", "as_of": "2021-06-30"}))
    assert rows[0] == ["Panel", "Measure", "Value", "Detail"]
    signals = [r[0] for r in rows if r[1] == "Signal"]
    assert signals == [
        "Term",
        "Commitments",
        "Quarterly meetings or conference calls (VI.5)",  # the obligation's title and clause, from data
        "Points of contact",
        "Outreach events (VI.3)",
        "Recent activity",
    ]
    assert ["Commitments", "Joint activity: On track", "1", ""] in rows
    assert ["Term", "Status", "In force", ""] in rows
    xlsx = read_xlsx(client.get(url("summary", "xlsx"), {"agreement": "pact", "as_of": "2021-06-30"}))
    assert ["Commitments", "Joint activity: On track", 1, None] in xlsx


def test_unknown_export_is_404(client, manager, pact):
    client.force_login(manager)
    assert client.get(url("secrets", "csv"), {"agreement": "pact"}).status_code == 404
    assert client.get(url("summary", "pdf"), {"agreement": "pact"}).status_code == 404


def test_staff_cannot_export(client, staff, pact):
    client.force_login(staff)
    assert client.get(url("updates", "csv"), {"agreement": "pact"}).status_code == 403


def test_export_of_an_agreement_of_another_party_is_404(client, outside_manager, pact):
    client.force_login(outside_manager)
    assert client.get(url("updates", "csv"), {"agreement": "pact"}).status_code == 404


def test_printable_report_shows_the_quarter_and_its_updates(client, manager, pact, updates):
    client.force_login(manager)
    response = client.get(reverse("compliance:report"), {"agreement": "pact", "as_of": "2021-03-31"})
    assert response.status_code == 200
    assert "Quarterly report, 2021 Q1" in response.content.decode()
    assert [u.as_of for u in response.context["quarter_updates"]] == [
        datetime.date(2021, 2, 10),
        datetime.date(2021, 1, 10),
    ]


def test_staff_cannot_open_the_report(client, staff, pact):
    client.force_login(staff)
    assert client.get(reverse("compliance:report"), {"agreement": "pact"}).status_code == 403


def test_report_lists_the_quarters_meetings_and_events(client, manager, pact, abc):
    MeetingFactory(agreement=pact, organiser=manager, starts_at=datetime.datetime(2021, 2, 3, 10, tzinfo=NY))
    MeetingFactory(agreement=pact, organiser=manager, starts_at=datetime.datetime(2020, 12, 3, 10, tzinfo=NY))
    OutreachEventFactory(
        agreement=pact, organising_party=abc, created_by=manager, held_on=datetime.date(2021, 3, 1)
    )
    client.force_login(manager)
    context = client.get(reverse("compliance:report"), {"agreement": "pact", "as_of": "2021-03-31"}).context
    assert [m.starts_at.month for m in context["quarter_meetings"]] == [2]
    assert [e.held_on for e in context["quarter_events"]] == [datetime.date(2021, 3, 1)]


def test_narrative_that_looks_like_a_formula_is_text_in_the_excel_export_too(client, manager, updates):
    client.force_login(manager)
    response = client.get(url("updates", "xlsx"), {"agreement": "pact", "as_of": "2021-06-30"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    cells = [row[6] for row in sheet.iter_rows(min_row=2)]
    assert "'=1+1" in [c.value for c in cells]
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


@pytest.mark.parametrize("as_of", ["0001-03-31", "9999-12-31", "0001-01-01", "99999-01-01"])
@pytest.mark.parametrize("what", ["summary", "updates"])
def test_export_with_an_as_of_out_of_range_answers_a_form_error_page(client, manager, pact, what, as_of):
    client.force_login(manager)
    response = client.get(url(what, "xlsx"), {"agreement": "pact", "as_of": as_of})
    assert response.status_code == 400
    assert "As of" in response.content.decode()


def test_xlsx_opens_ready_to_file_with_frozen_header_filter_and_widths(client, manager, updates):
    client.force_login(manager)
    response = client.get(url("updates", "xlsx"), {"agreement": "pact", "as_of": "2021-06-30"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:M3"
    assert sheet["A1"].font.b
    assert sheet.column_dimensions["G"].width == 60  # Narrative
    assert sheet.column_dimensions["A"].width >= len("Commitment")


def test_xlsx_dates_are_typed_date_cells_in_iso_format(client, manager, updates):
    client.force_login(manager)
    response = client.get(url("updates", "xlsx"), {"agreement": "pact", "as_of": "2021-06-30"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    as_of, entered_at = sheet["D2"], sheet["K2"]
    assert as_of.is_date and as_of.number_format == "yyyy-mm-dd"
    assert as_of.value.date() == datetime.date(2021, 1, 10)
    assert entered_at.is_date and entered_at.number_format == "yyyy-mm-dd hh:mm"


def test_empty_xlsx_export_still_has_its_filtered_header(client, manager, pact):
    client.force_login(manager)
    response = client.get(url("meetings", "xlsx"), {"agreement": "pact", "as_of": "2021-06-30"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 1
    assert sheet.auto_filter.ref == "A1:L1"
    assert sheet.freeze_panes == "A2"
