"""The one path every public form takes: validate, hold back floods, act, answer."""

from collections.abc import Callable

from django import forms
from django.http import HttpRequest, HttpResponse

from .antispam import Throttled, client_ip, flood_guard
from .views import too_many_requests


def submit(
    request: HttpRequest,
    form: forms.Form,
    *,
    form_name: str,
    invalid: Callable[[forms.Form], HttpResponse],
    valid: Callable[[dict, str], HttpResponse],
    email_field: str = "",
    throttled: Callable[[Throttled], HttpResponse] | None = None,
) -> HttpResponse:
    """Answer a posted public form (a form with ``ProtectedFormMixin``).

    ``invalid(form)`` answers a form that failed its checks, so the reader can correct it;
    a valid one is counted by :func:`~tipsite.antispam.flood_guard` under the form's
    ``antispam_scope`` (per IP, and per the address in ``email_field`` when it has one), and
    too soon gets the 429 page naming ``form_name``, or ``throttled(error)``'s answer.
    Otherwise ``valid(cleaned_data, ip)`` calls the form's service and answers, usually
    with a redirect.
    """
    if not form.is_valid():
        return invalid(form)
    ip = client_ip(request)
    try:
        email = form.cleaned_data[email_field] if email_field else ""
        flood_guard(scope=form.antispam_scope, ip=ip, email=email)
    except Throttled as error:
        if throttled is not None:
            return throttled(error)
        return too_many_requests(request, error, form_name=form_name)
    return valid(form.cleaned_data, ip)
