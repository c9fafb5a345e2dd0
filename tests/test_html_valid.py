"""Every public page type is valid HTML according to the Nu Html Checker (vnu)."""

import io
import json
import shutil
import subprocess

import pytest
from django.core.management import call_command
from django.test import Client

from tests.factories import make_rich_tip
from tests.pages import EXPECTED_STATUS, PAGE_TYPES, SEED_TIP, add_reader_activity
from tests.test_csrf import SAME_SITE, post_without_token
from tests.tools import VNU_JAR, require_checkers
from tips.models import Tip

pytestmark = pytest.mark.django_db


def test_every_public_page_type_passes_the_nu_html_checker(client, tmp_path):
    require_checkers()
    call_command("seed_demo", stdout=io.StringIO())
    add_reader_activity()
    # The seed tip carries sources and its topic's notice; enough votes show readers' verdict.
    Tip.objects.filter(slug=SEED_TIP.rstrip("/").rsplit("/", 1)[1]).update(
        helpful_yes=9, helpful_no=2
    )
    make_rich_tip()
    files = {}
    for name, url in PAGE_TYPES.items():
        response = client.get(url)
        assert response.status_code == EXPECTED_STATUS.get(name, 200), name
        files[name] = tmp_path / f"{name}.html"
        files[name].write_bytes(response.content)
    # The step a form from a cached page takes without JavaScript (tests/test_csrf.py).
    confirm = post_without_token(Client(enforce_csrf_checks=True), Tip.objects.first(),
                                 HTTP_ORIGIN=SAME_SITE)  # fmt: skip
    assert confirm.status_code == 403
    files["confirm send"] = tmp_path / "confirm-send.html"
    files["confirm send"].write_bytes(confirm.content)

    result = subprocess.run(  # noqa: S603 (our own files)
        [
            shutil.which("java"),
            "-jar",
            str(VNU_JAR),
            "--errors-only",
            "--format",
            "json",
            *map(str, files.values()),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    messages = json.loads(result.stderr)["messages"]
    by_page = {
        name: [
            f"line {m.get('lastLine')}: {m['message']}"
            for m in messages
            if m.get("url", "").endswith(f"/{path.name}")
        ]
        for name, path in files.items()
    }
    assert by_page == {name: [] for name in files}
    assert result.returncode == 0, result.stderr
