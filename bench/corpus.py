"""Synthetic corpus shared by the benchmarks and tests/trust: pages recombined from the stories of
data/raw with other Zhejiang places, scaled numbers and new issue dates; deterministic for a seed.

Usage: python bench/corpus.py OUT_DIR N [--seed S]
"""
from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RAW = ROOT / "data" / "raw"
GAZETTEER = ROOT / "data" / "gazetteer" / "zhejiang.tsv"

PAGES_PER_ISSUE = 8
WEEKDAYS = "一二三四五六日"
_MASTHEAD = re.compile(r"(20\d\d)年(\d{1,2})月(\d{1,2})日\s*星期[一二三四五六日天]")
_YEAR = re.compile(r"(?<!\d)(20\d\d)(?=年|[-—–至~]20\d\d年)")
# A number followed by a counting unit (optionally after 万/亿/余/多); ordinals (第3期), decimals
# inside other numbers and years/months/days are left alone.
_QUANTITY = re.compile(r"(?<![\d.第])(\d+(?:\.\d+)?)(?=[万亿千]?[余多]?[家人个场次名元件所户项支位条座批万亿])")


@dataclass(frozen=True)
class Story:
    text: str
    year: int            # the year of the page it comes from, to shift its own year mentions


@functools.lru_cache(maxsize=1)
def _stories() -> tuple[Story, ...]:
    """The real pages cut into stories: a story starts at a short heading-like block that follows
    a body paragraph, so recombining stories keeps each article's title, byline and body together."""
    out = []
    for path in sorted(RAW.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        m = _MASTHEAD.search(text[:3000])
        years = [int(y) for y in _YEAR.findall(text) if int(y) <= 2030]
        year = int(m.group(1)) if m else (max(years) if years else 2023)
        if m:  # drop the masthead block: the synthetic page gets its own
            text = text[text.find("\n\n", text.find("社址") if "社址" in text else m.end()):]
        blocks = [b.strip() for b in re.split(r"\n\s*\n", text) if b.strip()]
        story: list[str] = []
        for i, b in enumerate(blocks):
            heading = len(b) <= 40 and not b.endswith(("。", "”", "…", "！", "？"))
            if heading and story and not _is_heading(story[-1]):
                out.append(Story("\n\n".join(story), year))
                story = []
            story.append(b)
        if story:
            out.append(Story("\n\n".join(story), year))
    return tuple(s for s in out if len(s.text) > 200)


def _is_heading(block: str) -> bool:
    return len(block) <= 40 and not block.endswith(("。", "”", "…", "！", "？"))


@functools.lru_cache(maxsize=1)
def _places() -> tuple[list[str], dict[str, str], dict[str, list[tuple[str, str]]], dict[str, tuple[str, str]], re.Pattern]:
    """Cities, their short names, their counties as (full, short) names, each name's (kind, ref),
    and one pattern matching any city or county name, longest first."""
    cities: list[str] = []
    short: dict[str, str] = {}
    counties: dict[str, list[tuple[str, str]]] = {}
    city_name: dict[str, str] = {}
    rows = list(csv.DictReader(GAZETTEER.open(encoding="utf-8"), delimiter="\t"))
    for r in rows:
        if r["level"] == "city":
            cities.append(r["name"])
            city_name[r["code"]] = r["name"]
            short[r["name"]] = (r["short_names"].split("|")[0] or r["name"])
    for r in rows:
        if r["level"] == "county":
            s = r["short_names"].split("|")[0] or r["name"]
            counties.setdefault(city_name[r["city_code"]], []).append((r["name"], s))
    role: dict[str, tuple[str, str]] = {}
    for c in cities:
        role[c] = ("city", c)
        role[short[c]] = ("city-short", c)
    for c, cs in counties.items():
        for i, (full, s) in enumerate(cs):
            role.setdefault(full, ("county", f"{c}\t{i}"))
            if len(s) >= 2:
                role.setdefault(s, ("county-short", f"{c}\t{i}"))
    pattern = re.compile("|".join(re.escape(n) for n in sorted(role, key=len, reverse=True)))
    return cities, short, counties, role, pattern


def _place_swap(rng: random.Random):
    """A replacement function mapping every city to another city (a random permutation) and each
    county to a county of the city its own city became, so “宁波市鄞州区” stays consistent."""
    cities, short, counties, role, pattern = _places()
    target = dict(zip(cities, rng.sample(cities, len(cities))))

    def repl(m: re.Match) -> str:
        kind, ref = role[m.group(0)]
        if kind == "city":
            return target[ref]
        if kind == "city-short":
            return short[target[ref]]
        city, i = ref.split("\t")
        pool = counties[target[city]]
        full, s = pool[int(i) % len(pool)]
        return full if kind == "county" else s
    return lambda text: pattern.sub(repl, text)


def _scale_numbers(text: str, factor: float) -> str:
    def repl(m: re.Match) -> str:
        s = m.group(1)
        v = float(s) * factor
        if "." in s:
            places = len(s.split(".")[1])
            return f"{max(v, 10 ** -places):.{places}f}"
        return str(max(1, round(v)))
    return _QUANTITY.sub(repl, text)


def masthead(date: dt.date, page: int) -> str:
    return (f"{date.year}年{date.month}月{date.day}日\n星期{WEEKDAYS[date.weekday()]}\n\n"
            f"浙江工人日报\n\n第{page}版\n\n")


def page_text(i: int, seed: int = 0, start: dt.date = dt.date(2021, 1, 4)) -> str:
    """Synthetic page number `i`: the same text for the same (i, seed) whatever the corpus size."""
    rng = random.Random(seed * 1_000_003 + i)
    stories = _stories()
    date = start + dt.timedelta(days=i // PAGES_PER_ISSUE)
    swap = _place_swap(rng)
    factor = rng.uniform(0.3, 3.0)
    target = rng.randint(12_000, 22_000)
    parts, size = [], 0
    while size < target:
        s = rng.choice(stories)
        text = _YEAR.sub(lambda m, d=date.year - s.year: str(int(m.group(1)) + d), s.text)
        text = _scale_numbers(swap(text), factor)
        parts.append(text)
        size += len(text.encode("utf-8"))
    return masthead(date, i % PAGES_PER_ISSUE + 1) + "\n\n".join(parts) + "\n"


def build(out_dir: str | Path, n: int, seed: int = 0, first: int = 0) -> list[Path]:
    """Write pages `first` … `first + n - 1` as OUT_DIR/pNNNNNN.txt; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(first, first + n):
        p = out / f"p{i:06d}.txt"
        p.write_text(page_text(i, seed), encoding="utf-8")
        paths.append(p)
    return paths


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out_dir")
    ap.add_argument("n", type=int)
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args(argv)
    paths = build(a.out_dir, a.n, a.seed)
    size = sum(p.stat().st_size for p in paths)
    print(f"wrote {len(paths)} pages, {size / 1e6:.1f} MB, to {a.out_dir}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
