import hashlib

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from tips.models import Tip
from tipsite.emails import normalise_email


class TipRequestQuerySet(models.QuerySet):
    def answered_publicly(self) -> "TipRequestQuerySet":
        """Answered requests whose tip readers can see: what /requests/answered/ lists."""
        return self.filter(
            status=TipRequest.Status.ANSWERED, answer_tip__in=Tip.objects.published()
        )

    def notices_due(self) -> "TipRequestQuerySet":
        """Answered, live, with an email to tell, and not told yet."""
        return self.answered_publicly().filter(notified_at=None).exclude(email="")


class TipRequest(models.Model):
    """A visitor's "Request a Tip Now!": the tip they could not find."""

    class Status(models.TextChoices):
        NEW = "new", "New"
        PLANNED = "planned", "Planned"
        ANSWERED = "answered", "Answered"
        DECLINED = "declined", "Declined"

    question = models.CharField(max_length=300)
    details = models.TextField(max_length=3000, blank=True)
    topic = models.ForeignKey("tips.Topic", on_delete=models.PROTECT, related_name="requests")
    category = models.ForeignKey(
        "tips.Category",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
    )
    name = models.CharField(max_length=100, blank=True)
    email = models.EmailField(blank=True, help_text="Told once when the answering tip is live.")
    status = models.CharField(max_length=10, choices=Status, default=Status.NEW)
    assigned_guru = models.ForeignKey(
        "tips.Guru", null=True, blank=True, on_delete=models.SET_NULL, related_name="requests"
    )
    answer_tip = models.ForeignKey(
        "tips.Tip",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="answered_requests",
        help_text="The tip that answers this request.",
    )
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True, editable=False)
    notified_at = models.DateTimeField(
        null=True, blank=True, editable=False, help_text="When the requester was e-mailed."
    )
    # Lets the database refuse the same question from the same person twice.
    fingerprint = models.CharField(max_length=64, unique=True, editable=False)

    objects = TipRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-pk"]
        verbose_name = "tip request"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="answered") | Q(answer_tip__isnull=False),
                name="answered_request_has_tip",
            ),
        ]
        indexes = [models.Index(fields=["status", "-submitted_at"], name="request_status_idx")]

    def __str__(self) -> str:
        return self.question

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        if not self.fingerprint:
            self.fingerprint = self.fingerprint_of(
                self.question, self.email or self.ip_address or ""
            )
        super().save(*args, **kwargs)

    def clean(self):
        if self.status == self.Status.ANSWERED and not self.answer_tip_id:
            raise ValidationError({"answer_tip": "Choose the tip that answers this request."})
        if self.category_id and self.topic_id and self.category.topic_id != self.topic_id:
            raise ValidationError({"category": "This category belongs to another topic."})

    @staticmethod
    def fingerprint_of(question: str, who: str) -> str:
        text = " ".join(question.split()).casefold() + "\n" + who.strip().lower()
        return hashlib.sha256(text.encode()).hexdigest()
