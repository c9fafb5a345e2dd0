import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from tips.models import Category, Guru, Tip, Topic

pytestmark = pytest.mark.django_db

SEED_PAGE = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "000_c5e5688e09e63e47.txt"


def snapshot():
    return {
        model.__name__: sorted(model.objects.values_list("pk", flat=True))
        for model in (Topic, Category, Tip, Guru)
    } | {"tip_rows": list(Tip.objects.order_by("pk").values())}


def test_seed_demo_loads_a_believable_network_and_a_second_run_changes_nothing():
    call_command("seed_demo", stdout=io.StringIO())
    first = snapshot()
    call_command("seed_demo", stdout=io.StringIO())

    assert snapshot() == first
    assert Topic.objects.count() >= 3
    assert Category.objects.count() >= 10
    assert Tip.objects.published().count() >= 40
    assert Guru.objects.exclude(photo="").exclude(thumbnail="").count() >= 4
    assert not Tip.objects.filter(body__icontains="lorem").exists()


def test_seed_tip_is_the_seed_page_verbatim(client):
    call_command("seed_demo", stdout=io.StringIO())
    tip = Tip.objects.get(slug="neuromuscular-massage-therapy")

    assert tip.title == "Neuromuscular Massage Therapy"
    assert tip.question == "What is Neuromuscular Therapy?"
    assert tip.category.name == "Massage Therapy Techniques"
    assert tip.category.topic.name == "Massage Therapy"
    assert tip.guru.name == "Joe Wallace"
    assert tip.category.topic.spotlight_guru() == tip.guru
    paragraphs = tip.body.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[2].startswith("An accredited school of massage therapy, like the Cortiva")

    if SEED_PAGE.exists():
        seed = SEED_PAGE.read_text(encoding="utf-8")
        for paragraph in paragraphs:
            assert paragraph in seed

    html = client.get(tip.get_absolute_url()).content.decode()
    assert '<a href="/gurus/joe-wallace/">Joe Wallace</a>' in html


def test_demo_editor_is_created_only_in_development(settings):
    from django.contrib.auth import get_user_model

    settings.DEBUG = False
    call_command("seed_demo", stdout=io.StringIO())
    assert not get_user_model().objects.exists()

    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    editor = get_user_model().objects.get()
    assert editor.is_staff
    assert not editor.is_superuser
    assert editor.groups.filter(name="Editors").exists()
