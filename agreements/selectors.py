"""Reads shared by the agreement pages: one query set per panel, no per-row queries."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet, prefetch_related_objects
from django.db.models.expressions import RawSQL

from core.sorting import Column, ordering
from core.time import long_date, today

from .countdown import Target, countdown_target
from .models import (
    Agreement,
    AgreementStatus,
    Commitment,
    Modification,
    ModificationExecution,
    Party,
    ReadingProposal,
    Section,
    TextReading,
)
from .term import Term

#: The agreements list's sortable columns (core/sorting.py); without `sort` it is newest executed first.
SORT_COLUMNS = {
    "agreement": Column("Agreement", ("short_name",)),
    "executed": Column("Executed", ("executed_on",), first_descending=True, nullable=True),
    "expires": Column("Expires", ("expires_on",), nullable=True),
}
SORT_DEFAULT = "-executed"


def agreement_list_for(agreements: QuerySet[Agreement], *, sort: str | None = None) -> QuerySet[Agreement]:
    """The agreements as the lists page them: newest executed first, or by `sort` (a key of
    SORT_COLUMNS, `-` first for descending); pk keeps pages stable."""
    agreements = agreements.prefetch_related("parties")
    if sort and sort.lstrip("-") in SORT_COLUMNS:
        return agreements.order_by(*ordering(SORT_COLUMNS[sort.lstrip("-")], descending=sort.startswith("-")))
    return agreements.order_by("-executed_on", "short_name", "pk")


def parties_to(agreements: QuerySet[Agreement]) -> QuerySet[Party]:
    """The parties to any of the agreements (the choices of the lists' party filters)."""
    return Party.objects.filter(
        Exists(Agreement.parties.through.objects.filter(party=OuterRef("pk"), agreement__in=agreements))
    )


def agreement_suggestions(agreements: QuerySet[Agreement], text: str) -> QuerySet[Agreement]:
    """The agreements whose short name or slug contains the text, by name: what the agreement
    picker suggests (core.pickers). `agreements` is the same set the picker's field offers, so a
    suggestion is always a value the filter accepts; the caller takes the first few."""
    text = text.strip()
    found = agreements.filter(Q(short_name__icontains=text) | Q(slug__icontains=text)) if text else agreements
    return found.order_by("short_name", "slug").only("slug", "short_name")


#: Items shown in each list of the agreement page (objectives, joint activities, each party's
#: goals and action items); a longer list ends with a link to the item list of the rest.
ITEMS_SHOWN = 50


def agreement_page(agreement: Agreement) -> dict:
    """What the agreement page shows beside its body (`agreement_body`): the parties, their
    authorities, signatories and points of contact, the modifications. A fixed number of
    queries, none for the body's term and lists (kept apart)."""
    prefetch_related_objects([agreement], "parties")
    parties = list(agreement.parties.all())
    # Through the relation: contacts sits above agreements (and imports it), not the other way.
    contacts = list(
        agreement.points_of_contact.select_related("party").order_by("party__acronym", "position", "pk")
    )
    active_by_party = {p.pk: [c for c in contacts if c.party_id == p.pk and c.is_active] for p in parties}
    return {
        "parties": parties,
        "authorities": list(agreement.authorities.select_related("party", "section")),
        "signatories": list(agreement.signatories.select_related("party")),
        "contacts_by_party": [
            {
                "party": p,
                "contacts": [c for c in contacts if c.party_id == p.pk],
                "active": active_by_party[p.pk],
            }
            for p in parties
        ],
        "parties_without_contact": [p for p in parties if not active_by_party[p.pk]],
        # The clause that asks each party for a point of contact, when the agreement states one.
        "contacts_obligation": agreement.obligations.of_kind("contacts").select_related("section").first(),
        "modification_states": modification_states(agreement),
        "unsigned_parties": unsigned_parties(agreement),
    }


def agreement_body(agreement: Agreement) -> dict:
    """The agreement page's body: its term, purpose, item lists and text, the same for every
    user who may see the agreement (the page keeps it rendered until the records change:
    agreements.views.agreement_detail). A fixed number of queries."""
    # The term reads the parties and executed modifications.
    prefetch_related_objects([agreement], "parties", "modifications__executions__party")
    parties = list(agreement.parties.all())
    # A long text is shown as its table of contents, each part on a page of its own
    # (`text_part`): the page stays small, and its queries as few, whatever the clauses.
    clause_count = agreement.sections.count()
    whole_text = clause_count <= settings.AGREEMENT_TEXT_PAGE_CLAUSES
    sections = list(agreement.sections.order_by("position")) if whole_text else []
    # A text shown whole links every item from its clause, so its items are read once, all of
    # them (a few dozen: the text is at most AGREEMENT_TEXT_PAGE_CLAUSES clauses); a long
    # text's lists read only their first items (item_lists).
    everything = _all_items(agreement) if whole_text else None
    lists = item_lists(agreement, everything)
    by_section: dict[int, list[Commitment]] = defaultdict(list)
    for item in everything or []:
        by_section[item.source_section_id].append(item)
    for s in sections:
        s.agreement = agreement
        s.created_items = by_section.get(s.pk, [])  # type: ignore[attr-defined]  # for the page only
    objectives = lists.get((Commitment.Kind.OBJECTIVE, None), ItemList())
    joint = lists.get((Commitment.Kind.JOINT_ACTIVITY, None), ItemList())
    goals = {p.pk: lists.get((Commitment.Kind.STRATEGIC_GOAL, p.pk), ItemList()) for p in parties}
    items = {p.pk: lists.get((Commitment.Kind.ACTION_ITEM, p.pk), ItemList()) for p in parties}
    return {
        "agreement": agreement,
        # Each list shows its first ITEMS_SHOWN items; the rest are on the item list (its link).
        "objectives": objectives.shown,
        "objectives_more": objectives.more,
        "joint_activities": joint.shown,
        "joint_activities_more": joint.more,
        "annex_by_party": [
            {
                "party": p,
                "goals": goals[p.pk].shown,
                "goals_more": goals[p.pk].more,
                "items": items[p.pk].shown,
                "items_more": items[p.pk].more,
            }
            for p in parties
        ],
        "term": agreement.term_on(today()),
        "sections": sections,
        "clause_count": clause_count,
        "contents": [] if whole_text else text_contents(agreement),
    }


@dataclass
class ItemList:
    """One list of the agreement page: its first ITEMS_SHOWN items, and how many it holds."""

    shown: list[Commitment] = field(default_factory=list)
    size: int = 0

    @property
    def more(self) -> int:
        """The items past those shown: they are on the item list (the page links to it)."""
        return self.size - len(self.shown)


#: Each list's first items and size, read from the index entries of the agreement's items only.
#: A list is a kind (objectives, joint activities), or a kind and one of its lead parties (each
#: party's goals and action items; a joint item, led by every party of the agreement, is under
#: none of them, as Commitment.is_joint says). Portable SQL: the demo runs on SQLite.
_FIRST_OF_EACH_LIST = """
WITH lists AS (
    SELECT c.id, c.kind, CAST(NULL AS bigint) AS party_id, c.position
    FROM {commitment} c
    WHERE c.agreement_id = %s AND c.kind IN (%s, %s)
    UNION ALL
    SELECT c.id, c.kind, lead.party_id, c.position
    FROM {commitment} c JOIN {lead} lead ON lead.commitment_id = c.id
    WHERE c.agreement_id = %s AND c.kind IN (%s, %s)
      AND EXISTS (
        SELECT 1 FROM {parties} p
        WHERE p.agreement_id = c.agreement_id
          AND NOT EXISTS (SELECT 1 FROM {lead} l WHERE l.commitment_id = c.id AND l.party_id = p.party_id)
      )
), ranked AS (
    SELECT id, kind, party_id,
           row_number() OVER (PARTITION BY kind, party_id ORDER BY position, id) AS place,
           count(*) OVER (PARTITION BY kind, party_id) AS size
    FROM lists
)
SELECT id, kind, party_id, size FROM ranked WHERE place <= %s ORDER BY kind, party_id, place
"""


def item_lists(
    agreement: Agreement, everything: list[Commitment] | None = None
) -> dict[tuple[str, int | None], ItemList]:
    """The agreement page's lists of items by (kind, lead party or None), each its first
    ITEMS_SHOWN items by position and its size; lists without items are left out.

    Why not every item: an agreement of 20,000 clauses has a thousand items, and loading them
    all with their clauses and lead parties to show fifty of each list was most of its page's
    time. One query numbers each list's items (a window over kind and lead party) and keeps the
    first ITEMS_SHOWN; a second loads those items, whatever the agreement's size. `everything`:
    all the agreement's items by position, already read (a short text's page): grouped here
    by the same rule, no query.
    """
    if everything is not None:
        return _lists_of(agreement, everything)
    kind = Commitment.Kind
    sql = _FIRST_OF_EACH_LIST.format(
        commitment=Commitment._meta.db_table,
        lead=Commitment.lead_parties.through._meta.db_table,
        parties=Agreement.parties.through._meta.db_table,
    )
    params: list[int | str] = [
        agreement.pk, kind.OBJECTIVE.value, kind.JOINT_ACTIVITY.value,
        agreement.pk, kind.STRATEGIC_GOAL.value, kind.ACTION_ITEM.value,
        ITEMS_SHOWN,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    prefetch_related_objects([agreement], "parties")  # Commitment.is_joint reads them (no query if read)
    loaded = Commitment.objects.select_related("source_section", "goal").prefetch_related("lead_parties")
    by_pk = {c.pk: c for c in loaded.filter(pk__in={pk for pk, *_ in rows})}
    lists: dict[tuple[str, int | None], ItemList] = {}
    for pk, item_kind, party_id, size in rows:
        item = by_pk[pk]
        # Links on the page go through the agreement: share the one already loaded rather
        # than fetching it again for every item and clause (one query each at scale).
        item.agreement = item.source_section.agreement = agreement
        shown = lists.setdefault((item_kind, party_id), ItemList(size=size))
        shown.shown.append(item)
    return lists


def _all_items(agreement: Agreement) -> list[Commitment]:
    items = list(
        agreement.commitments.select_related("source_section", "goal")
        .prefetch_related("lead_parties")
        .order_by("position", "pk")
    )
    for item in items:
        # Links on the page go through the agreement: share the one already loaded.
        item.agreement = item.source_section.agreement = agreement
    return items


def _lists_of(agreement: Agreement, items: list[Commitment]) -> dict[tuple[str, int | None], ItemList]:
    """item_lists' rule over items already read: by kind, goals and action items by each lead
    party unless joint (an item led by every party is under none of them)."""
    lists: dict[tuple[str, int | None], ItemList] = {}
    by_party = {Commitment.Kind.STRATEGIC_GOAL, Commitment.Kind.ACTION_ITEM}
    party_ids = {p.pk for p in agreement.parties.all()}
    for item in items:
        if item.kind not in by_party:
            keys: list[int | None] = [None]
        else:
            keys = [] if item.is_joint else [p.pk for p in item.lead_parties.all() if p.pk in party_ids]
        for key in keys:
            shown = lists.setdefault((item.kind, key), ItemList())
            shown.size += 1
            if len(shown.shown) < ITEMS_SHOWN:
                shown.shown.append(item)
    return lists


# --- the agreement's text: whole, or in parts ---------------------------------------------------

#: The clauses under each top-level clause (itself included), by its key: one recursive query.
#: Each step reads the agreement's own clauses (its index), not every agreement's: at 20,000
#: clauses a step scanned the whole table, 340 ms against 70 (EXPLAIN ANALYZE, load 11).
_PART_SIZES = """
WITH RECURSIVE tree(id, part) AS (
    SELECT id, id FROM agreements_section WHERE agreement_id = %s AND parent_id IS NULL
    UNION ALL
    SELECT s.id, tree.part FROM agreements_section s JOIN tree ON s.parent_id = tree.id
    WHERE s.agreement_id = %s
)
SELECT part, count(*) FROM tree GROUP BY part
"""

#: The keys of a clause and of every clause under it, at any depth.
_SUBTREE = """
WITH RECURSIVE tree(id) AS (
    SELECT id FROM agreements_section WHERE id = %s
    UNION ALL
    SELECT s.id FROM agreements_section s JOIN tree ON s.parent_id = tree.id
)
SELECT id FROM tree
"""

#: The top-level clause above a clause (itself if it has no parent).
_PART_OF = """
WITH RECURSIVE up(id, parent_id) AS (
    SELECT id, parent_id FROM agreements_section WHERE id = %s
    UNION ALL
    SELECT s.id, s.parent_id FROM agreements_section s JOIN up ON s.id = up.parent_id
)
SELECT id FROM up WHERE parent_id IS NULL
"""


@dataclass(frozen=True)
class ContentsEntry:
    """A top-level clause of a long text, and how many clauses its part holds (itself included)."""

    section: Section
    clauses: int


def text_contents(agreement: Agreement) -> list[ContentsEntry]:
    """The table of contents of a long text: its top-level clauses in order, with their sizes.

    Two queries whatever the length of the text.
    """
    with connection.cursor() as cursor:
        cursor.execute(_PART_SIZES, [agreement.pk, agreement.pk])
        sizes = dict(cursor.fetchall())
    tops = list(
        agreement.sections.filter(parent__isnull=True).only(
            "pk", "agreement_id", "number", "heading", "position"
        )
    )
    for top in tops:
        top.agreement = agreement
    return [ContentsEntry(section=top, clauses=sizes.get(top.pk, 1)) for top in tops]


def is_whole_text(agreement: Agreement) -> bool:
    """Whether the agreement page shows the whole text (short enough), not a table of contents."""
    return agreement.sections.count() <= settings.AGREEMENT_TEXT_PAGE_CLAUSES


@dataclass(frozen=True)
class TextPart:
    """One page of a part of a long text: a top-level clause and the clauses under it, in order."""

    top: Section
    page: Page
    clauses: list[Section]


def text_part(agreement: Agreement, top: Section, page_number: str | int | None) -> TextPart:
    """A page of the part of the text under `top`, with the items each clause creates.

    A fixed number of queries (count, page, items) whatever the length of the part or text.
    """
    subtree = RawSQL(_SUBTREE, [top.pk])  # noqa: S611 - fixed SQL, the key bound as a parameter
    under = agreement.sections.filter(pk__in=subtree).order_by("position", "pk")
    page = Paginator(under, settings.AGREEMENT_TEXT_PAGE_CLAUSES).get_page(page_number)
    clauses = list(page.object_list)
    items = (
        agreement.commitments.filter(source_section__in=clauses)
        .select_related("source_section")
        .order_by("position")
    )
    by_section: dict[int, list[Commitment]] = defaultdict(list)
    for c in items:
        c.agreement = c.source_section.agreement = agreement
        by_section[c.source_section_id].append(c)
    for s in clauses:
        s.agreement = agreement
        s.created_items = by_section.get(s.pk, [])  # type: ignore[attr-defined]  # for the page only
    top.agreement = agreement
    return TextPart(top=top, page=page, clauses=clauses)


def clause_place(agreement: Agreement, clause: Section) -> tuple[Section, int] | None:
    """Where a clause is shown in a long text: its top-level clause and the page of that part.

    None when the agreement page shows the whole text.
    """
    if is_whole_text(agreement):
        return None
    with connection.cursor() as cursor:
        cursor.execute(_PART_OF, [clause.pk])
        row = cursor.fetchone()
    top = agreement.sections.get(pk=row[0]) if row else clause
    before = (
        agreement.sections.filter(pk__in=RawSQL(_SUBTREE, [top.pk]))  # noqa: S611 - fixed SQL
        .filter(Q(position__lt=clause.position) | Q(position=clause.position, pk__lt=clause.pk))
        .count()
    )
    return top, before // settings.AGREEMENT_TEXT_PAGE_CLAUSES + 1


# --- the agreement's life: signatures and modifications ------------------------------------------


@dataclass(frozen=True)
class ModificationState:
    """Where a modification stands, in words the page shows: "awaiting DHS", "in effect since …"."""

    modification: Modification
    label: str
    awaiting: list[Party]
    executed: list[ModificationExecution]
    in_effect: bool
    withdrawn: bool

    @property
    def open(self) -> bool:
        """Still a proposal: neither in effect nor withdrawn."""
        return not (self.in_effect or self.withdrawn)


def modification_state(modification: Modification, parties: list[Party]) -> ModificationState:
    """The state from the executions (prefetched with their parties) and the agreement's parties."""
    executed = sorted(modification.executions.all(), key=lambda e: (e.executed_on, e.party.acronym))
    done = {e.party_id for e in executed}
    awaiting = [p for p in parties if p.pk not in done]
    if modification.withdrawn_at is not None:
        label = f"withdrawn on {long_date(modification.withdrawn_at)}"
    elif parties and not awaiting:
        label = f"in effect since {long_date(max(e.executed_on for e in executed))}"
    else:
        label = "awaiting " + " and ".join(p.acronym for p in awaiting)
    return ModificationState(
        modification=modification,
        label=label,
        awaiting=awaiting,
        executed=executed,
        in_effect=bool(parties) and not awaiting and modification.withdrawn_at is None,
        withdrawn=modification.withdrawn_at is not None,
    )


def modification_states(agreement: Agreement) -> list[ModificationState]:
    """Every modification of the agreement with its state, newest first (two queries)."""
    parties = list(agreement.parties.all())
    modifications = agreement.modifications.prefetch_related("executions__party").order_by("-number")
    return [modification_state(m, parties) for m in modifications]


def unsigned_parties(agreement: Agreement) -> list[Party]:
    """The parties whose signature is not yet recorded (with a date)."""
    signed = set(agreement.signatories.filter(signed_on__isnull=False).values_list("party_id", flat=True))
    return [p for p in agreement.parties.all() if p.pk not in signed]


# --- the end of the agreement: termination rules, notices, the countdown --------------------------


COUNTDOWN_WORDS = {
    Target.EXPIRY: "Expires on",
    Target.NOTICE_DEADLINE: "Last day to give notice of non-renewal",
    Target.TERMINATION: "Terminates on",
}

# --- the review of an agreement's text (agreements/drafting.py) --------------------------------

PROPOSAL_KIND_LABELS = {
    "title": "Title",
    "party": "Party",
    "authority": "Authority",
    "purpose": "Purpose",
    "term": "Term",
    "termination": "Termination rules",
    "modification": "Modification rule",
    "commitment": "Commitment",
    "obligation": "Recurring obligation",
    "contact": "Point of contact",
    "signatory": "Signatory",
}


@dataclass(frozen=True)
class Countdown:
    """The day the agreement counts down to (agreements.countdown decides which), for the page."""

    target: str  # agreements.countdown.Target
    on: datetime.date
    days_left: int

    @property
    def label(self) -> str:
        return COUNTDOWN_WORDS[self.target]


def non_renewal_withdrawal_deadline(agreement: Agreement, term: Term | None = None) -> datetime.date | None:
    """The last day the standing notice of non-renewal may be withdrawn: the last day the term rules
    give for such a notice before the end it stops (withdrawn by then, the renewal still happens
    as if no notice had been given). None when no notice stands or the term is no longer in force.
    """
    if agreement.non_renewal_notice_on is None:
        return None
    term = term or agreement.term_on(today())  # the caller's, when it has today's already
    if not term.is_in_force or term.expires_on is None or term.set_by is not None:
        return None
    return agreement.term_rules().notice_deadline_for(term.expires_on)


def termination_page(agreement: Agreement, party: Party | None) -> dict:
    """The termination page: the rules, the notices given, the countdown, and what `party` may do.

    `party` is the party the viewer acts for (agreements.permissions.acting_party), or None.
    """
    on = today()
    prefetch_related_objects([agreement], "parties", "modifications__executions__party")
    rights = list(agreement.termination_rights.select_related("party"))
    notices = list(agreement.termination_notices.select_related("party").order_by("-given_on", "-pk"))
    standing = next((n for n in notices if n.withdrawn_on is None), None)
    term = agreement.term_on(on)
    target = countdown_target(agreement, on)
    countdown = Countdown(target[0], target[1], (target[1] - on).days) if target and target[1] >= on else None
    own_right = next((r for r in rights if party is not None and r.party_id == party.pk), None)
    states = modification_states(agreement)
    ended = term.status in (AgreementStatus.TERMINATED, AgreementStatus.EXPIRED)
    withdrawal_deadline = non_renewal_withdrawal_deadline(agreement, term)
    return {
        "term": term,
        "countdown": countdown,
        "rights": rights,
        "notices": notices,
        "standing_notice": standing,
        "mutual_terminations": [s for s in states if "terminate_on" in (s.modification.effects or {})],
        "own_right": own_right,
        "can_give_notice": bool(
            own_right and standing is None and term.is_in_force and not term.termination_on
        ),
        "can_withdraw": bool(
            party and standing and standing.party_id == party.pk and standing.effective_on > on
        ),
        "can_propose_mutual": bool(party and not ended and term.status != AgreementStatus.DRAFT),
        "can_give_non_renewal": bool(
            party and term.notice_deadline and agreement.non_renewal_notice_on is None and term.is_in_force
        ),
        "non_renewal_withdrawal_deadline": withdrawal_deadline,
        "can_withdraw_non_renewal": bool(
            party
            and agreement.non_renewal_notice_by_id == party.pk
            and withdrawal_deadline
            and on <= withdrawal_deadline
        ),
        "renews_by_agreement": agreement.renews and not agreement.renewal_automatic,
        "can_propose_renewal": bool(
            party and agreement.renews and not agreement.renewal_automatic and term.is_in_force
        ),
    }


@dataclass(frozen=True)
class DraftClause:
    """A clause as the draft's page lists it: its depth by nesting, and whether it can move."""

    clause: Section
    depth: int
    can_move_up: bool
    can_move_down: bool


def draft_page(agreement: Agreement, party: Party | None) -> dict:
    """What the draft's editing page shows: clauses in document order with their nesting depth,
    commitments, obligations, signatories (those of the admin's party editable), contacts."""
    # Each commitment's "Joint" reads its agreement's parties (the same instance): once, not per row.
    prefetch_related_objects([agreement], "parties")
    sections = list(agreement.sections.order_by("position", "pk"))
    by_pk = {s.pk: s for s in sections}
    for s in sections:
        # "(within 2.1)" names the parent, which is on the page already: not a query per clause.
        if s.parent_id in by_pk:
            Section.parent.field.set_cached_value(s, by_pk[s.parent_id])
    depth: dict[int, int] = {}
    siblings: dict[int | None, list[int]] = defaultdict(list)
    for s in sections:
        depth[s.pk] = depth[s.parent_id] + 1 if s.parent_id in depth else 0
        siblings[s.parent_id].append(s.pk)
    clauses = [
        DraftClause(
            clause=s,
            depth=min(depth[s.pk], 5),
            can_move_up=siblings[s.parent_id][0] != s.pk,
            can_move_down=siblings[s.parent_id][-1] != s.pk,
        )
        for s in sections
    ]
    signatories = list(agreement.signatories.select_related("party"))
    return {
        "clauses": clauses,
        "commitments": list(
            agreement.commitments.select_related("source_section", "goal")
            .prefetch_related("lead_parties")
            .order_by("position")
        ),
        "obligations": list(
            agreement.obligations.select_related("section", "item").prefetch_related("parties")
        ),
        "signatories": [(s, party is not None and s.party_id == party.pk) for s in signatories],
        "party": party,
        "can_sign": party is not None and party in unsigned_parties(agreement),
        "contacts": list(
            agreement.points_of_contact.select_related("party").order_by("party__acronym", "position")
        ),
    }


@dataclass(frozen=True)
class ReviewClause:
    """One clause of the text as the review screen shows it."""

    anchor: str
    number: str
    heading: str
    text: str
    depth: int
    highlighted: bool


@dataclass(frozen=True)
class ReviewProposal:
    """One proposal with what the screen shows beside it: its fields and its clause's anchor."""

    proposal: ReadingProposal
    label: str
    fields: list[tuple[str, str]]
    value_yaml: str
    clause_anchor: str | None


def _shown_value(value: object) -> str:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_shown_value(v)}" for k, v in value.items())
    if value is None:
        return "—"
    return str(value)


def reading_review(reading: TextReading, *, focus: int | None) -> dict[str, object]:
    """What the review screen shows: the clauses (the focused proposal's clause highlighted) and
    the proposals with their fields, and how many are confirmed, ignored and still to review."""
    import yaml

    # libyaml's dumper where PyYAML has it (its wheels do): the same text, a sixth of the time
    # of the pure-Python one, which was a third of the page at a few hundred proposals.
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    proposals = list(reading.proposals.all())
    focused = next((p for p in proposals if p.position == focus), None)
    clauses = reading.outline.get("clauses", [])
    anchors = {c["number"]: f"clause-{n}" for n, c in enumerate(clauses)}
    depth: dict[str | None, int] = {None: -1}
    shown = []
    for n, c in enumerate(clauses):
        depth[c["number"]] = depth.get(c["parent"], -1) + 1
        shown.append(
            ReviewClause(
                anchor=f"clause-{n}",
                number=c["number"],
                heading=c["heading"].replace("*", ""),
                text="\n\n".join(c["paragraphs"]).replace("*", ""),
                depth=min(depth[c["number"]], 4),
                highlighted=focused is not None and focused.clause == c["number"],
            )
        )
    rows = [
        ReviewProposal(
            proposal=p,
            label=PROPOSAL_KIND_LABELS.get(p.kind, p.kind),
            fields=[(k.replace("_", " "), _shown_value(v)) for k, v in p.value.items() if k != "description"],
            value_yaml=yaml.dump(p.value, Dumper=dumper, sort_keys=False, allow_unicode=True, width=100),
            clause_anchor=anchors.get(p.clause),
        )
        for p in proposals
    ]
    counts = {status: sum(p.status == status for p in proposals) for status in ReadingProposal.Status.values}
    return {
        "clauses": shown,
        "proposals": rows,
        "confirmed_count": counts[ReadingProposal.Status.CONFIRMED],
        "ignored_count": counts[ReadingProposal.Status.IGNORED],
        "to_review_count": counts[ReadingProposal.Status.PROPOSED],
        "focused": focused,
    }
