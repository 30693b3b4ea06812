"""Writes for the end of an agreement, as its parties' admins record it in the portal.

The rules are the agreement's data: who may terminate alone and on how many days' notice
(`TerminationRight`), whether the term renews by itself unless a party gives notice
(`Agreement.renews`, `renewal_automatic`, `renewal_notice_days`), or only when the parties
agree. Services as in agreements/lifecycle.py: keyword-only, `acting_user` first, each refusal
a `ValidationError` naming the form field at fault, one transaction each.

- **Notice of termination** by one party (`termination_notice_give_for`): the acting admin's
  party gives it; it takes effect after the notice period (agreements.services checks the
  rule); withdrawable by that party before then (`termination_notice_withdraw_for`).
- **Termination by mutual agreement** (`mutual_termination_propose`): a modification whose
  effect is `terminate_on`, executed by every party like any other (agreements/lifecycle.py);
  it takes effect on the last execution.
- **Notice of non-renewal** (`non_renewal_notice_give`) for a term that renews by itself, by
  the last day the term rules allow; withdrawable by the party that gave it until that same last
  day (`non_renewal_notice_withdraw_for`), after which the end is settled and only a modification
  renews the term; **renewal by agreement** (`renewal_propose`) for one that
  renews only when the parties agree: a modification moving the end by the renewal length.

The other parties' admins are told through the `termination_notice_given` signal
(agreements/signals.py), sent after the transaction commits.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction

from core.time import long_date, today

from . import lifecycle, permissions
from .models import Agreement, Modification, Party, TerminationNotice
from .selectors import non_renewal_withdrawal_deadline
from .services import TerminationRefused, termination_notice_give, termination_notice_withdraw
from .signals import termination_notice_given

if TYPE_CHECKING:
    from django.contrib.auth.models import User


class What:
    """What a `termination_notice_given` signal announces (the notice's `what`)."""

    TERMINATION = "termination"
    WITHDRAWN = "termination_withdrawn"
    NON_RENEWAL = "non_renewal"
    NON_RENEWAL_WITHDRAWN = "non_renewal_withdrawn"


def _refuse(field_name: str, message: str) -> ValidationError:
    return ValidationError({field_name: [message]})


def _party(acting_user: User, agreement: Agreement, field_name: str, doing: str) -> Party:
    party = permissions.acting_party(acting_user, agreement)
    if party is None:
        raise _refuse(field_name, f"Only an admin of a party to this agreement can {doing}.")
    return party


def _tell_the_others(
    agreement: Agreement, party: Party, *, what: str, occasion: str, day: datetime.date
) -> None:
    """After the commit, announce it to the other parties (notifications tells their admins)."""
    others = [p for p in agreement.parties.all() if p.pk != party.pk]
    if others:
        transaction.on_commit(
            lambda: termination_notice_given.send(
                sender=Agreement,
                agreement=agreement,
                party=party,
                parties=others,
                what=what,
                occasion=occasion,
                day=day,
            )
        )


@transaction.atomic
def termination_notice_give_for(
    *,
    acting_user: User,
    agreement: Agreement,
    given_on: datetime.date,
    notice_days: int,
    reason: str = "",
) -> TerminationNotice:
    """The acting admin's party gives notice of termination; the term ends `notice_days` later.

    The agreement's notice rule for the party decides the shortest notice (agreements.services).
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    party = _party(acting_user, agreement, "given_on", "give notice of termination")
    if given_on > today():
        raise _refuse("given_on", f"The notice date {given_on:%Y-%m-%d} is in the future.")
    try:
        notice = termination_notice_give(
            agreement=agreement, party=party, given_on=given_on, notice_days=notice_days, reason=reason
        )
    except TerminationRefused as exc:
        raise _refuse(exc.field, str(exc)) from None
    _tell_the_others(
        agreement,
        party,
        what=What.TERMINATION,
        occasion=f"termination notice {notice.pk}",
        day=notice.effective_on,
    )
    return notice


@transaction.atomic
def termination_notice_withdraw_for(*, acting_user: User, agreement: Agreement) -> TerminationNotice:
    """The party that gave the standing notice withdraws it, before it takes effect."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    party = _party(acting_user, agreement, "__all__", "withdraw a notice of termination")
    notice = agreement.termination_notices.filter(withdrawn_on__isnull=True).select_related("party").first()
    if notice is None:
        raise _refuse("__all__", "No notice of termination stands; there is nothing to withdraw.")
    if notice.party_id != party.pk:
        raise _refuse(
            "__all__", f"The notice was given by {notice.party.acronym}; only its admins can withdraw it."
        )
    try:
        termination_notice_withdraw(notice=notice, withdrawn_on=today())
    except TerminationRefused as exc:
        raise _refuse("__all__", str(exc)) from None
    _tell_the_others(
        agreement,
        party,
        what=What.WITHDRAWN,
        occasion=f"termination notice {notice.pk} withdrawn",
        day=today(),
    )
    return notice


def mutual_termination_propose(
    *, acting_user: User, agreement: Agreement, terminate_on: datetime.date, text: str
) -> Modification:
    """Propose ending the agreement by mutual agreement: a modification every party executes."""
    return lifecycle.modification_propose(
        acting_user=acting_user,
        agreement=agreement,
        title=f"Termination by mutual agreement on {long_date(terminate_on)}",
        text=text,
        effects={"terminate_on": terminate_on},
    )


@transaction.atomic
def non_renewal_notice_give(*, acting_user: User, agreement: Agreement, given_on: datetime.date) -> Agreement:
    """The acting admin's party gives notice that the term is not to renew, by the last day allowed."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    party = _party(acting_user, agreement, "given_on", "give notice of non-renewal")
    if given_on > today():
        raise _refuse("given_on", f"The notice date {given_on:%Y-%m-%d} is in the future.")
    if not (agreement.renews and agreement.renewal_automatic):
        raise _refuse("given_on", "The term does not renew by itself; there is no renewal to stop.")
    if agreement.non_renewal_notice_on is not None:
        by = agreement.non_renewal_notice_by.acronym if agreement.non_renewal_notice_by else "A party"
        raise _refuse(
            "given_on",
            f"{by} already gave notice of non-renewal on {agreement.non_renewal_notice_on:%Y-%m-%d}.",
        )
    term = agreement.term_on(given_on)
    if not term.is_in_force:
        raise _refuse("given_on", f"The agreement is not in force on {given_on:%Y-%m-%d}.")
    if term.notice_deadline is None:
        raise _refuse("given_on", "The term has no renewal left to stop.")
    # A notice after one renewal's last day (that renewal is taken) stops the next one: the
    # term on `given_on` already counts down to the next deadline.
    agreement.non_renewal_notice_on = given_on
    agreement.non_renewal_notice_by = party
    agreement.save()
    _tell_the_others(
        agreement, party, what=What.NON_RENEWAL, occasion=f"non-renewal notice {given_on}", day=given_on
    )
    return agreement


@transaction.atomic
def non_renewal_notice_withdraw_for(*, acting_user: User, agreement: Agreement) -> Agreement:
    """The party that gave the notice of non-renewal withdraws it, by the last day to give one.

    After that day the end of the term is settled: renewing then takes a modification every party
    executes (`renewal_propose` does not apply to a term that renews by itself).
    """
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    party = _party(acting_user, agreement, "__all__", "withdraw a notice of non-renewal")
    given_on = agreement.non_renewal_notice_on
    if given_on is None:
        raise _refuse("__all__", "No notice of non-renewal stands; there is nothing to withdraw.")
    if agreement.non_renewal_notice_by_id != party.pk:
        by = agreement.non_renewal_notice_by.acronym if agreement.non_renewal_notice_by else "another party"
        raise _refuse("__all__", f"The notice was given by {by}; only its admins can withdraw it.")
    deadline = non_renewal_withdrawal_deadline(agreement)
    if deadline is None:
        raise _refuse("__all__", "The agreement is no longer in force; the notice has taken effect.")
    if today() > deadline:
        raise _refuse(
            "__all__",
            f"The last day to withdraw it was {long_date(deadline)}: the term's end is settled. "
            "Renewing now takes a modification every party executes.",
        )
    agreement.non_renewal_notice_on = None
    agreement.non_renewal_notice_by = None
    agreement.save()
    _tell_the_others(
        agreement,
        party,
        what=What.NON_RENEWAL_WITHDRAWN,
        occasion=f"non-renewal notice {given_on} withdrawn on {today()}",
        day=today(),
    )
    return agreement


def renewal_end(agreement: Agreement) -> datetime.date | None:
    """The end of the term after one renewal by agreement (None when the term rules allow none)."""
    rules = agreement.term_rules()
    if not agreement.renews or agreement.renewal_automatic or not rules.renewal_length:
        return None
    end = agreement.term_on(today()).expires_on
    return end + rules.renewal_length if end else None


def renewal_propose(*, acting_user: User, agreement: Agreement) -> Modification:
    """Propose renewing a term that renews only when the parties agree: a modification every party
    executes, moving the end by the renewal length the term rules give."""
    end = renewal_end(agreement)
    if end is None:
        raise _refuse("__all__", "The term rules give no renewal by agreement of the parties.")
    length = agreement.term_rules().renewal_length or relativedelta()
    clause = f" under {agreement.renewal_clause}" if agreement.renewal_clause else ""
    return lifecycle.modification_propose(
        acting_user=acting_user,
        agreement=agreement,
        title=f"Renewal to {long_date(end)}",
        text=f"The Parties renew the agreement{clause}, for {_length_words(length)}, until {long_date(end)}.",
        effects={"term_ends_on": end},
    )


def _length_words(length: relativedelta) -> str:
    parts = [(length.years, "year"), (length.months, "month"), (length.days, "day")]
    return ", ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n) or "no time"
