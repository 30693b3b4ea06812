"""The search box's question, read safely whatever is typed or pasted into the address bar."""

from __future__ import annotations

import unicodedata
from typing import Any

from django import forms

from .documents import KINDS
from .selectors import MAX_QUERY_LENGTH


def _printable(value: str) -> str:
    """Control characters (NUL among them: PostgreSQL refuses it in text) become spaces,
    runs of spaces one space."""
    cleaned = "".join(" " if unicodedata.category(c).startswith("C") else c for c in value)
    return " ".join(cleaned.split())


class QueryField(forms.CharField):
    def to_python(self, value: Any) -> str:
        return _printable(super().to_python(value) or "")


class SearchForm(forms.Form):
    """`q`: the words; `kind`: one kind of record to page through (absent: every kind)."""

    q = QueryField(
        label="Search",
        required=False,
        max_length=MAX_QUERY_LENGTH,
        help_text="Words or a phrase in quotes; -word leaves out records with that word.",
    )
    kind = forms.ChoiceField(
        label="Only",
        required=False,
        choices=[("", "Everything")] + [(k.key, k.label) for k in KINDS],
    )
