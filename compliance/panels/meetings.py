"""The quarterly meetings panel (VI.5): each calendar quarter of the term held, missed or upcoming."""

from __future__ import annotations

from dataclasses import dataclass

from activities.models import Meeting
from activities.quarters import Quarter, QuarterState, quarterly_meeting_record

from .. import links
from .base import Filters, Rag, Signal, quarter_code


@dataclass(frozen=True)
class MeetingQuarter:
    quarter: Quarter
    code: str
    state: str  # a QuarterState value: held, missed or upcoming
    reason: str
    meeting: Meeting | None
    meeting_url: str | None
    list_url: str


@dataclass(frozen=True)
class MeetingsPanel:
    signal: Signal
    quarters: list[MeetingQuarter]
    held: int
    missed: int
    upcoming: int


def meetings_signal(quarters: list[MeetingQuarter], ended: list[MeetingQuarter]) -> Signal:
    """Red when the last ended quarter was missed, amber for a miss in the last four, else green."""
    recent = ended[-4:]
    missed = [q for q in recent if q.state == QuarterState.MISSED]
    if not quarters:
        return Signal(Rag.AMBER, "meetings", "not_started")
    if not ended:
        return Signal(Rag.GREEN, "meetings", "none_ended")
    if ended[-1].state == QuarterState.MISSED:
        return Signal(Rag.RED, "meetings", "last_missed", {"last": ended[-1]})
    if missed:
        return Signal(Rag.AMBER, "meetings", "recent_missed", {"missed": missed, "recent": len(recent)})
    return Signal(Rag.GREEN, "meetings", "met", {"recent": len(recent)})


def meetings_panel(filters: Filters) -> MeetingsPanel:
    """Each calendar quarter of the term held, missed or upcoming as of the day (VI.5)."""
    agreement, on = filters.agreement, filters.as_of
    meetings = list(
        Meeting.objects.filter(agreement=agreement, kind=Meeting.Kind.QUARTERLY, is_cancelled=False)
    )
    quarters = []
    for r in quarterly_meeting_record(agreement, as_of=on, meetings=meetings):
        code = quarter_code(r.quarter)
        quarters.append(
            MeetingQuarter(
                quarter=r.quarter,
                code=code,
                state=r.state.value,
                reason=r.reason,
                meeting=r.meeting,
                meeting_url=links.url_for("activities:meeting_detail", pk=r.meeting.pk)
                if r.meeting
                else None,
                list_url=links.list_url(
                    links.MEETING_LIST, agreement=agreement.slug, kind=Meeting.Kind.QUARTERLY, quarter=code
                ),
            )
        )
    ended = [q for q in quarters if q.quarter.ends_on < on]
    return MeetingsPanel(
        signal=meetings_signal(quarters, ended),
        quarters=quarters,
        held=sum(q.state == QuarterState.HELD for q in quarters),
        missed=sum(q.state == QuarterState.MISSED for q in quarters),
        upcoming=sum(q.state == QuarterState.UPCOMING for q in quarters),
    )
