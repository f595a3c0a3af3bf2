"""Flesch reading ease of a page's visible main text: a short function of our own (no word lists to download).

206.835 - 1.015 x (words per sentence) - 84.6 x (syllables per word). 60 or more is plain English.
Headings, list items, labels and table cells count as sentences of their own, as a reader meets them.
"""
import re
from html.parser import HTMLParser

BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "legend", "label", "button", "td", "th", "dt", "dd", "caption",
          "div", "summary", "a"}
HIDDEN = {"script", "style", "template", "select", "option", "textarea"}


class _MainText(HTMLParser):
    def __init__(self):
        super().__init__()
        self.depth_main = 0
        self.hidden = 0
        self.blocks: list[str] = [""]

    def handle_starttag(self, tag, attrs):
        if tag == "main":
            self.depth_main += 1
        if tag in HIDDEN:
            self.hidden += 1
        if tag in BLOCKS:
            self.blocks.append("")

    def handle_endtag(self, tag):
        if tag == "main":
            self.depth_main -= 1
        if self.hidden and tag in HIDDEN:
            self.hidden -= 1
        if tag in BLOCKS:
            self.blocks.append("")

    def handle_data(self, data):
        if self.depth_main and not self.hidden:
            self.blocks[-1] += data


def main_text(html: str) -> list[str]:
    """The visible text in <main>, one string per block (paragraph, heading, list item, label...)."""
    parser = _MainText()
    parser.feed(html)
    return [" ".join(b.split()) for b in parser.blocks if b.strip()]


def syllables(word: str) -> int:
    word = word.lower().strip("'")
    if len(word) <= 3:
        return 1
    word = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", word)
    word = re.sub(r"^y", "", word)
    return max(1, len(re.findall(r"[aeiouy]+", word)))


def reading_ease(blocks: list[str]) -> float:
    sentences, words, syllable_count = 0, 0, 0
    for block in blocks:
        parts = [s for s in re.split(r"[.!?:;]+(?:\s|$)", block) if re.search(r"[A-Za-z]", s)]
        sentences += len(parts)
        for part in parts:
            found = re.findall(r"[A-Za-z][A-Za-z']*", part)
            words += len(found)
            syllable_count += sum(syllables(w) for w in found)
    if not words:
        return 100.0
    return 206.835 - 1.015 * (words / max(1, sentences)) - 84.6 * (syllable_count / words)
