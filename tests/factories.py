"""Small helpers that make valid rows with as little ceremony as each test needs."""

import datetime
import io
import itertools
import time

from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from comments.models import Comment
from requests_app.models import TipRequest
from tips.editors import EDITORS_GROUP, sync_groups
from tips.models import Category, Guru, Tip, Topic
from tipsite.antispam import issue_token

_numbers = itertools.count(1)


def _n() -> int:
    return next(_numbers)


def make_guru(**fields) -> Guru:
    n = _n()
    fields.setdefault("name", f"Guru Number{n}")
    fields.setdefault("slug", f"guru-{n}")
    topics = fields.pop("topics", [])
    guru = Guru.objects.create(**fields)
    guru.topics.add(*topics)
    return guru


def make_topic(**fields) -> Topic:
    n = _n()
    fields.setdefault("name", f"Topic {n}")
    fields.setdefault("slug", f"topic-{n}")
    return Topic.objects.create(**fields)


def make_category(**fields) -> Category:
    n = _n()
    if "topic" not in fields:
        fields["topic"] = make_topic()
    fields.setdefault("name", f"Category {n}")
    fields.setdefault("slug", f"category-{n}")
    return Category.objects.create(**fields)


def make_tip(**fields) -> Tip:
    n = _n()
    if "category" not in fields:
        fields["category"] = make_category()
    fields.setdefault("title", f"Tip number {n}")
    fields.setdefault("slug", f"tip-{n}")
    fields.setdefault("question", f"What is tip {n} about?")
    fields.setdefault("body", f"Body of tip {n}.")
    fields.setdefault("status", Tip.Status.PUBLISHED)
    fields.setdefault("publish_at", timezone.now() - datetime.timedelta(days=1))
    return Tip.objects.create(**fields)


EDITOR_PASSWORD = "correct-horse-battery"


def make_editor(username: str = "editor", password: str = EDITOR_PASSWORD):
    user = get_user_model().objects.create_user(username, password=password, is_staff=True)
    if not Group.objects.filter(name=EDITORS_GROUP).exists():
        # A live-server test before this one emptied the database, migration rows included;
        # put the group back as its data migration makes it.
        sync_groups(django_apps)
    user.groups.add(Group.objects.get(name=EDITORS_GROUP))
    return user


def image_upload(name: str = "photo.png", size=(800, 600), fmt: str = "PNG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#3a7").save(buffer, format=fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def form_token(scope: str, age: float = 10) -> str:
    """The signed timestamp a protected form would have issued ``age`` seconds ago."""
    return issue_token(scope, issued_at=time.time() - age)


def comment_data(age: float = 10, **fields) -> dict:
    data = {
        "name": "Maya Reader",
        "email": "maya@example.com",
        "url": "",
        "body": "This helped my sore shoulders a lot, thank you.",
        "homepage": "",
        "issued": form_token("comment", age),
    }
    data.update(fields)
    return data


def make_comment(**fields) -> Comment:
    if "tip" not in fields:
        fields["tip"] = make_tip()
    fields.setdefault("name", "A Reader")
    fields.setdefault("email", f"reader{_n()}@example.com")
    fields.setdefault("body", f"Comment number {_n()}")
    fields.setdefault("status", Comment.Status.APPROVED)
    return Comment.objects.create(**fields)


def request_data(topic, age: float = 10, **fields) -> dict:
    data = {
        "question": "How often should I water tomatoes in July?",
        "details": "",
        "topic": topic.pk,
        "category": "",
        "name": "",
        "email": "",
        "homepage": "",
        "issued": form_token("tip_request", age),
    }
    data.update(fields)
    return data


def make_tip_request(**fields) -> TipRequest:
    if "topic" not in fields:
        fields["topic"] = make_topic()
    fields.setdefault("question", f"What about question {_n()}?")
    return TipRequest.objects.create(**fields)


def vote_data(helpful: str = "yes", age: float = 10, **fields) -> dict:
    data = {
        "vote-helpful": helpful,
        "vote-reason": "",
        "vote-homepage": "",
        "vote-issued": form_token("vote", age),
    }
    data.update({f"vote-{name}": value for name, value in fields.items()})
    return data


def follow_data(prefix: str = "follow-topic", age: float = 10, **fields) -> dict:
    """What a "by e-mail" form posts (followers): ``topic`` is a slug, for the topic form."""
    data = {"email": "fan@example.com", "homepage": "", "issued": form_token("follow", age)}
    data.update(fields)
    return {f"{prefix}-{name}": value for name, value in data.items()}


def make_subscription(*, confirmed: bool = True, **fields):
    """A subscription to a topic (made when neither ``topic`` nor ``tip`` is given)."""
    Subscription = django_apps.get_model("followers", "Subscription")
    if "topic" not in fields and "tip" not in fields:
        fields["topic"] = make_topic()
    fields.setdefault("email", f"follower{_n()}@example.com")
    if confirmed:
        fields.setdefault("confirmed_at", timezone.now() - datetime.timedelta(days=30))
    return Subscription.objects.create(**fields)


GURU_PASSWORD = "guru-writes-tips-daily"


def make_guru_user(username: str = "writer", guru: Guru | None = None, **fields):
    """A staff login in the Gurus group, linked to ``guru`` (a new one if not given)."""
    from tips.editors import GURUS_GROUP

    fields.setdefault("email", f"{username}@example.com")
    user = get_user_model().objects.create_user(
        username, password=GURU_PASSWORD, is_staff=True, **fields
    )
    if not Group.objects.filter(name=GURUS_GROUP).exists():
        sync_groups(django_apps)
    user.groups.add(Group.objects.get(name=GURUS_GROUP))
    guru = guru or make_guru()
    guru.user = user
    guru.save(update_fields=["user"])
    return user


RICH_TIP_SLUG = "stones-step-by-step"


def make_rich_tip(category: Category | None = None) -> Tip:
    """A published tip whose body has what editors write: headings, an image, a list, a table,
    a quote and links. The first tip in ``category`` (default: the seed tip's) with that slug."""
    from tips import images
    from tips.models import TipImage

    category = category or Category.objects.get(slug="massage-therapy-techniques")
    tip = Tip.objects.filter(category=category, slug=RICH_TIP_SLUG).first()
    if tip:
        return tip
    # Whole seconds, as an editor's form gives them (pages print the time with its fraction).
    yesterday = (timezone.now() - datetime.timedelta(days=1)).replace(microsecond=0)
    tip = make_tip(category=category, slug=RICH_TIP_SLUG, title="Hot Stones, Step by Step",
                   question="How do I use hot stones safely?", body="Soon.",
                   publish_at=yesterday)  # fmt: skip
    picture = Image.new("RGB", (1800, 1200), "#3a7")
    image = TipImage.objects.create(
        tip=tip, alt="Three basalt stones warming in a pan", caption="Warm, never hot.",
        **images.body_renditions(picture, "stones"),
    )  # fmt: skip
    tip.body = (
        "Stones hold heat for a long time. See [our techniques](/massage-therapy/) or the "
        "[AMTA](https://www.amtamassage.org/).\n\n"
        f"# Before you start\n\n{image.snippet}\n\n- Heat the stones in water\n- Never use a "
        "microwave\n\n## How long\n\n| Stone | Minutes |\n|:--|--:|\n| Basalt | 5 |\n"
        "| Marble | 3 |\n\n> Test every stone on your own forearm first."
    )
    tip.save()
    return tip


# What the tip change form's inlines (votes, sources, body images) send when left empty.
EMPTY_TIP_INLINES = {
    f"{prefix}-{count}": "0"
    for prefix in ("votes", "sources", "images")
    for count in ("TOTAL_FORMS", "INITIAL_FORMS")
}
