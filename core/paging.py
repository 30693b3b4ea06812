"""Pages of a long list whose total is counted only as far as it needs to be.

Why: a department sees five million progress updates at scale 10; counting them all to write
"Page 1 of 199,844" took longer than reading the page. A list counts its rows up to
COUNT_UP_TO (a bounded walk of an index, like reading a page); past it, the total reads "more
than 10,000" and the pager offers the next pages and the last one. Asking for page n counts as
far as page n reaches, which costs what reading that page at its offset costs anyway; asking for
the last page (`?page=last`) counts every row, once, because the user asked where the list ends,
and reads the page from the list's far end. Every row stays reachable and every total shown is
true; the list's order must be total (end with the key) for the far end to match.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.utils.functional import cached_property

from . import cache

#: Rows a list counts before it says "more than"; a page of 25 reaches it at page 400.
COUNT_UP_TO = 10_000
#: `?page=` beyond this is past the end of any list the portal holds (and keeps LIMIT in range).
LAST_PAGE_ASKED = 10**9


def count_up_to(rows: QuerySet, limit: int | None) -> tuple[int, bool]:
    """How many rows, counted up to `limit` (None: all of them), and whether that is all of them.

    Counts `limit + 1` at most: one more than the limit says there are more, without counting
    them. The order is dropped (a count does not need it), so PostgreSQL may walk any index.
    """
    keys = rows.order_by().values("pk")
    if limit is None:
        return keys.count(), True
    counted = keys[: limit + 1].count()
    return counted, counted <= limit


class CappedCountPaginator(Paginator):
    """A Paginator that counts only as far as the page asked for (see the module's docstring).

    `count` is exact when `count_is_exact`; otherwise it is `counted_up_to + 1`, so the pages it
    implies all hold rows, and `num_pages` is a lower bound ("page 1 of more than 400").

    `kept_as` (a name and what the rows depend on: whose view, the filters) keeps the count
    until the records change (core.cache.kept): counting up to 10,001 of a department's rows
    cost PostgreSQL 3-5 ms of every list page at scale 10, for a total that changes only when a
    record does.
    """

    object_list: QuerySet

    def __init__(
        self,
        object_list: QuerySet,
        per_page: int,
        *,
        up_to: int | None = None,
        kept_as: tuple[str, Sequence[str]] | None = None,
        **kwargs,
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self.counted_up_to: int | None = COUNT_UP_TO if up_to is None else up_to
        self.kept_as = kept_as

    def get_page(self, number: int | float | str | None) -> Page:
        """As Paginator.get_page (anything not a page number is the first page, past the end
        the last), counting far enough for the page asked; "last" counts every row."""
        if number == "last":
            self.counted_up_to = None
            return super().get_page(self.num_pages)
        try:
            asked = min(max(int(str(number)), 1), LAST_PAGE_ASKED)
        except (TypeError, ValueError):
            asked = 1
        if self.counted_up_to is not None and asked * self.per_page > self.counted_up_to:
            # Far enough to know whether the page holds rows, or where the list ends.
            self.counted_up_to = asked * self.per_page
        return super().get_page(number)

    def page(self, number: int | float | str) -> Page:
        """As Paginator.page; a page past the middle of a list counted in full is read from
        the list's far end, in the reverse order: the last page of five million updates walks
        25 index entries, not 4,999,975 (an OFFSET walks every row before it)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        if not (self.count_is_exact and bottom > self.count // 2 and self.object_list.ordered):
            return super().page(number)
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        rows = list(self.object_list.reverse()[self.count - top : self.count - bottom])
        rows.reverse()
        return Page(rows, number, self)

    @cached_property
    def _counted(self) -> tuple[int, bool]:
        if self.kept_as is None:
            return count_up_to(self.object_list, self.counted_up_to)
        name, depends_on = self.kept_as
        counted = cache.kept(
            name,
            [*depends_on, f"up-to-{self.counted_up_to}"],
            lambda: count_up_to(self.object_list, self.counted_up_to),
        )
        return counted[0], counted[1]

    @cached_property
    def count(self) -> int:
        return self._counted[0]

    @property
    def count_is_exact(self) -> bool:
        return self._counted[1]

    @property
    def pages_counted(self) -> int:
        """The whole pages within what was counted: there are more than this many when the
        count is not exact."""
        return (self.counted_up_to or self.count) // self.per_page
