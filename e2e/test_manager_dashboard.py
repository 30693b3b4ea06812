"""Journey 3: a DOC manager sees an "at risk" update on the compliance dashboard, follows the
count to exactly that item, and finds the update in the CSV export; and files the quarterly
report as PDF and the updates as an Excel sheet."""

import csv
import datetime
import io
import re

from openpyxl import load_workbook
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from activities import services
from agreements.models import CommitmentStatus

NARRATIVE = "WCO working group met in Brussels; the U.S. position paper is still in interagency review."


def test_manager_follows_the_at_risk_count_to_the_item_and_finds_the_update_in_the_csv(
    page: Page, login, doc_manager, doc_staff, doc, moa
):
    item = moa.commitments.get(code="VI.2")
    # Journey 1's update, entered as staff enter it.
    services.progress_update_create(
        commitment=item,
        acting_user=doc_staff,
        reporting_party=doc,
        as_of=datetime.date(2018, 6, 29),
        status=CommitmentStatus.AT_RISK,
        percent_complete=40,
        narrative=NARRATIVE,
    )

    login(page, doc_manager)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Dashboard").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Compliance dashboard")
    by_kind = page.get_by_role("table", name="Commitments by kind and status")
    joint = by_kind.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Joint activity"))
    expect(joint.locator('[data-count="joint_activity:at_risk"]')).to_have_text("1")
    expect(joint.locator('[data-count="joint_activity:not_started"]')).to_have_text("4")

    joint.locator('[data-count="joint_activity:at_risk"]').click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Commitments")
    expect(page.get_by_text(re.compile(r"^1 commitment\.$"))).to_be_visible()
    rows = page.get_by_role("table").locator("tbody > tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(f"{item.code} {item.title}")
    expect(rows.first).to_contain_text("At risk")

    page.go_back()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="CSV of progress updates").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".csv")
    with open(download.path(), encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(io.StringIO(f.read())))
    assert [(r["Commitment"], r["Status"], r["Percent complete"], r["Narrative"]) for r in rows] == [
        (item.code, "At risk", "40", NARRATIVE)
    ]


def test_manager_downloads_the_quarterly_report_as_pdf_and_the_updates_as_excel(
    page: Page, portal, login, doc_manager, doc_staff, doc, moa
):
    item = moa.commitments.get(code="VI.2")
    services.progress_update_create(
        commitment=item,
        acting_user=doc_staff,
        reporting_party=doc,
        as_of=datetime.date(2018, 6, 29),
        status=CommitmentStatus.AT_RISK,
        percent_complete=40,
        narrative=NARRATIVE,
    )
    login(page, doc_manager)
    page.goto(f"{portal}/dashboard/?agreement={moa.slug}&as_of=2018-06-30")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Quarterly report as PDF").click()
    download = download_info.value
    assert download.suggested_filename == f"{moa.slug}-report-2018-06-30.pdf"
    reader = PdfReader(download.path())
    assert len(reader.pages) >= 2
    for number, pdf_page in enumerate(reader.pages, start=1):
        text = pdf_page.extract_text()
        assert moa.short_name in text
        assert f"Page {number} of {len(reader.pages)}" in text
    assert "Quarterly report, 2018 Q2" in reader.pages[0].extract_text()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="XLSX of progress updates").click()
    with open(download_info.value.path(), "rb") as f:
        sheet = load_workbook(io.BytesIO(f.read())).active
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:M2"
    as_of = sheet["D2"]
    assert as_of.is_date and as_of.value.date() == datetime.date(2018, 6, 29)
