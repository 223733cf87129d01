"""USWDS forms for every app: the form base (widget classes, ARIA) and the project's form renderer.

``settings.FORM_RENDERER`` is ``UswdsFormRenderer``, so ``{{ form }}`` and ``{{ field.as_field_group }}``
render USWDS markup (``core/forms/div.html``, ``core/forms/field.html``): a label tied to the input, the hint
and error ids that ``UswdsForm`` names in ``aria-describedby``, the required mark. A page template writes
``{{ form.name.as_field_group }}`` where it wants a field, or ``{{ form }}`` for all of them.
"""

from __future__ import annotations

from typing import Any, Final

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.forms.renderers import DjangoTemplates

_USWDS_CLASS: Final = {
    forms.Select: "usa-select",
    forms.Textarea: "usa-textarea",
    forms.ClearableFileInput: "usa-file-input",
    forms.RadioSelect: "",
    forms.HiddenInput: "",
}


class UswdsForm(forms.BaseForm):
    """USWDS classes on every widget, and ``aria-describedby`` tying each input to its hint and error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, form_field in self.fields.items():
            widget = form_field.widget
            css = next((css for kind, css in _USWDS_CLASS.items() if isinstance(widget, kind)), "usa-input")
            if css:
                widget.attrs["class"] = css
            if form_field.help_text:
                widget.attrs["aria-describedby"] = f"{self._element_id(name)}-hint"

    def _element_id(self, name: str) -> str:
        return self.auto_id % name if isinstance(self.auto_id, str) and "%s" in self.auto_id else name

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name not in self.fields:
                continue
            widget = self.fields[name].widget
            element_id = self._element_id(name)
            described = [widget.attrs.get("aria-describedby", ""), f"{element_id}-error"]
            widget.attrs["aria-describedby"] = " ".join(filter(None, described))
            widget.attrs["aria-invalid"] = "true"
            if widget.attrs.get("class") == "usa-input":
                widget.attrs["class"] = "usa-input usa-input--error"


class UswdsFormRenderer(DjangoTemplates):
    """Django's renderer with the USWDS form and field templates (widgets keep Django's own templates)."""

    form_template_name = "core/forms/div.html"
    field_template_name = "core/forms/field.html"


def add_service_errors(form: forms.BaseForm, error: ValidationError, *, fallback: str | None = None) -> None:
    """A service's refusal shown on the form field it names; a name the form does not have goes on
    ``fallback`` when given, else above the form (so do refusals that name no field)."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        if name in form.fields:
            form.add_error(name, messages)
        elif name == NON_FIELD_ERRORS or fallback is None:
            form.add_error(None, messages)
        else:
            form.add_error(fallback, messages)
