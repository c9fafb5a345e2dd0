"""The two servers a benchmark run loads: TipSite with bench/settings.py, and the stock project
of bench/stock/ it is compared with. Each runs in a process of its own (settings are read once
per process)."""

import ast
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import django
import pytest
from django.conf import settings

PROJECT_TEMPLATE = (
    Path(django.__file__).parent / "conf/project_template/project_name/settings.py-tpl"
)


def run_django(settings_module: str, script: str, **env) -> dict:
    """Run ``script`` with ``client`` (Django's test client) under ``settings_module``."""
    prelude = textwrap.dedent(
        """
        import json, django
        django.setup()
        from django.conf import settings
        from django.test import Client
        from django.test.utils import setup_test_environment
        setup_test_environment()
        client = Client(raise_request_exception=False)
        """
    )
    result = subprocess.run(  # noqa: S603
        [sys.executable, "-c", prelude + textwrap.dedent(script)],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings_module, **env},
        capture_output=True,
        text=True,
        cwd=settings.BASE_DIR,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def startproject_middleware() -> list[str]:
    """The MIDDLEWARE `django-admin startproject` writes, read from Django's own template."""
    tree = ast.parse(PROJECT_TEMPLATE.read_text().replace("{{ project_name }}", "project"))
    [assigned] = [
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and node.targets[0].id == "MIDDLEWARE"
    ]
    return ast.literal_eval(assigned)


def test_the_stock_project_answers_ok_and_a_5_kb_page_with_stock_middleware():
    answers = run_django(
        "bench.stock.settings",
        """
        ok = client.get("/ok/")
        page = client.get("/template/")
        print(json.dumps({
            "middleware": settings.MIDDLEWARE,
            "ok": [ok.status_code, ok.content.decode()],
            "page": [page.status_code, page.content.decode()],
        }))
        """,
    )
    assert answers["middleware"] == startproject_middleware()
    assert answers["ok"] == [200, "ok"]
    status, page = answers["page"]
    assert status == 200
    assert 4_500 <= len(page.encode()) <= 5_500
    assert page.count('<li class="item') == 20
    assert "Item number 20 of the list" in page


BENCH_SITE = """
    from django.core.management import call_command
    call_command("migrate", verbosity=0)
    baseline = client.get("/bench/baseline/", HTTP_X_FORWARDED_PROTO="https")
    # A page without static files: production's manifest storage wants collectstatic first.
    home = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
    cleared = client.post("/bench/cache/clear/", HTTP_X_FORWARDED_PROTO="https")
    print(json.dumps({
        "baseline": baseline.status_code,
        "home": home.status_code,
        "home_queries": home.headers.get("X-DB-Queries"),
        "cleared": [cleared.status_code, cleared.content.decode()],
    }))
"""


def test_the_bench_settings_add_the_bench_addresses_and_query_counts(tmp_path):
    answers = run_django(
        "bench.settings",
        BENCH_SITE,
        SECRET_KEY="a-bench-secret-key-long-enough-for-production-settings-0123456789",
        ALLOWED_HOSTS="testserver",
        HTTPS="false",
        REDIS_URL="",
        DATABASE_URL=f"sqlite:///{tmp_path / 'bench.sqlite3'}",
    )
    assert answers["baseline"] == 200
    assert answers["home"] == 200
    assert int(answers["home_queries"]) >= 1, "the health check asks the database"
    status, body = answers["cleared"]
    assert status == 200
    # Without Redis the cache is a database table every worker shares: emptied, none left behind.
    assert json.loads(body)["per_worker"] == []


def test_the_production_site_has_no_bench_address_whatever_the_environment(tmp_path):
    """The switches production used to read are gone: a stray BENCH_ENDPOINTS changes nothing."""
    answers = run_django(
        "tipsite.settings.production",
        """
        from django.core.management import call_command
        from django.urls import Resolver404, resolve
        call_command("migrate", verbosity=0)
        health = client.get("/healthz", HTTP_X_FORWARDED_PROTO="https")
        routed = []
        for path in ("/bench/baseline/", "/bench/cache/clear/"):
            try:
                routed.append(resolve(path).func.__name__)
            except Resolver404:
                pass
        print(json.dumps({
            "health": health.status_code,
            "queries": health.headers.get("X-DB-Queries"),
            "routed": routed,
            "urlconf": settings.ROOT_URLCONF,
        }))
        """,
        SECRET_KEY="a-bench-secret-key-long-enough-for-production-settings-0123456789",
        ALLOWED_HOSTS="testserver",
        HTTPS="false",
        REDIS_URL="",
        BENCH_ENDPOINTS="1",
        BENCH_COUNT_QUERIES="1",
        DATABASE_URL=f"sqlite:///{tmp_path / 'site.sqlite3'}",
    )
    assert answers["health"] == 200
    assert answers["queries"] is None
    assert answers["urlconf"] == "tipsite.urls"
    assert not {"baseline", "bench_baseline", "clear_caches"} & set(answers["routed"])


@pytest.mark.django_db
def test_the_query_count_header_counts_each_requests_queries(rf):
    from django.http import HttpResponse

    from bench.middleware import QueryCountHeaderMiddleware
    from tips.models import Tip

    def two_queries(request):
        Tip.objects.count()
        Tip.objects.exists()
        return HttpResponse("ok")

    assert QueryCountHeaderMiddleware(two_queries)(rf.get("/"))["X-DB-Queries"] == "2"
    none = QueryCountHeaderMiddleware(lambda request: HttpResponse("ok"))(rf.get("/"))
    assert none["X-DB-Queries"] == "0"


def test_emptying_the_caches_empties_the_shared_ones_and_names_those_in_each_worker(
    rf, settings, tmp_path
):
    from django.core.cache import caches

    from bench.views import clear_caches

    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "shared": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        },
    }
    caches["shared"].set("page", "cached")
    response = clear_caches(rf.post("/bench/cache/clear/"))
    assert json.loads(response.content) == {"per_worker": ["default"]}
    assert caches["shared"].get("page") is None
    assert clear_caches(rf.get("/bench/cache/clear/")).status_code == 405
