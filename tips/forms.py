"""Editor forms: uploads are decoded and resized here, so a bad file is an error by its field."""

import datetime
import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils import formats, timezone
from reversion.models import Version

from tipsite.antispam import ProtectedFormMixin

from . import images, markup
from .editors import GURUS_GROUP
from .models import Category, Guru, Tip, TipImage, TipSource
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
    # When the tip was last saved as the editor opened it: saving refuses to overwrite a save
    # made since (optimistic concurrency). Absent (an old form, a script), nothing is checked.
    opened_at = forms.CharField(widget=forms.HiddenInput, required=False)
    # Set by the admin while it shows an earlier version, whose revert has replaced the row.
    live_saved_at: datetime.datetime | None = None

    class Meta:
        model = Tip
        fields = [
            "title", "slug", "question", "body", "category", "guru", "image", "image_alt",
            "status", "publish_at", "last_reviewed", "comments_closed",
        ]  # fmt: skip

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["opened_at"].initial = self.saved_at().isoformat()

    def saved_at(self) -> datetime.datetime:
        """When the tip was last saved, as the database has it now."""
        if self.live_saved_at:
            return self.live_saved_at
        return Tip.objects.filter(pk=self.instance.pk).values_list("updated_at", flat=True).get()

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not isinstance(upload, UploadedFile):
            return upload
        slug = self.cleaned_data.get("slug") or "tip"
        return images.jpeg_within(upload.picture, images.TIP_IMAGE_WIDTH, f"{slug}.jpg")

    def clean_body(self):
        body = self.cleaned_data["body"]
        problems = markup.body_problems(body, self.instance.body_images())
        if problems:
            raise ValidationError(
                [ValidationError(problem, code="not_shown") for problem in problems]
            )
        return body

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not cleaned.get("image_alt"):
            self.add_error("image_alt", "Describe the image for readers who cannot see it.")
        self._clean_review(cleaned)
        if self.instance.pk:
            self._refuse_overwriting(cleaned.get("opened_at") or "")
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

    def _refuse_overwriting(self, opened_at: str) -> None:
        try:
            opened = datetime.datetime.fromisoformat(opened_at)
        except ValueError:
            return
        # Locks the row until this save commits (the admin saves in a transaction), so two
        # editors saving at once are told about each other rather than both going through.
        saved = Tip.objects.select_for_update().filter(pk=self.instance.pk)
        saved = self.live_saved_at or saved.values_list("updated_at", flat=True).get()
        if opened == saved:
            return
        version = (
            Version.objects.get_for_object_reference(Tip, self.instance.pk)
            .select_related("revision__user")
            .first()
        )
        user = version.revision.user if version else None
        who = (user.get_full_name() or user.get_username()) if user else "Someone"
        when = formats.date_format(timezone.localtime(saved), "DATETIME_FORMAT")
        # Saving again now overwrites theirs, knowingly: the form carries the newer time.
        self.data = self.data.copy()
        self.data[self.add_prefix("opened_at")] = saved.isoformat()
        raise ValidationError(
            "%(who)s saved this tip on %(when)s, after you opened it. Nothing of yours is saved "
            "yet and everything you typed is still below. Compare with their version under "
            "History, then save again to replace it with yours.",
            code="changed_since_opened",
            params={"who": who, "when": when},
        )


class TipImageForm(forms.ModelForm):
    """A picture for the tip's body: re-encoded into the sizes the page's ``srcset`` offers."""

    image = PictureField(help_text=TipImage._meta.get_field("image").help_text)

    class Meta:
        model = TipImage
        fields = ["image", "alt", "caption"]

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if not isinstance(upload, UploadedFile):
            return upload
        stem = re.sub(r"[^\w-]", "", upload.name.rsplit(".", 1)[0])[:60] or "image"
        fields = images.body_renditions(upload.picture, stem)
        for name in ("medium", "small", "width", "height"):
            setattr(self.instance, name, fields[name] or "")
        return fields["image"]


class TipImageFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        body = self.instance.body or ""
        for form in self.deleted_forms:
            image = form.instance
            placed = (re.escape(address) + r"(?![\w/.-])" for address in image.addresses())
            if image.pk and any(re.search(pattern, body) for pattern in placed):
                raise ValidationError(
                    "The body still shows the image \u201c%(alt)s\u201d (%(snippet)s), which you "
                    "are deleting. Take it out of the body first.",
                    code="image_in_use",
                    params={"alt": image.alt, "snippet": image.snippet},
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
