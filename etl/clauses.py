"""Sentence structure the extractor reads: sentences, comma clauses, quotations and the plain
form of a window (quotation marks and short bracketed asides removed)."""
from __future__ import annotations

import re

QUOTE_MARKS = str.maketrans("", "", "“”‘’\"'《》「」『』")
_SENTENCE = re.compile(r"[^。!?\n]*(?:[。!?]+[”’」』\"]?|\n|$)")
_CLAUSE_DELIMS = ",;:"  # not 、: it lists nouns; numbers in a list are kept apart by each other
_ASIDE = re.compile(r"\([^()]{0,8}\)")
_QUOTED_SPAN = re.compile(r"“[^“”\n]{0,40}”|‘[^‘’\n]{0,40}’|《[^《》\n]{0,40}》|\([^()\n]{0,30}\)|「[^「」\n]{0,40}」")


def without_asides(window: str) -> str:
    """A window without its short bracketed asides ((站), (县、市))."""
    return _ASIDE.sub("", window)


def plain(window: str) -> str:
    """A window as the rules read it: no quotation marks, no short bracketed asides (站)."""
    return _ASIDE.sub("", window).translate(QUOTE_MARKS).lstrip("、和及与 ")


def sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence: up to 。!? (with a closing quote) or a line end."""
    return [(m.start(), m.end()) for m in _SENTENCE.finditer(text) if m.end() > m.start() and text[m.start():m.end()].strip()]


def quoted_spans(sentence: str) -> list[tuple[int, int]]:
    """Spans of closed quotations and brackets; an unclosed OCR quote mark opens nothing."""
    return [m.span() for m in _QUOTED_SPAN.finditer(sentence)]


_NAME_QUOTE = re.compile(r"[“‘「《]([^“”‘’「」《》\n]{1,12})[”’」》]")
_SPEECH = re.compile(r"[,。;:!?…]")


def name_spans(sentence: str) -> list[tuple[int, int]]:
    """Spans where a number is part of a name: short quotations with no clause punctuation
    (“536”工作体系, “三个精神”, 《…》) and bracketed asides. Direct speech (“到2024年底,全年改造
    建成…200个……”) is text, and its numbers are read."""
    names = [m.span() for m in _NAME_QUOTE.finditer(sentence) if not _SPEECH.search(m.group(1))]
    asides = [m.span() for m in _QUOTED_SPAN.finditer(sentence) if sentence[m.start()] == "("]
    return names + asides


def inside_quotes(sentence: str, pos: int, spans: list[tuple[int, int]] | None = None) -> bool:
    return any(a < pos < b for a, b in (spans if spans is not None else quoted_spans(sentence)))


def clause_bounds(sentence: str) -> list[tuple[int, int]]:
    """Clauses of a sentence, split at , ; : outside quotations and brackets."""
    spans = quoted_spans(sentence)
    bounds, start = [], 0
    for i, ch in enumerate(sentence):
        if ch in _CLAUSE_DELIMS and not inside_quotes(sentence, i, spans):
            bounds.append((start, i))
            start = i + 1
    bounds.append((start, len(sentence)))
    return bounds
