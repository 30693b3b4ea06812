"""Sorting a list by its columns: `sort=<column>` or `sort=-<column>` in the URL, beside the filters.

A list's FilterSet declares a `SortFilter` named `sort`, so the order is one more filter: the
filter form offers it as a choice (a way to sort without the table), a link kept or sent on
keeps it, and a value that is not a column is ignored like any refused filter. Each column's
header is a link to the same list sorted by it (`sort_links`), with `aria-sort` on the column
the list is sorted by; the links keep every filter and start again at page 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import django_filters as filters
from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy
from django.http import QueryDict

PARAM = "sort"


@dataclass(frozen=True)
class Column:
    """A column a list may be sorted by: its header, the fields it orders by (ascending), and
    the direction a first click sorts (dates: newest first)."""

    label: str
    fields: tuple[str, ...]
    first_descending: bool = False
    #: A field that may be empty sorts its empty rows last either way (the last update "Never").
    nullable: bool = False


class SortFilter(filters.OrderingFilter):
    """`sort=key` or `sort=-key` among `columns`; absent, the list keeps its own order (`default`,
    the key it is sorted by then, for its header)."""

    def __init__(self, *, columns: dict[str, Column], default: str, **kwargs) -> None:
        self.columns = columns
        self.default = default
        choices: list[tuple[str, str]] = []
        for key, column in columns.items():
            choices += [(key, f"{column.label}, ascending"), (f"-{key}", f"{column.label}, descending")]
        kwargs.setdefault("label", "Sort by")
        kwargs.setdefault(
            "empty_label", f"{columns[default.lstrip('-')].label}, {_words(default)} (as listed)"
        )
        super().__init__(choices=choices, fields={key: key for key in columns}, **kwargs)

    def filter(self, qs: QuerySet, value: list[str] | None) -> QuerySet:
        if not value or value[0].lstrip("-") not in self.columns:
            return qs
        return qs.order_by(*ordering(self.columns[value[0].lstrip("-")], descending=value[0].startswith("-")))


def _words(key: str) -> str:
    return "descending" if key.startswith("-") else "ascending"


def ordering(column: Column, *, descending: bool) -> list[OrderBy | str]:
    """The column's fields in the chosen direction, then the primary key (a stable page order)."""
    by: list[OrderBy | str] = []
    for name in column.fields:
        if column.nullable:
            by.append(F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True))
        else:
            by.append(f"-{name}" if descending else name)
    by.append("-pk" if descending else "pk")
    return by


@dataclass(frozen=True)
class SortLink:
    """One column's header: the link that sorts by it, and whether the list is sorted by it now."""

    label: str
    url: str
    #: "ascending" or "descending" for the column the list is sorted by, else "".
    aria_sort: str
    #: What following the link does, for screen readers ("ascending" or "descending").
    next: str


def read(value: str | None, columns: dict[str, Column]) -> str | None:
    """A `sort` value naming one of the columns (`key` or `-key`), or None for anything else."""
    return value if value and value.lstrip("-") in columns else None


def chosen(filterset: filters.FilterSet) -> str | None:
    """The `sort` value the list was asked for and accepted, or None (its own order)."""
    cleaned = getattr(filterset.form, "cleaned_data", None) or {}
    value = cleaned.get(PARAM) or []
    return read(value[0] if value else None, filterset.filters[PARAM].columns)


def sort_links(filterset: filters.FilterSet, query: QueryDict) -> dict[str, SortLink]:
    """Each column's header link for a list with a SortFilter, keeping its filters (`query`)."""
    sort: SortFilter = filterset.filters[PARAM]
    return links(sort.columns, chosen(filterset) or sort.default, query)


def links(columns: dict[str, Column], current: str | None, query: QueryDict) -> dict[str, SortLink]:
    """Each column's header link, by column key, keeping the list's filters (`query`).

    `current` is the column the list is sorted by now (`key` or `-key`), or None when its own
    order is none of the columns.
    """
    found = {}
    for key, column in columns.items():
        if current is not None and current.lstrip("-") == key:
            sorted_now = _words(current)
            descending = not current.startswith("-")
        else:
            sorted_now = ""
            descending = column.first_descending
        params = query.copy()
        params.pop("page", None)
        params[PARAM] = f"-{key}" if descending else key
        found[key] = SortLink(
            label=column.label,
            url="?" + params.urlencode(),
            aria_sort=sorted_now,
            next="descending" if descending else "ascending",
        )
    return found
