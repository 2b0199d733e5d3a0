"""Bootstrap 5 markup for Django form fields, used by the account pages' templates."""

from django import forms, template

register = template.Library()

_CHECK_WIDGETS = (forms.CheckboxInput, forms.RadioSelect, forms.CheckboxSelectMultiple)


@register.filter
def is_check(field) -> bool:
    """True for a single checkbox (rendered as a Bootstrap form-check)."""
    return isinstance(field.field.widget, forms.CheckboxInput)


@register.filter
def bootstrap_widget(field):
    """Render a bound field's widget with Bootstrap classes and without placeholder.

    Labels are always visible, so the placeholders django-allauth sets for label-less
    layouts would only repeat them. Django adds ``aria-invalid`` and ``aria-describedby``
    (help text, errors) itself.
    """
    widget = field.field.widget
    if isinstance(widget, forms.CheckboxInput):
        css = "form-check-input"
    elif isinstance(widget, forms.Select) and not isinstance(widget, _CHECK_WIDGETS):
        css = "form-select"
    elif isinstance(widget, _CHECK_WIDGETS):
        css = ""
    else:
        css = "form-control"
    if field.errors and css:
        css += " is-invalid"
    existing = widget.attrs.get("class", "")
    attrs = {"class": f"{existing} {css}".strip(), "placeholder": False}
    return field.as_widget(attrs=attrs)
