"""Markdown in, safe HTML out: the one place tip bodies are rendered, for the page and the preview.

Three steps, all here so that the preview beside the editor's Markdown box and the public page can
never disagree:

1. Markdown, with a tree step that shapes what Markdown makes to fit the page: headings ranked
   under the page's own ``h1`` and ``h2``, table alignment as classes (the site's Content Security
   Policy forbids ``style``), an image alone in its paragraph with a caption as a ``figure``.
2. nh3 (Ammonia) removes everything a browser could run, by the lists below.
3. A last pass over the clean HTML: images become the tip's own responsive pictures, and links
   leaving the site get ``rel="nofollow noopener"``.

:func:`body_problems` reads the same lists to name, line by line, whatever step 2 or 3 would
drop, so that saving refuses it instead of losing it silently.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree import ElementTree

import markdown
import nh3
from django.conf import settings
from django.http.request import split_domain_port, validate_host
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "div", "dl", "dt", "em",
    "figcaption", "figure", "h3", "h4", "h5", "h6", "hr", "i", "img", "li", "ol", "p", "pre",
    "strong", "sub", "sup", "table", "tbody", "td", "th", "thead", "tr", "ul",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "class"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "th": {"class"},
    "td": {"class"},
    "code": {"class"},
    "div": {"class"},
    "sup": {"id"},
    "li": {"id"},
}
# Classes Markdown itself writes: table alignment (set below), footnotes, fenced code's language.
ALLOWED_CLASSES = {
    "th": {"text-start", "text-center", "text-end"},
    "td": {"text-start", "text-center", "text-end"},
    "div": {"footnote"},
    "a": {"footnote-ref", "footnote-backref"},
}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}
# ``![description](image:12)`` places the tip's image 12; the scheme lives only until step 3.
IMAGE_SCHEME = "image"
# Only footnotes' own ids: any other id could collide with the page's (``comments``, say).
FOOTNOTE_ID = re.compile(r"fn(ref)?:[\w-]+")
EXTERNAL_REL = "nofollow noopener"
ALIGN_CLASSES = {"left": "text-start", "center": "text-center", "right": "text-end"}
# How wide a tip body's column is at each breakpoint (templates/tips/tip_detail.html, col-lg-8).
IMAGE_SIZES = (
    "(min-width: 1400px) 856px, (min-width: 1200px) 736px, (min-width: 992px) 616px, 100vw"
)
MARKDOWN_EXTENSIONS = ["extra", "sane_lists"]


@dataclass(frozen=True)
class BodyImage:
    """One of a tip's pictures as the body shows it: renditions as ``(url, width)``, widest last."""

    renditions: tuple[tuple[str, int], ...]
    width: int
    height: int
    alt: str
    caption: str = ""

    @property
    def src(self) -> str:
        return self.renditions[-1][0]

    @property
    def srcset(self) -> str:
        return ", ".join(f"{url} {width}w" for url, width in self.renditions)


def _shape(images: Mapping[str, BodyImage]):
    class Shape(Treeprocessor):
        def run(self, root):
            elements = list(root.iter())
            # The page's title is the h1 and its question the h2: the body's largest heading
            # becomes h3, the next size h4, and so on, with no level skipped.
            levels = sorted({int(el.tag[1]) for el in elements if re.fullmatch(r"h[1-6]", el.tag)})
            rank = {level: f"h{min(3 + i, 6)}" for i, level in enumerate(levels)}
            for el in elements:
                if re.fullmatch(r"h[1-6]", el.tag):
                    el.tag = rank[int(el.tag[1])]
                elif el.tag in ("th", "td") and "text-align" in el.get("style", ""):
                    align = el.attrib.pop("style").split(":")[-1].strip().rstrip(";")
                    el.set("class", ALIGN_CLASSES.get(align, "text-center"))
                elif el.tag == "p" and len(el) == 1 and el[0].tag == "img":
                    self._figure(el, el[0])

        def _figure(self, paragraph, img):
            if (paragraph.text or "").strip() or (img.tail or "").strip():
                return  # an image within a sentence stays inline
            image = images.get(img.get("src", ""))
            caption = img.attrib.pop("title", "") or (image.caption if image else "")
            if caption:
                paragraph.tag = "figure"
                ElementTree.SubElement(paragraph, "figcaption").text = caption

    return Shape


class _TipBody(Extension):
    def __init__(self, images: Mapping[str, BodyImage]):
        super().__init__()
        self.images = images

    def extendMarkdown(self, md):
        # After "inline" (20), which makes the images and links, and before "prettify" (10).
        md.treeprocessors.register(_shape(self.images)(md), "tip_body", 15)


def _markdown(text: str, images: Mapping[str, BodyImage]) -> str:
    extensions = [*MARKDOWN_EXTENSIONS, _TipBody(images)]
    return markdown.markdown(text, extensions=extensions, output_format="html")


def _allowed_value(tag: str, attribute: str, value: str) -> str | None:
    """The part of an attribute's value that may stay, or None: nh3's filter and the check's."""
    if attribute == "class":
        allowed = ALLOWED_CLASSES.get(tag, set())
        kept = [
            name
            for name in value.split()
            if name in allowed or (tag == "code" and re.fullmatch(r"language-[\w+-]+", name))
        ]
        return " ".join(kept) or None
    if attribute == "id":
        return value if FOOTNOTE_ID.fullmatch(value) else None
    return value


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_allowed_value,
        url_schemes=ALLOWED_URL_SCHEMES | {IMAGE_SCHEME},
        link_rel=None,
    )


def site_hosts() -> list[str]:
    """The hosts whose links are the site's own: ``SITE_URL``'s and ``ALLOWED_HOSTS`` but "*"."""
    hosts = [h for h in settings.ALLOWED_HOSTS if h != "*"]
    return [urlsplit(settings.SITE_URL).hostname or "", *hosts]


def is_internal(href: str) -> bool:
    parts = urlsplit(href)
    if not parts.scheme and not parts.netloc:
        return True  # relative: /massage-therapy/, #fn:1
    if parts.scheme not in ("http", "https", ""):
        return False
    host, _ = split_domain_port(parts.netloc.rpartition("@")[2])
    return bool(host) and validate_host(host, site_hosts())


class _Finish(HTMLParser):
    """Copies nh3's clean HTML, rewriting only images and links."""

    def __init__(self, images: Mapping[str, BodyImage]):
        super().__init__(convert_charrefs=False)
        self.images = images
        self.out: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.out.append(self._img(attributes))
        elif tag == "a":
            self.out.append(self._a(attributes))
        else:
            self.out.append(self.get_starttag_text())

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        self.out.append(f"</{tag}>")

    def handle_data(self, data):
        self.out.append(data)

    def handle_entityref(self, name):
        self.out.append(f"&{name};")

    def handle_charref(self, name):
        self.out.append(f"&#{name};")

    def _img(self, attributes) -> str:
        image = self.images.get(attributes.get("src") or "")
        alt = attributes.get("alt") or (image.alt if image else "")
        if image is None:
            # Only the tip's own pictures are shown (saving refuses others); keep the words.
            return escape(alt)
        parts = {
            "src": image.src,
            "srcset": image.srcset,
            "sizes": IMAGE_SIZES,
            "width": image.width,
            "height": image.height,
            "alt": alt,
            "title": attributes.get("title"),
            "loading": "lazy",
            "decoding": "async",
        }
        return _tag("img", parts)

    def _a(self, attributes) -> str:
        href = attributes.get("href")
        if href and href.startswith(f"{IMAGE_SCHEME}:"):
            image = self.images.get(href)
            href = image.src if image else None
        external = href is not None and not is_internal(href)
        parts = {
            "href": href,
            "title": attributes.get("title"),
            "class": attributes.get("class"),
            "rel": EXTERNAL_REL if external else None,
        }
        return _tag("a", parts)


def _tag(name: str, attributes: dict) -> str:
    pairs = "".join(
        f' {key}="{escape(str(value))}"' for key, value in attributes.items() if value is not None
    )
    return f"<{name}{pairs}>"


def render_markdown(text: str, images: Mapping[str, BodyImage] | None = None) -> str:
    """Render editor-written Markdown as the page shows it, with nothing a browser could run.

    ``images`` maps the addresses the body may use for a picture (``image:12`` and the picture's
    own media URLs) to that picture. Raw HTML in the source is kept by Markdown and then cleaned
    by nh3: scripts, event handlers, iframes, styles, foreign images and links to anything but
    http, https and mailto disappear (:func:`body_problems` refuses them before that).
    """
    images = images or {}
    finish = _Finish(images)
    finish.feed(_clean(_markdown(text, images)))
    finish.close()
    return "".join(finish.out)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    handle_startendtag = handle_starttag


class _Lines:
    """Finds where in the source a problem is: the n-th time its text appears, or the first."""

    def __init__(self, text: str):
        self.lines = text.lower().splitlines()
        self.seen: dict[str, int] = {}

    def find(self, needle: str) -> int | None:
        needle = needle.lower()
        nth = self.seen[needle] = self.seen.get(needle, 0) + 1
        found = [number for number, line in enumerate(self.lines, 1) if needle in line]
        return found[min(nth, len(found)) - 1] if found else None


def body_problems(text: str, images: Mapping[str, BodyImage] | None = None) -> list[str]:
    """Everything in ``text`` that the page would not show, each as "Line N: what and why".

    An empty list means the page shows all of it. Read from what Markdown makes of the source,
    before cleaning, with the same lists the cleaning uses.
    """
    images = images or {}
    parser = _Tags()
    parser.feed(_markdown(text, images))
    parser.close()
    lines = _Lines(text)
    problems = []

    def report(needle: str, message: str) -> None:
        line = lines.find(needle)
        problems.append(f"Line {line}: {message}" if line else message)

    for tag, attrs in parser.tags:
        if tag not in ALLOWED_TAGS:
            hint = "To show the characters themselves, put them in `backticks`."
            report(f"<{tag}", f"<{tag}> is not allowed. {hint}")
            continue
        for attribute, value in attrs:
            value = value or ""
            if attribute not in ALLOWED_ATTRIBUTES.get(tag, ()):
                report(attribute, f"the {attribute} attribute is not allowed (on <{tag}>).")
            elif _allowed_value(tag, attribute, value) != value:
                report(value, f'{attribute}="{value}" is not allowed (on <{tag}>).')
            elif tag == "img" and attribute == "src" and value not in images:
                report(
                    value,
                    f"{value} is not an image of this tip. Upload it under Images below and "
                    "paste its snippet, such as ![description](image:12).",
                )
            elif attribute == "href" and urlsplit(value).scheme.lower() not in {
                "",
                *ALLOWED_URL_SCHEMES,
            }:
                if value.startswith(f"{IMAGE_SCHEME}:") and value in images:
                    continue
                scheme = urlsplit(value).scheme.lower()
                report(value, f"links to {scheme}: addresses are not allowed.")
        if tag == "img" and not dict(attrs).get("src"):
            report("![", "an image needs an address: ![description](image:12).")
    return problems
