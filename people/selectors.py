"""Reads of the people app: the users list an admin keeps, in the order asked."""

from __future__ import annotations

from django.db.models import QuerySet

from core.sorting import Column, ordering

#: The users list's sortable columns (core/sorting.py). Without `sort` it lists active users
#: first, then by username.
SORT_COLUMNS = {
    "username": Column("Username", ("username",)),
    "name": Column("Name", ("last_name", "first_name")),
    "email": Column("E-mail", ("email",)),
    "party": Column("Party", ("membership__party__acronym",), nullable=True),
    "status": Column("Status", ("is_active",), first_descending=True),
}


def user_list_for(users: QuerySet, *, sort: str | None = None) -> QuerySet:
    """The users as the list shows them: by `sort` (a key of SORT_COLUMNS, `-` first for
    descending), else active first and by username."""
    users = users.select_related("membership__party").prefetch_related("groups")
    if sort and sort.lstrip("-") in SORT_COLUMNS:
        return users.order_by(*ordering(SORT_COLUMNS[sort.lstrip("-")], descending=sort.startswith("-")))
    return users.order_by("-is_active", "username")
