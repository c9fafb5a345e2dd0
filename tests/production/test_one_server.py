"""One server without Redis, as `make serve` runs it: five gunicorn workers, one database.

Each worker is its own process. The page cache and the flood counters live where every one
of them looks (the database cache), so what one worker, a management command or a cron job
changes shows on every worker at its next request, and a visitor's allowance is one allowance
however many workers share it.
"""

import itertools
from concurrent.futures import ThreadPoolExecutor

import pytest

from comments.models import Comment
from tests.factories import make_comment, make_editor, make_tip
from tests.http_client import Browser, post_comment
from tests.production.test_two_servers import admin_action, admin_login
from tests.servers import (
    manage_py,
    served,
    start_gunicorn,
    stop,
    wait_until_answering,
)

pytestmark = pytest.mark.django_db(transaction=True)
WORKERS = 5
PER_HOUR = 3
_probes = itertools.count()


@pytest.fixture
def server(tmp_path, production_env):
    """The site under gunicorn with production settings, five workers and no Redis, on the
    test database; yields its address, its environment and its access log."""
    env = {
        **production_env,
        "ANTISPAM_MIN_SECONDS": "0",
        "COMMENTS_MODERATION": "none",
        "FLOOD_INTERVAL_SECONDS": "0",
        "FLOOD_PER_HOUR": str(PER_HOUR),
    }
    log = tmp_path / "access.log"
    process, url = start_gunicorn(env, workers=WORKERS, access_log=log)
    try:
        wait_until_answering(url)
        yield url, env, log
    finally:
        stop(process)


def read_on_every_worker(url: str, log, path: str) -> list[str]:
    """``path`` read until each of the workers has answered it at least once (in parallel, so
    they share the requests); every answer's text.

    Each request carries a parameter of its own, which the page ignores and the access log
    keeps, to tell which worker answered it.
    """
    texts, workers = {}, set()
    for _ in range(20):
        probes = [f"probe={next(_probes)}" for _ in range(4 * WORKERS)]
        with ThreadPoolExecutor(2 * WORKERS) as pool:
            replies = pool.map(lambda probe: Browser(url).get(f"{path}?{probe}"), probes)
            texts.update(zip(probes, (reply.text for reply in replies), strict=True))
        workers |= {pid for pid, _, address, _ in served(log) if address.split("?")[1] in texts}
        if len(workers) == WORKERS:
            return list(texts.values())
    raise AssertionError(f"only {len(workers)} of {WORKERS} workers answered")


def test_a_change_through_one_worker_or_a_command_shows_on_every_worker_at_once(server, settings):
    url, env, log = server
    # The server runs production settings, which verify only the standard password hashers.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    make_editor()
    tip = make_tip(title="Title Before")
    comment = make_comment(tip=tip, status=Comment.Status.PENDING, body="Held until approved.")
    path = tip.get_absolute_url()
    before = read_on_every_worker(url, log, path)
    assert all("Title Before" in text and "Held until approved." not in text for text in before)

    # Approved through whichever worker the editor reaches: every worker shows it next.
    admin_action(admin_login(url), "comments/comment", "approve", comment.pk)
    assert all("Held until approved." in text for text in read_on_every_worker(url, log, path))

    # Edited by a management command, which no worker serves: every worker shows it next.
    manage_py(
        env,
        "shell",
        "-c",
        "from tips.models import Tip; "
        f"tip = Tip.objects.get(pk={tip.pk}); tip.title = 'Title After'; tip.save()",
    )
    after = read_on_every_worker(url, log, path)
    assert all("Title After" in text and "Title Before" not in text for text in after)


def test_flood_control_counts_one_allowance_across_all_workers(server):
    url, _, log = server
    tip = make_tip()
    posts = 4 * WORKERS
    same_visitor = {"X-Forwarded-For": "203.0.113.7"}
    with ThreadPoolExecutor(WORKERS) as pool:
        statuses = list(
            pool.map(lambda n: post_comment(url, tip, n, headers=same_visitor), range(posts))
        )
    assert sorted(statuses) == [302] * PER_HOUR + [429] * (posts - PER_HOUR)
    assert Comment.objects.filter(tip=tip).count() == PER_HOUR
    posted_by = {pid for pid, method, _, _ in served(log) if method == "POST"}
    assert len(posted_by) > 1, "the posts were shared among the workers"
