"""The only module that touches DuckDB: a cached read-only connection and named, parameterised queries.

No connection is opened at import time. Every query takes a `DbKey` (path, inode, mtime, size) so
that caches and the connection follow the ETL's atomic swaps of the database file.
"""
from __future__ import annotations

import csv
import json
import os
import threading
import time
from dataclasses import dataclass
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


class DbKey(NamedTuple):
    """Identity of one version of the database file; changes when the ETL swaps in a new file."""

    path: str
    ino: int
    mtime_ns: int
    size: int


def current_key() -> DbKey:
    p = db_path().resolve()
    s = os.stat(p)
    return DbKey(str(p), s.st_ino, s.st_mtime_ns, s.st_size)


def _sql_literal(text: str) -> str:
    # ATTACH takes no parameters; the path comes from configuration, quoted all the same.
    return "'" + text.replace("'", "''") + "'"


# The dashboard's snapshot of fact_view: the view's window function (`counted`) costs ~100 ms per
# query at a million facts, so it is evaluated once per file version into an in-memory table.
_SNAPSHOT_SQL = """
CREATE TABLE fv AS
SELECT v.*,
       coalesce(year(v.period_end), year(v.period_start), year(v.issue_date)) AS year,
       CASE WHEN v.initiative IS NULL OR trim(v.initiative) = '' THEN []::VARCHAR[]
            ELSE list_filter(list_transform(string_split(v.initiative, '|'), lambda x: trim(x)), lambda x: x <> '')
       END AS initiatives,
       r.level AS region_level,
       -- the tables' order (newest issue first, then position in the article), as one integer
       a.seq AS article_seq,
       row_number() OVER (ORDER BY v.issue_date DESC NULLS LAST, v.doc, a.seq, v.article_id,
                                   v.evidence_start NULLS LAST, v.fact_id) AS ord
FROM src.fact_view v
LEFT JOIN src.regions r ON r.code = v.region_code
LEFT JOIN src.articles a ON a.article_id = v.article_id
ORDER BY ord;  -- stored in table order: the default, unfiltered table reads its pages without sorting
-- Aggregates read only counted facts: a slim copy of them, stored by metric and kind so that DuckDB's
-- zone maps skip the row groups of other metrics (the table above stays in display order for paging).
CREATE TABLE fvc AS
SELECT ord, metric, kind, value, approx, region, region_code, city, county, city_code, county_code,
       region_level, year, issue_date, initiatives, article_id, counted
FROM fv WHERE counted ORDER BY metric, kind, ord;
CREATE TABLE arts AS
SELECT article_id, any_value(article_title) AS title, any_value(doc) AS doc, any_value(issue_date) AS issue_date,
       count(*) AS n_facts, min(ord) AS ord
FROM fv GROUP BY article_id ORDER BY ord;
"""


@st.cache_resource(max_entries=1, show_spinner="正在载入数据库……")
def _database(key: DbKey) -> duckdb.DuckDBPyConnection:
    """One connection per file version. The file is ATTACHed READ_ONLY to a fresh in-memory
    instance: `duckdb.connect(path)` would hand back the cached instance of the *old* file after
    an os.replace while any cursor on it is still alive."""
    con = duckdb.connect(":memory:")
    con.execute(f"ATTACH {_sql_literal(key.path)} AS src (READ_ONLY)")
    con.execute(_SNAPSHOT_SQL)
    return con


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
    text: str = ""
    counted_only: bool = False
    zhejiang: bool = False
    region_codes: tuple[str, ...] = ()
    include_sub: bool = True
    article_id: str | None = None

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
        if self.text.strip():
            conds.append("contains(lower(evidence), lower(?))")
            params.append(self.text.strip())
        if self.counted_only:
            conds.append("counted")
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
        return " AND ".join(conds), params


def _counted(flt: FactFilter) -> str:
    """Table for aggregates over counted facts: the slim copy, unless the filter searches evidence."""
    return "fv" if flt.text.strip() else "fvc"


# Columns of the fact table, shared by the page table and the downloads.
FACT_COLUMNS = """fact_id, article_id, doc, issue_date, metric, metric_label, kind, value, unit, approx,
    region, region_code, city, county, town, period_label, period_start, period_end, initiative,
    evidence, article_title, counted"""
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
    other_cities = _query(key, """SELECT DISTINCT coalesce(city, '') AS city FROM fv""")["city"].tolist()
    city_opts = list(cities.name) + [PROVINCE, OUTSIDE]
    # A city the ETL wrote that the gazetteer does not know would otherwise be unreachable.
    city_opts += sorted(c for c in other_cities if c not in city_opts)
    return {
        "cities": city_opts,
        "counties": [(n, city_name.get(c, "")) for n, c in zip(counties.name, counties.city_code)],
        "initiatives": inis["name"].tolist(),
        "years": (None if pd.isna(years.lo) else int(years.lo), None if pd.isna(years.hi) else int(years.hi)),
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


@st.cache_data(show_spinner=False, max_entries=4)
def geojson(level: str, mtime_ns: int | None = None) -> dict | None:
    """Boundaries of the 11 cities or the 90 counties; None when the file is not there."""
    path = GEO_FILES[level]
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def geojson_for(level: str) -> dict | None:
    path = GEO_FILES[level]
    return geojson(level, path.stat().st_mtime_ns if path.exists() else None)


# ---------------------------------------------------------------------------------------------
# Aggregates — all over counted facts only (see `fact_view.counted`), one kind at a time


@st.cache_data(show_spinner=False, max_entries=256)
def totals(key: DbKey, flt: FactFilter) -> pd.DataFrame:
    """Per metric and kind: sum of counted values, number of facts, and their approximations."""
    where, params = flt.where()
    return _query(key, f"""
        SELECT metric, kind, sum(value) AS value, count(*) AS n, list(DISTINCT approx ORDER BY approx) AS approxes
        FROM {_counted(flt)} WHERE counted AND {where}
        GROUP BY metric, kind ORDER BY metric, kind""", params)


@st.cache_data(show_spinner=False, max_entries=256)
def by_region(key: DbKey, flt: FactFilter, level: str, include_sub: bool = True,
              within_city: str | None = None) -> pd.DataFrame:
    """Counted sums per city (level='city') or county (level='county', optionally in one city).
    Without `include_sub` only facts about the region itself are used."""
    where, params = flt.where()
    if level == "city":
        code, name = "city_code", "city"
    elif level == "county":
        code, name = "county_code", "county"
    else:
        raise ValueError(f"unknown level {level!r}")
    extra = ""
    if not include_sub:
        extra += f" AND region_code = {code}"
    if within_city:
        extra += " AND city_code = ?"
        params = params + [within_city]
    return _query(key, f"""
        SELECT {code} AS code, any_value({name}) AS name, sum(value) AS value, count(*) AS n,
               list(DISTINCT approx ORDER BY approx) AS approxes
        FROM {_counted(flt)} WHERE counted AND {code} IS NOT NULL AND {where} {extra}
        GROUP BY {code} ORDER BY value DESC, code""", params)


@st.cache_data(show_spinner=False, max_entries=256)
def by_initiative(key: DbKey, flt: FactFilter, limit: int = 20) -> pd.DataFrame:
    """Counted sums per initiative (a fact under two initiatives appears in both bars)."""
    where, params = flt.where()
    return _query(key, f"""
        SELECT i AS initiative, sum(value) AS value, count(*) AS n, list(DISTINCT approx ORDER BY approx) AS approxes
        FROM (SELECT unnest(initiatives) AS i, value, approx FROM {_counted(flt)} WHERE counted AND {where})
        GROUP BY i ORDER BY value DESC, i LIMIT ?""", params + [int(limit)])


@st.cache_data(show_spinner=False, max_entries=256)
def timeline(key: DbKey, flt: FactFilter, by_month: bool = False) -> pd.DataFrame:
    """Counted sums per issue date (or per month of issue: issue_date is then the month's first day)."""
    where, params = flt.where()
    bucket = "CAST(date_trunc('month', issue_date) AS DATE)" if by_month else "issue_date"
    return _query(key, f"""
        SELECT {bucket} AS issue_date, sum(value) AS value, count(*) AS n,
               list(DISTINCT approx ORDER BY approx) AS approxes
        FROM {_counted(flt)} WHERE counted AND issue_date IS NOT NULL AND {where}
        GROUP BY 1 ORDER BY 1""", params)


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
    return _query(key, f"SELECT {FACT_COLUMNS} FROM fv WHERE {where} ORDER BY {FACT_ORDER} LIMIT ? OFFSET ?",
                  params + [int(limit), int(offset)])


def export_rows(key: DbKey, flt: FactFilter) -> pa.Table:
    """Every filtered fact, in the table's order, with exact DECIMAL values (not cached: large)."""
    where, params = flt.where()
    return _arrow(key, f"SELECT {FACT_COLUMNS} FROM fv WHERE {where} ORDER BY {FACT_ORDER}", params)


# ---------------------------------------------------------------------------------------------
# Region comparison


def _compare_matches(include_sub: bool) -> str:
    """Counted facts of each selected region (and, with `include_sub`, of its sub-regions), as slim
    rows. Equi-joins in a UNION ALL: an OR in the join condition would compare every pair of rows."""
    cols = "s.code AS compare_code, f.ord, f.metric, f.kind, f.value, f.approx"
    own = f"SELECT {cols} FROM s JOIN fvc f ON f.region_code = s.code WHERE f.counted"
    if not include_sub:
        return own
    return (own + f" UNION ALL SELECT {cols} FROM s JOIN fvc f ON f.city_code = s.code"
                  " WHERE f.counted AND f.region_code IS DISTINCT FROM f.city_code"
                  f" UNION ALL SELECT {cols} FROM s JOIN fvc f ON f.county_code = s.code"
                  " WHERE f.counted AND f.region_code IS DISTINCT FROM f.county_code")


@st.cache_data(show_spinner=False, max_entries=128)
def compare_summary(key: DbKey, codes: tuple[str, ...], kinds: tuple[str, ...],
                    include_sub: bool = True) -> pd.DataFrame:
    """Per selected region, metric and kind: counted sum, number of facts, approximations."""
    return _query(key, f"""
        WITH s AS (SELECT unnest(?::VARCHAR[]) AS code), m AS ({_compare_matches(include_sub)})
        SELECT compare_code AS code, metric, kind, sum(value) AS value, count(*) AS n,
               list(DISTINCT approx ORDER BY approx) AS approxes
        FROM m WHERE list_contains(?::VARCHAR[], kind)
        GROUP BY ALL ORDER BY metric, kind, code""", [list(codes), list(kinds)])


@st.cache_data(show_spinner=False, max_entries=128)
def compare_facts(key: DbKey, codes: tuple[str, ...], kinds: tuple[str, ...], include_sub: bool = True,
                  per_bar: int = 50, metric: str | None = None) -> pd.DataFrame:
    """The facts behind each bar of the comparison (counted ones, as in the bars), the largest
    `per_bar` of each region, metric and kind; only one metric's if `metric` is given."""
    return _query(key, f"""
        WITH s AS (SELECT unnest(?::VARCHAR[]) AS code), m AS ({_compare_matches(include_sub)}),
             top AS (SELECT compare_code, ord FROM m WHERE list_contains(?::VARCHAR[], kind)
                     AND (?::VARCHAR IS NULL OR metric = ?)
                     QUALIFY row_number() OVER (PARTITION BY compare_code, metric, kind
                                                ORDER BY value DESC, ord) <= ?)
        SELECT top.compare_code, {", ".join("f." + c.strip() for c in FACT_COLUMNS.split(","))}
        FROM top JOIN fv f USING (ord)
        ORDER BY f.metric, f.kind, top.compare_code, f.value DESC, f.ord""",
                  [list(codes), list(kinds), metric, metric, int(per_bar)])


# ---------------------------------------------------------------------------------------------
# Articles


@st.cache_data(show_spinner=False, max_entries=256)
def article(key: DbKey, article_id: str) -> dict[str, Any] | None:
    df = _query(key, """
        SELECT a.article_id, a.doc_id, a.seq, a.kicker, a.title, a.subtitle, a.byline, a.text,
               a.region, a.initiative, d.doc, d.paper, d.issue_date, d.url, d.source_file
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
def initiative_places(key: DbKey, flt: FactFilter) -> pd.DataFrame:
    """Counted facts per initiative and place (a city, 浙江省, or 省外), with the number of distinct
    regions; one query serves the ranking and each initiative's chart. Regions are told apart by
    code (town names repeat across counties); a repeat or reprint shares its region with the counted
    occurrence, so counted facts reach every region."""
    where, params = flt.where()
    return _query(key, f"""
        SELECT i AS initiative, coalesce(nullif(city, ''), '省外') AS place, count(*) AS n_facts,
               count(DISTINCT coalesce(region_code, region)) AS n_regions
        FROM (SELECT unnest(initiatives) AS i, city, region, region_code
              FROM {_counted(flt)} WHERE counted AND {where})
        GROUP BY ALL ORDER BY initiative, n_facts DESC, place""", params)


def initiative_rank(places: pd.DataFrame) -> pd.DataFrame:
    """Initiatives with their counted facts, regions and cities (from initiative_places)."""
    if places.empty:
        return pd.DataFrame(columns=["initiative", "n_facts", "n_regions", "n_cities"])
    city = ~places["place"].isin([PROVINCE, "省外"])
    out = places.assign(is_city=city.astype(int)).groupby("initiative", as_index=False).agg(
        n_facts=("n_facts", "sum"), n_regions=("n_regions", "sum"), n_cities=("is_city", "sum"))
    return out.sort_values(["n_facts", "n_regions", "initiative"], ascending=[False, False, True],
                           kind="stable").reset_index(drop=True)
