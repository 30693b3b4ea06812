"""The list pages' filter form, drawn without crispy's templates per field and Django's per option.

`templates/activities/_filter_form.html` writes the same markup crispy's bootstrap5 pack wrote
(wrapper ids, labels, help text, errors, `aria-describedby`/`aria-invalid`, which the e2e and
axe tests read); `filter_control` here draws the control itself. A list offers every agreement
the user sees in its agreement filter (200 in the benchmark), and Django draws a <select>
through two templates per option: that was most of each list page's time (docs/performance.md).
"""

from __future__ import annotations

import html

from django import forms, template
from django.forms import BoundField
from django.utils.safestring import SafeString, mark_safe

from core.pickers import PickerWidget

register = template.Library()


@register.filter
def is_checkbox(field: BoundField) -> bool:
    return isinstance(field.field.widget, forms.CheckboxInput)


def control_classes(field: BoundField) -> str:
    """Crispy's classes: the widget's own, its class name (`select`, `textinput`, `dateinput`,
    `checkboxinput`), Bootstrap's class for the kind of control, and `is-invalid` on an error."""
    widget = field.field.widget
    classes = widget.attrs.get("class", "").split()
    typed = isinstance(widget, PickerWidget) and widget.typed  # a picker drawn as a text box
    marker = type(widget).__name__.lower()
    if isinstance(widget, PickerWidget):
        marker = "textinput" if typed else "select"  # as crispy marks the control it draws
    if marker not in classes:
        classes.append(marker)
    if isinstance(widget, forms.CheckboxInput):
        classes.append("form-check-input")
    elif isinstance(widget, forms.Select) and not typed:
        classes.append("form-select")
    else:
        classes.append("form-control")
    if field.errors:
        classes.append("is-invalid")
    return " ".join(dict.fromkeys(classes))


def _escape(value: object) -> str:
    """conditional_escape without its lazy-string wrapper and SafeString per call (hot: every option)."""
    return value.__html__() if hasattr(value, "__html__") else html.escape(str(value))


def _attrs(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html: `name="value"`, a bare `name` for True, nothing for False."""
    return "".join(
        f" {_escape(name)}" if value is True else f' {_escape(name)}="{_escape(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


def _select(field: BoundField, attrs: dict) -> SafeString:
    """The <select> Django's select.html draws, written here in one pass over the options.

    Plain string building, not format_html per option (that alone was a tenth of the item
    list's time); every name, value and label is escaped as the template would.
    """
    widget = field.field.widget
    if field.auto_id and "id" not in widget.attrs:
        attrs.setdefault("id", field.auto_id)
    context = widget.get_context(field.html_name, field.value(), attrs)["widget"]
    parts = [f'<select name="{_escape(context["name"])}"{_attrs(context["attrs"])}>']
    for group_name, options, _index in context["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_escape(group_name)}">')
        parts.extend(
            f'\n  <option value="{_escape(option["value"])}"{_attrs(option["attrs"])}>'
            f"{_escape(option['label'])}</option>"
            for option in options
        )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return mark_safe("".join(parts))  # noqa: S308 - every name, value and label is escaped above


@register.simple_tag
def filter_control(field: BoundField) -> SafeString:
    """The field's control with crispy's classes and Django's attributes (id, aria-*)."""
    widget = field.field.widget
    typed = isinstance(widget, PickerWidget) and widget.typed
    if isinstance(widget, forms.Select) and not widget.allow_multiple_selected and not typed:
        return _select(field, field.build_widget_attrs({"class": control_classes(field)}, widget))
    return field.as_widget(attrs={"class": control_classes(field)})
