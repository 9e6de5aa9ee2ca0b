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


# The longest stretch read as one sentence. Real sentences stay under ~250 characters; an OCR line
# of comma clauses with no 。 can run to megabytes, and every number looks back over its sentence,
# so such a line is read in pieces, cut after the last clause mark before the limit: the work
# stays linear in its length.
MAX_SENTENCE = 1000
_PIECE_END = re.compile(r"[,;:、 ]")


def sentences(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence: up to 。!? (with a closing quote) or a line end; one longer
    than MAX_SENTENCE in pieces of at most that length."""
    out = []
    for m in _SENTENCE.finditer(text):
        start, end = m.span()
        if end <= start or not text[start:end].strip():
            continue
        while end - start > MAX_SENTENCE:
            cut = max((p.end() for p in _PIECE_END.finditer(text, start + MAX_SENTENCE // 2, start + MAX_SENTENCE)),
                      default=start + MAX_SENTENCE)
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return out


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
