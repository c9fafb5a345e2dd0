"""What the settings and `make run` derive from the environment for a developer's machine."""

import os
import shutil
import subprocess
import sys

import pytest
from django.conf import settings


def development(code: str, **env) -> str:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SITE_", "PORT", "DEFAULT_"))}
    result = subprocess.run(  # noqa: S603 (our own code)
        [sys.executable, "-c", "import django; from django.conf import settings as s; " + code],
        env={**clean, "DJANGO_SETTINGS_MODULE": "tipsite.settings.development", **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=True,
    )
    return result.stdout.strip()


def test_mail_comes_from_the_sites_own_name():
    """E-mails from a site called LifeTips say LifeTips, not a name nobody chose."""
    assert development("print(s.DEFAULT_FROM_EMAIL, '|', s.SERVER_EMAIL)") == (
        "LifeTips <tips@localhost> | LifeTips <tips@localhost>"
    )
    assert development("print(s.DEFAULT_FROM_EMAIL)", SITE_NAME="GardenTips") == (
        "GardenTips <tips@localhost>"
    )
    assert development("print(s.DEFAULT_FROM_EMAIL)", DEFAULT_FROM_EMAIL="a@b.example") == (
        "a@b.example"
    )


def test_links_in_development_mail_follow_the_port_served():
    assert development("print(s.SITE_URL)") == "http://127.0.0.1:8000"
    assert development("print(s.SITE_URL)", PORT="8001") == "http://127.0.0.1:8001"
    assert development("print(s.SITE_URL)", PORT="8001", SITE_URL="https://t.example/") == (
        "https://t.example"
    )


def test_make_run_serves_on_the_port_asked_for():
    if not (make := shutil.which("make")):
        pytest.skip("make is not installed")
    commands = subprocess.run(  # noqa: S603 (our own Makefile)
        [make, "--dry-run", "--always-make", "run", "PORT=8001"],
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        check=True,
    ).stdout
    serve = [line for line in commands.splitlines() if "runserver" in line]
    assert len(serve) == 1
    assert serve[0].endswith("runserver 127.0.0.1:8001")
    assert "PORT=8001" in serve[0].split()
