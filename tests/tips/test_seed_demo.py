"""The demo network, and the demo accounts: made only on request, refused in production."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError

from tips.models import Category, Guru, Tip, Topic
from tipsite.checks import refuse_demo_passwords

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


def test_seed_demo_makes_no_demo_account_unless_the_development_settings_ask(settings):
    """A plain `manage.py seed_demo` (development, production or test settings) makes none."""
    for debug in (True, False):
        settings.DEBUG = debug
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        assert not get_user_model().objects.exists()
        assert "No demo accounts" in out.getvalue()


def test_with_demo_accounts_asked_for_seed_demo_makes_the_editor_the_readme_documents(settings):
    settings.DEBUG = True
    settings.DEMO_ACCOUNTS = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)

    editor = get_user_model().objects.get(username="editor")
    assert editor.is_staff
    assert not editor.is_superuser
    assert editor.groups.filter(name="Editors").exists()
    password = settings.DEMO_PASSWORDS["editor"]
    assert editor.check_password(password)
    assert "as editor / tipsite-editor" in out.getvalue()
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    assert f"log in as **editor** / **{password}**" in readme


def test_with_demo_accounts_asked_for_seed_demo_makes_the_guru_the_readme_documents(settings):
    """The demo guru writes as the seed tip's guru, in the Gurus group, and may not publish."""
    settings.DEBUG = True
    settings.DEMO_ACCOUNTS = True
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=io.StringIO())  # a second run changes nothing

    guru_user = get_user_model().objects.get(username="guru")
    assert guru_user.is_staff
    assert not guru_user.is_superuser
    assert list(guru_user.groups.values_list("name", flat=True)) == ["Gurus"]
    assert guru_user.guru == Guru.objects.get(slug="joe-wallace")
    assert not guru_user.has_perm("tips.publish_tip")
    password = settings.DEMO_PASSWORDS["guru"]
    assert guru_user.check_password(password)
    assert "as guru / tipsite-guru" in out.getvalue()
    readme = (Path(settings.BASE_DIR) / "README.md").read_text(encoding="utf-8")
    assert f"log in as **guru** / **{password}**" in readme


def test_the_database_check_names_the_demo_guru_too(settings):
    """The production check reads every demo account from DEMO_PASSWORDS, the guru's too."""
    make_demo_editor(settings)
    editor = get_user_model().objects.get(username="editor")
    editor.set_password("a-secret-of-our-own")
    editor.save()
    with pytest.raises(SystemCheckError) as refused:
        call_command("check", "--database", "default", stdout=io.StringIO())
    assert "The demo account 'guru' still has its documented password" in str(refused.value)
    assert "'editor'" not in str(refused.value)
    with pytest.raises(ImproperlyConfigured, match="The demo account 'guru'"):
        refuse_demo_passwords()


def make_demo_editor(settings) -> None:
    settings.DEMO_ACCOUNTS = True
    call_command("seed_demo", stdout=io.StringIO())
    settings.DEMO_ACCOUNTS = False


def test_the_database_check_names_a_demo_account_that_still_has_its_password(settings, monkeypatch):
    make_demo_editor(settings)
    # The browser tests allow Django's ORM inside Playwright's event loop; --deploy refuses that.
    monkeypatch.delenv("DJANGO_ALLOW_ASYNC_UNSAFE", raising=False)

    with pytest.raises(SystemCheckError) as refused:
        call_command("check", "--database", "default", stdout=io.StringIO())
    assert "(tipsite.E001) The demo account 'editor' still has its documented password" in str(
        refused.value
    )
    assert "manage.py changepassword editor" in str(refused.value)

    # Without a database (check --deploy on a build machine) the check does not run.
    call_command("check", "--deploy", stdout=io.StringIO())


def test_a_changed_password_or_the_development_settings_pass_the_check(settings):
    make_demo_editor(settings)
    settings.DEBUG = True  # development: the README's password is the point
    call_command("check", "--database", "default", stdout=io.StringIO())

    settings.DEBUG = False
    for account in get_user_model().objects.all():
        account.set_password("a-secret-of-our-own")
        account.save()
    call_command("check", "--database", "default", stdout=io.StringIO())
    refuse_demo_passwords()


def test_the_wsgi_application_refuses_to_start_while_a_demo_password_works(settings):
    make_demo_editor(settings)
    with pytest.raises(ImproperlyConfigured, match="The demo account 'editor'"):
        refuse_demo_passwords()


MAKE_DEMO_EDITOR = """
import django
django.setup()
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
call_command("migrate", verbosity=0)
get_user_model().objects.create_user("editor", password=settings.DEMO_PASSWORDS["editor"])
"""


def test_gunicorns_application_and_migrate_refuse_under_the_production_settings(tmp_path):
    """What `make run` then `make serve` did: the production settings now refuse to serve."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    development = {**env, "DJANGO_SETTINGS_MODULE": "tipsite.settings.development"}
    production = {
        **env,
        "DJANGO_SETTINGS_MODULE": "tipsite.settings.production",
        "SECRET_KEY": "demo-password-test-" + "k" * 40,
        "ALLOWED_HOSTS": "127.0.0.1",
    }

    def run(env, *args):
        return subprocess.run(  # noqa: S603
            [sys.executable, *args], env=env, capture_output=True, text=True,
            cwd=settings.BASE_DIR, timeout=120, check=False,
        )  # fmt: skip

    assert run(development, "-c", MAKE_DEMO_EDITOR).returncode == 0
    wsgi = run(production, "-c", "import tipsite.wsgi")
    assert wsgi.returncode != 0
    assert "ImproperlyConfigured: The demo account 'editor'" in wsgi.stderr
    migrate = run(production, "manage.py", "migrate", "--noinput")
    assert migrate.returncode != 0
    assert "(tipsite.E001) The demo account 'editor'" in migrate.stderr
