import pytest

from tests.factories import make_tip
from tips.markup import render_markdown

HOSTILE = [
    ("<script>alert(1)</script>", "<script"),
    ('<img src="x" onerror="alert(1)">', "onerror"),
    ("[click](javascript:alert(1))", "javascript:"),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', "javascript:"),
    ('<iframe src="https://evil.example/"></iframe>', "<iframe"),
    ('<p style="position:fixed">x</p>', "style="),
    ('<svg onload="alert(1)"></svg>', "onload"),
    ("[x](data:text/html;base64,PHNjcmlwdD4=)", "data:"),
]


@pytest.mark.parametrize(("source", "forbidden"), HOSTILE)
def test_hostile_markdown_renders_harmless(source, forbidden):
    html = render_markdown(f"Before\n\n{source}\n\nAfter")
    assert forbidden.lower() not in html.lower()
    assert "Before" in html
    assert "After" in html


def test_markdown_formatting_survives_sanitising():
    html = render_markdown("Some **bold** text.\n\n- one\n- two\n\n[a link](https://example.com)")
    assert "<strong>bold</strong>" in html
    assert "<li>one</li>" in html
    assert 'href="https://example.com"' in html
    assert 'rel="nofollow noopener"' in html


@pytest.mark.django_db
def test_a_tip_stores_its_rendered_body_when_saved():
    tip = make_tip(body="Hello <script>x()</script> *world*")
    assert "<em>world</em>" in tip.body_html
    assert "<script" not in tip.body_html

    tip.body = "Changed"
    tip.save(update_fields=["body"])
    tip.refresh_from_db()
    assert tip.body_html == "<p>Changed</p>"
