"""Tip and comment text for the benchmark network.

A tip body is a few Markdown blocks drawn from fixed pools. Each block is rendered once, and a
body's HTML is its blocks' HTML joined: rendering 100,000 bodies one by one would take minutes,
while the pools take well under a second and still give every tip its own combination.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass

from bench import vocabulary as words

PICKS = {
    "n": words.NOUNS,
    "n2": words.NOUNS,
    "v": words.VERBS,
    "v2": words.VERBS,
    "a": words.ADJECTIVES,
    "r": words.ADVERBS,
}
# Markdown separates blocks with a blank line and the renderer joins their HTML with a newline.
SOURCE_JOIN = "\n\n"
HTML_JOIN = "\n"


class _Picks(dict):
    """Fills a sentence template with a fresh random word at every placeholder."""

    def __init__(self, rng: random.Random):
        super().__init__()
        self.rng = rng

    def __missing__(self, key: str) -> str:
        if key == "A":
            return self.rng.choice(words.ADJECTIVES).capitalize()
        if key == "N":
            return str(self.rng.randint(3, 9))
        return self.rng.choice(PICKS[key])


@dataclass(frozen=True)
class Block:
    source: str
    html: str
    common: bool  # contains vocabulary.COMMON_WORD


class Writer:
    def __init__(self, rng: random.Random):
        self.rng = rng
        self.picks = _Picks(rng)

    def fill(self, template: str) -> str:
        return template.format_map(self.picks)

    def sentence(self) -> str:
        return self.fill(self.rng.choice(words.SENTENCES))

    def paragraph(self, *, common: bool, sentences: tuple[int, int] = (4, 6)) -> str:
        parts = [self.sentence() for _ in range(self.rng.randint(*sentences))]
        if common:
            parts.insert(self.rng.randrange(len(parts) + 1), self.common_sentence())
        return " ".join(parts)

    def common_sentence(self) -> str:
        return self.fill(self.rng.choice(words.COMMON_SENTENCES))

    def title(self) -> str:
        text = self.fill(self.rng.choice(words.TITLES))
        return text[0].upper() + text[1:]

    def question(self) -> str:
        return self.fill(self.rng.choice(words.QUESTIONS))

    def rare_question(self) -> str:
        return self.fill(f"How do I start {words.RARE_WORD} with a {{a}} {{n}}?")

    def comment(self) -> str:
        return " ".join(
            self.fill(self.rng.choice(words.COMMENTS)) for _ in range(self.rng.randint(1, 3))
        )


class BodyBlocks:
    """Pools of rendered Markdown blocks; a tip body is an opening, a middle, a close."""

    def __init__(
        self,
        writer: Writer,
        render: Callable[[str], str],
        *,
        pool: int = 400,
        common_share: float = 0.6,
    ):
        rng = writer.rng
        self.rng = rng

        def block(source: str, common: bool) -> Block:
            return Block(source, render(source), common)

        def paragraph() -> Block:
            common = rng.random() < common_share
            return block(writer.paragraph(common=common), common)

        self.paragraphs = [paragraph() for _ in range(pool)]
        # Middles vary the Markdown the renderer and the pages see: headings, lists, emphasis.
        self.middles = []
        for index in range(pool // 2):
            if index % 2:
                items = [writer.sentence() for _ in range(rng.randint(3, 5))]
                marker = "1." if index % 4 == 1 else "-"
                self.middles.append(block("\n".join(f"{marker} {i}" for i in items), False))
            else:
                heading = writer.title()
                text = writer.paragraph(common=False, sentences=(3, 4))
                self.middles.append(
                    block(f"### {heading}\n\n**{writer.sentence()}** {text}", False)
                )
        self.closers = [block(f"*Tip:* {writer.sentence()}", False) for _ in range(pool // 4)]

    def body(self) -> tuple[str, str, bool]:
        """A new body: (Markdown, its HTML, whether it contains the common word)."""
        rng = self.rng
        blocks = [
            rng.choice(self.paragraphs),
            rng.choice(self.middles),
            rng.choice(self.paragraphs),
        ]
        if rng.random() < 0.5:
            blocks.append(rng.choice(self.closers))
        return (
            SOURCE_JOIN.join(b.source for b in blocks),
            HTML_JOIN.join(b.html for b in blocks),
            any(b.common for b in blocks),
        )

    def check(self, render: Callable[[str], str], samples: int = 30) -> None:
        """Prove on a sample that joined block HTML is what rendering the whole body gives."""
        for _ in range(samples):
            source, html, _ = self.body()
            if render(source) != html:
                raise RuntimeError("Joined block HTML differs from the rendered body:\n" + source)
