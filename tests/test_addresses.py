"""Addresses made from a view's pattern (tipsite/addresses.py) are the ones reverse() makes."""

import pytest
from django.urls import NoReverseMatch, reverse, set_script_prefix

from tipsite import addresses


@pytest.mark.parametrize(
    ("name", "args", "kwargs"),
    [
        ("tips:home", (), {}),
        ("tips:topic", ("cooking",), {}),
        ("tips:tip", (), {"topic": "cooking", "category": "soups", "slug": "a-b_c-9"}),
        ("comments:post", (42,), {}),
        ("tips:vote", (7,), {}),
        ("tips:social-card", (), {"kind": "tip", "pk": 12, "digest": "0123abcd"}),
        ("feeds:category", ("cooking", "soups"), {}),
    ],
)
def test_addresses_from_a_pattern_are_what_reverse_makes(name, args, kwargs):
    assert addresses.path(name, *args, **kwargs) == reverse(name, args=args, kwargs=kwargs)
    set_script_prefix("/tipsite/")
    try:
        assert addresses.path(name, *args, **kwargs) == reverse(name, args=args, kwargs=kwargs)
        assert addresses.path(name, *args, **kwargs).startswith("/tipsite/")
    finally:
        set_script_prefix("/")


def test_values_a_pattern_cannot_hold_go_through_reverse():
    # Quoting, a negative number, a string where a number goes: reverse() decides.
    for kind in ("a b", "café", "a?b"):
        card = {"kind": kind, "pk": 1, "digest": "d"}
        assert addresses.path("tips:social-card", **card) == reverse(
            "tips:social-card", kwargs=card
        )
    with pytest.raises(NoReverseMatch):
        addresses.path("tips:topic", "a b")
    with pytest.raises(NoReverseMatch):
        addresses.path("comments:post", "seven")
    with pytest.raises(NoReverseMatch):
        addresses.path("comments:post", -1)


def test_each_view_is_looked_up_once_per_kind_of_arguments():
    addresses._pattern.cache_clear()
    for pk in range(20):
        assert addresses.path("comments:post", pk) == f"/tips/{pk}/comment/"
    assert addresses._pattern.cache_info().misses == 1
