"""The defences every public form shares (tipsite/antispam.py)."""

import time

import pytest
from django import forms
from django.test import RequestFactory, override_settings

from tipsite.antispam import (
    ProtectedFormMixin,
    Throttled,
    client_ip,
    flood_guard,
    issue_token,
    token_age,
)


class ExampleForm(ProtectedFormMixin, forms.Form):
    antispam_scope = "example"
    text = forms.CharField()


def submit(age: float, **extra) -> ExampleForm:
    data = {
        "text": "hello",
        "homepage": "",
        "issued": issue_token("example", issued_at=time.time() - age),
    }
    data.update(extra)
    form = ExampleForm(data)
    form.is_valid()
    return form


@pytest.fixture(autouse=True)
def _rules(settings):
    settings.ANTISPAM = {"example": {"min_seconds": 3, "max_age_seconds": 60}}


@pytest.mark.parametrize(
    ("age", "error"),
    [(2.9, "too_fast"), (3.1, None), (59.5, None), (60.5, "expired")],
)
def test_the_form_time_is_measured_to_the_millisecond(age, error):
    form = submit(age)
    codes = [e.code for e in form.non_field_errors().as_data()]
    assert codes == ([error] if error else [])


def test_a_token_for_another_form_or_a_forged_one_is_refused():
    other = issue_token("comment", issued_at=time.time() - 10)
    assert [e.code for e in submit(10, issued=other).non_field_errors().as_data()] == ["tampered"]
    forged = issue_token("example", issued_at=time.time() - 10)[:-2] + "xx"
    assert [e.code for e in submit(10, issued=forged).non_field_errors().as_data()] == ["tampered"]


def test_a_refused_form_shows_its_own_time_again_unless_it_cannot_be_used():
    shown = issue_token("example", issued_at=time.time() - 10)
    kept = submit(10, text="", issued=shown)
    assert not kept.is_valid()
    assert kept["issued"].value() == shown
    for unusable in (submit(61), submit(10, issued="forged")):
        assert token_age("example", unusable["issued"].value()) < 1


def test_the_honeypot_refuses_bots_and_keeps_the_text():
    form = submit(10, homepage="http://spam.example")
    assert [e.code for e in form.non_field_errors().as_data()] == ["honeypot"]
    assert form["text"].value() == "hello"


def test_client_ip_trusts_forwarded_for_only_behind_configured_proxies(settings):
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4, 5.6.7.8"
    )
    settings.TRUSTED_PROXIES = 0
    assert client_ip(request) == "10.0.0.1"
    settings.TRUSTED_PROXIES = 1
    assert client_ip(request) == "5.6.7.8"
    settings.TRUSTED_PROXIES = 2
    assert client_ip(request) == "1.2.3.4"


def test_flood_control_lets_posts_through_when_the_cache_is_down(caplog, settings):
    settings.ANTISPAM = {"example": {"interval_seconds": 15, "per_hour": 1}}
    dead = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": "redis://127.0.0.1:9/0"}}  # fmt: skip
    with override_settings(CACHES=dead):
        for _ in range(3):
            flood_guard(scope="example", ip="192.0.2.1", email="a@example.com")
    assert "Flood control skipped" in caplog.text


def test_flood_control_counts_per_ip_and_per_email(settings):
    settings.ANTISPAM = {"example": {"interval_seconds": 15, "per_hour": 0}}
    flood_guard(scope="example", ip="192.0.2.1", email="a@example.com")
    with pytest.raises(Throttled) as by_ip:
        flood_guard(scope="example", ip="192.0.2.1", email="b@example.com")
    assert 1 <= by_ip.value.retry_after <= 15
    with pytest.raises(Throttled):
        flood_guard(scope="example", ip="192.0.2.2", email="A@example.com")
    flood_guard(scope="example", ip="192.0.2.3", email="c@example.com")


def test_forms_shown_within_a_tenth_of_a_second_share_one_signed_time(monkeypatch):
    moment = 1_800_000_000.04
    monkeypatch.setattr(time, "time", lambda: moment)
    first, second = ExampleForm(), ExampleForm()
    assert first.initial["issued"] == second.initial["issued"]
    assert 0 <= token_age("example", first.initial["issued"]) < 0.1
    moment += 0.1
    assert ExampleForm().initial["issued"] != first.initial["issued"]


def test_a_new_secret_key_signs_the_form_time_anew(settings):
    before = issue_token("example")
    settings.SECRET_KEY = "another-secret-key-" + "x" * 40
    after = issue_token("example")
    assert token_age("example", after) >= 0
    assert after != before
