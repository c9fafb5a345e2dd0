"""How fast the weekly letters go out: letters per second into a local SMTP server.

    .venv/bin/python bench/letters.py [--subscribers 100000] [--batch-size 500]

Builds a throw-away database (a temporary SQLite file, or DATABASE_URL's database, which it
empties of followers first) with one topic, a week of new tips and that many confirmed
subscribers, starts an SMTP server on 127.0.0.1 (aiosmtpd, counting what it accepts), runs
``send_topic_letters`` for the week once, checks every subscriber got exactly one letter, and
appends a row to bench/results/letters.md. Not part of ``make bench``: a full run takes minutes.
"""

import argparse
import datetime
import logging
import os
import platform
import socket
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
RESULTS = BENCH_DIR / "results" / "letters.md"
sys.path.insert(0, str(BENCH_DIR.parent))


class CountingSink:
    """Accepts every message and counts it per recipient, parsing nothing more."""

    def __init__(self):
        self.per_recipient: Counter = Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.per_recipient.update(envelope.rcpt_tos)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    args = parser.parse_args()

    if not os.environ.get("DATABASE_URL"):
        folder = tempfile.mkdtemp(prefix="tipsite-letters-")
        os.environ["DATABASE_URL"] = f"sqlite:///{folder}/letters.sqlite3"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tipsite.settings.production"
    os.environ.setdefault("SECRET_KEY", "bench-letters-" + "x" * 40)
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1")
    os.environ["SITE_URL"] = "https://tips.example.org"
    port = free_port()
    os.environ.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(port),
    )

    import django

    django.setup()
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's line per command
    from aiosmtpd.controller import Controller
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from followers import services
    from followers.models import Letter, Subscription, week_bounds
    from tips.models import Category, Tip, Topic

    call_command("migrate", verbosity=0)
    Subscription.objects.all().delete()
    week = services.default_letter_week()
    begin, _ = week_bounds(week)
    topic, _ = Topic.objects.get_or_create(slug="bench-letters", defaults={"name": "Bench Letters"})
    category, _ = Category.objects.get_or_create(
        slug="bench-letters-tips", defaults={"topic": topic, "name": "Bench tips"}
    )
    for n in range(8):
        Tip.objects.get_or_create(
            category=category,
            slug=f"bench-letter-tip-{n}",
            defaults={
                "title": f"Bench letter tip number {n}",
                "question": f"What does bench tip {n} say about things?",
                "body": "A short body.",
                "status": Tip.Status.PUBLISHED,
                "publish_at": begin + datetime.timedelta(hours=10 + n),
            },
        )
    confirmed = timezone.now() - datetime.timedelta(days=30)
    Subscription.objects.bulk_create(
        (
            Subscription(email=f"reader{n}@bench.example", topic=topic, confirmed_at=confirmed)
            for n in range(args.subscribers)
        ),
        batch_size=5000,
    )

    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        started = time.perf_counter()
        call_command("send_topic_letters", week=week, batch_size=args.batch_size)
        seconds = time.perf_counter() - started
    finally:
        controller.stop()

    if len(sink.per_recipient) != args.subscribers:
        sys.exit("A subscriber got no letter.")
    if set(sink.per_recipient.values()) != {1}:
        sys.exit("A subscriber got a letter twice.")
    if Letter.objects.filter(week=week, sent_at=None).exists():
        sys.exit("Letters were left unsent.")
    rate = args.subscribers / seconds
    load = os.getloadavg()[0]
    engine = connection.vendor
    row = (
        f"| {datetime.date.today()} | {engine} | {args.subscribers:,} | {args.batch_size} "
        f"| {seconds:,.0f} s | **{rate:,.0f}** | {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, load {load:.1f} |\n"
    )
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Weekly letters: letters per second\n\n"
            "`bench/letters.py`: one run of `send_topic_letters` into a local SMTP server "
            "(aiosmtpd, in the same process), every subscriber checked to get exactly one "
            "letter. Planning included (the run starts with no letter rows).\n\n"
            "| date | database | subscribers | batch | time | letters/s | machine |\n"
            "| --- | --- | --- | --- | --- | --- | --- |\n"
        )
    with RESULTS.open("a") as results:
        results.write(row)
    print(f"{args.subscribers} letters in {seconds:.1f} s: {rate:.0f} letters/s ({engine})")
    print(f"from {settings.DEFAULT_FROM_EMAIL}; row appended to {RESULTS}")


if __name__ == "__main__":
    main()
