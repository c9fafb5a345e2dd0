"""A tip request's life: asked, triaged, answered, and the requester told exactly once."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from tips.models import Category, Tip, Topic

from .models import TipRequest

logger = logging.getLogger(__name__)


def tip_request_create(
    *,
    question: str,
    details: str,
    topic: Topic,
    category: Category | None,
    name: str,
    email: str,
    ip: str,
) -> tuple[TipRequest, bool]:
    """Store a visitor's request; the same question from the same person is stored once."""
    tip_request = TipRequest(
        question=question,
        details=details,
        topic=topic,
        category=category,
        name=name,
        email=email,
        ip_address=ip or None,
    )
    try:
        with transaction.atomic():
            tip_request.save()
    except IntegrityError:
        who = tip_request.email or ip or ""
        existing = TipRequest.objects.get(fingerprint=TipRequest.fingerprint_of(question, who))
        return existing, False
    return tip_request, True


def tip_requests_set_status(*, tip_requests, status: str) -> int:
    """Bulk triage (planned / declined); answering needs a tip, so it goes through
    :func:`tip_request_answer`. Declining sends nothing."""
    return (
        tip_requests.exclude(status=status)
        .exclude(status=TipRequest.Status.ANSWERED)
        .update(status=status)
    )


def tip_request_answer(*, tip_request: TipRequest, tip: Tip) -> None:
    """Link the request to the tip that answers it; tell the requester now if the tip is live.

    A scheduled tip is told about by ``send_tip_request_notices`` once it goes live.
    """
    tip_request.answer_tip = tip
    tip_request.status = TipRequest.Status.ANSWERED
    tip_request.save(update_fields=["answer_tip", "status"])
    transaction.on_commit(lambda: tip_requests_send_notices(pks=[tip_request.pk]))


def tip_requests_send_notices(*, pks: list[int] | None = None) -> int:
    """E-mail every requester whose answer is now live, exactly once; returns how many.

    Each notice is claimed by a conditional UPDATE (``notified_at`` still empty) before it is
    sent, so two copies of this running at once never both send it; a failed send gives the
    claim back for the next run.
    """
    due = TipRequest.objects.notices_due()
    if pks is not None:
        due = due.filter(pk__in=pks)
    sent = 0
    for pk in due.values_list("pk", flat=True):
        with transaction.atomic():
            claimed = TipRequest.objects.filter(pk=pk, notified_at=None).update(
                notified_at=timezone.now()
            )
            if not claimed:
                continue  # another run is telling this requester
            tip_request = TipRequest.objects.select_related("answer_tip__category__topic").get(
                pk=pk
            )
            try:
                _send_notice(tip_request)
            except OSError:
                logger.exception("Could not send the notice for tip request %s", pk)
                transaction.set_rollback(True)
                continue
        sent += 1
    return sent


def _send_notice(tip_request: TipRequest) -> None:
    tip = tip_request.answer_tip
    context = {
        "tip_request": tip_request,
        "tip": tip,
        "tip_url": settings.SITE_URL + tip.get_absolute_url(),
        "site_name": settings.SITE_NAME,
    }
    message = EmailMultiAlternatives(
        subject=f"Your tip is published: {tip.title}",
        body=render_to_string("requests_app/email/answered.txt", context),
        to=[tip_request.email],
    )
    message.attach_alternative(
        render_to_string("requests_app/email/answered.html", context), "text/html"
    )
    message.send()
