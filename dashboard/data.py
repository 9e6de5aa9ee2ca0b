"""The only module that touches DuckDB: a cached read-only connection and named, parameterised queries.

No connection is opened at import time. Every query takes a `DbKey` (path, inode, mtime, size, and
the corrections file's version) so that caches and the connection follow the ETL's atomic swaps of
the database file and every correction a reviewer saves.
"""
from __future__ import annotations

import csv
import json
import os
import threading
import time
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, NamedTuple

import duckdb
import pandas as pd
import pyarrow as pa
import streamlit as st
import yaml

ROOT = Path(__file__).resolve().parent.parent
GEO_FILES = {"city": ROOT / "data" / "geo" / "zhejiang_cities.geojson",
             "county": ROOT / "data" / "geo" / "zhejiang_counties.geojson"}
POPULATION_TSV = ROOT / "data" / "population.tsv"
METRICS_YAML = ROOT / "data" / "metrics.yaml"
PROVINCE = "浙江省"
OUTSIDE = ""  # facts.city of places outside Zhejiang

_ensure_lock = threading.Lock()


# ---------------------------------------------------------------------------------------------
# Locating, building and opening the database


def db_path() -> Path:
    """`UNION_DB` overrides the ETL's default path."""
    env = os.environ.get("UNION_DB")
    if env:
        return Path(env)
    try:
        from etl.api import DEFAULT_DB
    except Exception:  # the ETL package is being edited: fall back to its documented default
        return ROOT / "build" / "union_facts.duckdb"
    return Path(DEFAULT_DB)


def raw_dir() -> Path:
    """`UNION_RAW` overrides the ETL's default folder of pages."""
    env = os.environ.get("UNION_RAW")
    if env:
        return Path(env)
    try:
        from etl.api import DEFAULT_RAW
    except Exception:
        return ROOT / "data" / "raw"
    return Path(DEFAULT_RAW)


ENSURE_EVERY = 10.0  # seconds between freshness checks (each one lists every page in data/raw/)
_last_ensured: dict[tuple[str, str], float] = {}


def ensure_database() -> Path:
    """Ask the ETL to build or refresh the database; one build at a time per process, and at most
    one freshness check every ENSURE_EVERY seconds while the file exists.

    `UNION_NO_BUILD=1` uses the file as it is (benchmark and synthetic test databases, which a
    rebuild from data/raw/ would otherwise extend with the real pages)."""
    path = db_path()
    if os.environ.get("UNION_NO_BUILD", "") not in ("", "0"):
        return path
    from etl.api import ensure_database as _ensure

    pair = (str(path), str(raw_dir()))
    with _ensure_lock:
        if path.exists() and time.monotonic() - _last_ensured.get(pair, -ENSURE_EVERY) < ENSURE_EVERY:
            return path
        built = Path(_ensure(path, raw_dir()))
        _last_ensured[pair] = time.monotonic()
        return built


def corrections_path() -> Path:
    """The researchers' corrections (JSON Lines); `UNION_CORRECTIONS` overrides data/corrections.jsonl."""
    env = os.environ.get("UNION_CORRECTIONS")
    return Path(env) if env else ROOT / "data" / "corrections.jsonl"


class DbKey(NamedTuple):
    """Identity of one version of the database file and of the corrections file; changes when the
    ETL swaps in a new database or a reviewer saves a correction."""

    path: str
    ino: int
    mtime_ns: int
    size: int
    review: tuple = ()  # (corrections path, inode, size, mtime_ns); the path alone while there is no file

    def file_key(self) -> "DbKey":
        return self._replace(review=())


def current_key() -> DbKey:
    p = db_path().resolve()
    s = os.stat(p)
    c = corrections_path()
    try:
        cs = os.stat(c)
        review: tuple = (str(c), cs.st_ino, cs.st_size, cs.st_mtime_ns)
    except FileNotFoundError:
        review = (str(c),)
    return DbKey(str(p), s.st_ino, s.st_mtime_ns, s.st_size, review)


def _sql_literal(text: str) -> str:
    # ATTACH takes no parameters; the path comes from configuration, quoted all the same.
    return "'" + text.replace("'", "''") + "'"


# The dashboard's snapshot of fact_view: the view's window function (`counted`) costs ~100 ms per
# query at a million facts, so it is evaluated once per file version into an in-memory table.
# `fact_view` here is the database's own view replayed over the corrected facts (see the review
# overlay below), so corrections reach every page and the counting rule stays in etl/schema.sql.
ORD_GAP = 1024  # ord leaves room between neighbours: an added fact slots in without renumbering
_FV_SELECT = f"""
SELECT v.*,
       coalesce(year(v.period_end), year(v.period_start), year(v.issue_date)) AS year,
       CASE WHEN v.initiative IS NULL OR trim(v.initiative) = '' THEN []::VARCHAR[]
            ELSE list_filter(list_transform(string_split(v.initiative, '|'), lambda x: trim(x)), lambda x: x <> '')
       END AS initiatives,
       r.level AS region_level,
       -- what the counting rules (sql/counting.sql) read: each fact's depth and period, from its own row only
       CASE WHEN v.region_code IS NULL THEN NULL
            ELSE CASE r.level WHEN 'province' THEN 0 WHEN 'city' THEN 1 WHEN 'county' THEN 2 WHEN 'town' THEN 3 END
       END AS depth,
       least(coalesce(v.period_start, v.period_end, v.issue_date), coalesce(v.period_end, v.period_start, v.issue_date))
           AS p_start,
       greatest(coalesce(v.period_start, v.period_end, v.issue_date), coalesce(v.period_end, v.period_start, v.issue_date))
           AS p_end,
       least(coalesce(v.period_end, v.issue_date), coalesce(v.issue_date, v.period_end)) AS as_of,
       -- the tables' order (newest issue first, then position in the article), as one integer
       a.seq AS article_seq,
       row_number() OVER (ORDER BY v.issue_date DESC NULLS LAST, v.doc, a.seq, v.article_id,
                                   v.evidence_start NULLS LAST, v.fact_id) * {ORD_GAP} AS ord
FROM fact_view v
LEFT JOIN src.regions r ON r.code = v.region_code
LEFT JOIN src.articles a ON a.article_id = v.article_id"""
_FVC_COLUMNS = """ord, metric, kind, value, approx, region, region_code, city, county, city_code, county_code,
       region_level, year, issue_date, initiatives, article_id, counted,
       fact_id, part_of, target_type, depth, p_start, p_end, as_of, date_source, review, doubts"""
_ARTS_SELECT = """
SELECT article_id, any_value(article_title) AS title, any_value(doc) AS doc, any_value(issue_date) AS issue_date,
       count(*) AS n_facts, min(ord) AS ord
FROM fv {where} GROUP BY article_id"""
_SNAPSHOT_SQL = f"""
CREATE TABLE fv AS {_FV_SELECT}
ORDER BY ord;  -- stored in table order: the default, unfiltered table reads its pages without sorting
-- Aggregates read only counted facts: a slim copy of them, stored by metric and kind so that DuckDB's
-- zone maps skip the row groups of other metrics (the table above stays in display order for paging).
CREATE TABLE fvc AS
SELECT {_FVC_COLUMNS}
FROM fv WHERE counted ORDER BY metric, kind, ord;
CREATE TABLE arts AS {_ARTS_SELECT.format(where="")} ORDER BY ord;
"""
# 仅已核对: the reviewed facts (confirmed, corrected, added) that count when only they are read — the
# file's own fact_view replayed over them alone (a reviewed reprint counts when its first printing is
# not reviewed), in fvc's shape, so that the counting rules read them as they read fvc. Rebuilt after
# every change; it is small (what people have reviewed), its source a scan of fv's `review`.
_FVR_SQL = f"""CREATE OR REPLACE TABLE fvr AS
SELECT * REPLACE (true AS counted) FROM (SELECT {_FVC_COLUMNS} FROM _rv) r
WHERE fact_id IN (SELECT fact_id FROM fact_view WHERE counted)
ORDER BY metric, kind, ord"""


@st.cache_resource(max_entries=1, show_spinner="正在载入数据库……")
def _snapshot(key: DbKey, corrections: str) -> "_Snapshot":
    """One snapshot per file version. The file is ATTACHed READ_ONLY to a fresh in-memory
    instance: `duckdb.connect(path)` would hand back the cached instance of the *old* file after
    an os.replace while any cursor on it is still alive."""
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH {_sql_literal(key.path)} AS src (READ_ONLY)")
    snap = _Snapshot(con, Path(corrections))
    snap.build()
    return snap


def _database(key: DbKey) -> duckdb.DuckDBPyConnection:
    """The snapshot's connection, with every correction saved up to `key` applied."""
    snap = _snapshot(key.file_key(), key.review[0] if key.review else str(corrections_path()))
    snap.sync(key.review)
    return snap.con


def _query(key: DbKey, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> pd.DataFrame:
    cur = _database(key).cursor()  # a cursor per call: connections are not shared across threads
    try:
        return cur.execute(sql, list(params)).df()
    finally:
        cur.close()


def _arrow(key: DbKey, sql: str, params: list[Any] | tuple[Any, ...] = ()) -> pa.Table:
    cur = _database(key).cursor()
    try:
        return cur.sql(sql, params=list(params)).to_arrow_table()
    finally:
        cur.close()


# ---------------------------------------------------------------------------------------------
# Filters


@dataclass(frozen=True)
class FactFilter:
    """The filters of every page; each field narrows the facts, empty means 'all'.

    `cities` holds facts.city values (city names, 浙江省, or "" for outside Zhejiang).
    `region_codes` selects regions by code; with `include_sub` their sub-regions come along.
    `levels` holds regions.level values (province, city, county, town) or 'outside'.
    `zhejiang` keeps facts about Zhejiang or a place in it (the province-wide totals).
    `issued` is a range of issue dates (ISO strings, inclusive).
    `period` (ISO dates, inclusive) keeps the facts of that period as the counting rules read them:
    increments whose period lies inside it, totals dated in it, targets in force during it.
    """

    metrics: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    cities: tuple[str, ...] = ()
    counties: tuple[str, ...] = ()
    initiatives: tuple[str, ...] = ()
    approx: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()
    years: tuple[int, int] | None = None
    issued: tuple[str, str] | None = None
    period: tuple[str, str] | None = None
    text: str = ""
    counted_only: bool = False
    zhejiang: bool = False
    region_codes: tuple[str, ...] = ()
    include_sub: bool = True
    article_id: str | None = None
    reviewed_only: bool = False  # 仅已核对: facts a person confirmed, corrected or added

    def where(self) -> tuple[str, list[Any]]:
        """SQL condition over `fv` and its parameters. Only fixed fragments are concatenated;
        every user value travels as a `?` parameter."""
        conds: list[str] = ["TRUE"]
        params: list[Any] = []
        for col, values in (("metric", self.metrics), ("kind", self.kinds),
                            ("coalesce(city, '')", self.cities), ("county", self.counties),
                            ("approx", self.approx), ("coalesce(region_level, 'outside')", self.levels)):
            if values:
                conds.append(f"list_contains(?::VARCHAR[], {col})")
                params.append(list(values))
        if self.initiatives:
            conds.append("list_has_any(initiatives, ?::VARCHAR[])")
            params.append(list(self.initiatives))
        if self.years is not None:
            conds.append("year BETWEEN ? AND ?")
            params += [int(self.years[0]), int(self.years[1])]
        if self.issued is not None:  # ISO dates, inclusive
            conds.append("issue_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)")
            params += [str(self.issued[0]), str(self.issued[1])]
        if self.period is not None:
            conds.append("""(CASE kind WHEN 'increment' THEN p_start >= CAST(? AS DATE) AND p_end <= CAST(? AS DATE)
                                      WHEN 'total' THEN as_of BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)
                                      ELSE coalesce(issue_date, p_end) <= CAST(? AS DATE)
                                           AND p_end >= CAST(? AS DATE) END)""")
            s, e = str(self.period[0]), str(self.period[1])
            params += [s, e, s, e, e, s]
        if self.text.strip():
            conds.append("contains(lower(evidence), lower(?))")
            params.append(self.text.strip())
        if self.zhejiang:  # the ETL's contract: region_code is NULL exactly for places outside Zhejiang
            conds.append("region_code IS NOT NULL")
        if self.region_codes:
            if self.include_sub:
                conds.append("(list_contains(?::VARCHAR[], region_code) OR list_contains(?::VARCHAR[], city_code)"
                             " OR list_contains(?::VARCHAR[], county_code))")
                params += [list(self.region_codes)] * 3
            else:
                conds.append("list_contains(?::VARCHAR[], region_code)")
                params.append(list(self.region_codes))
        if self.article_id:
            conds.append("article_id = ?")
            params.append(self.article_id)
        if self.reviewed_only:  # fv, fvc and fvr all carry `review`
            conds.append("review IN ('confirmed', 'corrected', 'added')")
        if self.counted_only:
            conds.append(self.counted_sql())
        return " AND ".join(conds), params

    def counted_sql(self) -> str:
        """Whether a row of fv is the occurrence that counts: among all facts, or (仅已核对) among
        the reviewed ones (fvr)."""
        return _IN_FVR.format(t="") if self.reviewed_only else "counted"


_IN_FVR = "{t}ord IN (SELECT ord FROM fvr)"  # a row of fv that counts among the reviewed facts


def _counted(flt: FactFilter) -> str:
    """Table for aggregates over counted facts: the slim copy (of the reviewed facts for 仅已核对),
    unless the filter searches evidence."""
    if flt.text.strip():
        return "fv"
    return "fvr" if flt.reviewed_only else "fvc"


# Columns of the fact table, shared by the page table and the downloads.
FACT_COLUMNS = """fact_id, article_id, doc, issue_date, date_source, metric, metric_label, kind, target_type, value,
    unit, approx, region, region_code, city, county, town, period_label, period_start, period_end, initiative,
    evidence, article_title, part_of, counted, review, original_value, reviewed_by, reviewed_at, review_note,
    corrected_fields"""


def fact_select(alias: str = "", counted: str | None = None) -> str:
    """FACT_COLUMNS, of table `alias` when given, with `counted` read as the SQL `counted` when given
    (仅已核对: whether the row counts among the reviewed facts)."""
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"({counted}) AS counted" if counted and c.strip() == "counted" else prefix + c.strip()
                     for c in FACT_COLUMNS.split(","))


FACT_ORDER = "ord"  # = issue_date DESC NULLS LAST, doc, article seq, article_id, evidence_start, fact_id


# ---------------------------------------------------------------------------------------------
# Reference tables


@st.cache_data(show_spinner=False, max_entries=16)
def metric_table(key: DbKey) -> pd.DataFrame:
    """metric, label, unit, core, sort_order — from the database, else from data/metrics.yaml."""
    df = _query(key, "SELECT metric, label, unit, core, sort_order FROM src.metrics ORDER BY sort_order, metric")
    if df.empty:
        spec = yaml.safe_load(METRICS_YAML.read_text(encoding="utf-8"))
        df = pd.DataFrame([{"metric": k, "label": v["label"], "unit": v["unit"], "core": bool(v["core"]),
                            "sort_order": i} for i, (k, v) in enumerate(spec.items())])
    return df.reset_index(drop=True)


def core_metrics(key: DbKey) -> list[str]:
    m = metric_table(key)
    return m.loc[m.core.astype(bool), "metric"].tolist()


def _population_tsv() -> tuple[dict[str, int], dict[str, str]]:
    pop: dict[str, int] = {}
    src: dict[str, str] = {}
    if POPULATION_TSV.exists():
        with POPULATION_TSV.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                if row.get("population_2020"):
                    pop[row["code"]] = int(row["population_2020"])
                    src[row["code"]] = row.get("source") or ""
    return pop, src


@st.cache_data(show_spinner=False, max_entries=16)
def region_table(key: DbKey) -> pd.DataFrame:
    """Regions with their 2020 census population (database first, data/population.tsv second)
    and where that number comes from; population is NA where neither has it."""
    df = _query(key, """SELECT code, name, level, parent_code, nullif(city_code, '') AS city_code,
                               nullif(county_code, '') AS county_code, population_2020
                        FROM src.regions WHERE level IN ('province', 'city', 'county')
                        ORDER BY code""")
    pop, src = _population_tsv()
    pops, sources = [], []
    for code, p in zip(df["code"], df["population_2020"]):
        if code in pop:  # the reference file carries the source, so prefer it when it has the code
            pops.append(pop[code])
            sources.append(src.get(code, ""))
        elif pd.notna(p):
            pops.append(int(p))
            sources.append("数据库 regions 表（2020年人口普查）")
        else:
            pops.append(None)
            sources.append("")
    df["population_2020"] = pd.array(pops, dtype="Int64")
    df["population_source"] = sources
    return df


@st.cache_data(show_spinner=False, max_entries=16)
def filter_options(key: DbKey) -> dict[str, Any]:
    """Choices for the filter widgets: stable reference lists so that bookmarked URLs stay valid."""
    regions = region_table(key)
    cities = regions[regions.level == "city"]
    counties = regions[regions.level == "county"]
    city_name = dict(zip(cities.code, cities.name))
    inis = _query(key, """SELECT i AS name, count(*) AS n FROM (SELECT unnest(initiatives) AS i FROM fv)
                          GROUP BY 1 ORDER BY n DESC, name""")
    years = _query(key, "SELECT min(year) AS lo, max(year) AS hi FROM fv").iloc[0]
    # The pages open on the latest year in which at least half of the core metrics have new numbers
    # (for a period within that year, in Zhejiang, not after the last issue); else the latest with any.
    core = core_metrics(key)
    latest = _query(key, """WITH y AS (SELECT year(p_end) AS y, count(DISTINCT metric) AS n FROM fvc
                                       WHERE kind = 'increment' AND depth IS NOT NULL AND year(p_start) = year(p_end)
                                         AND p_end <= (SELECT max(issue_date) FROM fvc)
                                         AND list_contains(?::VARCHAR[], metric) GROUP BY 1)
                            SELECT coalesce(max(y) FILTER (WHERE n * 2 >= ?), max(y)) FROM y""",
                    [core, len(core)]).iloc[0, 0]
    other_cities = _query(key, """SELECT DISTINCT coalesce(city, '') AS city FROM fv""")["city"].tolist()
    city_opts = list(cities.name) + [PROVINCE, OUTSIDE]
    # A city the ETL wrote that the gazetteer does not know would otherwise be unreachable.
    city_opts += sorted(c for c in other_cities if c not in city_opts)
    return {
        "cities": city_opts,
        "counties": [(n, city_name.get(c, "")) for n, c in zip(counties.name, counties.city_code)],
        "initiatives": inis["name"].tolist(),
        "years": (None if pd.isna(years.lo) else int(years.lo), None if pd.isna(years.hi) else int(years.hi)),
        "default_year": None if pd.isna(latest) else int(latest),
    }


@st.cache_data(show_spinner=False, max_entries=16)
def db_info(key: DbKey) -> dict[str, Any]:
    row = _query(key, """SELECT (SELECT count(*) FROM src.documents) AS documents,
                                (SELECT count(*) FROM src.articles) AS articles,
                                (SELECT count(*) FROM fv) AS facts,
                                (SELECT count(*) FROM fv WHERE counted) AS counted,
                                (SELECT min(issue_date) FROM src.documents) AS first_issue,
                                (SELECT max(issue_date) FROM src.documents) AS last_issue,
                                (SELECT count(DISTINCT issue_date) FROM src.documents) AS issue_dates,
                                (SELECT string_agg(DISTINCT paper, '、') FROM src.documents) AS papers""").iloc[0]
    return {k: (None if pd.isna(v) else v) for k, v in row.items()}


@st.cache_data(show_spinner=False, max_entries=16)
def papers(key: DbKey) -> pd.DataFrame:
    """The papers and sites the documents come from (documents.paper, else 浙江工人日报), with their
    number of documents, most first."""
    return _query(key, """SELECT coalesce(nullif(trim(paper), ''), '浙江工人日报') AS paper, count(*) AS n_docs
                          FROM src.documents GROUP BY 1 ORDER BY n_docs DESC, paper""")


@st.cache_resource(show_spinner=False, max_entries=4)
def geojson(level: str, mtime_ns: int | None = None) -> dict | None:
    """Boundaries of the 11 cities or the 90 counties; None when the file is not there. One shared
    object, never copied (cache_data would unpickle the 0.2–0.4 MB of shapes on every run): callers
    only read it."""
    path = GEO_FILES[level]
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def geojson_for(level: str) -> dict | None:
    path = GEO_FILES[level]
    return geojson(level, path.stat().st_mtime_ns if path.exists() else None)


# ---------------------------------------------------------------------------------------------
# Figures — what the dashboard adds up, by the counting rules of sql/counting.sql


SQL_DIR = Path(__file__).resolve().parent / "sql"
LEVEL_DEPTH = {"province": 0, "city": 1, "county": 2}
PROVINCE_CODE = "330000"


def named_sql(path: Path) -> dict[str, str]:
    """The `-- name: x` blocks of a .sql file (aiosql's layout), comments kept."""
    blocks: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("-- name:"):
            current = blocks.setdefault(line.split(":", 1)[1].strip(), [])
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines).strip() for name, lines in blocks.items()}


_RULES: dict[str, str] = {}


def counting_rule(kind: str) -> str:
    """The named query of sql/counting.sql that judges facts of `kind` (read once)."""
    if not _RULES:
        _RULES.update(named_sql(SQL_DIR / "counting.sql"))
    return _RULES[{"increment": "increments", "total": "totals", "target": "targets"}[kind]]


@dataclass(frozen=True)
class Measure:
    """One set of figures: facts of one kind and some metrics over a period, per region, per
    initiative or per region and year.

    `span` is a pair of ISO dates (inclusive). The figures are about the regions at `level`
    (inside `within`, a city's code, when given), or about the regions in `regions` (codes of any
    level), or — `by="initiative"` — about each initiative inside `within` (the province if None).
    `by="year"` splits each region's figure into calendar years (increments whose period lies in one
    year; totals dated in that year). `initiative` keeps only the facts under it. `reviewed_only`
    (仅已核对) reads only the facts a person confirmed, corrected or added, and the counting rules
    judge them among themselves (fvr instead of fvc).
    """

    kind: str
    metrics: tuple[str, ...]
    span: tuple[str, str]
    level: str = "province"
    within: str | None = None
    regions: tuple[str, ...] = ()
    by: str = "region"
    initiative: str | None = None
    reviewed_only: bool = False

    def table(self) -> str:
        return "fvr" if self.reviewed_only else "fvc"


_CAND_COLUMNS = ("f.ord, f.fact_id, f.part_of, f.metric, f.value, f.approx, f.region_code, f.depth, f.city_code,"
                 " f.county_code, f.p_start, f.p_end, f.as_of, f.target_type, f.date_source, f.review,"
                 " coalesce(contains(f.doubts, 'subgroup_stock'), false) AS subgroup")
# A region's subtree, by the level of the region: fixed fragments, the code travels as a parameter.
_SUBTREE = {0: "f.region_code IS NOT NULL", 1: "f.city_code = {c}", 2: "f.county_code = {c}"}


def _depth_of(code: str | None, depths: dict[str, int]) -> int:
    return 0 if code in (None, PROVINCE_CODE) else depths[code]


def _candidates(m: Measure, depths: dict[str, int]) -> tuple[str, list[Any]]:
    """SQL of `cand` (the contract of sql/counting.sql) for a measure, and its parameters."""
    if m.kind not in ("increment", "total", "target"):
        raise ValueError(f"unknown kind {m.kind!r}")
    s, e = str(m.span[0]), str(m.span[1])
    conds = ["f.kind = ?", "list_contains(?::VARCHAR[], f.metric)", "f.depth IS NOT NULL"]
    params: list[Any] = [m.kind, list(m.metrics)]
    if m.kind == "increment":                      # its period lies inside the span
        conds.append("f.p_start >= CAST(? AS DATE) AND f.p_end <= CAST(? AS DATE)")
        params += [s, e]
        if m.by == "year":
            conds.append("year(f.p_start) = year(f.p_end)")
    elif m.kind == "total":                        # dated no later than the span's end
        conds.append("f.as_of <= CAST(? AS DATE)")
        params.append(e)
        if m.by == "year":
            conds.append("f.as_of >= CAST(? AS DATE)")
            params.append(s)
    else:                                          # in force during the span
        conds.append("coalesce(f.issue_date, f.p_end) <= CAST(? AS DATE) AND f.p_end >= CAST(? AS DATE)")
        params += [e, s]
    if m.initiative:
        conds.append("list_contains(f.initiatives, ?)")
        params.append(m.initiative)
    year = "f.as_of" if m.kind == "total" else "f.p_end"

    def part(grp: str, gdepth: int, where: str, where_params: list, key: str = "f.ord",
             columns: str = _CAND_COLUMNS, grp_params: tuple = ()) -> tuple[str, list]:
        own = f" AND f.depth = {gdepth}" if m.kind != "increment" and m.by != "initiative" else ""
        if m.by == "year":
            grp = f"{grp} || '|' || CAST(year({year}) AS VARCHAR)"
        sql = (f"SELECT {columns}, {grp} AS grp, {key} AS key, {gdepth} AS gdepth FROM {m.table()} f "
               f"WHERE {' AND '.join(conds)} AND f.depth >= {gdepth} AND {where}{own}")
        return sql, [*grp_params, *params, *where_params]

    parts: list[tuple[str, list]] = []
    if m.by == "initiative":
        # filtered before the lists are unnested, so that the scan skips the other metrics and kinds;
        # key: the fact's place in the table and the initiative's place in its list
        g = _depth_of(m.within, depths)
        inner, inner_params = part("NULL", g, _SUBTREE[g].format(c="?"), [] if g == 0 else [m.within],
                                   columns=_CAND_COLUMNS + ", f.initiatives")
        sql = (f"SELECT * EXCLUDE (ini, ini_i, initiatives) REPLACE (ini AS grp, key * 64 + ini_i AS key) FROM ("
               f"SELECT *, unnest(f.initiatives) AS ini, unnest(generate_series(1, len(f.initiatives))) AS ini_i "
               f"FROM ({inner}) f)")
        return sql, inner_params
    if m.regions:
        codes = list(dict.fromkeys(m.regions))
        if len(codes) > 8:
            raise ValueError("at most 8 regions at a time")
        for i, code in enumerate(codes):
            g = _depth_of(code, depths)
            parts.append(part("CAST(? AS VARCHAR)", g, _SUBTREE[g].format(c="?"), [] if g == 0 else [code],
                              key=f"f.ord * 8 + {i}", grp_params=(code,)))
    else:
        g = LEVEL_DEPTH[m.level]
        grp = {0: f"'{PROVINCE_CODE}'", 1: "f.city_code", 2: "f.county_code"}[g]
        where = f"{grp} IS NOT NULL" if g else "TRUE"
        extra: list = []
        if m.within:
            wd = _depth_of(m.within, depths)
            if wd >= g:
                raise ValueError("figures inside a region are about regions below it")
            where += " AND " + _SUBTREE[wd].format(c="?")
            extra = [] if wd == 0 else [m.within]
        parts.append(part(grp, g, where, extra))
    sql = " UNION ALL ".join(p for p, _ in parts)
    return sql, [x for _, ps in parts for x in ps]


def _judged(key: DbKey, m: Measure) -> tuple[str, list[Any]]:
    """`WITH cand AS (…), judged AS (<counting rule>)`: every candidate with `dropped`."""
    depths = _region_depths(key)
    cand, params = _candidates(m, depths)
    return f"WITH cand AS ({cand}), judged AS ({counting_rule(m.kind)})", params


@st.cache_data(show_spinner=False, max_entries=16)
def _region_depths(key: DbKey) -> dict[str, int]:
    rows = _query(key, "SELECT code, level FROM src.regions WHERE level IN ('province', 'city', 'county')")
    return {c: LEVEL_DEPTH[lv] for c, lv in zip(rows.code, rows.level)}


@st.cache_data(show_spinner=False, max_entries=256)
def figures(key: DbKey, m: Measure) -> pd.DataFrame:
    """One row per figure and metric: the sum of the facts that count (`value`, `n`, `approxes`),
    how many of them are the figure's region's own (`n_own`) or fill in from below (`n_below`),
    the span of their periods or dates, how many candidates the rules left out (`n_left_out`), and
    how many that count were read against an inferred issue date (`n_inferred`: their period is
    inferred too).
    Totals: one latest total per region, so a figure about one region is that total. Targets are
    never added: use `target_list`."""
    if m.kind == "target":
        raise ValueError("targets are never added; list them with target_list")
    head, params = _judged(key, m)
    df = _query(key, f"""{head}
        SELECT grp, metric,
               sum(value) FILTER (WHERE dropped IS NULL) AS value,
               count(*) FILTER (WHERE dropped IS NULL) AS n,
               coalesce(list(DISTINCT approx ORDER BY approx) FILTER (WHERE dropped IS NULL), []) AS approxes,
               count(*) FILTER (WHERE dropped IS NULL AND depth = gdepth) AS n_own,
               count(*) FILTER (WHERE dropped IS NULL AND depth > gdepth) AS n_below,
               count(DISTINCT region_code) FILTER (WHERE dropped IS NULL) AS n_regions,
               min(p_start) FILTER (WHERE dropped IS NULL) AS first_start,
               max(p_end) FILTER (WHERE dropped IS NULL) AS last_end,
               min(as_of) FILTER (WHERE dropped IS NULL) AS first_as_of,
               max(as_of) FILTER (WHERE dropped IS NULL) AS last_as_of,
               count(*) FILTER (WHERE dropped IS NOT NULL) AS n_left_out,
               -- how many of the facts that count a person has confirmed, corrected or added
               count(*) FILTER (WHERE dropped IS NULL AND review IN ('confirmed', 'corrected', 'added')) AS n_reviewed,
               -- periods and dates read against an issue date that was itself inferred
               count(*) FILTER (WHERE dropped IS NULL AND date_source = 'inferred') AS n_inferred
        FROM judged GROUP BY grp, metric HAVING count(*) FILTER (WHERE dropped IS NULL) > 0
        ORDER BY metric, value DESC, grp""", params)
    if m.by == "year" and not df.empty:
        split = df["grp"].str.rsplit("|", n=1, expand=True)
        df = df.assign(grp=split[0], year=split[1].astype(int))
    return df


def _narrowed(m: Measure, grp: str | None, metric: str | None) -> Measure:
    """The same figures, computed only for one of them: the rules never look across metrics or
    across figures, so one metric's (one region's) candidates give exactly its facts."""
    if metric is not None:
        m = replace(m, metrics=(metric,))
    if grp is not None and m.by == "region":
        m = replace(m, regions=(grp,), level="province", within=None)
    elif grp is not None and m.by == "initiative":
        m = replace(m, initiative=grp)
    return m


def _figure_fact_columns(m: Measure) -> str:
    """The fact columns of a figure's facts (`counted`: among the reviewed facts for 仅已核对)."""
    return fact_select("f", _IN_FVR.format(t="f.") if m.reviewed_only else None)


def figure_facts_sql(key: DbKey, m: Measure, grp: str | None, metric: str | None) -> tuple[str, list[Any]]:
    head, params = _judged(key, _narrowed(m, grp, metric))
    return (f"""{head}
        SELECT j.grp, j.dropped, {_figure_fact_columns(m)}
        FROM judged j JOIN fv f ON f.ord = j.ord
        WHERE (?::VARCHAR IS NULL OR j.grp = ?) AND (?::VARCHAR IS NULL OR j.metric = ?)
        ORDER BY j.grp, j.metric, j.dropped NULLS FIRST, f.p_end DESC NULLS LAST, f.value DESC, f.ord""",
            params + [grp, grp, metric, metric])


@st.cache_data(show_spinner=False, max_entries=256)
def figure_facts(key: DbKey, m: Measure, grp: str | None = None, metric: str | None = None,
                 limit: int = 1000) -> pd.DataFrame:
    """The facts behind figures (one figure's with `grp` and `metric`): the ones that count first
    (`dropped` NULL), then those the rules left out, with the reason."""
    sql, params = figure_facts_sql(key, m, grp, metric)
    return _query(key, f"{sql} LIMIT ?", params + [int(limit)])


@st.cache_data(show_spinner=False, max_entries=256)
def target_list(key: DbKey, m: Measure) -> pd.DataFrame:
    """Targets in force during the span, by deadline, never added (with `grp` and `dropped`)."""
    if m.kind != "target":
        raise ValueError("target_list lists targets")
    head, params = _judged(key, m)
    return _query(key, f"""{head}
        SELECT j.grp, j.dropped, {_figure_fact_columns(m)}, f.p_end AS deadline
        FROM judged j JOIN fv f ON f.ord = j.ord
        ORDER BY f.p_end, j.grp, f.metric, f.target_type NULLS LAST, f.value DESC, f.ord""", params)


def sum_of_figures(figs: pd.DataFrame) -> pd.DataFrame:
    """Per metric, the sum of several regions' figures (各区县之和): a different figure from any
    region's own, to be labelled as such. `n_regions` counts the figures added."""
    if figs.empty:
        return pd.DataFrame(columns=["metric", "value", "n", "approxes", "n_regions", "first_start", "last_end",
                                     "first_as_of", "last_as_of", "n_inferred", "n_reviewed"])
    return (figs.groupby("metric", as_index=False)
            .agg(value=("value", "sum"), n=("n", "sum"), approxes=("approxes", lambda s: sorted({a for x in s for a in x})),
                 n_regions=("grp", "nunique"), first_start=("first_start", "min"), last_end=("last_end", "max"),
                 first_as_of=("first_as_of", "min"), last_as_of=("last_as_of", "max"),
                 n_inferred=("n_inferred", "sum"), n_reviewed=("n_reviewed", "sum")))


@st.cache_data(show_spinner=False, max_entries=256)
def fact_counts(key: DbKey, flt: FactFilter) -> pd.DataFrame:
    """Per metric and kind: how many of the filtered facts count (`counted`), and how many in all.
    Nothing is added: the filtered facts mix periods, regions and levels."""
    where, params = flt.where()
    return _query(key, f"""
        SELECT metric, kind, count(*) FILTER (WHERE {flt.counted_sql()}) AS n, count(*) AS n_all,
               count(*) FILTER (WHERE review IN ('confirmed', 'corrected', 'added')) AS n_reviewed
        FROM fv WHERE {where} GROUP BY metric, kind ORDER BY metric, kind""", params)


# ---------------------------------------------------------------------------------------------
# Fact rows


@st.cache_data(show_spinner=False, max_entries=256)
def fact_count(key: DbKey, flt: FactFilter) -> int:
    where, params = flt.where()
    return int(_query(key, f"SELECT count(*) AS n FROM fv WHERE {where}", params).iloc[0, 0])


@st.cache_data(show_spinner=False, max_entries=256)
def fact_rows(key: DbKey, flt: FactFilter, limit: int = 200, offset: int = 0) -> pd.DataFrame:
    """One page of facts (all occurrences, `counted` says which one aggregates use)."""
    where, params = flt.where()
    return _query(key, f"SELECT {fact_select(counted=flt.counted_sql())} FROM fv WHERE {where} "
                       f"ORDER BY {FACT_ORDER} LIMIT ? OFFSET ?", params + [int(limit), int(offset)])


def export_rows(key: DbKey, flt: FactFilter) -> pa.Table:
    """Every filtered fact, in the table's order, with exact DECIMAL values (not cached: large)."""
    where, params = flt.where()
    return _arrow(key, f"SELECT {fact_select(counted=flt.counted_sql())} FROM fv WHERE {where} ORDER BY {FACT_ORDER}",
                  params)


# ---------------------------------------------------------------------------------------------
# Articles


@st.cache_data(show_spinner=False, max_entries=256)
def article(key: DbKey, article_id: str) -> dict[str, Any] | None:
    df = _query(key, """
        SELECT a.article_id, a.doc_id, a.seq, a.kicker, a.title, a.subtitle, a.byline, a.text,
               a.region, a.initiative, d.doc, d.paper, d.issue_date, d.date_source, d.url, d.source_file
        FROM src.articles a JOIN src.documents d USING (doc_id) WHERE a.article_id = ?""", [article_id])
    if df.empty:
        return None
    return {k: (None if (not isinstance(v, (list, dict)) and pd.isna(v)) else v)
            for k, v in df.iloc[0].to_dict().items()}


@st.cache_data(show_spinner=False, max_entries=256)
def article_facts(key: DbKey, article_id: str) -> pd.DataFrame:
    return _query(key, f"""
        SELECT {FACT_COLUMNS}, evidence_start, evidence_end, value_start, value_end
        FROM fv WHERE article_id = ? ORDER BY value_start NULLS LAST, evidence_start NULLS LAST, fact_id""",
                  [article_id])


@st.cache_data(show_spinner=False, max_entries=256)
def article_list(key: DbKey, title_query: str = "", limit: int = 200, offset: int = 0) -> pd.DataFrame:
    """Articles that hold facts, newest first, optionally by words in the title."""
    tq = title_query.strip()
    return _query(key, """
        SELECT article_id, title, doc, issue_date, n_facts FROM arts
        WHERE ? = '' OR contains(lower(coalesce(title, '')), lower(?))
        ORDER BY ord LIMIT ? OFFSET ?""", [tq, tq, int(limit), int(offset)])


@st.cache_data(show_spinner=False, max_entries=64)
def article_count(key: DbKey, title_query: str = "") -> int:
    tq = title_query.strip()
    return int(_query(key, "SELECT count(*) FROM arts WHERE ? = '' OR contains(lower(coalesce(title, '')), lower(?))",
                      [tq, tq]).iloc[0, 0])


# ---------------------------------------------------------------------------------------------
# Initiatives


@st.cache_data(show_spinner=False, max_entries=128)
def initiative_places(key: DbKey, flt: FactFilter, by: str = "city") -> pd.DataFrame:
    """Counted facts per initiative and place — a city, 浙江省 or 省外 (`by="city"`), or inside one
    city a county, the city's own facts as 市本级 (`by="county"`) — with the number of distinct
    regions; one query serves the ranking and each initiative's chart. Regions are told apart by
    code (town names repeat across counties); a repeat or reprint shares its region with the counted
    occurrence, so counted facts reach every region."""
    where, params = flt.where()
    place = ("coalesce(nullif(city, ''), '省外')" if by == "city"
             else "coalesce(nullif(county, ''), CASE WHEN region_level = 'city' THEN '市本级' ELSE coalesce(nullif(city, ''), '省外') END)")
    return _query(key, f"""
        SELECT i AS initiative, {place} AS place, count(*) AS n_facts,
               count(DISTINCT coalesce(region_code, region)) AS n_regions,
               count(*) FILTER (WHERE review IN ('confirmed', 'corrected', 'added')) AS n_reviewed
        FROM (SELECT unnest(initiatives) AS i, city, county, region, region_code, region_level, review
              FROM {_counted(flt)} WHERE {flt.counted_sql()} AND {where})
        GROUP BY ALL ORDER BY initiative, n_facts DESC, place""", params)


def initiative_rank(places: pd.DataFrame) -> pd.DataFrame:
    """Initiatives with their counted facts, regions and cities (from initiative_places)."""
    if places.empty:
        return pd.DataFrame(columns=["initiative", "n_facts", "n_regions", "n_cities", "n_reviewed"])
    city = ~places["place"].isin([PROVINCE, "省外", "市本级"])
    out = places.assign(is_city=city.astype(int)).groupby("initiative", as_index=False).agg(
        n_facts=("n_facts", "sum"), n_regions=("n_regions", "sum"), n_cities=("is_city", "sum"),
        n_reviewed=("n_reviewed", "sum"))
    return out.sort_values(["n_facts", "n_regions", "initiative"], ascending=[False, False, True],
                           kind="stable").reset_index(drop=True)


# ---------------------------------------------------------------------------------------------
# The review overlay: researchers' corrections (etl/corrections.py) applied beneath fact_view.
#
# In the snapshot's in-memory database, `facts` is a view of src.facts in which each reviewed fact
# is replaced by its row in rv_facts (fields as reviewed, and the review columns below), rejected
# facts are left out and added facts appended; every other table of the file is a view of its src
# table, and the file's own views (fact_view, with its counting rule) are replayed on top, so fv
# holds the corrected facts. A correction saved later is applied in place: only the `counted` flags
# of the facts that share its metric, kind, value and region (before or after it) are evaluated
# again, by the same view, and only the rows of the corrected facts are rebuilt.
#
# COUNT_SCOPE is what that relies on: fact_view.counted never compares facts that differ in these
# columns (it deduplicates the same number about the same place). A counting rule that did would
# make the in-place update wrong; tests/dashboard/test_review_overlay.py compares it with a rebuild
# after every step of random corrections.
COUNT_SCOPE = ("metric", "kind", "value", "region")

REVIEW_COLUMNS = ("review", "original_value", "reviewed_by", "reviewed_at", "review_note", "corrected_fields")
REVIEWED = ("confirmed", "corrected", "added")
_OVERRIDDEN = ("metric", "kind", "value", "unit", "approx", "region_code", "region", "city", "county", "town",
               "period_start", "period_end", "period_label", "initiative", "part_of")
_RV_LOG = """CREATE TABLE rv_log (seq INTEGER, correction_id VARCHAR, status VARCHAR, reason VARCHAR, action VARCHAR,
    doc VARCHAR, number VARCHAR, before_text VARCHAR, after_text VARCHAR, evidence VARCHAR, anchor_value VARCHAR,
    occurrence INTEGER, reviewed_by VARCHAR, reviewed_at VARCHAR, review_note VARCHAR, fields VARCHAR,
    original VARCHAR, target_id VARCHAR)"""
# rv_facts: a full facts row per reviewed fact (rejected ones too, to leave them out), and _doc.
_RV_FACTS = """CREATE TABLE rv_facts AS SELECT *, NULL::VARCHAR AS review, NULL::DECIMAL(20, 2) AS original_value,
    NULL::VARCHAR AS reviewed_by, NULL::VARCHAR AS reviewed_at, NULL::VARCHAR AS review_note,
    NULL::VARCHAR AS corrected_fields, NULL::VARCHAR AS _doc FROM src.facts WHERE false"""


def _facts_view_sql(columns: list[str]) -> str:
    """The corrected facts: the file's facts with the reviewed ones replaced by their rv_facts rows."""
    cols = ", ".join(columns + list(REVIEW_COLUMNS))
    unreviewed = ", ".join(["f.*", "'unreviewed' AS review", "NULL::DECIMAL(20, 2) AS original_value"]
                           + [f"NULL::VARCHAR AS {c}" for c in REVIEW_COLUMNS[2:]])
    return f"""CREATE VIEW facts AS
        SELECT {unreviewed} FROM src.facts f WHERE f.fact_id NOT IN (SELECT fact_id FROM rv_facts)
        UNION ALL
        SELECT {cols} FROM rv_facts WHERE review <> 'rejected'"""


def _facts_in_place_sql(columns: list[str], rows: str) -> str:
    """The same, for an in-place update, as a view of the updating cursor only (TEMP shadows main):
    the facts in rv_ids as they are now, and, for rows='scope', the other facts whose metric, kind,
    value and region are among rv_metrics × rv_kinds × rv_values × rv_regions (with their place and flag in fv as
    _prev_ord, _prev_counted), or for rows='docs' the other facts of the documents in rv_docs, as
    fv shows them; for rows='ids' no others. (One simple filter per shape: an OR of them would
    keep DuckDB from filtering while it scans.)"""
    cols = ", ".join(columns + list(REVIEW_COLUMNS))
    others = {
        "scope": """list_contains(getvariable('rv_metrics'), metric) AND list_contains(getvariable('rv_kinds'), kind)
                    AND list_contains(getvariable('rv_values'), value)
                    AND list_contains(getvariable('rv_regions'), coalesce(region, ''))""",
        "docs": "list_contains(getvariable('rv_docs'), doc_id)",
    }
    prev, no_prev = ("", "") if rows != "scope" else (", ord AS _prev_ord, counted AS _prev_counted",
                                                      ", NULL::BIGINT AS _prev_ord, NULL::BOOLEAN AS _prev_counted")
    ids = (f"SELECT {cols}{no_prev} FROM rv_facts WHERE list_contains(getvariable('rv_ids'), fact_id) "
           "AND review <> 'rejected'")
    if rows == "ids":
        return f"CREATE OR REPLACE TEMP VIEW facts AS {ids}"
    return f"""CREATE OR REPLACE TEMP VIEW facts AS
        SELECT {cols}{prev} FROM fv WHERE {others[rows]} AND NOT list_contains(getvariable('rv_ids'), fact_id)
        UNION ALL {ids}"""


class _Snapshot:
    """The in-memory snapshot of one database file and the corrections applied to it so far."""

    def __init__(self, con: duckdb.DuckDBPyConnection, corrections: Path):
        self.con = con
        self.path = corrections
        self.lock = threading.Lock()
        self.version: tuple | None = None   # the corrections file as last applied: (ino, size, mtime_ns)
        self.offset = 0                     # bytes of it read
        self.records: list = []
        self.problems: list[tuple[int, str]] = []
        self.rebuilds = 0                   # full builds (the first one included), for tests and benchmarks

    # -- building

    def build(self) -> None:
        from etl.corrections import CorrectionStore

        con = self.con
        store = CorrectionStore(self.path)
        self.version = store.version()
        read = store.read()
        self.records, self.offset, self.problems = read.records, read.end, read.problems
        self._regions = {r[0]: r[1:] for r in con.execute(
            "SELECT code, name, level, city_code, county_code FROM src.regions").fetchall()}
        units = dict(con.execute("SELECT metric, unit FROM src.metrics").fetchall())
        if not units:
            spec = yaml.safe_load(METRICS_YAML.read_text(encoding="utf-8"))
            units = {k: v["unit"] for k, v in spec.items()}
        self._units = units
        con.execute("BEGIN TRANSACTION")
        for t in ("arts", "fvc", "fvr", "rv_facts", "rv_log"):
            con.execute(f"DROP TABLE IF EXISTS {t}")
        con.execute(_RV_FACTS)
        con.execute(_RV_LOG)
        if not self.rebuilds:
            self._create_views()
        else:
            con.execute("DROP TABLE fv")
        self._write(con, self.records, None)
        con.execute(_SNAPSHOT_SQL)
        self._write_reviewed(con)
        con.execute("COMMIT")
        self.rebuilds += 1

    def _write_reviewed(self, cur) -> None:
        """fvr (仅已核对) from fv as it is now: the file's fact_view replayed over the reviewed facts
        alone, through a view of `cur` only (TEMP shadows main)."""
        cur.execute("CREATE OR REPLACE TEMP TABLE _rv AS SELECT * FROM fv WHERE list_contains(?::VARCHAR[], review)",
                    [list(REVIEWED)])
        cur.execute(f"CREATE OR REPLACE TEMP VIEW facts AS SELECT {', '.join(self._fact_columns + list(REVIEW_COLUMNS))} "
                    "FROM _rv")
        cur.execute(_FVR_SQL)
        cur.execute("DROP VIEW temp.facts")
        cur.execute("DROP TABLE temp._rv")

    def _create_views(self) -> None:
        """Views of the file's tables in the in-memory database, the corrected facts, then the file's
        own views replayed (in the order they were made) over them."""
        con = self.con
        tables = [r[0] for r in con.execute("""SELECT table_name FROM duckdb_tables()
                                               WHERE database_name = 'src' AND schema_name = 'main'""").fetchall()]
        for t in tables:
            if t != "facts":
                con.execute(f'CREATE VIEW "{t}" AS SELECT * FROM src.main."{t}"')
        self._fact_columns = [r[0] for r in con.execute("""SELECT column_name FROM duckdb_columns()
            WHERE database_name = 'src' AND schema_name = 'main' AND table_name = 'facts'
            ORDER BY column_index""").fetchall()]
        con.execute(_facts_view_sql(self._fact_columns))
        for (sql,) in con.execute("""SELECT sql FROM duckdb_views() WHERE database_name = 'src'
                                     AND schema_name = 'main' AND NOT internal ORDER BY view_oid""").fetchall():
            con.execute(sql)

    def _write(self, con, records: list, docs: set[str] | None):
        """Resolve `records` (all of them, or those of `docs`) and write rv_facts and rv_log; returns
        the resolution and the facts of those documents as the ETL wrote them."""
        from etl.corrections import fact_columns, resolve

        if docs is not None:
            for t, col in (("rv_facts", "_doc"), ("rv_log", "doc")):
                con.execute(f"DELETE FROM {t} WHERE list_contains(?::VARCHAR[], {col})", [sorted(docs)])
            records = [c for c in records if c.anchor.doc in docs]
        etl_facts, articles = self._context(con, {c.anchor.doc for c in records})
        res = resolve(records, etl_facts, articles, self._units.keys(), self._regions.keys())
        over, added = [], []
        for a in res.applied:
            cols = fact_columns(a, self._regions, self._units)
            if a.fact_id:
                over.append({"fact_id": a.fact_id, "_doc": a.doc, **cols})
            else:
                added.append({"fact_id": a.added_id, "_doc": a.doc, "article_id": a.article_id, **cols,
                              "evidence": a.evidence, "evidence_start": (a.evidence_span or (None, None))[0],
                              "evidence_end": (a.evidence_span or (None, None))[1],
                              "value_start": (a.span or (None, None))[0], "value_end": (a.span or (None, None))[1],
                              "rule": "review:add"})
        if over:  # the ETL's rows with the reviewed fields, read by document (one row group, not all)
            con.register("rv_incoming", pd.DataFrame(over, dtype=object))
            doc_ids = [a.doc_id for a in articles]
            picked = ", ".join(f"CAST(i.{c} AS {t}) AS {c}" for c, t in
                               self._types(con, list(_OVERRIDDEN) + list(REVIEW_COLUMNS)))
            con.execute(f"""INSERT INTO rv_facts BY NAME
                            SELECT f.* EXCLUDE ({", ".join(_OVERRIDDEN)}), {picked}, i._doc
                            FROM src.facts f JOIN rv_incoming i ON i.fact_id = f.fact_id
                            WHERE list_contains(?::VARCHAR[], f.doc_id)""", [sorted(set(doc_ids))])
            con.unregister("rv_incoming")
        if added:
            con.register("rv_incoming", pd.DataFrame(added, dtype=object))
            con.execute("INSERT INTO rv_facts BY NAME SELECT i.*, a.doc_id FROM rv_incoming i "
                        "JOIN src.articles a ON a.article_id = i.article_id")
            con.unregister("rv_incoming")
        target = {a.correction.id: a.row_id for a in res.applied}
        reasons = {o.correction.id: o.reason for o in res.orphans}
        index = {c.id: i for i, c in enumerate(self.records)}
        log = []
        for c in records:
            an = c.anchor
            log.append({"seq": index.get(c.id), "correction_id": c.id, "status": res.status.get(c.id, "orphaned"),
                        "reason": reasons.get(c.id), "action": c.action, "doc": an.doc, "number": an.number,
                        "before_text": an.before, "after_text": an.after, "evidence": an.evidence,
                        "anchor_value": an.value, "occurrence": an.occurrence, "reviewed_by": c.by,
                        "reviewed_at": c.at, "review_note": c.note,
                        "fields": json.dumps(c.fields, ensure_ascii=False) if c.fields else None,
                        "original": json.dumps(c.original, ensure_ascii=False) if c.original else None,
                        "target_id": target.get(c.id)})
        _insert_rows(con, "rv_log", log)
        return res, etl_facts

    def _context(self, con, docs: set[str]):
        """The ETL's facts and articles of these documents: fixed for this file, so read once each."""
        from etl.corrections import load_context

        cache = self.__dict__.setdefault("_contexts", {})
        missing = sorted(d for d in docs if d not in cache)
        if missing:
            facts, articles = load_context(con, missing, "src.")
            for d in missing:
                cache[d] = ([f for f in facts if f.doc == d], [a for a in articles if a.doc == d])
        return ([f for d in sorted(docs) for f in cache[d][0]], [a for d in sorted(docs) for a in cache[d][1]])

    def _types(self, con, columns: list[str]) -> list[tuple[str, str]]:
        if not getattr(self, "_rv_types", None):  # rv_facts keeps its columns for the file's life
            self._rv_types = dict(con.execute("""SELECT column_name, data_type FROM duckdb_columns()
                                                 WHERE database_name = 'memory' AND table_name = 'rv_facts'""").fetchall())
        return [(c, self._rv_types[c]) for c in columns]

    # -- following the corrections file

    def sync(self, review: tuple) -> None:
        """Apply what was appended to the corrections file since the last call; rebuild if it was
        replaced or shortened (edited by hand)."""
        wanted = tuple(review[1:]) if len(review) > 1 else None
        if wanted == self.version:
            return
        from etl.corrections import CorrectionStore

        with self.lock:
            store = CorrectionStore(self.path)
            current = store.version()
            if current == self.version:
                return
            if current is None or (self.version is not None and
                                   (current[0] != self.version[0] or current[1] < self.offset)):
                self.build()
                return
            read = store.read(self.offset)
            self.problems += read.problems
            self.offset, self.version = read.end, current
            known = {c.id for c in self.records}
            new = [c for c in read.records if c.id not in known]
            if new:
                self._apply(new)

    def _apply(self, new: list) -> None:
        from etl.corrections import place_columns

        self.records = self.records + new
        docs = sorted({c.anchor.doc for c in new})
        cur = self.con.cursor()
        rebuild = False
        try:
            cur.execute("BEGIN TRANSACTION")
            before = cur.execute("""SELECT fact_id, metric, kind, value, coalesce(region, '') FROM rv_facts
                                    WHERE list_contains(?::VARCHAR[], _doc) AND review <> 'rejected'""",
                                 [docs]).fetchall()
            was_rejected = {r[0] for r in cur.execute("""SELECT fact_id FROM rv_facts
                WHERE list_contains(?::VARCHAR[], _doc) AND review = 'rejected'""", [docs]).fetchall()}
            res, etl_facts = self._write(cur, self.records, set(docs))
            ids = {r[0] for r in before} | was_rejected | {a.row_id for a in res.applied}
            # Where each of these facts was shown before and is shown now (COUNT_SCOPE).
            scope = {(m, k, Decimal(v), r) for _, m, k, v, r in before}
            shown_before = {r[0] for r in before}
            etl = {f.fact_id: f for f in etl_facts}
            for fid in ids - shown_before - was_rejected:
                if fid in etl:  # an ETL fact shown as the ETL wrote it until now
                    f = etl[fid].fields
                    scope.add((f["metric"], f["kind"], Decimal(f["value"]), f.get("region") or ""))
            for a in res.applied:
                if a.review != "rejected":
                    region = place_columns(a.fields, self._regions)["region"] or ""
                    scope.add((a.fields.get("metric"), a.fields.get("kind"), Decimal(a.fields.get("value")), region))
            rebuild = not self._refresh(cur, scope, sorted(ids))
            if not rebuild:
                self._write_reviewed(cur)
            cur.execute("ROLLBACK" if rebuild else "COMMIT")
        except BaseException:
            try:
                cur.execute("ROLLBACK")
            except duckdb.Error:
                pass
            raise
        finally:
            cur.close()
        if rebuild:
            self.build()

    def _refresh(self, cur, scope: set[tuple], ids: list[str]) -> bool:
        """Write into fv, fvc and arts what `ids` changed: their own rows, and the `counted` flag of
        the facts in their scope (COUNT_SCOPE). False when an added fact finds no room in the table
        order."""
        metrics = sorted({m for m, _, _, _ in scope})
        kinds = sorted({k for _, k, _, _ in scope})
        values = sorted({v for _, _, v, _ in scope})
        regions = sorted({r for _, _, _, r in scope})
        cur.execute(_facts_in_place_sql(self._fact_columns, "scope"))
        cur.execute("SET VARIABLE rv_ids = ?::VARCHAR[]", [ids])
        cur.execute("SET VARIABLE rv_metrics = ?::VARCHAR[]", [metrics])
        cur.execute("SET VARIABLE rv_kinds = ?::VARCHAR[]", [kinds])
        cur.execute("SET VARIABLE rv_values = ?::DECIMAL(20, 2)[]", [values])
        cur.execute("SET VARIABLE rv_regions = ?::VARCHAR[]", [regions])
        # counted as the file's own view decides it, over the facts of this scope as they are now
        cur.execute("""CREATE OR REPLACE TEMP TABLE _cnt AS
                       SELECT fact_id, counted, _prev_ord, _prev_counted, article_id, doc_id FROM fact_view""")
        cur.execute("""CREATE OR REPLACE TEMP TABLE _old AS
                       SELECT fact_id, _prev_ord AS ord, _prev_counted AS counted, article_id, doc_id FROM _cnt
                       WHERE _prev_ord IS NOT NULL
                       UNION ALL SELECT fact_id, ord, counted, article_id, doc_id FROM fv
                       WHERE list_contains(?::VARCHAR[], fact_id)""", [ids])
        flips = cur.execute("""SELECT _prev_ord, counted FROM _cnt
                               WHERE _prev_ord IS NOT NULL AND counted IS DISTINCT FROM _prev_counted""").fetchall()
        # the corrected facts' own rows, whole (their window columns come from _cnt and their old place)
        cur.execute(_facts_in_place_sql(self._fact_columns, "ids"))
        cur.execute(f"""CREATE OR REPLACE TEMP TABLE _new AS SELECT n.* REPLACE (c.counted AS counted)
                        FROM ({_FV_SELECT}) n JOIN _cnt c USING (fact_id)""")
        fresh = cur.execute("SELECT fact_id, doc_id FROM _new WHERE fact_id NOT IN (SELECT fact_id FROM _old)").fetchall()
        placed = self._place(cur, fresh) if fresh else {}
        if placed is None:
            return False
        frame = pd.DataFrame({"fact_id": list(placed), "new_ord": pd.array(list(placed.values()), dtype="int64")})
        cur.register("rv_placed", frame)
        cur.execute("""CREATE OR REPLACE TEMP TABLE _put AS SELECT n.* REPLACE (coalesce(o.ord, p.new_ord) AS ord)
                       FROM _new n LEFT JOIN _old o USING (fact_id) LEFT JOIN rv_placed p USING (fact_id)""")
        cur.unregister("rv_placed")
        out = cur.execute("SELECT ord, article_id FROM _old WHERE list_contains(?::VARCHAR[], fact_id)", [ids]).fetchall()
        put = cur.execute("SELECT ord, article_id FROM _put").fetchall()
        cur.execute("DELETE FROM fv WHERE list_contains(?::BIGINT[], ord)", [[o for o, _ in out]])
        cur.execute("INSERT INTO fv SELECT * FROM _put")
        if flips:
            cur.register("rv_flips", pd.DataFrame({"ord": pd.array([o for o, _ in flips], dtype="int64"),
                                                   "counted": [bool(c) for _, c in flips]}))
            cur.execute("UPDATE fv SET counted = f.counted FROM rv_flips f WHERE fv.ord = f.ord")
            cur.unregister("rv_flips")
        cur.execute("DELETE FROM fvc WHERE list_contains(?::BIGINT[], ord)", [[o for o, _ in out + flips]])
        cur.execute(f"INSERT INTO fvc SELECT {_FVC_COLUMNS} FROM _put WHERE counted")
        if flips:  # rare: a fact whose twin was corrected away from it, or onto it
            cur.execute(f"INSERT INTO fvc SELECT {_FVC_COLUMNS} FROM fv WHERE counted AND list_contains(?::BIGINT[], ord)",
                        [[o for o, _ in flips]])
        self._refresh_articles(cur, out, put)
        for t in ("_cnt", "_old", "_new", "_put"):
            cur.execute(f"DROP TABLE {t}")
        cur.execute("DROP VIEW temp.facts")
        return True

    def _refresh_articles(self, cur, out: list[tuple[int, str]], put: list[tuple[int, str]]) -> None:
        """arts (facts per article, first place) after rows `out` left fv and rows `put` came in: by
        arithmetic where it suffices, from fv for an article whose first fact left."""
        affected = sorted({a for _, a in out + put})
        old = {r[0]: r[1:] for r in cur.execute(
            "SELECT article_id, n_facts, ord FROM arts WHERE list_contains(?::VARCHAR[], article_id)", [affected]).fetchall()}
        out_ords = {o for o, _ in out} - {o for o, _ in put}  # a row rewritten in place keeps its ord
        rescan, update = [], []
        for a in affected:
            n, first = old.get(a, (0, None))
            gone = [o for o, x in out if x == a]
            came = [o for o, x in put if x == a]
            if first is None or first in out_ords:
                rescan.append(a)  # new to arts, or its first fact left: count it again
                continue
            update.append((a, n - len(gone) + len(came), min([first] + came)))
        if update:
            frame = pd.DataFrame(update, columns=["article_id", "n_facts", "ord"])
            frame["n_facts"] = frame["n_facts"].astype("int64")
            frame["ord"] = frame["ord"].astype("int64")
            cur.register("rv_arts", frame)
            cur.execute("UPDATE arts SET n_facts = u.n_facts, ord = u.ord FROM rv_arts u WHERE arts.article_id = u.article_id")
            cur.unregister("rv_arts")
        if rescan:
            cur.execute("DELETE FROM arts WHERE list_contains(?::VARCHAR[], article_id)", [rescan])
            cur.execute(f"INSERT INTO arts {_ARTS_SELECT.format(where='WHERE list_contains(?::VARCHAR[], article_id)')}",
                        [rescan])
        cur.execute("DELETE FROM arts WHERE n_facts <= 0")

    def _place(self, cur, new: list[tuple[str, str]]) -> dict[str, int] | None:
        """Table positions (ord) for facts new to fv, between their neighbours in their document."""
        docs = sorted({d for _, d in new})
        cur.execute(_facts_in_place_sql(self._fact_columns, "docs"))
        cur.execute("SET VARIABLE rv_docs = ?::VARCHAR[]", [docs])
        local = cur.execute(f"SELECT fact_id, doc_id FROM ({_FV_SELECT}) WHERE list_contains(?::VARCHAR[], doc_id) "
                            "ORDER BY ord", [docs]).fetchall()
        fresh = {f for f, _ in new}
        existing = dict(cur.execute("""SELECT fact_id, ord FROM fv WHERE list_contains(?::VARCHAR[], doc_id)
                                       AND NOT list_contains(getvariable('rv_ids'), fact_id)""", [docs]).fetchall())
        existing.update(cur.execute("""SELECT fact_id, ord FROM _old WHERE list_contains(?::VARCHAR[], doc_id)""",
                                    [docs]).fetchall())
        placed: dict[str, int] = {}
        for doc in docs:
            order = [f for f, d in local if d == doc]
            known = [existing[f] for f in order if f in existing]
            if not known:
                return None  # a document without facts in the table: its place needs a rebuild
            run: list[str] = []
            pred = cur.execute("SELECT max(ord) FROM fv WHERE ord < ?", [min(known)]).fetchall()[0][0]
            pred = pred if pred is not None else min(known) - ORD_GAP
            for f in order + [None]:
                if f is not None and f in fresh:
                    run.append(f)
                    continue
                if f is not None and f not in existing:
                    continue
                if run:
                    succ = existing[f] if f is not None else cur.execute(
                        "SELECT min(ord) FROM fv WHERE ord > ?", [pred]).fetchall()[0][0]
                    succ = succ if succ is not None else pred + ORD_GAP * (len(run) + 1)
                    step = (succ - pred) // (len(run) + 1)
                    if step < 1:
                        return None
                    for i, g in enumerate(run, 1):
                        placed[g] = pred + step * i
                    run = []
                if f is not None:
                    pred = existing[f]
        return placed


def _insert_rows(con, table: str, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    con.register("rv_incoming", pd.DataFrame(rows, dtype=object))
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rv_incoming")
    con.unregister("rv_incoming")


# ---------------------------------------------------------------------------------------------
# Review: the queries of the 核对 and 来源 pages, and the pieces other pages need


def _review_where(status: str, metrics: tuple[str, ...]) -> tuple[str, list[Any]]:
    conds, params = ["TRUE"], []
    if status and status != "all":
        if status == "reviewed":
            conds.append("list_contains(?::VARCHAR[], review)")
            params.append(list(REVIEWED))
        else:
            conds.append("review = ?")
            params.append(status)
    if metrics:
        conds.append("list_contains(?::VARCHAR[], metric)")
        params.append(list(metrics))
    return " AND ".join(conds), params


REVIEW_QUEUE_COLUMNS = FACT_COLUMNS + """, confidence, doubts, rule, value_start, value_end, evidence_start,
    evidence_end"""


@st.cache_data(show_spinner=False, max_entries=64)
def review_queue(key: DbKey, status: str = "unreviewed", metrics: tuple[str, ...] = (), limit: int = 20,
                 offset: int = 0) -> pd.DataFrame:
    """Facts ordered by doubt: least confident first (a fact the ETL gave no confidence counts as
    sure), then in table order."""
    where, params = _review_where(status, metrics)
    return _query(key, f"""SELECT {REVIEW_QUEUE_COLUMNS} FROM fv WHERE {where}
                           ORDER BY coalesce(confidence, 1.0), ord LIMIT ? OFFSET ?""",
                  params + [int(limit), int(offset)])


@st.cache_data(show_spinner=False, max_entries=64)
def review_queue_count(key: DbKey, status: str = "unreviewed", metrics: tuple[str, ...] = ()) -> int:
    where, params = _review_where(status, metrics)
    return int(_query(key, f"SELECT count(*) FROM fv WHERE {where}", params).iloc[0, 0])


@st.cache_data(show_spinner=False, max_entries=16)
def review_counts(key: DbKey) -> dict[str, int]:
    """Facts shown by review state, rejected facts, orphaned and superseded corrections."""
    row = _query(key, """WITH c AS (SELECT count(*) AS facts, count(*) FILTER (WHERE review = 'unreviewed') AS unreviewed,
                                  count(*) FILTER (WHERE review = 'confirmed') AS confirmed,
                                  count(*) FILTER (WHERE review = 'corrected') AS corrected,
                                  count(*) FILTER (WHERE review = 'added') AS added FROM fv)
        SELECT c.*,
        (SELECT count(*) FROM rv_facts WHERE review = 'rejected') AS rejected,
        (SELECT count(*) FROM rv_log) AS corrections,
        (SELECT count(*) FROM rv_log WHERE status = 'orphaned') AS orphaned FROM c""").iloc[0]
    return {k: int(v) for k, v in row.items()}


@st.cache_data(show_spinner=False, max_entries=64)
def review_log(key: DbKey, status: str | None = None, limit: int = 500) -> pd.DataFrame:
    """The corrections, newest first, with what became of each (applied, superseded, orphaned)."""
    return _query(key, """SELECT * FROM rv_log WHERE ?::VARCHAR IS NULL OR status = ?
                          ORDER BY reviewed_at DESC, seq DESC LIMIT ?""", [status, status, int(limit)])


@st.cache_data(show_spinner=False, max_entries=16)
def rejected_facts(key: DbKey) -> pd.DataFrame:
    """The ETL facts a reviewer rejected (not in fv any more), as the ETL wrote them."""
    return _query(key, """SELECT fact_id, article_id, _doc AS doc, metric, kind, value, unit, approx,
                                 region, evidence, reviewed_by, reviewed_at, review_note
                          FROM rv_facts WHERE review = 'rejected' ORDER BY reviewed_at DESC""")


@st.cache_data(show_spinner=False, max_entries=256)
def review_share(key: DbKey, flt: FactFilter) -> dict[str, Any]:
    """How many of the facts a filter selects a person has vouched for (confirmed, corrected or
    added), and that share; rejected facts are not among them (they left the figures)."""
    where, params = flt.where()
    row = _query(key, f"""SELECT count(*) AS total, count(*) FILTER (WHERE list_contains(?::VARCHAR[], review)) AS reviewed
                          FROM fv WHERE {where}""", [list(REVIEWED)] + params).iloc[0]
    total, reviewed = int(row["total"]), int(row["reviewed"])
    return {"total": total, "reviewed": reviewed, "share": (reviewed / total) if total else None}


def review_fact(key: DbKey, fact_id: str) -> dict[str, Any] | None:
    """One fact of fv as shown (corrections applied), every column."""
    df = _query(key, "SELECT * FROM fv WHERE fact_id = ?", [fact_id])
    if df.empty:
        return None
    return {k: (None if pd.api.types.is_scalar(v) and pd.isna(v) else v) for k, v in df.iloc[0].to_dict().items()}


def doc_articles(key: DbKey, doc: str) -> list:
    """The articles of one document as the correction anchors see them."""
    from etl.corrections import ArticleText

    from etl.corrections import HEADINGS_SQL

    rows = _query(key, f"""SELECT a.article_id, a.doc_id, d.doc, a.seq, a.text, {HEADINGS_SQL} FROM src.articles a
                           JOIN src.documents d ON d.doc_id = a.doc_id WHERE d.doc = ? ORDER BY a.seq""", [doc])
    return [ArticleText(*r) for r in rows.itertuples(index=False, name=None)]


def etl_fields(key: DbKey, fact_id: str) -> dict[str, Any]:
    """The ETL's own fields of a fact (before any correction); empty for an added fact."""
    from etl.corrections import clean_fields

    df = _query(key, """SELECT metric, kind, value, approx, region, region_code, period_start, period_end,
                               period_label, initiative FROM src.facts WHERE fact_id = ?""", [fact_id])
    if df.empty:
        return {}
    return clean_fields({k: (None if pd.isna(v) else v) for k, v in df.iloc[0].to_dict().items()})


def fact_anchor(key: DbKey, fact_id: str, row: dict[str, Any] | None = None):
    """The anchor (document, number as written, text around it) of a fact shown in fv; `row`, its
    fv row when the caller has it already."""
    from etl.corrections import anchor_at

    f = row if row is not None else review_fact(key, fact_id)
    if f is None:  # not shown (rejected): the ETL's own row
        df = _query(key, """SELECT f.article_id, d.doc, f.value_start, f.value_end, f.evidence, f.value
                            FROM src.facts f JOIN src.documents d ON d.doc_id = f.doc_id WHERE f.fact_id = ?""", [fact_id])
        if df.empty:
            return None
        f = {k: (None if pd.isna(v) else v) for k, v in df.iloc[0].to_dict().items()}
    value = f.get("original_value") if f.get("review") == "corrected" else f.get("value")
    arts = doc_articles(key, f["doc"])
    if f.get("value_start") is None:  # a headline's number: anchored in the article's headings
        from etl.corrections import headline_span

        art = next((a for a in arts if a.article_id == f["article_id"]), None)
        span = headline_span(art, f.get("evidence") or "", value) if art else None
        if span is None:
            return None
        return anchor_at(arts, f["article_id"], *span, f.get("evidence") or "", value, part="heading")
    return anchor_at(arts, f["article_id"], int(f["value_start"]), int(f["value_end"]),
                     f.get("evidence") or "", value)


@st.cache_data(show_spinner=False, max_entries=16)
def region_choices(key: DbKey) -> pd.DataFrame:
    """Every region a reviewer may pick: Zhejiang's divisions down to towns (code, name, level, city)
    and the places outside Zhejiang the gazetteer knows (no code)."""
    df = _query(key, """SELECT r.code, r.name, r.level, c.name AS city FROM src.regions r
                        LEFT JOIN src.regions c ON c.code = r.city_code
                        ORDER BY CASE r.level WHEN 'province' THEN 0 WHEN 'city' THEN 1 WHEN 'county' THEN 2 ELSE 3 END,
                                 r.code""")
    outside = ROOT / "data" / "gazetteer" / "outside.tsv"
    names = []
    if outside.exists():
        with outside.open(encoding="utf-8") as fh:
            names = [row["name"] for row in csv.DictReader(fh, delimiter="\t") if row.get("name")]
    extra = pd.DataFrame({"code": [None] * len(names), "name": names, "level": ["outside"] * len(names),
                          "city": [None] * len(names)})
    return pd.concat([df, extra], ignore_index=True)


@st.cache_data(show_spinner=False, max_entries=16)
def sources(key: DbKey) -> pd.DataFrame:
    """Every document loaded: title (the first article's when the file has none), issue date and
    where it came from, paper, URL, file, articles, facts and the share of them reviewed."""
    return _query(key, f"""
        WITH a AS (SELECT doc_id, count(*) AS n_articles, arg_min(nullif(trim(title), ''), seq) AS first_title
                   FROM src.articles GROUP BY doc_id),
             f AS (SELECT doc_id, count(*) AS n_facts,
                          count(*) FILTER (WHERE list_contains(?::VARCHAR[], review)) AS n_reviewed
                   FROM fv GROUP BY doc_id),
             r AS (SELECT doc_id, count(*) AS n_rejected FROM rv_facts WHERE review = 'rejected' GROUP BY doc_id)
        SELECT d.doc, coalesce(nullif(d.title, ''), a.first_title) AS title, d.issue_date, d.date_source,
               d.paper, d.url, d.source_file, d.source_format, coalesce(a.n_articles, 0) AS n_articles,
               coalesce(f.n_facts, 0) AS n_facts, coalesce(f.n_reviewed, 0) AS n_reviewed,
               coalesce(r.n_rejected, 0) AS n_rejected, d.ingested_at
        FROM src.documents d LEFT JOIN a USING (doc_id) LEFT JOIN f USING (doc_id) LEFT JOIN r USING (doc_id)
        ORDER BY d.issue_date DESC NULLS LAST, d.doc""", [list(REVIEWED)])


@st.cache_data(show_spinner=False, max_entries=16)
def skipped_files(key: DbKey) -> pd.DataFrame:
    """Files the ingests could not load, with the reason (empty for a database without the table)."""
    has = _query(key, """SELECT count(*) FROM duckdb_tables() WHERE database_name = 'src'
                         AND table_name = 'skipped_files'""").iloc[0, 0]
    if not has:
        return pd.DataFrame(columns=["source_file", "reason", "skipped_at"])
    return _query(key, "SELECT source_file, reason, skipped_at FROM src.skipped_files ORDER BY skipped_at DESC, source_file")


def review_problems(key: DbKey) -> list[tuple[int, str]]:
    """Lines of the corrections file that are not corrections (edited by hand?)."""
    return list(_snapshot(key.file_key(), key.review[0] if key.review else str(corrections_path())).problems)
