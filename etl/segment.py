"""Page → articles: boilerplate out, OCR line breaks repaired, repeated paragraphs dropped,
articles found at their bylines (本报讯 … 报道) and photo-news credits, headings kept apart."""
from __future__ import annotations

import functools
import re

from .model import Article
from .normalise import looks_like_heading, repair_lines
from .rules import load_yaml

BOUNDARY = "\x00"  # stands for a standalone photo credit in the line list


class _LineTest:
    """Whether any of many line patterns is found in a line: the ones anchored at the start are
    tried there only (one match instead of a search at every character), the others searched."""

    def __init__(self, patterns: list[str]):
        anchored = [p for p in patterns if p.startswith("^") and not _alternation_at_top(p)]
        free = [p for p in patterns if p not in anchored]
        self._start = re.compile("|".join(f"(?:{p[1:]})" for p in anchored)) if anchored else None
        self._free = re.compile("|".join(f"(?:{p})" for p in free)) if free else None

    def search(self, line: str) -> bool:
        return bool(self._start and self._start.match(line)) or bool(self._free and self._free.search(line))


def _alternation_at_top(pattern: str) -> bool:
    """Whether `pattern` has a | outside every group and class (then ^ anchors only its first branch)."""
    depth, in_class, escaped = 0, False, False
    for ch in pattern:
        if escaped:
            escaped = False
        elif ch == "\\":
            escaped = True
        elif in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "|" and depth == 0:
            return True
    return False


@functools.lru_cache(maxsize=1)
def _patterns():
    b = load_yaml("rules/boilerplate.yaml")
    drop = _LineTest(b["drop_lines"])
    inline = re.compile("|".join(b["drop_inline"]))
    return (drop, inline, re.compile(b["photo_credit"]), re.compile(b["photo_caption"]), re.compile(b["byline"]),
            re.compile(b["related"]))


def clean_lines(text: str) -> list[str]:
    """Non-empty lines without boilerplate, paragraphs repaired, credits and related-news markers
    turned into BOUNDARY."""
    drop, inline, credit, caption, _, related = _patterns()
    kept: list[str] = []
    for raw in text.split("\n"):
        line = inline.sub("", raw).strip()
        if not line:
            kept.append("")
            continue
        if credit.match(line) or related.match(line):
            kept.extend(["", BOUNDARY, ""])
        elif drop.search(line):
            kept.append("")
        else:
            kept.append(caption.sub("", line))
    # Repair within runs between boundaries, so a credit is never glued to text.
    out: list[str] = []
    run: list[str] = []
    for line in kept + [BOUNDARY]:
        if line == BOUNDARY:
            out.extend(repair_lines(run))
            out.append(BOUNDARY)
            run = []
        else:
            run.append(line)
    out.pop()
    return _drop_repeats(out)


def _drop_repeats(lines: list[str], window: int = 80) -> list[str]:
    """A paragraph printed twice on a page (a layout slip) keeps its first copy only; a repeat
    may be a tail of the first copy when the first one was broken across columns."""
    out: list[str] = []
    for line in lines:
        if len(line) >= 15 and any(line in earlier for earlier in out[-window:]):
            continue
        out.append(line)
    return out


def strip_markup(line: str) -> str:
    return line.strip("#* ").strip()


def is_heading(line: str) -> bool:
    if line == BOUNDARY:
        return False
    return (line.startswith("**") and line.endswith("**")) or looks_like_heading(line)


def is_caption(line: str) -> bool:
    return len(line) <= 30 and line.endswith("。") and line.count("。") == 1 and "," not in line


def byline_length(line: str) -> int:
    """Length of the byline that opens `line` (记者张浩呈报道 ), 0 if there is none."""
    m = _patterns()[4].match(strip_markup(line))
    return m.end() if m else 0


def segment(text: str, title: str | None = None) -> list[Article]:
    """Split a page's text into articles. `title`, when the source gives one, heads the first."""
    lines = clean_lines(text)
    starts = _article_starts(lines)
    articles: list[Article] = []
    for n, (a, b) in enumerate(zip(starts, starts[1:] + [len(lines)])):
        block = [l for l in lines[a:b] if l != BOUNDARY]
        art = _article(len(articles), block, title if n == 0 else None)
        if art is not None:
            articles.append(art)
    return articles


def _article_starts(lines: list[str]) -> list[int]:
    starts = {0}
    for i, line in enumerate(lines):
        if byline_length(line):
            j = i
            # A one-sentence photo caption may stand between a headline and its byline.
            if j > 1 and is_caption(lines[j - 1]) and is_heading(lines[j - 2]):
                j -= 1
            while j > 0 and is_heading(lines[j - 1]):
                j -= 1
            starts.add(j)
        elif line == BOUNDARY:
            starts.add(i + 1)
            # A photo-news item: its headline is the last heading run before the credit that
            # follows running text, when no byline came between.
            j = i - 1
            while j > 0 and not is_heading(lines[j]) and not byline_length(lines[j]) and lines[j] != BOUNDARY:
                j -= 1
            if j > 0 and is_heading(lines[j]) and not byline_length(lines[j]):
                k = j
                while k > 0 and is_heading(lines[k - 1]):
                    k -= 1
                if k > 0 and not is_heading(lines[k - 1]) and lines[k - 1] != BOUNDARY and not byline_length(lines[k - 1]):
                    starts.add(k)
    return sorted(s for s in starts if s < len(lines))


def _article(seq: int, block: list[str], title: str | None) -> Article | None:
    headings: list[str] = []
    i = 0
    while i < len(block) and not byline_length(block[i]) and (
            is_heading(block[i]) or (is_caption(block[i]) and i + 1 < len(block) and byline_length(block[i + 1]))):
        if is_heading(block[i]):
            headings.append(strip_markup(block[i]))
        i += 1
    body = block[i:]
    byline = ""
    if body:
        n = byline_length(body[0])
        if n:
            first = strip_markup(body[0])
            byline, rest = first[:n].strip(), first[n:].strip()
            body = ([rest] if rest else []) + body[1:]
    if title:
        headings = [title] + [h for h in headings if h != title]
    text = "\n".join(strip_markup(l) if is_heading(l) else l for l in body)
    if not text.strip() and not headings:
        return None
    kicker, main, subtitle = _split_headings(headings, title)
    return Article(seq, kicker, main, subtitle, byline, text, tuple(headings))


def _split_headings(headings: list[str], title: str | None) -> tuple[str, str, str]:
    """Kicker, title, subtitle: the title is the given one, else the longest heading line."""
    if not headings:
        return "", "", ""
    idx = 0 if title else max(range(len(headings)), key=lambda k: len(headings[k]))
    return " ".join(headings[:idx]), headings[idx], " ".join(headings[idx + 1:])
