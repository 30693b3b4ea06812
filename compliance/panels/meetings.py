"""A meeting obligation's panel: each owed period of the term held, missed or upcoming.

One panel per meeting obligation the agreement states; none when it states none. The
periods, the kinds of meeting that count and the clause come from the obligation.
"""

from __future__ import annotations

from dataclasses import dataclass

from activities.models import Meeting
from activities.periods import PeriodState, meeting_record, period_query
from agreements.models import Obligation
from agreements.periods import Period

from .. import links
from .base import SHOWN_PERIODS, Filters, Rag, Signal


@dataclass(frozen=True)
class MeetingPeriod:
    period: Period
    code: str
    state: str  # a PeriodState value: held, missed or upcoming
    reason: str
    meeting: Meeting | None
    meeting_url: str | None
    list_url: str


@dataclass(frozen=True)
class MeetingsPanel:
    obligation: Obligation
    signal: Signal
    periods: list[MeetingPeriod]
    held: int
    missed: int
    upcoming: int
    #: How many of the periods have started by the as-of day.
    started: int = 0

    @property
    def _shown(self) -> tuple[int, int]:
        """The last SHOWN_PERIODS periods up to the current one (the first ones early in the term)."""
        end = max(self.started, min(SHOWN_PERIODS, len(self.periods)))
        return max(0, end - SHOWN_PERIODS), end

    @property
    def last_periods(self) -> list[MeetingPeriod]:
        start, end = self._shown
        return self.periods[start:end]

    @property
    def earlier_periods(self) -> list[MeetingPeriod]:
        return self.periods[: self._shown[0]]

    @property
    def later_periods(self) -> list[MeetingPeriod]:
        return self.periods[self._shown[1] :]

    @property
    def hidden_periods(self) -> int:
        return len(self.periods) - len(self.last_periods)

    @property
    def anchor(self) -> str:
        return f"obligation-{self.obligation.code}"


def meetings_signal(periods: list[MeetingPeriod], ended: list[MeetingPeriod]) -> Signal:
    """Red when the last ended period was missed, amber for a miss in the last four, else green."""
    recent = ended[-4:]
    missed = [p for p in recent if p.state == PeriodState.MISSED]
    if not periods:
        return Signal(Rag.AMBER, "meetings", "not_started")
    if not ended:
        return Signal(Rag.GREEN, "meetings", "none_ended")
    if ended[-1].state == PeriodState.MISSED:
        return Signal(Rag.RED, "meetings", "last_missed", {"last": ended[-1]})
    if missed:
        return Signal(Rag.AMBER, "meetings", "recent_missed", {"missed": missed, "recent": len(recent)})
    return Signal(Rag.GREEN, "meetings", "met", {"recent": len(recent)})


def meetings_panel(
    filters: Filters, obligation: Obligation, meetings: list[Meeting] | None = None
) -> MeetingsPanel:
    """Each owed period of the obligation held, missed or upcoming as of the day.

    Pass `meetings` (the agreement's meetings, not cancelled) to read them once for all its panels.
    """
    agreement, on = filters.agreement, filters.as_of
    obligation.agreement = agreement
    kind = {"kind": obligation.meeting_kinds[0]} if len(obligation.meeting_kinds) == 1 else {}
    periods = [
        MeetingPeriod(
            period=r.period,
            code=r.period.code,
            state=r.state.value,
            reason=r.reason,
            meeting=r.meeting,
            meeting_url=links.url_for("activities:meeting_detail", pk=r.meeting.pk) if r.meeting else None,
            list_url=links.list_url(
                links.MEETING_LIST, agreement=agreement.slug, **kind, **period_query(r.period)
            ),
        )
        for r in meeting_record(obligation, as_of=on, meetings=meetings)
    ]
    ended = [p for p in periods if p.period.due_on < on]
    return MeetingsPanel(
        obligation=obligation,
        signal=meetings_signal(periods, ended),
        periods=periods,
        held=sum(p.state == PeriodState.HELD for p in periods),
        missed=sum(p.state == PeriodState.MISSED for p in periods),
        upcoming=sum(p.state == PeriodState.UPCOMING for p in periods),
        started=sum(p.period.starts_on <= on for p in periods),
    )
