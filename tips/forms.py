"""Editor forms: uploads are decoded and resized here, so a bad file is an error by its field."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone

from tipsite.antispam import ProtectedFormMixin

from . import images
from .editors import GURUS_GROUP
from .models import Category, Guru, Tip, TipSource
from .validators import WEB_LINK_MESSAGE, validate_web_link


class VoteForm(ProtectedFormMixin, forms.Form):
    """ "Was this tip helpful?": Yes or No, and for No, optionally what was missing."""

    antispam_scope = "vote"
    prefix = "vote"

    helpful = forms.ChoiceField(choices=[("yes", "Yes"), ("no", "No")], widget=forms.HiddenInput)
    reason = forms.CharField(
        label="What was missing?",
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Optional. Tell the guru what you hoped to find.",
    )


class PictureField(forms.FileField):
    """An image upload checked by decoding it fully, with an error that says what is wrong.

    Django's ``ImageField`` only ``verify()``s the header and reports every problem as "not an
    image"; this field also catches truncated files and decompression bombs, and names them.
    The decoded picture is kept on the upload as ``.picture`` for resizing.
    """

    widget = forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/gif,image/webp"})

    def to_python(self, data):
        upload = super().to_python(data)
        if upload is not None:
            upload.picture = images.load_upload(upload)
        return upload


class GuruAdminForm(forms.ModelForm):
    photo = PictureField(required=False, help_text=Guru._meta.get_field("photo").help_text)

    class Meta:
        model = Guru
        fields = ["name", "slug", "photo", "bio", "credentials", "website", "topics", "user"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Editors see no user accounts but these: the logins a superuser put in the Gurus group.
        self.fields["user"].queryset = (
            get_user_model().objects.filter(groups__name=GURUS_GROUP).order_by("username")
        )

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not isinstance(upload, UploadedFile):
            return upload  # unchanged or cleared
        slug = self.cleaned_data.get("slug") or "guru"
        # The thumbnail is derived from the photo, never edited on its own.
        self.instance.thumbnail = images.square_jpeg(
            upload.picture, images.GURU_THUMBNAIL_SIZE, f"{slug}-thumb.jpg"
        )
        return images.square_jpeg(upload.picture, images.GURU_PHOTO_SIZE, f"{slug}.jpg")


class TipAdminForm(forms.ModelForm):
    image = PictureField(required=False)
    # Only on a tip in review, for editors (TipAdmin.get_fieldsets): sent with "Request changes".
    reply = forms.CharField(
        label="Note to the guru",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed for “Request changes”: what should change. The guru reads it on the tip "
        "and in an e-mail. “Approve and schedule” uses the publish time below.",
    )

    class Meta:
        model = Tip
        fields = [
            "title", "slug", "question", "body", "category", "guru", "image", "image_alt",
            "status", "publish_at", "last_reviewed", "comments_closed",
        ]  # fmt: skip

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not isinstance(upload, UploadedFile):
            return upload
        slug = self.cleaned_data.get("slug") or "tip"
        return images.jpeg_within(upload.picture, images.TIP_IMAGE_WIDTH, f"{slug}.jpg")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not cleaned.get("image_alt"):
            self.add_error("image_alt", "Describe the image for readers who cannot see it.")
        self._clean_review(cleaned)
        return cleaned

    def _clean_review(self, cleaned) -> None:
        """The review buttons' own needs, checked with the rest so nothing typed is lost."""
        if not self.instance.pk or self.instance.status != Tip.Status.IN_REVIEW:
            return  # the buttons are only offered on a tip in review
        if "_request_changes" in self.data and not cleaned.get("reply"):
            self.add_error("reply", "Say what the guru should change.")
        publish_at = cleaned.get("publish_at")
        if "_approve_schedule" in self.data and publish_at and publish_at <= timezone.now():
            self.add_error(
                "publish_at",
                "To schedule the tip, choose a time in the future (or use “Approve and publish”).",
            )


class WebLinkField(forms.URLField):
    """A link readers may follow: http(s) only, refused with one message that says so."""

    default_validators = [validate_web_link]
    default_error_messages = {"invalid": WEB_LINK_MESSAGE}


class TipSourceForm(forms.ModelForm):
    url = WebLinkField(label="Link", max_length=500, assume_scheme="https")

    class Meta:
        model = TipSource
        fields = ["position", "title", "url"]


class MoveToCategoryForm(forms.Form):
    category = forms.ModelChoiceField(
        Category.objects.select_related("topic"), label="Move them to"
    )


class AssignGuruForm(forms.Form):
    guru = forms.ModelChoiceField(Guru.objects.all(), label="Their new guru")
