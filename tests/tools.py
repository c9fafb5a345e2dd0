"""Where the test-only tools live, and how a missing one is reported.

On a developer's machine a missing browser or checker skips its tests with a message saying how
to install it; under CI (``CI=true``) a missing tool fails the run, so nothing is silently skipped.
"""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
NODE_MODULES = Path(settings.BASE_DIR) / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
ARTIFACTS = Path(settings.BASE_DIR) / "test-artifacts"

# Chromium as root in a sandbox, kept from calling home (this machine has no internet).
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def require(ok: bool, what: str, how: str) -> None:
    if ok:
        return
    message = f"{what} is missing: {how}"
    if os.environ.get("CI") == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def require_chromium() -> None:
    require(CHROMIUM.exists(), f"Chromium ({CHROMIUM})", "apt-get install -y chromium")


def require_checkers() -> None:
    how = "run `npm ci` (make test does) and `apt-get install -y default-jre-headless`"
    require(VNU_JAR.exists() and AXE_JS.exists(), "vnu-jar / axe-core", how)
    require(shutil.which("java") is not None, "Java", how)
