from django import forms

from tips.models import Category, Topic
from tipsite.antispam import ProtectedFormMixin
from tipsite.params import slug_param


class TipRequestForm(ProtectedFormMixin, forms.Form):
    antispam_scope = "tip_request"

    question = forms.CharField(
        label="Your question",
        min_length=10,
        max_length=300,
        help_text="What did you want to know? For example: “How often should I water tomatoes?”",
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    details = forms.CharField(
        label="Details (optional)",
        max_length=3000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Anything that helps a guru answer: your situation, what you tried.",
    )
    topic = forms.ModelChoiceField(
        label="Topic", queryset=Topic.objects.order_by("name"), empty_label="Choose a topic"
    )
    category = forms.ModelChoiceField(
        label="Category (optional)",
        queryset=Category.objects.select_related("topic").order_by("topic__name", "name"),
        required=False,
        empty_label="Any category",
    )
    name = forms.CharField(label="Name (optional)", max_length=100, required=False)
    email = forms.EmailField(
        label="Email (optional)",
        max_length=254,
        required=False,
        help_text="We’ll e-mail you when your tip is published. Nothing else, ever.",
    )

    def clean_question(self):
        question = " ".join(self.cleaned_data["question"].split())
        if len(question) < 10:
            raise forms.ValidationError(
                "Please write at least 10 characters so a guru knows what to answer.",
                code="min_length",
            )
        return question

    def clean(self):
        cleaned = super().clean()
        topic, category = cleaned.get("topic"), cleaned.get("category")
        if topic and category and category.topic_id != topic.pk:
            self.add_error(
                "category",
                f"“{category.name}” belongs to {category.topic.name}, not {topic.name}. "
                "Choose a category of the topic, or “Any category”.",
            )
        return cleaned

    @classmethod
    def initial_from(cls, params) -> dict:
        """Preselect the topic and category a visitor came from (``?topic=`` / ``?category=``)."""
        initial = {}
        if params.get("q"):
            initial["question"] = params["q"].replace("\x00", "")[:300]
        category = Category.objects.filter(slug=slug_param(params, "category")).first()
        if category:
            return {**initial, "topic": category.topic_id, "category": category.pk}
        topic = Topic.objects.filter(slug=slug_param(params, "topic")).first()
        if topic:
            initial["topic"] = topic.pk
        return initial
