from django import forms

from tips.models import Topic
from tipsite.antispam import ProtectedFormMixin

EMAIL_HELP = "We’ll send a link to confirm it’s you. Every e-mail has a one-click unsubscribe."


class FollowTopicForm(ProtectedFormMixin, forms.Form):
    """A topic's weekly letter: one address; the topic chosen, or given by the page."""

    antispam_scope = "follow"

    email = forms.EmailField(label="Your e-mail", max_length=254, help_text=EMAIL_HELP)
    topic = forms.ModelChoiceField(
        label="Topic",
        queryset=Topic.objects.order_by("name"),
        to_field_name="slug",
        empty_label="Choose a topic",
        error_messages={"invalid_choice": "Choose one of the topics in the list."},
    )

    def __init__(self, *args, topic: Topic | None = None, choices=None, **kwargs):
        """``topic``: the page's topic, sent along unseen; ``choices``: the topics offered."""
        super().__init__(*args, **kwargs)
        if topic is not None:
            self.fields["topic"].widget = forms.HiddenInput()
            self.initial["topic"] = topic.slug
        elif choices is not None:
            self.fields["topic"].queryset = choices


class FollowTipForm(ProtectedFormMixin, forms.Form):
    """New comments on one tip, by e-mail."""

    antispam_scope = "follow"

    email = forms.EmailField(label="Your e-mail", max_length=254, help_text=EMAIL_HELP)
