"""What every panel shares: the filters it reads, and its signal (red, amber or green, and why).

A panel returns numbers and a signal *code*; the sentence that explains the signal is written
in a template (templates/compliance/signals/<panel>.txt), and its colour in CSS keyed by the
signal (static/css/dashboard.css), so policy, words and looks each live in one place.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone

from activities.quarters import Quarter
from agreements.models import Agreement, Party
from core.time import today


class Rag(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"


RAG_LABELS = {Rag.GREEN: "On course", Rag.AMBER: "Needs attention", Rag.RED: "Action needed"}
RAG_ICONS = {Rag.GREEN: "✓", Rag.AMBER: "!", Rag.RED: "✕"}


@dataclass(frozen=True)
class Signal:
    """A panel's red/amber/green, always with its reason in words (colour is never the only sign).

    `why` names the rule that decided it; `facts` are the numbers its sentence quotes.
    """

    rag: Rag
    panel: str
    why: str
    facts: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def label(self) -> str:
        return RAG_LABELS[self.rag]

    @property
    def icon(self) -> str:
        return RAG_ICONS[self.rag]

    @property
    def reason(self) -> str:
        """The sentence, from templates/compliance/signals/<panel>.txt (plain text, not escaped)."""
        text = render_to_string(f"compliance/signals/{self.panel}.txt", {"why": self.why, **self.facts})
        return text.strip()


@dataclass(frozen=True)
class Filters:
    """The dashboard's filters: one agreement, optionally one party, as of a day."""

    agreement: Agreement
    as_of: datetime.date
    party: Party | None = None

    @property
    def is_past(self) -> bool:
        """True when the dashboard looks back: the lists behind its numbers show today's state."""
        return self.as_of < today()

    @property
    def party_acronym(self) -> str | None:
        return self.party.acronym if self.party else None

    def query(self, **extra: Any) -> dict:
        """The filters as querystring values, for links to lists and exports."""
        return {"agreement": self.agreement.slug, "party": self.party_acronym, **extra}


def quarter_code(quarter: Quarter) -> str:
    """The URL contract's spelling of a quarter: `2018-Q1`."""
    return f"{quarter.year}-Q{quarter.number}"


def end_of_day(day: datetime.date) -> datetime.datetime:
    """The first moment after `day` in the portal's time zone: things before it happened by then."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


#: The periods a panel shows at first: the last four (a year of quarters); the others are one
#: "Show all" away (a <details>, which needs no script), never a scroll box cut mid-row.
SHOWN_PERIODS = 4
