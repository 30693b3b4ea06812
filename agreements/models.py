"""The agreement itself: its parties, authorities, text, commitments, signatures and changes.

Nothing here is specific to the 2017 DOC–DHS MOA: any MOA, MOU or interagency agreement
with two or more parties fits the same tables.
"""

from __future__ import annotations

import datetime
from typing import Any, cast

import simple_history
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.time import long_date, today

from .term import AgreementStatus, Term, TermRules, term_of


class Party(models.Model):
    """An agency that can sign agreements (DOC, DHS, or any other).

    `key` is its identity across agreements (an agreement file names it); the acronym is how
    the text names it. Parties stored before keys have their acronym as key.
    """

    key = models.CharField(max_length=80, unique=True)
    acronym = models.CharField(max_length=20, unique=True)
    name = models.CharField("agency name", max_length=200)
    department = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["acronym"]
        verbose_name_plural = "parties"

    def __str__(self) -> str:
        return self.acronym


class TermStart(models.TextChoices):
    EXECUTION = "execution", "From execution"
    EFFECTIVE_DATE = "effective_date", "From the stated effective date"


class TermEnd(models.TextChoices):
    AFTER = "after", "After a stated length"
    ON_DATE = "on_date", "On a fixed date"
    OPEN = "open", "Open-ended (until terminated)"
    EVENT = "event", "Until an event"


def _duration_words(years: int, months: int, days: int) -> str:
    parts = [(years, "year"), (months, "month"), (days, "day")]
    return ", ".join(f"{n} {unit}{'s' if n != 1 else ''}" for n, unit in parts if n)


class AgreementQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None) -> AgreementQuerySet:
        """Agreements executed, not expired and not terminated on the given day."""
        on = on or today()
        return self.filter(Q(expires_on__gt=on) | Q(expires_on__isnull=True), executed_on__lte=on).exclude(
            terminated_on__lte=on
        )

    def of_party(self, party: Party | int) -> AgreementQuerySet:
        """Agreements the party is a party to (who sees which is agreements.permissions.visibility_of)."""
        # EXISTS rather than a join + DISTINCT: no duplicate rows to sort away, and a lookup by
        # slug starts from the slug's index instead of every agreement the party is on.
        return self.filter(
            Exists(Agreement.parties.through.objects.filter(party=party, agreement=OuterRef("pk")))
        )


class Agreement(models.Model):
    """A signed (or to-be-signed) agreement between two or more parties.

    The term (its clause is `term_clause`) starts on `executed_on` (the last party's signature)
    or on the stated `effective_on`, and ends after a length (`term_years`/`_months`/`_days`),
    on a fixed day (`term_ends_on`), never (open-ended), or on an event an admin records
    (`end_event`, `end_event_on`); it may renew (`renews` and the `renewal_*` fields) unless a
    party gave notice of non-renewal (`non_renewal_notice_on`). `expires_on` is derived from
    all of these and from executed modifications that extend the term, stored only so queries
    over many agreements can use it: None when the term has no end (yet).
    """

    class Kind(models.TextChoices):
        MOA = "moa", "Memorandum of Agreement"
        MOU = "mou", "Memorandum of Understanding"
        IAA = "iaa", "Interagency Agreement"
        OTHER = "other", "Other agreement"

    slug = models.SlugField(max_length=80, unique=True)
    short_name = models.CharField(max_length=120)
    title = models.CharField(max_length=400)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.MOA)
    purpose = models.TextField(blank=True)
    parties = models.ManyToManyField(Party, related_name="agreements")
    executed_on = models.DateField(
        null=True, blank=True, help_text="The day of the last party's signature; the term starts here."
    )
    execution_source = models.TextField(
        blank=True, help_text="Where the execution date comes from, for the record."
    )
    effective_on = models.DateField(
        null=True, blank=True, help_text="A stated effective date, when the term starts on one."
    )
    term_clause = models.CharField(max_length=40, blank=True, help_text="The clause that states the term.")
    term_starts = models.CharField(max_length=20, choices=TermStart.choices, default=TermStart.EXECUTION)
    term_ends = models.CharField(max_length=10, choices=TermEnd.choices, default=TermEnd.AFTER)
    term_years = models.PositiveSmallIntegerField(default=5)
    term_months = models.PositiveSmallIntegerField(default=0)
    term_days = models.PositiveSmallIntegerField(default=0)
    term_ends_on = models.DateField(
        null=True, blank=True, help_text="The last day, for a term that ends on a date."
    )
    end_event = models.CharField(
        max_length=300,
        blank=True,
        help_text="For a term until an event: the event, in the agreement's words.",
    )
    end_event_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the event happened, once an admin records it: the term ends.",
    )
    renews = models.BooleanField(default=False)
    renewal_clause = models.CharField(max_length=40, blank=True)
    renewal_automatic = models.BooleanField(
        default=True,
        help_text="Renews by itself unless a party gives notice (else only when the parties agree).",
    )
    renewal_periods = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="How many times it may renew; empty: without limit."
    )
    renewal_years = models.PositiveSmallIntegerField(default=0)
    renewal_months = models.PositiveSmallIntegerField(default=0)
    renewal_days = models.PositiveSmallIntegerField(default=0)
    renewal_notice_days = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Notice of non-renewal is due this many days before the end."
    )
    non_renewal_notice_on = models.DateField(
        null=True, blank=True, help_text="The day a party gave notice that the term is not to renew."
    )
    non_renewal_notice_by = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    termination_clause = models.CharField(max_length=40, blank=True)
    termination_by_mutual_agreement = models.BooleanField(default=False)
    modification_clause = models.CharField(max_length=40, blank=True)
    expires_on = models.DateField(null=True, blank=True, editable=False)
    terminated_on = models.DateField(null=True, blank=True)
    termination_notice_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day the standing termination notice was given (it ends the term on terminated_on).",
    )
    terminated_by = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    termination_reason = models.TextField(blank=True)
    funding_note = models.TextField(blank=True)
    history = HistoricalRecords(m2m_fields=[parties])

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-executed_on", "short_name"]
        indexes = [
            # The item list and My work are in agreement-name order: walking the agreements by
            # name lets a page stop after its rows instead of sorting every visible item
            # (80,000 at scale 10) to keep 25.
            models.Index(fields=["short_name", "id"], name="agreement_name_idx"),
            # The agreement list, the contacts list and the agreement pickers are newest executed
            # first: walking this index a page stops after its rows instead of sorting every
            # visible agreement (2,000 at scale 10, 2-5 ms) to keep 4, 25 or 51.
            models.Index(fields=["-executed_on", "short_name", "id"], name="agreement_newest_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(term_ends="after")
                | Q(term_years__gt=0)
                | Q(term_months__gt=0)
                | Q(term_days__gt=0),
                name="agreement_term_positive",
            ),
            models.CheckConstraint(
                condition=~Q(term_ends="on_date") | Q(term_ends_on__isnull=False),
                name="agreement_term_end_date_given",
            ),
            models.CheckConstraint(
                condition=Q(terminated_on__isnull=True)
                | (Q(executed_on__isnull=False) & Q(terminated_on__gte=F("executed_on"))),
                name="agreement_terminated_after_execution",
            ),
            models.CheckConstraint(
                condition=Q(terminated_on__isnull=True, terminated_by__isnull=True)
                | Q(terminated_on__isnull=False, terminated_by__isnull=False),
                name="agreement_termination_names_party",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name

    def save(self, *args, **kwargs) -> None:
        self.expires_on = self.compute_expires_on()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # Remembered per instance (for its slug): the agreement page links every clause and
        # item through it, and reverse() was a third of that page's time (docs/performance.md).
        cached = self.__dict__.get("_absolute_url")
        if cached is None or cached[0] != self.slug:
            cached = (self.slug, reverse("agreements:detail", kwargs={"slug": self.slug}))
            self.__dict__["_absolute_url"] = cached
        return cached[1]

    # --- the term ------------------------------------------------------------------------

    def term_rules(self) -> TermRules:
        """The term as the agreement states it, as plain values for agreements.term."""
        starts_on = self.effective_on if self.term_starts == TermStart.EFFECTIVE_DATE else self.executed_on
        length = relativedelta(years=self.term_years, months=self.term_months, days=self.term_days)
        renewal_length = relativedelta(
            years=self.renewal_years, months=self.renewal_months, days=self.renewal_days
        )
        if not renewal_length and self.term_ends == TermEnd.AFTER:
            renewal_length = length
        return TermRules(
            executed_on=self.executed_on,
            starts_on=starts_on,
            ends=self.term_ends,
            length=length if self.term_ends == TermEnd.AFTER else None,
            ends_on=self.term_ends_on,
            end_event=self.end_event,
            end_event_on=self.end_event_on,
            renews=self.renews,
            renewal_automatic=self.renewal_automatic,
            renewal_periods=self.renewal_periods,
            renewal_length=renewal_length or None,
            renewal_notice_days=self.renewal_notice_days,
            non_renewal_notice_on=self.non_renewal_notice_on,
            clause=self.term_clause,
            renewal_clause=self.renewal_clause,
            modification_clause=self.modification_clause,
        )

    @property
    def term_display(self) -> str:
        """The term in words: "5 years", "until 30 June 2030", "until completion of the project"…"""
        if self.term_ends == TermEnd.OPEN:
            text = "Open-ended, until terminated"
        elif self.term_ends == TermEnd.EVENT:
            text = f"Until {self.end_event or 'an event'}"
            if self.end_event_on:
                text += f" (recorded on {long_date(self.end_event_on)})"
        elif self.term_ends == TermEnd.ON_DATE:
            text = f"Until {long_date(self.term_ends_on)}" if self.term_ends_on else "Until a fixed date"
        else:
            text = _duration_words(self.term_years, self.term_months, self.term_days)
            if self.term_starts == TermStart.EFFECTIVE_DATE and self.effective_on:
                text += f" from {long_date(self.effective_on)}"
        if self.renews and self.renewal_automatic:
            length = _duration_words(self.renewal_years, self.renewal_months, self.renewal_days)
            times = f"up to {self.renewal_periods} times" if self.renewal_periods else "without limit"
            text += f"; renews automatically{' by ' + length if length else ''}, {times}"
            if self.renewal_notice_days:
                text += f", unless a party gives notice {self.renewal_notice_days} days before the end"
        elif self.renews:
            text += "; may be renewed by agreement of the parties"
        return text

    @property
    def original_expires_on(self) -> datetime.date | None:
        """The end of the initial term (a 29 February start plus a year ends on 28 February)."""
        return self.term_rules().initial_end

    def compute_expires_on(self) -> datetime.date | None:
        """The final end: renewals not stopped by a notice, moved by the latest modification in effect.

        None when the term has no end: open-ended, an event not yet recorded, or renewing
        without limit.
        """
        expires, _ = self.term_rules().end_as_of(None)
        if expires is None or self.pk is None:
            return expires
        for modification in self.effective_modifications():
            if modification.extends_term_to:
                expires = modification.extends_term_to
        return expires

    def effective_modifications(self) -> list[Modification]:
        """Modifications every party has executed, in the order they took effect."""
        party_count = self.parties.count()
        mods = [
            m
            for m in self.modifications.prefetch_related("executions")
            if m.is_effective(party_count=party_count)
        ]
        return sorted(mods, key=lambda m: (m.effective_on, m.number))

    def refresh_expiry(self) -> None:
        """Recompute the stored expiry after execution, term or modifications change."""
        expires = self.compute_expires_on()
        if expires != self.expires_on:
            self.expires_on = expires
            if self.pk:
                Agreement.objects.filter(pk=self.pk).update(expires_on=expires)

    def clean(self) -> None:
        errors = {}
        if self.terminated_on and not self.executed_on:
            errors["terminated_on"] = "An agreement can only be terminated after it is executed."
        elif self.terminated_on and self.executed_on and self.terminated_on < self.executed_on:
            errors["terminated_on"] = "The termination date is before the execution date."
        if bool(self.terminated_on) != bool(self.terminated_by_id):
            errors["terminated_by"] = "Give both the termination date and the party that terminated."
        if errors:
            raise ValidationError(errors)

    def term_on(self, day: datetime.date, *, party_count: int | None = None) -> Term:
        """The term as it stood on `day`: only modifications every party had executed by then count.

        Reads `modifications__executions` and, unless `party_count` is given, `parties`
        (prefetch them, or annotate the count, for many agreements).
        """
        return term_of(
            day=day,
            rules=self.term_rules(),
            terminated_on=self.terminated_on,
            termination_notice_on=self.termination_notice_on,
            modifications=self.modifications.all(),
            party_count=len(self.parties.all()) if party_count is None else party_count,
        )

    def status_on(self, on: datetime.date | None = None) -> str:
        """The status from the stored dates (cheap, for lists of many agreements); see term_on."""
        on = on or today()
        if self.terminated_on and self.terminated_on <= on:
            return AgreementStatus.TERMINATED
        if self.executed_on is None or on < self.executed_on:
            return AgreementStatus.DRAFT
        if self.expires_on and on >= self.expires_on:
            return AgreementStatus.EXPIRED
        return AgreementStatus.IN_FORCE

    @property
    def status(self) -> str:
        return self.status_on()

    def get_status_display(self) -> str:
        return AgreementStatus(self.status).label

    @property
    def ends_on(self) -> datetime.date | None:
        """The day the agreement stops being in force: termination or expiry, whichever is first."""
        dates = [d for d in (self.terminated_on, self.expires_on) if d]
        return min(dates) if dates else None

    @property
    def days_since_end(self) -> int | None:
        return self.term_on(today()).days_since_end


class Section(models.Model):
    """One clause of the agreement's text, in the source's own numbering (no V; contacts are XX)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="sections")
    number = models.CharField(max_length=40)
    heading = models.CharField(max_length=200, blank=True)
    text = models.TextField(blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    position = models.PositiveIntegerField(help_text="Order in the document.")
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised by every edit in the portal (agreements.drafts)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="section_number_unique"),
        ]
        indexes = [
            # A long text's table of contents walks each part down from its top-level clauses
            # (selectors._PART_SIZES): one probe per clause here, where the two single-column
            # indexes were combined per clause (20,000 clauses: 2,239 -> 45 ms, EXPLAIN ANALYZE).
            models.Index(fields=["agreement", "parent"], name="section_parent_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.heading}".strip()

    def get_absolute_url(self) -> str:
        # Through a redirect: in a long text the clause is on the page of its part, which the
        # link's page cannot know without queries (agreements.views.clause). No reverse() per
        # clause: pages link many of them (see Agreement.get_absolute_url).
        return f"{self.agreement.get_absolute_url()}clauses/{self.pk}/"

    @property
    def anchor(self) -> str:
        return "clause-" + "".join(c if c.isalnum() else "-" for c in self.number)

    @property
    def depth(self) -> int:
        return self.number.count(".")


class Authority(models.Model):
    """A legal authority a party acts under (II)."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="authorities")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="authorities")
    citation = models.CharField(max_length=120)
    text = models.TextField()
    section = models.ForeignKey(
        Section, null=True, blank=True, on_delete=models.PROTECT, related_name="authorities"
    )
    position = models.PositiveSmallIntegerField(default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "position"]
        verbose_name_plural = "authorities"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "citation"], name="authority_citation_unique"),
        ]

    def __str__(self) -> str:
        return self.citation


class CommitmentStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    AT_RISK = "at_risk", "At risk"
    BLOCKED = "blocked", "Blocked"
    COMPLETE = "complete", "Complete"


def _latest_update_kept(alias: str, on: datetime.date) -> bool:
    """Whether an item's `latest_update_on` answers "its latest update by `on`".

    It does on PostgreSQL (whose triggers keep it) for `on` today or later, since no update is
    dated after today (ProgressUpdate.clean). A past day (the dashboard as of a day) and SQLite,
    the development default without those triggers, ask the updates themselves.
    """
    return connections[alias].vendor == "postgresql" and on >= today()


class CommitmentQuerySet(models.QuerySet):
    def led_by(self, party: Party | int) -> CommitmentQuerySet:
        """Items the party owes: it is one of the item's lead parties (all of them when joint)."""
        through = Commitment.lead_parties.through
        return self.filter(Exists(through.objects.filter(party=party, commitment=OuterRef("pk"))))

    def with_last_update_on(self, on: datetime.date | None = None) -> CommitmentQuerySet:
        """Annotate `last_update_on`: the as-of date of the latest update reported by `on`.

        A subquery per item, not MAX over a join: it reads one entry of the updates' index
        (progress_latest_idx) for each item shown, where the join grouped every update of
        every item first (6.8 s for the unfiltered item list over 500,000 updates).
        """
        on = on or today()
        if _latest_update_kept(self.db, on):
            return self.annotate(last_update_on=F("latest_update_on"))
        # The reverse relation's model (activities' ProgressUpdate), named without importing it.
        model = cast("type[models.Model]", self.model._meta.get_field("updates").related_model)
        updates = model._base_manager
        latest = (
            updates.filter(commitment=OuterRef("pk"), as_of__lte=on).order_by("-as_of").values("as_of")[:1]
        )
        return self.annotate(last_update_on=Subquery(latest))

    def stale(self, on: datetime.date | None = None, days: int | None = None) -> CommitmentQuerySet:
        """Items with no update in the stale window (STALE_AFTER_DAYS, default 90) before `on`.

        An item never reported on is stale once its agreement has been executed that long; a
        complete item needs no more updates and is never stale.
        """
        on = on or today()
        cutoff = on - datetime.timedelta(days=settings.STALE_AFTER_DAYS if days is None else days)
        # "The latest update by `on` is older than the cutoff", said without the latest update:
        # none in [cutoff, on], and one before it (or none at all, and executed before it). The
        # filter on the annotated latest date ran its subquery for every item the party leads
        # (38,000 index probes at scale 10: 0.65-2.5 s, at every My work after any save); as
        # NOT EXISTS PostgreSQL plans an anti-join. The rows still carry `last_update_on`
        # (the digest and the panel show it), computed only for the stale ones.
        open_items = self.with_last_update_on(on).exclude(status=CommitmentStatus.COMPLETE)
        if _latest_update_kept(self.db, on):
            # As of today the latest update by `on` is the latest of all, which PostgreSQL
            # keeps on the item (`latest_update_on`): a comparison per item, read from the
            # narrow index with the item's agreement (commitment_agreement_cover_idx).
            return open_items.filter(
                Q(latest_update_on__lt=cutoff)
                | Q(latest_update_on__isnull=True, agreement__executed_on__lt=cutoff)
            )
        model = cast("type[models.Model]", self.model._meta.get_field("updates").related_model)
        updates = model._base_manager.filter(commitment=OuterRef("pk"))
        return open_items.filter(~Exists(updates.filter(as_of__gte=cutoff, as_of__lte=on))).filter(
            Exists(updates.filter(as_of__lt=cutoff)) | Q(agreement__executed_on__lt=cutoff)
        )

    def stale_in_force(self, on: datetime.date | None = None) -> CommitmentQuerySet:
        """Stale items (see stale) of agreements in force on `on`: the ones still owed updates.

        An item of an expired or terminated agreement stops being reported on, so the weekly
        digest and My work leave it out.
        """
        on = on or today()
        return self.stale(on).filter(agreement__in=Agreement.objects.in_force(on))


class Commitment(models.Model):
    """Anything of the agreement whose progress is tracked.

    One table for the four kinds (objectives, joint activities, strategic goals and action
    items) so progress, milestones and the dashboard work on all of them with one mechanism;
    `kind` gives each its name from the agreement.
    """

    class Kind(models.TextChoices):
        OBJECTIVE = "objective", "Objective"
        JOINT_ACTIVITY = "joint_activity", "Joint activity"
        STRATEGIC_GOAL = "strategic_goal", "Strategic goal"
        ACTION_ITEM = "action_item", "Action item"

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="commitments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    code = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    lead_parties = models.ManyToManyField(
        Party,
        related_name="led_commitments",
        help_text="The parties that owe it: any of the agreement's parties; all of them when joint.",
    )
    source_section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="commitments")
    goal = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="action_items",
        limit_choices_to={"kind": "strategic_goal"},
        help_text="For an action item: the strategic goal it serves, if one is named.",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_commitments",
    )
    target_date = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=20,
        choices=CommitmentStatus.choices,
        default=CommitmentStatus.NOT_STARTED,
        help_text="The status of the latest progress update.",
    )
    position = models.PositiveIntegerField(default=0)
    retired_on = models.DateField(
        null=True, blank=True, help_text="The day a modification every party executed retired it."
    )
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised by every edit in the portal (agreements.drafts)."
    )
    # Kept by PostgreSQL, not by Django: triggers on the progress updates' table (activities
    # migration 0013) set it on every insert, edit and delete of an update, whatever wrote it.
    # The audit history has the column too (simple-history builds an item's history row from
    # every field when an item is linked from the other side of a relation, as a meeting's).
    latest_update_on = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="The as-of day of the item's latest progress update (none yet: empty).",
    )
    history = HistoricalRecords(m2m_fields=[lead_parties])

    objects = CommitmentQuerySet.as_manager()

    class Meta:
        ordering = ["agreement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "code"], name="commitment_code_unique"),
            models.CheckConstraint(
                condition=Q(kind__in=["objective", "joint_activity", "strategic_goal", "action_item"]),
                name="commitment_kind_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["agreement", "kind", "status"]),
            # The item's key and status beside its agreement: counts over a party's items (My
            # work's stale items and due milestones, 38,000 items at scale 10) read this narrow
            # index, not the 154 MB table (descriptions, search documents). PostgreSQL only;
            # elsewhere a plain index on the agreement.
            models.Index(
                fields=["agreement"],
                include=["id", "status", "latest_update_on"],
                name="commitment_agreement_cover_idx",
            ),
            # The open items by their latest update day: "stale as of today" (no update in 90
            # days) is a range of this index, a few dozen entries, not a read of every item.
            models.Index(
                fields=["latest_update_on"], condition=~Q(status="complete"), name="commitment_stale_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """As Model.save, except that an edit never writes `latest_update_on`: the database's
        triggers keep it, and an item read before an update was logged would write back the
        day it read (an owner assigned just as a report came in would hide the report)."""
        if not self._state.adding and kwargs.get("update_fields") is None and not kwargs.get("force_insert"):
            kwargs["update_fields"] = [
                f.name
                for f in self._meta.concrete_fields
                if not f.primary_key and f.attname in self.__dict__ and f.name != "latest_update_on"
            ]
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        # Remembered per instance, like Agreement.get_absolute_url: pages link an item twice.
        key = (self.agreement.slug, self.code)
        cached = self.__dict__.get("_absolute_url")
        if cached is None or cached[0] != key:
            cached = (key, reverse("activities:commitment", kwargs={"slug": key[0], "code": key[1]}))
            self.__dict__["_absolute_url"] = cached
        return cached[1]

    @property
    def leads(self) -> list[Party]:
        """The lead parties by acronym (reads `lead_parties`: prefetch it for many items)."""
        return sorted(self.lead_parties.all(), key=lambda p: p.acronym)

    @property
    def is_joint(self) -> bool:
        """Owed by every party of the agreement (reads `agreement.parties`)."""
        return {p.pk for p in self.lead_parties.all()} >= {p.pk for p in self.agreement.parties.all()}

    @property
    def lead_display(self) -> str:
        """ "Joint" when every party owes it, else the lead parties' acronyms."""
        if self.is_joint:
            return "Joint"
        return ", ".join(p.acronym for p in self.leads)

    def is_led_by(self, party: Party | None) -> bool:
        return party is not None and any(p.pk == party.pk for p in self.lead_parties.all())

    def clean(self) -> None:
        errors = {}
        if (
            self.source_section_id
            and self.agreement_id
            and (self.source_section.agreement_id != self.agreement_id)
        ):
            errors["source_section"] = "The source clause must belong to the same agreement."
        if self.goal is not None and self.goal.kind != Commitment.Kind.STRATEGIC_GOAL:
            errors["goal"] = "Only a strategic goal can be chosen as the goal."
        if errors:
            raise ValidationError(errors)


class Signatory(models.Model):
    """The person who signed for one party; one signature per party per agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatories")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="signatures")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=400)
    signed_on = models.DateField(null=True, blank=True)
    version = models.PositiveIntegerField(
        default=1, editable=False, help_text="Raised by every edit in the portal (agreements.drafts)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "party__acronym"]
        verbose_name_plural = "signatories"
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party"], name="signatory_one_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.party})"


class Modification(models.Model):
    """A written modification: in effect only once every party has executed it (the clause is the
    agreement's `modification_clause`).

    A modification proposed in the portal carries its effects as data (`effects`, see
    agreements/lifecycle.py) and a `version` that every edit raises; each party's execution
    records the SHA-256 of exactly what it executed (`content_sha256`). Its effects are
    applied when the last party executes it (`applied_at`), not before. One imported from an
    agreement file has no effects beyond `extends_term_to` and no proposer.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="modifications")
    number = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    text = models.TextField()
    proposed_on = models.DateField()
    extends_term_to = models.DateField(
        null=True,
        blank=True,
        help_text="The new end of the term, if this modification extends or shortens it.",
    )
    effects = models.JSONField(
        default=dict, blank=True, help_text="What it changes, as data; applied on the last execution."
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposing_party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, help_text="Raised by every edit of the proposal.")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    applied_at = models.DateTimeField(
        null=True, blank=True, help_text="When its effects were applied (at the last execution)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="modification_number_unique"),
        ]

    def __str__(self) -> str:
        return f"Modification {self.number}: {self.title}"

    def get_absolute_url(self) -> str:
        return reverse(
            "agreements:modification_detail", kwargs={"slug": self.agreement.slug, "number": self.number}
        )

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    def is_effective(self, party_count: int | None = None) -> bool:
        if party_count is None:
            party_count = self.agreement.parties.count()
        executions = list(self.executions.all())
        return party_count > 0 and len({e.party_id for e in executions}) >= party_count

    @property
    def effective_on(self) -> datetime.date | None:
        """The day the last party executed it, once all have."""
        if not self.is_effective():
            return None
        return max(e.executed_on for e in self.executions.all())

    def clean(self) -> None:
        executed = self.agreement.executed_on if self.agreement_id else None
        if self.extends_term_to and executed and self.extends_term_to <= executed:
            raise ValidationError(
                {"extends_term_to": f"The term cannot end on or before its start ({executed})."}
            )


class ModificationExecution(models.Model):
    """One party's execution of a modification: who, when, and the SHA-256 of what they executed."""

    modification = models.ForeignKey(Modification, on_delete=models.CASCADE, related_name="executions")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    executed_on = models.DateField()
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    executed_at = models.DateTimeField(null=True, blank=True)
    content_sha256 = models.CharField(
        "SHA-256 of what was executed",
        max_length=64,
        blank=True,
        help_text="Of the modification's number, title, text and effects as canonical JSON.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["modification", "executed_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["modification", "party"], name="modification_execution_once_per_party"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.modification} executed by {self.party} on {self.executed_on}"

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        self.modification.agreement.refresh_expiry()

    def delete(self, *args, **kwargs):
        agreement = self.modification.agreement
        result = super().delete(*args, **kwargs)
        agreement.refresh_expiry()
        return result

    def clean(self) -> None:
        if self.modification_id and self.executed_on < self.modification.proposed_on:
            raise ValidationError({"executed_on": "A modification is executed after it is proposed."})


class TerminationRight(models.Model):
    """A party that may terminate the agreement on its own, and the notice it must give.

    One row per party the termination clause (`Agreement.termination_clause`) lets terminate
    alone; a party with no row may not (termination by mutual agreement is
    `Agreement.termination_by_mutual_agreement`).
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="termination_rights")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    notice_days = models.PositiveSmallIntegerField(
        help_text="The termination takes effect this many days after the notice (0: at once)."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "party__acronym"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "party"], name="termination_right_once_per_party"),
        ]

    def __str__(self) -> str:
        return f"{self.party} may terminate on {self.notice_days} days' notice"


class TerminationNotice(models.Model):
    """One party's written notice that it terminates the agreement, effective `notice_days` later.

    While it stands (not withdrawn) the agreement's `terminated_on` is its effective day, so the
    term ends then; written only through agreements.services.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="termination_notices")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="+")
    given_on = models.DateField()
    effective_on = models.DateField()
    withdrawn_on = models.DateField(null=True, blank=True)
    reason = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "given_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effective_on__gte=F("given_on")), name="termination_notice_effective_after_given"
            ),
            models.UniqueConstraint(
                fields=["agreement"],
                condition=Q(withdrawn_on__isnull=True),
                name="termination_notice_one_standing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.party} terminates {self.agreement} on {self.effective_on}"


class PartyMembership(models.Model):
    """The party a user works for: it decides which agreements and items they see and report on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="memberships")
    history = HistoricalRecords()

    class Meta:
        ordering = ["party__acronym", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.party})"


class DraftUpload(models.Model):
    """An agreement file an admin uploaded, kept between its preview and its confirmation.

    The text is kept with its SHA-256; the preview page carries the hash, and confirming
    re-reads the kept text and checks the hash again, so what is saved is what was previewed.
    """

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=200)
    content = models.TextField()
    sha256 = models.CharField(max_length=64)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    agreement = models.ForeignKey(
        Agreement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.sha256[:12]})"


class TextReading(models.Model):
    """An agreement's signed text (plain text, PDF or DOCX) an admin uploaded to draft its record.

    Keeps the clause tree the portal read (agreements/reading/outline.py) for the review
    screen; the file itself is not kept, only its name and SHA-256. What the text seems to
    say is its `proposals`; only confirmed ones go into the draft (`draft_upload`).
    """

    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_name = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64)
    outline = models.JSONField(
        help_text="The clause tree as read: clauses, defined acronyms, dropped page furniture."
    )
    draft_upload = models.ForeignKey(
        DraftUpload, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.sha256[:12]})"


class ReadingProposal(models.Model):
    """One thing an agreement's text seems to say (a party, the term, a commitment …), pointing
    at its clause; it becomes part of the draft only once a person confirms it (as read or edited).

    `version` rises with every decision, so a decision made on a stale page is refused.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", "To review"
        CONFIRMED = "confirmed", "Confirmed"
        IGNORED = "ignored", "Ignored"

    reading = models.ForeignKey(TextReading, on_delete=models.CASCADE, related_name="proposals")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=20)
    clause = models.CharField(max_length=200, blank=True)
    value = models.JSONField()
    quote = models.TextField(blank=True)
    note = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    edited = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["reading", "position"]
        constraints = [
            models.UniqueConstraint(fields=["reading", "position"], name="reading_proposal_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind} from clause {self.clause or '(title)'}"


# Users are audited like everything else: who created, changed or deactivated an account, and
# which roles it was given. Password hashes and sign-in times are not history.
simple_history.register(
    get_user_model(), app="agreements", excluded_fields=["password", "last_login"], m2m_fields=["groups"]
)


# The recurring obligations and vocabularies are agreements models too (agreements/obligations.py).
from .obligations import Obligation, VocabularyEntry  # noqa: E402, F401
