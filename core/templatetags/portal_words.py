"""Template filters for writing to people the portal's one way (`{% load portal_words %}`)."""

from __future__ import annotations

import datetime

from django import template

from core.time import duration_in_words

register = template.Library()


@register.filter
def duration_words(value: object) -> object:
    """A timedelta in words ("30 minutes"); anything else is shown as it is."""
    if isinstance(value, datetime.timedelta):
        return duration_in_words(value)
    return value
