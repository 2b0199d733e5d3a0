"""The one way forms look and report errors.

- **Rendering**: ``FORM_RENDERER = "fede.core.forms.FormRenderer"``. Every Django form of
  the site (ours, allauth's) renders its fields with ``core/forms/field.html`` and gets
  Bootstrap classes on its widgets from :class:`BoundField` — no form mixin, no template
  tag. In a template: ``{{ form }}`` for the whole form, ``{{ form.name.as_field_group }}``
  for one field, ``{% include "core/includes/form_errors.html" %}`` for the summary.
- **Service errors**: a service raises ``ValidationError`` (with a dict of field errors,
  or a message); :func:`submit` runs the service and puts each error next to its field,
  or at the top of the form when the field is not on it.
- **Filters** of new list pages use django-filter ``FilterSet`` (rendered the same way).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import TemplatesSetting
from django.forms.utils import flatatt
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe


class DateInput(forms.DateInput):
    """A native date picker (ISO value, as browsers expect)."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%dT%H:%M")


class QuickSelect(forms.Select):
    """A <select> written in Python: its options cost microseconds, not a template each
    (a filter of 280 organisers: 4.6 → 0.7 ms).

    Same HTML as Django's select (option groups, attributes, the first matching option
    selected), built from the choices directly rather than through ``get_context`` (which
    makes a dict of attributes per option: most of the time of a list of 280 options).
    """

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            final_attrs["multiple"] = True
        wanted = set(self.format_value(value))
        html = [format_html('<select name="{}"{}>', name, flatatt(final_attrs))]
        has_selected = False

        def option(option_value, label) -> str:
            nonlocal has_selected
            option_value = "" if option_value is None else str(option_value)
            selected = (not has_selected or self.allow_multiple_selected) and (
                option_value in wanted
            )
            has_selected |= selected
            return (
                f'<option value="{escape(option_value)}"{" selected" if selected else ""}>'
                f"{conditional_escape(label)}</option>"
            )

        for group_value, group_label in self.choices:
            if isinstance(group_label, (list, tuple)):
                if group_value:
                    html.append(format_html('<optgroup label="{}">', group_value))
                html.extend(option(v, label) for v, label in group_label)
                if group_value:
                    html.append("</optgroup>")
            else:
                html.append(option(group_value, group_label))
        html.append("</select>")
        return mark_safe("\n".join(html))  # noqa: S308 - every piece is escaped


class QuickCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes written in Python: the same HTML as Django's ``CheckboxSelectMultiple``
    (its ``multiple_input.html`` and, for each box, ``input_option.html``), without a
    template per box — the whole widget (``{{ field }}``) as well as each choice's
    ``{{ choice.tag }}`` in ``core/forms/field.html``."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        widget_attrs = widget["attrs"]
        html = ["<div"]
        if widget_attrs.get("id"):
            html.append(format_html(' id="{}"', widget_attrs["id"]))
        if widget_attrs.get("class"):
            html.append(format_html(' class="{}"', widget_attrs["class"]))
        html.append(">")
        for group, options, _index in widget["optgroups"]:
            if group:
                html.append(format_html("\n  <div><label>{}</label>", group))
            html.extend(f"<div>\n    {self.option_html(option)}</div>" for option in options)
            if group:
                html.append("\n  </div>")
        html.append("\n</div>")
        return mark_safe("".join(html))  # noqa: S308 - every piece is escaped

    def _render(self, template_name, context, renderer=None):
        if template_name == self.option_template_name:  # BoundWidget.tag()
            # The renderer strips what a template writes.
            return mark_safe(self.option_html(context["widget"]).strip())  # noqa: S308
        return super()._render(template_name, context, renderer)

    @staticmethod
    def option_html(option: dict) -> str:
        """One box as ``django/forms/widgets/checkbox_option.html`` writes it (attributes
        in their order, as ``attrs.html`` does, not sorted as ``flatatt`` does)."""
        option_attrs = option["attrs"]
        value = option["value"]
        html = [f'<input type="{escape(option["type"])}" name="{escape(option["name"])}"']
        if value is not None:
            html.append(f' value="{conditional_escape(str(value))}"')
        for key, attr in option_attrs.items():
            if attr is True:
                html.append(f" {escape(key)}")
            elif attr is not False:
                html.append(f' {escape(key)}="{conditional_escape(str(attr))}"')
        html.append(">\n")
        if option.get("wrap_label"):
            label_for = f' for="{escape(option_attrs["id"])}"' if option_attrs.get("id") else ""
            html.insert(0, f"<label{label_for}>")
            html.append(f" {conditional_escape(option['label'])}</label>")
        html.append("\n\n")
        return mark_safe("".join(html))  # noqa: S308 - every piece is escaped


class SearchableSelect(QuickSelect):
    """A long select (a section among a hundred…) with a filter box above it: typing narrows
    the options, accents and case ignored (``fede.js``). Without script, a plain select."""

    def __init__(self, attrs=None, choices=()):
        super().__init__(attrs={**(attrs or {}), "data-searchable": ""}, choices=choices)


class SearchableCheckboxes(forms.CheckboxSelectMultiple):
    """Several choices in a long list (co-organising sections…): ticked boxes in a scrolling
    list with a filter box — no Ctrl-click. Ticked choices stay visible while filtering."""


def widget_css(widget: forms.Widget) -> str:
    """The Bootstrap class of a widget."""
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "form-check-input"
    if isinstance(widget, forms.Select):
        return "form-select"
    return "form-control"


class BoundField(forms.BoundField):
    """Adds the widget's Bootstrap class, and ``is-invalid`` when the field has errors."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        widget = widget or self.field.widget
        if isinstance(widget, forms.HiddenInput):
            return attrs
        classes = (attrs.get("class") or widget.attrs.get("class") or "").split()
        css = widget_css(widget)
        if css not in classes:
            classes.append(css)
        if self.form.is_bound and self.errors and "is-invalid" not in classes:
            classes.append("is-invalid")
            attrs["aria-describedby"] = " ".join(
                filter(None, [attrs.get("aria-describedby"), f"{self.auto_id}_error"])
            )
        attrs["class"] = " ".join(classes)
        return attrs


class FormRenderer(TemplatesSetting):
    """The site's form renderer (see the module docstring)."""

    form_template_name = "core/forms/form.html"
    field_template_name = "core/forms/field.html"
    bound_field_class = BoundField


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ``ValidationError`` on ``form``: each field's errors next to it,
    the rest (unknown fields, plain messages) at the top of the form."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            target = name if name in form.fields else None
            for item in errors:
                form.add_error(target, item)
    else:
        form.add_error(None, error)


class _Failed:
    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "FAILED"


#: What :func:`submit` returns when the form or the service refused the input.
FAILED = _Failed()


def submit(form: forms.BaseForm, action: Callable[[dict], Any]) -> Any:
    """Validate ``form`` and run ``action(form.cleaned_data)`` (a service call).

    Returns the service's result, or :data:`FAILED` (falsy) with the errors on the form.
    The usual view::

        if request.method == "POST" and (booking := submit(form, lambda data:
                services.booking_create(actor=request.user, **data))):
            messages.success(request, …)
            return redirect(booking)
        return render(request, …, {"form": form})
    """
    if not form.is_valid():
        return FAILED
    try:
        result = action(form.cleaned_data)
    except ValidationError as error:
        apply_errors(form, error)
        return FAILED
    return True if result is None else result


def valid_data(form: forms.BaseForm) -> dict:
    """The fields of a GET filter form that validated (a wrong filter drops only itself)."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


def csrf_input(request=None, *, token: str | None = None) -> str:
    """What ``{% csrf_token %}`` writes, for HTML built in Python: the hidden input with
    ``token`` (one per page: each ``get_token`` masks it anew) or the request's token."""
    from django.middleware.csrf import get_token

    value = token if token is not None else get_token(request)
    return format_html('<input type="hidden" name="csrfmiddlewaretoken" value="{}">', value)
