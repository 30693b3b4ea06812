"""Pickers that do not grow with the portfolio: a <select> while the choices are few, a text box
with suggestions when they are many.

A filter form offered every agreement the user sees, and the item page every user who may own
the item, as <option>s: 2,000 and 6,667 of them at ten times the benchmark's size, most of each
page's bytes and time (docs/performance.md). Past `settings.PORTAL_PICKER_LIMIT` choices the
field draws a text input instead; `static/js/picker.js` turns it into a combobox that asks the
field's lookup URL for at most a screenful of suggestions. Without JavaScript the input still
works: the field accepts the key or another exact name of the choice (`match_on`).

The meaning of the field does not change with its look: whatever is typed is found in the same
queryset the <select> would have offered (the one rule of who may choose what), or refused.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, cast

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Model, QuerySet
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import get_default_renderer
from django.utils.safestring import mark_safe

from .bounds import CONTROL_CHARACTERS

# How many suggestions a lookup answers with: enough to choose from, few enough to read.
SUGGESTIONS = 20


def picker_limit() -> int:
    """The most choices a picker draws as a <select> (PORTAL_PICKER_LIMIT)."""
    return int(getattr(settings, "PORTAL_PICKER_LIMIT", 50))


class PickerWidget(forms.Select):
    """A <select> of the field's choices, or a text input once there are more than the limit.

    `typed` is decided once per form, on first use, by reading at most limit + 1 choices' keys;
    when they are few the choices are read as the options (a second, small query).
    """

    text_template_name = "django/forms/widgets/text.html"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        self._typed: bool | None = None
        super().__init__(attrs)
        self.lookup_url: Any = ""
        self.text_of: Callable[[Any], str] = str

    def __deepcopy__(self, memo: dict) -> PickerWidget:
        copy = super().__deepcopy__(memo)
        copy._typed = None
        return copy

    @property
    def choices(self) -> Any:
        return self._choices

    @choices.setter
    def choices(self, value: Any) -> None:
        """New choices (a form setting the field's queryset) are decided on afresh."""
        self._choices = value
        self._typed = None

    @property
    def typed(self) -> bool:
        if self._typed is None:
            self._typed = self._decide()
        return self._typed

    def _decide(self) -> bool:
        limit = picker_limit()
        queryset = getattr(self.choices, "queryset", None)
        if queryset is None:  # plain choices, already in memory
            return len([c for c in self.choices if c[0] not in ("", None)]) > limit
        # "More than the limit?" is asked without the order: PostgreSQL stops at the limit + 1st
        # key instead of sorting every choice for it (2,000 agreements: 4-5 ms to 0.2 at scale
        # 10). Only a few choices are then read, in their order, as the <select>'s options.
        if len(queryset.order_by().values_list("pk", flat=True)[: limit + 1]) > limit:
            return True
        rows = list(queryset[: limit + 1])
        self._typed = False  # decided: the options below are drawn as a <select>'s
        iterator = cast(ModelChoiceIterator, self.choices)
        empty = [("", iterator.field.empty_label)] if iterator.field.empty_label is not None else []
        self.choices = [*empty, *(iterator.choice(row) for row in rows)]
        return False

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        if not self.typed:
            return super().get_context(name, value, attrs)
        attrs = {
            **(attrs or {}),
            "autocomplete": "off",
            "spellcheck": "false",
            "data-picker": str(self.lookup_url),
        }
        text = "" if value in (None, "") else str(value[0] if isinstance(value, list) else value)
        return {
            "widget": {
                "name": name,
                "is_hidden": False,
                "required": self.is_required,
                "value": text,
                "attrs": self.build_attrs(self.attrs, attrs),
                "template_name": self.text_template_name,
                "type": "text",
            }
        }

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> Any:
        if not self.typed:
            return super().render(name, value, attrs, renderer)
        context = self.get_context(name, value, attrs)
        return mark_safe((renderer or get_default_renderer()).render(self.text_template_name, context))  # noqa: S308

    def use_required_attribute(self, initial: Any) -> bool:
        """A text box may carry `required` (Select's own rule reads the first choice: a query)."""
        if self.typed:
            return not self.is_hidden
        return super().use_required_attribute(initial)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        return data.get(name)


class PickerField(forms.ModelChoiceField):
    """A model choice drawn by `PickerWidget`, which also accepts other exact names of a choice.

    `match_on` are the lookups tried in turn on the field's queryset (the first is the key the
    <select> submits); `text_of` is what the text box shows of a chosen object; `hint` replaces
    the help text when the field is a text box. A name two choices share is refused, not guessed.
    """

    widget = PickerWidget
    match_on: Sequence[str] = ("pk",)
    hint = "Type part of the name and choose from the suggestions."
    ambiguous_message = "More than one choice is called “%(value)s”: choose one from the suggestions."

    def __init__(self, *args: Any, lookup_url: str = "", **kwargs: Any) -> None:
        self._help_text = ""
        super().__init__(*args, **kwargs)
        self.picker.lookup_url = lookup_url  # lazy: fields are built while the URLs load
        self.picker.text_of = self.text_of
        self._resolved: tuple[str, Model] | None = None

    @property
    def picker(self) -> PickerWidget:
        return cast(PickerWidget, self.widget)

    @property
    def help_text(self) -> str:
        """The hint while the field is a text box; the field's own help text as a <select>."""
        return self.hint if self.typed else self._help_text

    @help_text.setter
    def help_text(self, value: str) -> None:
        self._help_text = value

    @property
    def typed(self) -> bool:
        return self.picker.typed

    def text_of(self, obj: Any) -> str:
        """What the text box shows (and submits) for a chosen object."""
        return str(getattr(obj, self.to_field_name or "pk"))

    def to_python(self, value: Any) -> Model | None:
        if value in self.empty_values:
            return None
        queryset = cast(QuerySet, self.queryset)
        if isinstance(value, queryset.model):
            return value
        text = str(value).strip()
        if self._resolved is not None and self._resolved[0] == text:
            return self._resolved[1]
        for lookup in self.match_on:
            try:
                found = list(queryset.filter(**{lookup: text})[:2])
            except (ValueError, TypeError, ValidationError):
                continue  # not a value this lookup can hold (a name for an id)
            if len(found) > 1:
                raise ValidationError(self.ambiguous_message, code="ambiguous", params={"value": text})
            if found:
                self._resolved = (text, found[0])
                return found[0]
        raise ValidationError(
            self.error_messages["invalid_choice"], code="invalid_choice", params={"value": text}
        )

    def found(self, text: str, obj: Model) -> None:
        """The caller has already found what `text` names (a view resolving the same value):
        validating and drawing the field asks the database no second time."""
        self._resolved = (str(text).strip(), obj)

    def prepare_value(self, value: Any) -> Any:
        """In a text box, a chosen object (or its key, as a form's initial) shows as `text_of`;
        text that names nothing shows as typed, for the user to correct."""
        if not self.typed:
            if isinstance(value, str) and self._resolved is not None and self._resolved[0] == value.strip():
                value = self._resolved[1]  # a name typed without JavaScript selects its option
            return super().prepare_value(value)
        if value in self.empty_values:
            return ""
        try:
            found = self.to_python(value)
        except ValidationError:
            return str(value)
        return self.text_of(found) if found is not None else ""


def typed_text(value: str | None) -> str:
    """What a lookup's `q` asks for: control characters (NUL among them, which PostgreSQL
    refuses in text) become spaces, and no more than a name's length is read."""
    return CONTROL_CHARACTERS.sub(" ", value or "")[:120].strip()


def suggestions(queryset: QuerySet, to_row: Callable[[Any], dict[str, str]]) -> list[dict[str, str]]:
    """At most SUGGESTIONS rows of a lookup, each `{"value": …, "label": …}` for picker.js."""
    return [to_row(obj) for obj in queryset[:SUGGESTIONS]]
