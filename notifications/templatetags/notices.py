"""Template filters of the notice templates."""

from __future__ import annotations

import datetime
from functools import lru_cache

from django import template
from django.utils.formats import date_format
from django.utils.translation import get_language

register = template.Library()


@lru_cache(maxsize=2048)
def _day(value: datetime.date, language: str | None) -> str:
    return date_format(value, "DATE_FORMAT")


@register.filter(expects_localtime=True)
def day(value: datetime.date | datetime.datetime | None) -> str:
    """A day as the notices write it ("March 5, 2024"), the same as `|date:"DATE_FORMAT"`.

    Remembered per day and language: a weekly digest run writes thousands of due dates, and
    most of them fall on the same few hundred days.
    """
    if not value:
        return ""
    return _day(value, get_language())
