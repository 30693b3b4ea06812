"""The agreement itself: its parties, authorities, text, commitments, signatures and changes.

Nothing here is specific to the 2017 DOC–DHS MOA: any MOA, MOU or interagency agreement
with two or more parties fits the same tables.
"""

from __future__ import annotations

import datetime

import simple_history
from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.urls import reverse
from simple_history.models import HistoricalRecords

from core.time import today

from .term import AgreementStatus, Term, term_of


class Party(models.Model):
    """An agency that can sign agreements (DOC, DHS, or any other)."""

    acronym = models.CharField(max_length=20, unique=True)
    name = models.CharField("agency name", max_length=200)
    department = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["acronym"]
        verbose_name_plural = "parties"

    def __str__(self) -> str:
        return self.acronym


class AgreementQuerySet(models.QuerySet):
    def in_force(self, on: datetime.date | None = None) -> AgreementQuerySet:
        """Agreements executed, not expired and not terminated on the given day."""
        on = on or today()
        return self.filter(executed_on__lte=on, expires_on__gt=on).exclude(terminated_on__lte=on)

    def of_party(self, party: Party | int) -> AgreementQuerySet:
        """Agreements the party is a party to (who sees which is agreements.permissions.visibility_of)."""
        # EXISTS rather than a join + DISTINCT: no duplicate rows to sort away, and a lookup by
        # slug starts from the slug's index instead of every agreement the party is on.
        return self.filter(
            Exists(Agreement.parties.through.objects.filter(party=party, agreement=OuterRef("pk")))
        )


class Agreement(models.Model):
    """A signed (or to-be-signed) agreement between two or more parties.

    The term starts on `executed_on` (the last party's signature, VII) and runs `term_years`;
    `expires_on` is derived from them and from executed modifications that extend the term,
    and is stored only so queries over many agreements can use it.
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
    term_years = models.PositiveSmallIntegerField(default=5)
    expires_on = models.DateField(null=True, blank=True, editable=False)
    terminated_on = models.DateField(null=True, blank=True)
    terminated_by = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    termination_reason = models.TextField(blank=True)
    funding_note = models.TextField(blank=True)
    history = HistoricalRecords(m2m_fields=[parties])

    objects = AgreementQuerySet.as_manager()

    class Meta:
        ordering = ["-executed_on", "short_name"]
        constraints = [
            models.CheckConstraint(condition=Q(term_years__gt=0), name="agreement_term_positive"),
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

    # --- the term (VII) -----------------------------------------------------------------

    @property
    def original_expires_on(self) -> datetime.date | None:
        """Five (term_years) years from execution; a 29 February start ends on 28 February."""
        if self.executed_on is None:
            return None
        return self.executed_on + relativedelta(years=self.term_years)

    def compute_expires_on(self) -> datetime.date | None:
        """The original expiry, moved by the latest modification in effect that sets a new end."""
        expires = self.original_expires_on
        if expires is None or self.pk is None:
            return expires
        for modification in self.effective_modifications():
            if modification.extends_term_to:
                expires = modification.extends_term_to
        return expires

    def effective_modifications(self) -> list[Modification]:
        """Modifications every party has executed, in the order they took effect (VIII)."""
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
            executed_on=self.executed_on,
            original_expires_on=self.original_expires_on,
            terminated_on=self.terminated_on,
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
    def is_in_force(self) -> bool:
        return self.status == AgreementStatus.IN_FORCE

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
    history = HistoricalRecords()

    class Meta:
        ordering = ["agreement", "position"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="section_number_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.heading}".strip()

    def get_absolute_url(self) -> str:
        return f"{self.agreement.get_absolute_url()}#{self.anchor}"

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


class CommitmentQuerySet(models.QuerySet):
    def led_by(self, party: Party) -> CommitmentQuerySet:
        """Items the party leads, or co-leads because they are led jointly by all parties."""
        return self.filter(Q(lead_party=party) | Q(lead_party__isnull=True))

    def with_last_update_on(self, on: datetime.date | None = None) -> CommitmentQuerySet:
        """Annotate `last_update_on`: the as-of date of the latest update reported by `on`.

        A subquery per item, not MAX over a join: it reads one entry of the updates' index
        (progress_latest_idx) for each item shown, where the join grouped every update of
        every item first (6.8 s for the unfiltered item list over 500,000 updates).
        """
        on = on or today()
        updates = self.model._meta.get_field("updates").related_model._base_manager
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
        return (
            self.with_last_update_on(on)
            .exclude(status=CommitmentStatus.COMPLETE)
            .filter(
                Q(last_update_on__lt=cutoff)
                | Q(last_update_on__isnull=True, agreement__executed_on__lt=cutoff)
            )
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
    the proxy models below give each kind its name from the agreement.
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
    lead_party = models.ForeignKey(
        Party,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_commitments",
        help_text="Empty when all parties lead it jointly.",
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
    history = HistoricalRecords()

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
        indexes = [models.Index(fields=["agreement", "kind", "status"])]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def get_absolute_url(self) -> str:
        # Remembered per instance, like Agreement.get_absolute_url: pages link an item twice.
        key = (self.agreement.slug, self.code)
        cached = self.__dict__.get("_absolute_url")
        if cached is None or cached[0] != key:
            cached = (key, reverse("activities:commitment", kwargs={"slug": key[0], "code": key[1]}))
            self.__dict__["_absolute_url"] = cached
        return cached[1]

    @property
    def lead_display(self) -> str:
        return self.lead_party.acronym if self.lead_party_id else "Joint"

    def is_led_by(self, party: Party | None) -> bool:
        return party is not None and (self.lead_party_id is None or self.lead_party_id == party.pk)

    def clean(self) -> None:
        errors = {}
        if (
            self.source_section_id
            and self.agreement_id
            and (self.source_section.agreement_id != self.agreement_id)
        ):
            errors["source_section"] = "The source clause must belong to the same agreement."
        if self.goal_id and self.goal.kind != Commitment.Kind.STRATEGIC_GOAL:
            errors["goal"] = "Only a strategic goal can be chosen as the goal."
        if errors:
            raise ValidationError(errors)


def _kind_manager(kind: str) -> models.Manager:
    class KindManager(models.Manager.from_queryset(CommitmentQuerySet)):
        def get_queryset(self) -> CommitmentQuerySet:
            return super().get_queryset().filter(kind=kind)

    return KindManager()


class Objective(Commitment):
    """What the parties will endeavor to do (IV.2 a–f)."""

    objects = _kind_manager(Commitment.Kind.OBJECTIVE)

    class Meta:
        proxy = True

    def save(self, *args, **kwargs) -> None:
        self.kind = Commitment.Kind.OBJECTIVE
        super().save(*args, **kwargs)


class JointActivity(Commitment):
    """A joint activity the parties agree to undertake (VI.1–5)."""

    objects = _kind_manager(Commitment.Kind.JOINT_ACTIVITY)

    class Meta:
        proxy = True
        verbose_name_plural = "joint activities"

    def save(self, *args, **kwargs) -> None:
        self.kind = Commitment.Kind.JOINT_ACTIVITY
        super().save(*args, **kwargs)


class StrategicGoal(Commitment):
    """A party's goal in the Joint E-commerce Strategic Agenda (Annex I)."""

    objects = _kind_manager(Commitment.Kind.STRATEGIC_GOAL)

    class Meta:
        proxy = True

    def save(self, *args, **kwargs) -> None:
        self.kind = Commitment.Kind.STRATEGIC_GOAL
        super().save(*args, **kwargs)


class ActionItem(Commitment):
    """An item a party "seeks to accomplish" in Annex I."""

    objects = _kind_manager(Commitment.Kind.ACTION_ITEM)

    class Meta:
        proxy = True

    def save(self, *args, **kwargs) -> None:
        self.kind = Commitment.Kind.ACTION_ITEM
        super().save(*args, **kwargs)


class Signatory(models.Model):
    """The person who signed for one party; one signature per party per agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="signatories")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="signatures")
    name = models.CharField(max_length=200)
    title = models.CharField(max_length=400)
    signed_on = models.DateField(null=True, blank=True)
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
    """A written modification (VIII): in effect only once every party has executed it.

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


class PartyMembership(models.Model):
    """The party a user works for: it decides which agreements and items they see and report on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership")
    party = models.ForeignKey(Party, on_delete=models.PROTECT, related_name="memberships")
    history = HistoricalRecords()

    class Meta:
        ordering = ["party__acronym", "user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.party})"


# Users are audited like everything else: who created, changed or deactivated an account, and
# which roles it was given. Password hashes and sign-in times are not history.
simple_history.register(
    get_user_model(), app="agreements", excluded_fields=["password", "last_login"], m2m_fields=["groups"]
)
