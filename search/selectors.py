"""The search: each kind's records that match, among those the user may see, best first.

Who sees what is `agreements.permissions.visibility_of` — the rule every list page uses — and
nothing else: each kind is read from the records of the user's visible agreements
(documents.Kind.of_agreements), then matched.

Counting and ranking every match of a common word over half a million progress updates would
cost most of a second, so each kind counts its matches up to `COUNT_CAP` ("more than 200")
and ranks those first `COUNT_CAP` matches by weight and frequency (SearchRank); a broader
search than that is refined, not paged through.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from agreements.permissions import User, visible_agreements

from .documents import BY_KEY, CONFIG, KINDS, Kind, agreement_of

#: The longest query read; longer ones are refused by the form (search.forms).
MAX_QUERY_LENGTH = 200
#: Results per kind on the grouped page, and per page when one kind is paged through.
GROUP_SIZE = 5
PAGE_SIZE = 20
#: Matches counted and ranked per kind at most (see the module's docstring).
COUNT_CAP = 200
#: How long a snippet is without full-text search (SQLite), in characters.
PLAIN_SNIPPET_CHARS = 240

# ts_headline marks the matched words with these; the text is escaped and they become <mark>.
# Control characters a form's text never carries (search.forms strips them from the query too).
_START, _STOP = "\x02", "\x03"
_MARKED = re.compile(f"{_START}(.*?){_STOP}", re.DOTALL)


def full_text_search() -> bool:
    """PostgreSQL's full-text search is there (the tests and production); SQLite has none."""
    return connection.vendor == "postgresql"


@dataclass(frozen=True)
class Hit:
    """One record found: its name, where it opens, its agreement and the words around the match."""

    title: str
    url: str
    agreement: str
    snippet: SafeString


@dataclass
class Group:
    """The records of one kind that match: the first of them and how many there are (to COUNT_CAP)."""

    kind: Kind
    hits: list[Hit]
    count: int
    page: Page | None = None
    more: bool = field(init=False)

    def __post_init__(self) -> None:
        self.more = self.count > len(self.hits)

    @property
    def count_is_capped(self) -> bool:
        return self.count > COUNT_CAP

    @property
    def shown_count(self) -> int:
        return min(self.count, COUNT_CAP)


def _marked(text: str) -> SafeString:
    """The snippet as HTML: the record's text escaped, the matched words in <mark>."""
    html = _MARKED.sub(lambda m: f"<mark>{m.group(1)}</mark>", escape(text or ""))
    return mark_safe(html.replace(_START, "").replace(_STOP, ""))  # noqa: S308  # escaped above


def _plain_snippet(text: str, words: list[str]) -> SafeString:
    """Without full-text search: the text around the first word found, the words marked."""
    text = " ".join((text or "").split())
    lowered = text.lower()
    at = min((i for i in (lowered.find(w.lower()) for w in words) if i >= 0), default=0)
    start = max(0, at - PLAIN_SNIPPET_CHARS // 3)
    cut = text[start : start + PLAIN_SNIPPET_CHARS]
    cut = ("… " if start else "") + cut + (" …" if start + PLAIN_SNIPPET_CHARS < len(text) else "")
    if words:
        pattern = re.compile(r"\b(?:" + "|".join(re.escape(w) for w in words) + ")", re.IGNORECASE)
        cut = pattern.sub(lambda m: f"{_START}{m.group(0)}{_STOP}", cut)
    return _marked(cut)


class _CappedPaginator(Paginator):
    """Pages of one kind's ranked matches, counted only up to COUNT_CAP (the ranked ones)."""

    def __init__(self, object_list: QuerySet, per_page: int, *, count: int) -> None:
        super().__init__(object_list, per_page)
        self._capped = min(count, COUNT_CAP)

    @cached_property
    def count(self) -> int:
        return self._capped


@dataclass(frozen=True)
class _Matcher:
    """How one query is matched: by PostgreSQL full-text search, or by icontains on SQLite."""

    text: str

    @cached_property
    def words(self) -> list[str]:
        return [w for w in re.split(r"\W+", self.text) if w][:10]

    @cached_property
    def query(self) -> SearchQuery:
        return SearchQuery(self.text, search_type="websearch", config=CONFIG)

    def matching(self, kind: Kind, records: QuerySet) -> QuerySet:
        if full_text_search():
            return records.annotate(document=kind.document()).filter(document=self.query)
        if not self.words:
            return records.none()
        wanted = Q()
        for word in self.words:  # every word, in any of the fields
            wanted &= Q(*[Q(**{f"{f}__icontains": word}) for f in kind.fields], _connector=Q.OR)
        return records.filter(wanted)

    def ranked(self, kind: Kind, records: QuerySet) -> QuerySet:
        """The first COUNT_CAP matches, best first, with each one's snippet."""
        matching = self.matching(kind, records)
        if not full_text_search():
            return matching.order_by("-pk")
        # Unordered: a model's default order (updates newest first) would walk that index and
        # work out every row's document, where the GIN index finds the matches directly.
        first = matching.order_by().values("pk")[:COUNT_CAP]
        return (
            records.filter(pk__in=first)
            .annotate(
                rank=SearchRank(kind.document(), self.query),
                headline=SearchHeadline(
                    kind.snippet(),
                    self.query,
                    config=CONFIG,
                    start_sel=_START,
                    stop_sel=_STOP,
                    max_words=35,
                    min_words=15,
                    max_fragments=2,
                    fragment_delimiter=" … ",
                ),
            )
            .order_by("-rank", "-pk")
        )

    def count(self, kind: Kind, records: QuerySet) -> int:
        """How many match, counted to one past COUNT_CAP (enough to say "more than")."""
        return self.matching(kind, records).order_by().values("pk")[: COUNT_CAP + 1].count()

    def hit(self, kind: Kind, record: Any) -> Hit:
        agreement = agreement_of(record)
        if hasattr(record, "headline"):
            snippet = _marked(record.headline)
        else:
            text = " ".join(str(getattr(record, f) or "") for f in kind.fields)
            snippet = _plain_snippet(text, self.words)
        return Hit(
            title=kind.title(record),
            url=kind.url(record),
            agreement=agreement.short_name if agreement else "",
            snippet=snippet,
        )


def search(user: User, text: str, *, kind: str | None = None, page: str | int | None = 1) -> list[Group]:
    """What the user may see that matches `text`, grouped by kind in KINDS' order.

    Without `kind`, each kind that has matches with its first GROUP_SIZE; with one, that kind's
    matches a page (PAGE_SIZE) at a time. Kinds without a match are left out.
    """
    matcher = _Matcher(text)
    visible = visible_agreements(user)
    kinds = [BY_KEY[kind]] if kind in BY_KEY else list(KINDS)
    groups: list[Group] = []
    for k in kinds:
        records = k.of_agreements(visible)
        count = matcher.count(k, records)
        if not count:
            continue
        ranked = matcher.ranked(k, records)
        if kind in BY_KEY:
            shown = _CappedPaginator(ranked, PAGE_SIZE, count=count).get_page(page)
            groups.append(Group(k, [matcher.hit(k, r) for r in shown], count, page=shown))
        else:
            groups.append(Group(k, [matcher.hit(k, r) for r in ranked[:GROUP_SIZE]], count))
    return groups
