"""Load the seed tip and the demo network. Running it again changes nothing."""

import datetime
import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from tips import images
from tips.demo.portraits import draw_portrait
from tips.editors import EDITORS_GROUP, GURUS_GROUP
from tips.models import Category, Guru, Tip, TipSource, Topic

NETWORK_FILE = Path(__file__).resolve().parent.parent.parent / "demo" / "network.json"
DEMO_EDITOR = "editor"
DEMO_GURU = "guru"
# The seed tip's author: the demo guru writes as him.
DEMO_GURU_PROFILE = "joe-wallace"


def fill_blanks(obj, **values) -> None:
    """Give a row made by an earlier release the demo content added since; never overwrite."""
    blank = {name: value for name, value in values.items() if value and not getattr(obj, name)}
    if blank:
        for name, value in blank.items():
            setattr(obj, name, value)
        obj.save(update_fields=list(blank))


class Command(BaseCommand):
    help = "Load the seed tip and the demo network of tip sites (idempotent)."

    def handle(self, *args, **options):
        network = json.loads(NETWORK_FILE.read_text(encoding="utf-8"))
        with transaction.atomic():
            created = self.load(network)
        self.stdout.write(
            self.style.SUCCESS(
                "Demo network ready: "
                + ", ".join(f"{count} new {name}" for name, count in created.items())
            )
        )
        if settings.DEMO_ACCOUNTS:
            self.ensure_demo_editor()
            self.ensure_demo_guru()
        else:
            self.stdout.write(
                "No demo accounts: they are made only under the development settings with "
                "DEMO_ACCOUNTS=true (make run)."
            )

    def load(self, network: dict) -> dict[str, int]:
        created = {"gurus": 0, "topics": 0, "categories": 0, "tips": 0}
        gurus = {}
        for data in network["gurus"]:
            guru, is_new = Guru.objects.get_or_create(
                slug=data["slug"],
                defaults={"name": data["name"], "bio": data["bio"], "website": data["website"]},
            )
            fill_blanks(guru, credentials=data["credentials"])
            if is_new:
                self.add_portrait(guru, *data["colors"])
                created["gurus"] += 1
            gurus[guru.slug] = (guru, data["topics"])

        now = timezone.now().replace(second=0, microsecond=0)
        for data in network["topics"]:
            topic, is_new = Topic.objects.get_or_create(
                slug=data["slug"],
                defaults={
                    "name": data["name"],
                    "tagline": data["tagline"],
                    "description": data["description"],
                    "featured_guru": gurus[data["featured_guru"]][0],
                },
            )
            created["topics"] += is_new
            fill_blanks(topic, colour=data["colour"], notice=data.get("notice", ""))
            for guru, topic_slugs in gurus.values():
                if topic.slug in topic_slugs:
                    guru.topics.add(topic)
            for category_data in data["categories"]:
                category, is_new = Category.objects.get_or_create(
                    slug=category_data["slug"],
                    defaults={
                        "topic": topic,
                        "name": category_data["name"],
                        "description": category_data["description"],
                    },
                )
                created["categories"] += is_new
                for tip_data in category_data["tips"]:
                    published = now - datetime.timedelta(days=tip_data["days_ago"], hours=2)
                    tip, is_new = Tip.objects.get_or_create(
                        category=category,
                        slug=tip_data["slug"],
                        defaults={
                            "title": tip_data["title"],
                            "question": tip_data["question"],
                            "body": tip_data["body"],
                            "guru": gurus[tip_data["guru"]][0],
                            "status": Tip.Status.PUBLISHED,
                            "publish_at": published,
                            "last_reviewed": timezone.localtime(published).date(),
                            # Written when it went out: seeding is not an edit.
                            "edited_at": published,
                        },
                    )
                    created["tips"] += is_new
                    if not tip.sources.exists():
                        TipSource.objects.bulk_create(
                            TipSource(tip=tip, position=n, **source)
                            for n, source in enumerate(tip_data.get("sources", []), start=1)
                        )
        return created

    def add_portrait(self, guru: Guru, background: str, foreground: str) -> None:
        portrait = draw_portrait(guru.initials, background, foreground)
        guru.photo = images.square_jpeg(portrait, images.GURU_PHOTO_SIZE, f"{guru.slug}.jpg")
        guru.thumbnail = images.square_jpeg(
            portrait, images.GURU_THUMBNAIL_SIZE, f"{guru.slug}-thumb.jpg"
        )
        guru.save(update_fields=["photo", "thumbnail"])

    def ensure_demo_editor(self) -> None:
        """An editor with the README's password, so a new user can try the admin at once.

        Only on request in development: elsewhere the site refuses to serve while it exists
        with that password (tipsite/checks.py).
        """
        username = DEMO_EDITOR
        password = settings.DEMO_PASSWORDS[username]
        User = get_user_model()
        if not User.objects.filter(username=username).exists():
            user = User.objects.create_user(
                username, email="editor@example.com", password=password, is_staff=True
            )
            user.groups.add(Group.objects.get(name=EDITORS_GROUP))
        self.stdout.write(f"Editors log in at /admin/ as {username} / {password} (development).")

    def ensure_demo_guru(self) -> None:
        """A guru's login linked to the seed tip's guru, to try writing and review; the same
        rules as the demo editor's apply."""
        username = DEMO_GURU
        password = settings.DEMO_PASSWORDS[username]
        User = get_user_model()
        guru = Guru.objects.get(slug=DEMO_GURU_PROFILE)
        if not User.objects.filter(username=username).exists():
            user = User.objects.create_user(
                username, email="guru@example.com", password=password, is_staff=True
            )
            user.groups.add(Group.objects.get(name=GURUS_GROUP))
            if guru.user_id is None:
                guru.user = user
                guru.save(update_fields=["user"])
        self.stdout.write(
            f"Gurus log in at /admin/ as {username} / {password}, writing as {guru} (development)."
        )
