"""How the code is put together: frozen migrations, and the Editors group kept in step."""

import ast
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from tests.factories import EMPTY_TIP_INLINES, make_category, make_tip_request
from tips.editors import EDITORS_GROUP, GROUPS
from tips.models import Tip

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = {"tipsite", "tips", "comments", "requests_app", "bench"}
MIGRATIONS = sorted(ROOT.glob("*/migrations/0*.py"))
# Model fields' validators, which makemigrations writes by reference: migrations never run them.
FIELD_VALIDATORS = {"tips.validators"}


@pytest.mark.parametrize(
    "path", MIGRATIONS, ids=lambda path: f"{path.parent.parent.name}/{path.name}"
)
def test_migrations_import_no_application_code(path):
    """A migration is history: it carries what it needs, so later edits to the apps never
    change what it does (Django and the standard library only)."""
    imported = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
    project = {name for name in imported if name.split(".")[0] in PROJECT_PACKAGES}
    assert not project - FIELD_VALIDATORS


def test_migrations_are_found():
    assert len(MIGRATIONS) >= 10


@pytest.mark.django_db
def test_migrate_gives_the_editors_group_every_permission_on_its_models():
    """The group is synced after migrating, from the one list of what each group may do."""
    granted = set(
        Group.objects.get(name=EDITORS_GROUP).permissions.values_list(
            "content_type__app_label", "codename"
        )
    )
    expected = {
        (app_label, f"{action}_{model}")
        for app_label, models in GROUPS[EDITORS_GROUP].items()
        for model, actions in models.items()
        for action in actions
    }
    assert expected <= granted
    assert not {codename for _, codename in granted if codename.endswith(("_user", "_group"))}


@pytest.mark.django_db
def test_a_tip_written_from_an_unknown_request_is_simply_saved(editor_client):
    """ "Write this tip" joins requests to tips above both apps; a mangled request id in the
    address neither fails nor answers anything."""
    category = make_category()
    request = make_tip_request(question="Can I compost citrus peels?")
    now = timezone.localtime()
    response = editor_client.post(
        reverse("admin:tips_tip_add") + "?from_request=1%27x",
        {
            "title": "Citrus in the Compost", "slug": "citrus-in-the-compost",
            "question": "Can I compost citrus peels?", "body": "Yes, in moderation.",
            "category": category.pk, "image_alt": "",
            "status": Tip.Status.PUBLISHED, "publish_at_0": now.strftime("%Y-%m-%d"),
            "publish_at_1": now.strftime("%H:%M:%S"), "last_reviewed": "",
            **EMPTY_TIP_INLINES,
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert Tip.objects.filter(slug="citrus-in-the-compost").exists()
    request.refresh_from_db()
    assert request.answer_tip is None
