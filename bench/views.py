"""Addresses only the benchmark server has (bench/urls.py)."""

from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST, require_safe


@require_safe
def baseline(request: HttpRequest) -> HttpResponse:
    """A small template through TipSite's whole middleware: what the site costs before a page."""
    return render(request, "bench/baseline.html", {"now": "baseline"})


@csrf_exempt
@require_POST
def clear_caches(request: HttpRequest) -> JsonResponse:
    """Empty every cache the workers share, as a deploy would find them.

    A worker's own memory is not reachable from here (this request reaches one worker): the
    answer names such caches, and the runner replaces the workers to empty them.
    """
    local = []
    for alias in caches:
        cache = caches[alias]
        if isinstance(cache, LocMemCache):
            local.append(alias)
        elif hasattr(cache, "delete_pattern"):
            # django-redis: only this server's keys (its prefix), never the whole Redis database.
            cache.delete_pattern("*")
        else:
            cache.clear()
    return JsonResponse({"per_worker": local})
