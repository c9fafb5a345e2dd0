from django import forms
from django.core.validators import URLValidator

from tipsite.antispam import ProtectedFormMixin


class CommentForm(ProtectedFormMixin, forms.Form):
    antispam_scope = "comment"

    name = forms.CharField(label="Name", max_length=50)
    email = forms.EmailField(
        label="Email",
        max_length=254,
        help_text="Never shown, and never written to unless you ask to follow.",
    )
    url = forms.URLField(
        label="URL (optional)",
        max_length=200,
        required=False,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"])],
        error_messages={"invalid": "Enter a web address that starts with http:// or https://."},
    )
    body = forms.CharField(
        label="Comment",
        min_length=2,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Please tell us your name.", code="required")
        return name

    def clean_body(self):
        body = self.cleaned_data["body"].strip()
        if len(body) < 2:
            raise forms.ValidationError("Please write at least 2 characters.", code="min_length")
        return body
