import hashlib

from django.db import models
from django.urls import reverse

from tipsite.emails import normalise_email


def anchor(pk: int) -> str:
    """The id of a comment's element on its tip's page: its permalink's fragment."""
    return f"c{pk}"


class CommentQuerySet(models.QuerySet):
    def public(self) -> "CommentQuerySet":
        """What readers may see: approved comments. The only definition of "public"."""
        return self.filter(status=Comment.Status.APPROVED)

    def pending(self) -> "CommentQuerySet":
        return self.filter(status=Comment.Status.PENDING)


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Awaiting moderation"
        APPROVED = "approved", "Approved"
        SPAM = "spam", "Spam"
        REMOVED = "removed", "Removed"

    # No index of its own: comment_tip_public_idx and comment_stored_once both begin with it,
    # and every comment posted would otherwise update a third index on the tip.
    tip = models.ForeignKey(
        "tips.Tip", on_delete=models.CASCADE, related_name="comments", db_index=False
    )
    name = models.CharField(max_length=50)
    email = models.EmailField(max_length=254, help_text="Never shown to readers.")
    url = models.URLField("URL", max_length=200, blank=True)
    body = models.TextField("comment", max_length=3000)
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    submitted_at = models.DateTimeField(auto_now_add=True, db_index=True)
    # For abuse handling only; erased after COMMENTS_IP_RETENTION_DAYS (comments_erase_ips).
    ip_address = models.GenericIPAddressField("IP address", null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    moderation_note = models.CharField(
        max_length=200, blank=True, help_text="Why the comment was held or marked as spam."
    )
    # Lets the database refuse the same text from the same email on the same tip twice.
    fingerprint = models.CharField(max_length=64, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["tip", "email", "fingerprint"], name="comment_stored_once"
            ),
        ]
        indexes = [
            models.Index(fields=["tip", "status", "submitted_at"], name="comment_tip_public_idx"),
            models.Index(fields=["status", "submitted_at"], name="comment_queue_idx"),
            models.Index(fields=["email", "status"], name="comment_author_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.tip}"

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        self.fingerprint = self.fingerprint_of(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("comments:permalink", kwargs={"pk": self.pk})

    @staticmethod
    def fingerprint_of(body: str) -> str:
        return hashlib.sha256(" ".join(body.split()).casefold().encode()).hexdigest()

    @property
    def anchor(self) -> str:
        return anchor(self.pk)
