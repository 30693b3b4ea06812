"""What search reads of each kind of record: its weighted text, the words to show, where it lives.

The search reads the agreement (clauses, commitments), the work done under it (progress updates,
meetings, outreach events, evidence files) and the points of contact: three apps. It therefore
lives in its own app one layer above them (beside compliance and audit in `.importlinter`),
so none of them learns about search and each keeps its own visibility rule.

Each kind's `vector` is stored, computed by PostgreSQL, in the `search_document` column of its
table (a generated column, migration 0002, kept up to date on every write whatever makes it),
and that column has the kind's GIN index: the search matches and ranks on the stored column
(`document`) rather than computing the text's vector again for every candidate row.
`search.tests.test_indexes` checks that each query uses its index and that the stored column
equals `vector` after every kind of write, so the two cannot drift apart.
Weights: A for what names the record (a code, a title, a person), B for its body, C for
where it was or what comes next. On SQLite (the development default) there is no full-text
search: `fields` are matched with `icontains` instead (search.selectors).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db.models import F, Func, Model, Q, QuerySet, Value
from django.db.models.expressions import Col, Combinable
from django.urls import reverse

from activities.models import Evidence, Meeting, OutreachEvent, ProgressUpdate
from agreements.models import Agreement, Commitment, Section
from contacts.models import PointOfContact

#: The text search configuration of the vectors and of the query (one, so their words agree).
CONFIG = "english"


def _vector(*weighted: tuple[str, tuple[Any, ...]]) -> Combinable:
    """setweight(to_tsvector(…), A) || setweight(…, B) …, in the order given."""
    parts = [SearchVector(*fields, weight=weight, config=CONFIG) for weight, fields in weighted]
    combined: Combinable = parts[0]
    for part in parts[1:]:
        combined = combined + part
    return combined


def file_name_words(field: str) -> Func:
    """A file name as words: `de-minimis_report.v2.pdf` → `de minimis report v2 pdf`.

    The text parser reads `report.pdf` as one host-name token, so a search for "report" would
    miss it; dots, dashes and underscores become spaces first (regexp_replace is immutable,
    so the index may be built on it).
    """
    return Func(F(field), Value(r"[._\-]+"), Value(" "), Value("g"), function="regexp_replace")


#: The generated column holding each kind's weighted document (migration 0002).
DOCUMENT_COLUMN = "search_document"


def stored_document(model: type[Model]) -> Col:
    """The model's `search_document` column as a query expression.

    No model declares the column (search sits above the apps owning these tables, and
    PostgreSQL alone writes it), so it is named here as a column of the model's table; as a
    `Col` it follows the table when Django renames it inside a subquery.
    """
    field = SearchVectorField()
    field.set_attributes_from_name(DOCUMENT_COLUMN)
    field.model = model
    return Col(model._meta.db_table, field)


@dataclass(frozen=True)
class Kind:
    """One kind of record the search finds, in the order the results page shows the groups."""

    key: str
    label: str
    model: type[Model]
    #: The weighted document (PostgreSQL): the expression migration 0002 stores in the column.
    vector: Callable[[], Combinable]
    #: The text a snippet is cut from (PostgreSQL: ts_headline over it).
    snippet: Callable[[], Any]
    #: The fields matched with icontains where there is no full-text search (SQLite).
    fields: tuple[str, ...]
    #: The records of this kind in the agreements the user sees (`visible` is that queryset).
    of_agreements: Callable[[QuerySet[Agreement]], QuerySet]
    #: The record's name on the results page, and where it opens.
    title: Callable[[Any], str]
    url: Callable[[Any], str]
    #: The GIN index of the stored document (migration 0002).
    index: str

    def document(self) -> Col:
        """The stored weighted document, what the search matches and ranks on."""
        return stored_document(self.model)


def _concat(*fields: str) -> Func:
    """Fields joined by spaces, the text a snippet is cut from (read for the shown rows only)."""
    return Func(*[F(f) for f in fields], function="concat_ws", template="%(function)s(' ', %(expressions)s)")


def _evidence_of(visible: QuerySet[Agreement]) -> QuerySet[Evidence]:
    """A file is seen by those who see the agreement of the record it backs (can_view_evidence);
    a withdrawn file is no longer offered, so search does not offer it either."""
    return (
        Evidence.objects.filter(withdrawn_at__isnull=True)
        .filter(
            Q(progress_update__commitment__agreement__in=visible)
            | Q(meeting__agreement__in=visible)
            | Q(outreach_event__agreement__in=visible)
        )
        .select_related(
            "progress_update__commitment__agreement", "meeting__agreement", "outreach_event__agreement"
        )
    )


def _evidence_title(e: Evidence) -> str:
    record = e.record
    return f"{e.original_name} — {record}" if record is not None else e.original_name


KINDS: tuple[Kind, ...] = (
    Kind(
        key="commitment",
        label="Commitments",
        model=Commitment,
        vector=lambda: _vector(("A", ("code", "title")), ("B", ("description",))),
        snippet=lambda: F("description"),
        fields=("code", "title", "description"),
        of_agreements=lambda visible: Commitment.objects.filter(agreement__in=visible).select_related(
            "agreement"
        ),
        title=lambda c: f"{c.code} {c.title}",
        url=lambda c: reverse("activities:commitment", kwargs={"slug": c.agreement.slug, "code": c.code}),
        index="search_commitment_idx",
    ),
    Kind(
        key="clause",
        label="Clauses",
        model=Section,
        vector=lambda: _vector(("A", ("number", "heading")), ("B", ("text",))),
        snippet=lambda: F("text"),
        fields=("number", "heading", "text"),
        of_agreements=lambda visible: Section.objects.filter(agreement__in=visible).select_related(
            "agreement"
        ),
        title=lambda s: f"{s.number} {s.heading}".strip(),
        url=lambda s: s.get_absolute_url(),  # the clause wherever it is shown: inline, or a part's page
        index="search_section_idx",
    ),
    Kind(
        key="update",
        label="Progress updates",
        model=ProgressUpdate,
        vector=lambda: _vector(("B", ("narrative",)), ("C", ("next_steps",))),
        snippet=lambda: _concat("narrative", "next_steps"),
        fields=("narrative", "next_steps"),
        of_agreements=lambda visible: ProgressUpdate.objects.filter(
            commitment__agreement__in=visible
        ).select_related("commitment__agreement"),
        title=lambda u: (
            f"{u.commitment.code} {u.commitment.title}, as of {u.as_of:%B} {u.as_of.day}, {u.as_of:%Y}"
        ),
        url=lambda u: reverse(
            "activities:commitment", kwargs={"slug": u.commitment.agreement.slug, "code": u.commitment.code}
        ),
        index="search_update_idx",
    ),
    Kind(
        key="meeting",
        label="Meetings and minutes",
        model=Meeting,
        vector=lambda: _vector(
            ("A", ("title",)), ("B", ("agenda", "minutes", "decisions")), ("C", ("location",))
        ),
        snippet=lambda: _concat("agenda", "minutes", "decisions"),
        fields=("title", "agenda", "minutes", "decisions", "location"),
        of_agreements=lambda visible: Meeting.objects.filter(agreement__in=visible).select_related(
            "agreement"
        ),
        title=str,
        url=lambda m: m.get_absolute_url(),
        index="search_meeting_idx",
    ),
    Kind(
        key="event",
        label="Outreach events",
        model=OutreachEvent,
        vector=lambda: _vector(("A", ("title",)), ("B", ("outcomes",)), ("C", ("city", "country"))),
        snippet=lambda: F("outcomes"),
        fields=("title", "outcomes", "city", "country"),
        of_agreements=lambda visible: OutreachEvent.objects.filter(agreement__in=visible).select_related(
            "agreement"
        ),
        title=str,
        url=lambda e: e.get_absolute_url(),
        index="search_event_idx",
    ),
    Kind(
        key="contact",
        label="Points of contact",
        model=PointOfContact,
        vector=lambda: _vector(("A", ("person_name", "role_title")), ("B", ("office", "email"))),
        snippet=lambda: _concat("person_name", "role_title", "office"),
        fields=("person_name", "role_title", "office", "email"),
        of_agreements=lambda visible: PointOfContact.objects.filter(agreement__in=visible).select_related(
            "agreement", "party"
        ),
        title=lambda p: f"{p.party.acronym}: {p.person_name or p.role_title}",
        url=lambda p: f"{reverse('contacts:list')}?agreement={p.agreement.slug}#agreement-{p.agreement_id}",
        index="search_contact_idx",
    ),
    Kind(
        key="evidence",
        label="Evidence files",
        model=Evidence,
        vector=lambda: SearchVector(file_name_words("original_name"), weight="A", config=CONFIG),
        snippet=lambda: F("original_name"),
        fields=("original_name",),
        of_agreements=_evidence_of,
        title=_evidence_title,
        url=lambda e: e.get_absolute_url(),
        index="search_evidence_idx",
    ),
)

BY_KEY = {kind.key: kind for kind in KINDS}


def agreement_of(record: Any) -> Agreement | None:
    """The agreement a found record belongs to (shown beside it)."""
    if isinstance(record, ProgressUpdate):
        return record.commitment.agreement
    if isinstance(record, Evidence):
        return record.agreement
    return getattr(record, "agreement", None)
