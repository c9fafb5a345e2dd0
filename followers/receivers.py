"""What followers does when the comments app says a comment was published."""

import logging

from . import services

logger = logging.getLogger(__name__)


def record_comment_notices(sender, comment, **kwargs) -> None:
    """Record a notice for each follower of the tip, then try to send them now.

    A mail server that fails leaves them due: ``send_comment_notices`` (cron) sends them later.
    """
    if not services.comment_notices_record(comment=comment):
        return
    try:
        services.comment_notices_send(comment=comment)
    except OSError:
        logger.exception("Comment %s: notices left for send_comment_notices", comment.pk)
