import pytest

from tests.factories import make_tip
from tips.markup import body_problems, render_markdown

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


def test_headings_rank_under_the_pages_own_title_and_question():
    """The page has the h1 title and the h2 question: the body's largest heading is an h3, the
    next size an h4, with no level skipped, whichever Markdown sizes the editor chose."""
    assert render_markdown("# Steps\n\n## First\n\ntext") == (
        "<h3>Steps</h3>\n<h4>First</h4>\n<p>text</p>"
    )
    assert render_markdown("### Only\n\n##### Then").startswith("<h3>Only</h3>\n<h4>Then</h4>")


def test_links_inside_the_site_carry_no_nofollow_and_links_out_do():
    html = render_markdown(
        "[a](/massage-therapy/) [b](http://127.0.0.1:8000/x/) [c](#comments) "
        "[d](https://elsewhere.example/) [e](mailto:a@b.example)"
    )
    assert '<a href="/massage-therapy/">a</a>' in html
    assert '<a href="http://127.0.0.1:8000/x/">b</a>' in html
    assert '<a href="#comments">c</a>' in html
    assert '<a href="https://elsewhere.example/" rel="nofollow noopener">d</a>' in html
    assert '<a href="mailto:a@b.example" rel="nofollow noopener">e</a>' in html


def test_tables_quotes_and_code_survive_without_inline_styles():
    html = render_markdown(
        "| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n> quoted\n\n"
        "```python\nx = 1\n```\n\nNote[^1]\n\n[^1]: Why."
    )
    assert '<th class="text-center">a</th>' in html
    assert '<td class="text-end">2</td>' in html
    assert "style=" not in html
    assert "<blockquote>\n<p>quoted</p>\n</blockquote>" in html
    assert '<code class="language-python">' in html
    assert '<li id="fn:1">' in html
    assert '<a href="#fn:1" class="footnote-ref">1</a>' in html


def test_problems_name_what_would_be_dropped_and_on_which_line():
    source = "Fine\n\n<p style='color:red'>hi</p>\n\n[x](javascript:alert(1))\n\nUse <Ctrl>."
    assert body_problems(source) == [
        "Line 3: the style attribute is not allowed (on <p>).",
        "Line 5: links to javascript: addresses are not allowed.",
        "Line 7: <ctrl> is not allowed. To show the characters themselves, put them in "
        "`backticks`.",
    ]
    assert body_problems("# Fine\n\n`<script>` in code is text\n\n| a |\n|---|\n| 1 |") == []


def test_what_the_page_shows_never_contains_what_the_check_would_refuse():
    """Every hostile input is named by the check, so saving it is refused, not silently cut."""
    for source, _ in HOSTILE:
        assert body_problems(source), source
