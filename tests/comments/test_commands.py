import datetime
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from comments.models import Comment
from tests.factories import make_comment, make_tip

pytestmark = pytest.mark.django_db


def test_ip_addresses_are_erased_after_the_retention_period(settings):
    settings.COMMENTS_IP_RETENTION_DAYS = 30
    old = make_comment(ip_address="192.0.2.1", user_agent="Old browser")
    new = make_comment(ip_address="192.0.2.2", user_agent="New browser")
    Comment.objects.filter(pk=old.pk).update(
        submitted_at=timezone.now() - datetime.timedelta(days=31)
    )
    out = io.StringIO()
    call_command("comments_erase_ips", stdout=out)

    old.refresh_from_db()
    new.refresh_from_db()
    assert (old.ip_address, old.user_agent) == (None, "")
    assert (new.ip_address, new.user_agent) == ("192.0.2.2", "New browser")
    assert "1 comment" in out.getvalue()


def test_everything_stored_for_one_email_can_be_erased():
    tip = make_tip()
    make_comment(tip=tip, email="gone@example.com")
    make_comment(tip=tip, email="gone@example.com", status=Comment.Status.PENDING)
    kept = make_comment(tip=tip, email="stays@example.com")
    call_command("comments_erase_email", "GONE@example.com", stdout=io.StringIO())

    assert list(Comment.objects.all()) == [kept]
    tip.refresh_from_db()
    assert tip.comment_count == 1, "the tip's count is recounted after erasing"


def test_erasing_refuses_something_that_is_not_an_email():
    with pytest.raises(CommandError):
        call_command("comments_erase_email", "not an email", stdout=io.StringIO())
