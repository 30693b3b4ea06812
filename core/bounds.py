"""What the portal accepts as a date, a page number or a piece of text, wherever it enters.

An agreement lives for years or decades, not millennia: a date outside EARLIEST_DAY..LATEST_DAY
is a typing slip (0001-01-01, 9999-12-31), and storing one breaks every page that does
arithmetic with it (9999-12-31T23:30 in New York is year 10000 in UTC, which Python cannot
read back). Forms, services and query strings use these bounds, so a slip is a plain message
beside the field, never a 500 and never a stored row.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

EARLIEST_DAY = datetime.date(1900, 1, 1)
LATEST_DAY = datetime.date(2200, 12, 31)

#: The largest page number any list answers; beyond it the last page is shown.
MAX_PAGE = 100_000

# C0 control characters other than tab, line feed and carriage return, DEL, and the C1 range.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a character nobody types (NUL, escape, …); tabs and newlines are fine."""
    return bool(CONTROL_CHARACTERS.search(text))


def refuse_control_characters(text: str) -> None:
    """A validator for text fields: NUL and other control characters are refused."""
    if isinstance(text, str) and has_control_characters(text):
        raise ValidationError(
            "This text holds a control character (such as NUL) that cannot be stored; retype it.",
            code="control_character",
        )


def day_in_bounds(day: datetime.date | None) -> bool:
    return day is not None and EARLIEST_DAY <= day <= LATEST_DAY


def check_day(day: datetime.date | datetime.datetime | None, label: str = "The date") -> None:
    """Refuse a day outside the years an agreement can plausibly concern."""
    if day is None:
        return
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date() if timezone.is_aware(day) else day.date()
    if not day_in_bounds(day):
        raise ValidationError(
            f"{label} must be between {EARLIEST_DAY:%Y-%m-%d} and {LATEST_DAY:%Y-%m-%d}.",
            code="out_of_range",
        )


def page_number(raw: Any, *, default: int = 1) -> int:
    """A page number from a query string: anything not a positive whole number is page 1,
    and a number past MAX_PAGE is MAX_PAGE (25 digits is not an error page)."""
    text = str(raw or "").strip()
    if not text.isdigit() or not text.isascii():
        return default
    if len(text) > len(str(MAX_PAGE)):
        return MAX_PAGE
    return min(max(1, int(text)), MAX_PAGE)


class BoundedDateField(forms.DateField):
    """A date field refusing days outside EARLIEST_DAY..LATEST_DAY, with `min`/`max` on the input."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("min", EARLIEST_DAY.isoformat())
        self.widget.attrs.setdefault("max", LATEST_DAY.isoformat())

    def to_python(self, value: Any) -> datetime.date | None:
        day = super().to_python(value)
        try:
            check_day(day, "The date")
        except ValidationError as e:
            raise ValidationError(e.messages[0], code="out_of_range") from None
        return day


class BoundedDateTimeField(forms.DateTimeField):
    """A date-and-time field refusing instants outside the bounded years (in the portal's zone)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.widget.attrs.setdefault("min", f"{EARLIEST_DAY.isoformat()}T00:00")
        self.widget.attrs.setdefault("max", f"{LATEST_DAY.isoformat()}T23:59")

    def to_python(self, value: Any) -> datetime.datetime | None:
        # Check the naive value before it is made aware: 9999-12-31T23:30 cannot be converted.
        if isinstance(value, str) and value.strip():
            try:
                naive = datetime.datetime.fromisoformat(value.strip())
            except ValueError:
                naive = None
            if naive is not None:
                check_day(naive.date(), "The date")
        try:
            moment = super().to_python(value)
        except OverflowError:
            raise ValidationError("Enter a valid date and time.", code="invalid") from None
        check_day(moment, "The date")
        return moment
