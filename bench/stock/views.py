"""The two yardsticks: the cheapest answer Django gives, and a small page from a template."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

ITEMS = [
    {
        "number": n,
        "title": f"Item number {n} of the list",
        "summary": "A sentence or two about the item, as a listing shows under its title.",
        "url": f"/items/{n}/",
    }
    for n in range(1, 21)
]


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok")


def template(request: HttpRequest) -> HttpResponse:
    return render(request, "stock/page.html", {"title": "Twenty items", "items": ITEMS})
