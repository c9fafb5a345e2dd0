"""Readers who follow a topic (a weekly letter) or a tip (new comments) by e-mail.

Nothing is sent to an address until its owner confirms it (``confirmed_at``); unsubscribing
deletes the row, so nothing is kept of an address that asked to hear no more. Every message is
a row claimed before it is sent (:class:`Letter`, :class:`CommentNotice`), which is how each
one goes out exactly once however many copies of the sender run.
"""

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from tips.models import Topic
from tipsite.emails import normalise_email


class SubscriptionQuerySet(models.QuerySet):
    def confirmed(self) -> "SubscriptionQuerySet":
        """The subscriptions mail may go to: their owner clicked the confirmation link."""
        return self.exclude(confirmed_at=None)


class Subscription(models.Model):
    email = models.EmailField(max_length=254)
    # Exactly one of the two: a topic's weekly letter, or a tip's new comments.
    topic = models.ForeignKey(
        "tips.Topic",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follower_subscriptions",
    )
    tip = models.ForeignKey(
        "tips.Tip",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="follower_subscriptions",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    # When the last confirmation mail went out: asking again re-sends at most once an hour.
    confirmation_sent_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["email", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(topic__isnull=False, tip__isnull=True)
                | Q(topic__isnull=True, tip__isnull=False),
                name="subscription_follows_one_thing",
            ),
            models.UniqueConstraint(
                fields=["email", "topic"],
                condition=Q(topic__isnull=False),
                name="subscription_topic_once",
            ),
            models.UniqueConstraint(
                fields=["email", "tip"],
                condition=Q(tip__isnull=False),
                name="subscription_tip_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.subject}"

    def save(self, *args, **kwargs):
        self.email = normalise_email(self.email)
        super().save(*args, **kwargs)

    @property
    def subject(self):
        """What is followed: the topic or the tip."""
        return self.topic if self.topic_id else self.tip

    @property
    def describe(self) -> str:
        if self.topic_id:
            return f"New {self.topic.name} tips, weekly"
        return f"New comments on “{self.tip.title}”"


def week_start(day: datetime.date) -> datetime.date:
    """The Monday of ``day``'s week: the name of a week's letters."""
    return day - datetime.timedelta(days=day.weekday())


def week_bounds(monday: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The week that begins on ``monday``, from its midnight to the next, in the site's time."""
    begin = datetime.datetime.combine(monday, datetime.time.min)
    end = begin + datetime.timedelta(days=7)
    return timezone.make_aware(begin), timezone.make_aware(end)


class Letter(models.Model):
    """One topic's weekly letter to one subscriber; the row exists once per week, sent once."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="letters")
    week = models.DateField(help_text="The Monday the week began.")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "week"], name="letter_once_a_week"),
        ]
        indexes = [models.Index(fields=["week", "sent_at", "id"], name="letter_due_idx")]

    def __str__(self) -> str:
        return f"Week of {self.week} to subscription {self.subscription_id}"


class CommentNotice(models.Model):
    """One published comment told to one follower of its tip, once."""

    subscription = models.ForeignKey(
        Subscription, on_delete=models.CASCADE, related_name="comment_notices"
    )
    comment = models.ForeignKey("comments.Comment", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["subscription", "comment"], name="notice_once"),
        ]
        indexes = [models.Index(fields=["sent_at", "id"], name="notice_due_idx")]

    def __str__(self) -> str:
        return f"Comment {self.comment_id} to subscription {self.subscription_id}"


class FollowedTopic(Topic):
    """A topic as the admin lists it for editors: with how many confirmed subscribers it has."""

    class Meta:
        proxy = True
        verbose_name = "topic letter"
        verbose_name_plural = "topic letters"
