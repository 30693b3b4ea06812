"""The term panel (VII, VIII): Agreement.term_on(day), and how near its end the term is."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from agreements.models import Agreement, AgreementStatus, Term
from agreements.term import TermChange

from .base import Rag, Signal

# A term this close to its end needs a modification soon: the term panel turns amber.
TERM_WARNING_DAYS = 180


@dataclass(frozen=True)
class TermPanel:
    """The agreement's Term on the day, with the panel's signal; it reads as the term does."""

    signal: Signal
    term: Term

    @property
    def status(self) -> str:
        return self.term.status

    @property
    def status_label(self) -> str:
        return self.term.status_label

    @property
    def summary(self) -> str:
        return self.term.summary

    @property
    def executed_on(self) -> datetime.date | None:
        return self.term.starts_on

    @property
    def original_expires_on(self) -> datetime.date | None:
        return self.term.original_expires_on

    @property
    def expires_on(self) -> datetime.date | None:
        return self.term.expires_on

    @property
    def terminated_on(self) -> datetime.date | None:
        return self.term.terminated_on

    @property
    def ends_on(self) -> datetime.date | None:
        return self.term.ends_on

    @property
    def days_left(self) -> int | None:
        return self.term.days_left

    @property
    def days_since_end(self) -> int | None:
        return self.term.days_since_end

    @property
    def elapsed_percent(self) -> int | None:
        return self.term.elapsed_percent

    @property
    def changes(self) -> list[TermChange]:
        return self.term.changes


def term_signal(term: Term, terminated_by: str | None) -> Signal:
    """Red once ended; amber before execution, on a termination notice, or near expiry (TERM_WARNING_DAYS)."""
    facts = {"term": term, "terminated_by": terminated_by, "warning_days": TERM_WARNING_DAYS}
    if term.status == AgreementStatus.TERMINATED:
        return Signal(Rag.RED, "term", "terminated", facts)
    if term.status == AgreementStatus.DRAFT:
        return Signal(Rag.AMBER, "term", "draft", facts)
    if term.status == AgreementStatus.EXPIRED:
        return Signal(Rag.RED, "term", "expired", facts)
    if term.termination_on is not None:
        return Signal(Rag.AMBER, "term", "terminating", facts)
    if term.days_left is not None and term.days_left <= TERM_WARNING_DAYS:
        return Signal(Rag.AMBER, "term", "ending", facts)
    return Signal(Rag.GREEN, "term", "in_force", facts)


def term_panel(agreement: Agreement, as_of: datetime.date) -> TermPanel:
    """The term as it stood on `as_of`: only modifications every party had executed by then count."""
    term = agreement.term_on(as_of)
    by = agreement.terminated_by.acronym if agreement.terminated_by is not None else None
    return TermPanel(signal=term_signal(term, by), term=term)
