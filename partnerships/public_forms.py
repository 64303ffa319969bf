"""Forms the public fills in on the pages (the admin's forms are in admin/forms.py)."""

from django import forms

from .models import CorrectionRequest


class CorrectionForm(forms.Form):
    """A suggested correction. Staff read it in the admin; nothing is published."""

    message = forms.CharField(
        label="What is wrong?",
        max_length=CorrectionRequest.MESSAGE_MAX_LENGTH,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": CorrectionRequest.MESSAGE_MAX_LENGTH}),
        help_text=f"Say what should change and why, in up to {CorrectionRequest.MESSAGE_MAX_LENGTH} characters.",
        error_messages={
            "required": "Please say what is wrong.",
            "max_length": "Please keep it to %(limit_value)d characters (it has %(show_value)d).",
        },
    )
    source_url = forms.URLField(
        label="A source that shows it (optional)",
        max_length=500,
        required=False,
        assume_scheme="https",
        help_text="The address of an article or document, e.g. https://example.org/news/123.",
        error_messages={"invalid": "Enter a web address, e.g. https://example.org/news/123."},
    )
    contact = forms.CharField(
        label="Your e-mail or name (optional)",
        max_length=200,
        required=False,
        help_text="Only staff see it, and only to ask you about this suggestion.",
    )
    # A honeypot: people never see this field (it is hidden by CSS and from assistive
    # technology), so a submission that fills it comes from a bot.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_from_a_bot(self) -> bool:
        return bool(self.cleaned_data.get("website"))
