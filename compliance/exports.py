"""The dashboard's exports: the compliance summary, progress updates and meetings, as CSV or Excel.

The filters of the dashboard (agreement, party, as of) apply to every export. Text a person
typed is written so a spreadsheet never runs it as a formula (CSV/formula injection). Dates are
ISO (2026-12-01) in both formats; in Excel they are typed date cells, so a leader can sort and
filter by them, and the sheet opens ready to file: columns wide enough to read, the header row
frozen and an autofilter on it.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Count
from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from activities.models import Meeting, ProgressUpdate
from activities.quarters import Quarter, local_date
from agreements.models import VocabularyEntry
from agreements.obligations import Vocabulary

from .panels import Filters, end_of_day, quarter_code

if TYPE_CHECKING:
    from .selectors import Dashboard

EXPORTS = ("summary", "updates", "meetings")
FORMATS = ("csv", "xlsx")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
# Columns of prose get room to read a sentence; others fit their header (or an ISO time).
WIDE_COLUMNS = {
    "Title": 40,
    "Narrative": 60,
    "Next steps": 40,
    "Minutes": 60,
    "Decisions": 40,
    "Measure": 40,
    "Detail": 40,
    "Panel": 30,
    "Location": 25,
}
MIN_WIDTH = 12


def safe_cell(value):
    """Text that a spreadsheet would read as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def summary_rows(board: Dashboard) -> tuple[list[str], list[list]]:
    """One row per number on the dashboard; each panel starts with its signal and reason."""
    headers = ["Panel", "Measure", "Value", "Detail"]
    rows: list[list] = []
    term = board.term
    rows += [
        ["Term", "Signal", term.signal.label, term.signal.reason],
        ["Term", "Status", term.status_label, ""],
        ["Term", "Executed on", term.executed_on, ""],
        ["Term", "Expires on", term.expires_on, ""],
        ["Term", "Terminated on", term.terminated_on, ""],
        ["Term", "Days left", term.days_left, ""],
        ["Term", "Term elapsed (%)", term.elapsed_percent, ""],
    ]
    for change in term.changes:
        rows.append(["Term", "Modification", str(change.modification), f"Term to {change.to_date}"])
    c = board.commitments
    rows.append(["Commitments", "Signal", c.signal.label, c.signal.reason])
    for kind in c.by_kind:
        for cell, status in zip(kind.cells, c.statuses, strict=True):
            rows.append(["Commitments", f"{kind.label}: {status.label}", cell.n, ""])
    for party in c.by_party:
        for cell, status in zip(party.cells, c.statuses, strict=True):
            rows.append(
                ["Commitments", f"Led or co-led by {party.party.acronym}: {status.label}", cell.n, ""]
            )
    rows.append(["Commitments", f"No update in {c.stale_after_days} days", len(c.stale), ""])
    rows.append(["Commitments", "Overdue milestones", len(c.overdue_milestones), ""])
    rows.append(["Commitments", "Overdue meeting follow-ups", len(c.overdue_follow_ups), ""])
    for m in board.meeting_panels:
        name = f"{m.obligation.title} ({m.obligation.section.number})"
        rows.append([name, "Signal", m.signal.label, m.signal.reason])
        for q in m.periods:
            rows.append([name, str(q.period), q.state, q.reason])
    contacts = board.contacts
    rows.append(["Points of contact", "Signal", contacts.signal.label, contacts.signal.reason])
    for p in contacts.parties:
        rows.append(
            ["Points of contact", f"{p.party.acronym} active", p.active, f"{p.coordinators} coordinator(s)"]
        )
    for o in board.event_panels:
        name = f"{o.obligation.title} ({o.obligation.section.number})"
        rows.append([name, "Signal", o.signal.label, o.signal.reason])
        for oq in o.quarters:
            for place in oq.places:
                rows.append([name, f"{oq.quarter} {place.label}", place.n, ""])
    r = board.recent
    rows.append(["Recent activity", "Signal", r.signal.label, r.signal.reason])
    return headers, rows


def update_rows(filters: Filters) -> tuple[list[str], Iterable[list]]:
    """Every progress update on the agreement reported as of the day (by the party, if chosen)."""
    headers = [
        "Commitment",
        "Kind",
        "Title",
        "As of",
        "Status",
        "Percent complete",
        "Narrative",
        "Next steps",
        "Reporting party",
        "Author",
        "Entered at",
        "Corrects update",
        "Update id",
    ]
    updates = ProgressUpdate.objects.filter(commitment__agreement=filters.agreement, as_of__lte=filters.as_of)
    if filters.party:
        updates = updates.filter(reporting_party=filters.party)
    updates = updates.select_related("commitment", "reporting_party", "author").order_by(
        "commitment__position", "as_of", "created_at", "pk"
    )
    rows = (
        [
            u.commitment.code,
            u.commitment.get_kind_display(),
            u.commitment.title,
            u.as_of,
            u.get_status_display(),
            u.percent_complete,
            u.narrative,
            u.next_steps,
            u.reporting_party.acronym,
            u.author.get_full_name() or u.author.get_username(),
            timezone.localtime(u.created_at).replace(tzinfo=None),
            u.corrects_id,
            u.pk,
        ]
        for u in updates.iterator(chunk_size=500)
    )
    return headers, rows


def meeting_rows(filters: Filters) -> tuple[list[str], Iterable[list]]:
    """Every meeting of the agreement up to the day (meetings are joint: the party filter does not apply)."""
    headers = [
        "Quarter",
        "Kind",
        "Title",
        "Starts at",
        "Format",
        "Location",
        "Cancelled",
        "Has minutes",
        "Minutes",
        "Decisions",
        "Follow-up actions",
        "Meeting id",
    ]
    meetings = (
        Meeting.objects.filter(agreement=filters.agreement, starts_at__lt=end_of_day(filters.as_of))
        .annotate(follow_up_count=Count("follow_ups"))
        .order_by("starts_at", "pk")
    )
    kinds = VocabularyEntry.objects.labels(filters.agreement, Vocabulary.MEETING_KINDS)
    rows = (
        [
            quarter_code(Quarter.containing(local_date(m.starts_at))),
            kinds.get(m.kind, m.kind),
            m.title,
            timezone.localtime(m.starts_at).replace(tzinfo=None),
            m.get_format_display(),
            m.location,
            "yes" if m.is_cancelled else "no",
            "yes" if m.has_minutes else "no",
            m.minutes,
            m.decisions,
            m.follow_up_count,
            m.pk,
        ]
        for m in meetings.iterator(chunk_size=500)
    )
    return headers, rows


def export_filename(what: str, filters: Filters, fmt: str) -> str:
    party = f"-{filters.party.acronym.lower()}" if filters.party else ""
    return f"{filters.agreement.slug}{party}-{what}-{filters.as_of.isoformat()}.{fmt}"


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def csv_response(filename: str, headers: Sequence[str], rows: Iterable[Sequence]) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # so Excel reads the file as UTF-8
    writer = csv.writer(response)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([safe_cell(_text(v)) for v in row])
    return response


def column_width(header: str) -> int:
    """A column's width in characters: prose columns are wide, the rest fit their header."""
    return WIDE_COLUMNS.get(header, max(MIN_WIDTH, len(header) + 4))


def _xlsx_cell(worksheet: Worksheet, value: Any) -> Any:
    """A typed cell: dates and times carry an ISO number format; text is made formula-safe."""
    if isinstance(value, datetime.datetime):
        cell = WriteOnlyCell(worksheet, value)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, datetime.date):
        cell = WriteOnlyCell(worksheet, value)
        cell.number_format = DATE_FORMAT
        return cell
    return safe_cell(value)


def xlsx_response(
    filename: str, sheet: str, headers: Sequence[str], rows: Iterable[Sequence]
) -> HttpResponse:
    """The rows as a one-sheet workbook: widths set, header row frozen and filtered, dates typed."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet[:31])
    # In a write-only sheet, widths and panes must be set before the first row is written.
    for index, header in enumerate(headers, start=1):
        worksheet.column_dimensions[get_column_letter(index)].width = column_width(header)
    worksheet.freeze_panes = "A2"
    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(worksheet, header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(vertical="top")
        header_cells.append(cell)
    worksheet.append(header_cells)
    count = 0
    for row in rows:
        worksheet.append([_xlsx_cell(worksheet, v) for v in row])
        count += 1
    last = get_column_letter(max(len(headers), 1))
    worksheet.auto_filter.ref = f"A1:{last}{count + 1}"
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
