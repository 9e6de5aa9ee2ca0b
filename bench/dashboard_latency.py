"""Dashboard latency at scale: a synthetic DuckDB of 1,000,000 facts with the real schema, then the
median server time of each page's queries (uncached) and of full page script runs (AppTest).

The synthetic facts are given what the counting rules work on (sql/counting.sql): half-year
periods inside whole years, two-year spans, breakdowns (part_of) and target types, so that the
figures cost what they will cost on a real database, not what a plain SUM costs.

Usage: python bench/dashboard_latency.py [--facts N] [--reps R] [--rebuild]
Page runs are timed twice: "filter change" empties the caches of every filter-dependent query
(reference lists such as regions stay cached, as they would); "cold" empties all query caches.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import logging  # noqa: E402

logging.getLogger("streamlit").setLevel(logging.ERROR)


from bench.synth import SCHEMA, build_synthetic_db  # noqa: E402

OUT = ROOT / "bench" / "out"


def quiet_streamlit() -> None:
    """No "No runtime found" line per cached call outside a Streamlit server (a filter: Streamlit
    resets its loggers' levels when it reads its config)."""
    for name in ("streamlit.runtime.caching.cache_data_api", "streamlit.runtime.scriptrunner_utils.script_run_context"):
        logging.getLogger(name).addFilter(lambda r: "No runtime found" not in r.getMessage()
                                          and "missing ScriptRunContext" not in r.getMessage())


def synthetic_db(n_facts: int, rebuild: bool) -> Path:
    path = OUT / f"synth_{n_facts}.duckdb"
    stale = path.exists() and path.stat().st_mtime < SCHEMA.stat().st_mtime
    if rebuild or stale or not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        build_synthetic_db(path, n_facts)
        give_rules_work(path)
        print(f"generated {path.relative_to(ROOT)} ({n_facts:,} facts) in {time.perf_counter() - t0:.1f} s")
    else:
        print(f"reusing {path.relative_to(ROOT)} (--rebuild to regenerate)")
    return path


def give_rules_work(path: Path) -> None:
    """Periods that nest, spans across years, breakdowns and target types, deterministically (by the
    fact id's hash): 15 % of increments become 1—6月, 5 % two-year spans; 3 % of the facts become a
    breakdown of the fact before them in their article when it has the same metric and kind."""
    import duckdb

    con = duckdb.connect(str(path))
    con.execute("""UPDATE facts SET period_end = CAST(period_start + INTERVAL 6 MONTH - INTERVAL 1 DAY AS DATE),
                                    period_label = '1—6月'
                   WHERE kind = 'increment' AND period_start IS NOT NULL AND hash(fact_id) % 100 < 15""")
    con.execute("""UPDATE facts SET period_start = CAST(period_start - INTERVAL 1 YEAR AS DATE), period_label = '两年来'
                   WHERE kind = 'increment' AND period_start IS NOT NULL AND hash(fact_id) % 100 BETWEEN 15 AND 19""")
    con.execute("""UPDATE facts SET target_type = CASE WHEN hash(fact_id) % 2 = 0 THEN 'new' ELSE 'stock' END
                   WHERE kind = 'target'""")
    con.execute("""UPDATE facts SET part_of = b.prev FROM (
                       SELECT fact_id, lag(fact_id) OVER (PARTITION BY article_id, metric, kind ORDER BY evidence_start) AS prev
                       FROM facts) b
                   WHERE facts.fact_id = b.fact_id AND b.prev IS NOT NULL AND hash(facts.fact_id) % 100 < 3""")
    n = con.execute("""SELECT count(*) FILTER (WHERE part_of IS NOT NULL), count(*) FILTER (WHERE period_label = '1—6月'),
                              count(*) FILTER (WHERE period_label = '两年来') FROM facts""").fetchone()
    con.execute("CHECKPOINT")
    con.close()
    print(f"  counting-rule work: {n[0]:,} breakdowns, {n[1]:,} half-year and {n[2]:,} two-year increments")


def median_ms(fn, reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def raw(cached):
    """The function behind @st.cache_data: time the query itself, not the cache."""
    return cached._info.func


def query_benchmarks(reps: int) -> dict[str, list[tuple[str, float]]]:
    from dashboard import data
    from dashboard.data import FactFilter

    key = data.current_key()
    t0 = time.perf_counter()
    data._database(key)
    print(f"open + snapshot of fact_view (once per database file): {(time.perf_counter() - t0) * 1000:.0f} ms")
    from dashboard.data import Measure
    from dashboard.formatting import year_span

    core = tuple(data.core_metrics(key))
    metrics = tuple(data.metric_table(key)["metric"])
    y = year_span(2021, 2021)
    every = year_span(*raw(data.filter_options)(key)["years"])
    ningbo = FactFilter(metrics=("union_orgs",), kinds=("increment",), region_codes=("330200",))
    some = FactFilter(metrics=("union_orgs", "funding"), kinds=("increment",), cities=("宁波市", "湖州市"),
                      text="宁波", years=(2018, 2022))
    article_id = raw(data.fact_rows)(key, FactFilter(), 1)["article_id"].iloc[0]
    ini = raw(data.filter_options)(key)["initiatives"][0]
    fig = raw(data.figures)
    pages = {
        "总览": [
            ("cards: own figure, 4 metrics, a year", lambda: fig(key, Measure("increment", core, y, regions=("330000",)))),
            ("cards: sum of the cities", lambda: fig(key, Measure("increment", core, y, level="city"))),
            ("cards: totals as of a year's end", lambda: fig(key, Measure("total", core, y, regions=("330000",)))),
            ("cards: targets in force (listed)", lambda: raw(data.target_list)(key, Measure("target", core, y,
                                                                                           regions=("330000",)))),
            ("map and bars: each city", lambda: fig(key, Measure("increment", ("union_orgs",), y, level="city"))),
            ("drill: counties of 宁波", lambda: fig(key, Measure("increment", ("union_orgs",), y, level="county",
                                                                 within="330200"))),
            ("by initiative", lambda: fig(key, Measure("increment", ("union_orgs",), y, by="initiative"))),
            ("by year, every year", lambda: fig(key, Measure("increment", ("union_orgs",), every,
                                                             regions=("330000",), by="year"))),
            ("totals by year (stock chart)", lambda: fig(key, Measure("total", ("union_orgs",), every, level="city",
                                                                      by="year"))),
            ("cards over every year (a span)", lambda: fig(key, Measure("increment", core, every, regions=("330000",)))),
            ("facts behind a bar (宁波市)", lambda: raw(data.figure_facts)(
                key, Measure("increment", ("union_orgs",), y, level="city"), "330200", "union_orgs")),
        ],
        "地区对比": [
            ("figures 宁波/湖州, new, all metrics", lambda: fig(key, Measure("increment", metrics, y,
                                                                          regions=("330200", "330500")))),
            ("figures 宁波/湖州, totals, all metrics", lambda: fig(key, Measure("total", metrics, y,
                                                                            regions=("330200", "330500")))),
            ("targets 宁波/湖州 (listed)", lambda: raw(data.target_list)(key, Measure("target", metrics, y,
                                                                                   regions=("330200", "330500")))),
            ("facts behind a bar (one panel)", lambda: raw(data.figure_facts)(
                key, Measure("increment", metrics, y, regions=("330200", "330500")), "330200", "union_orgs")),
        ],
        "数据": [
            ("fact_count (all)", lambda: raw(data.fact_count)(key, FactFilter())),
            ("fact_count (5 filters + text)", lambda: raw(data.fact_count)(key, some)),
            ("fact_counts (filtered)", lambda: raw(data.fact_counts)(key, some)),
            ("fact_rows page 1", lambda: raw(data.fact_rows)(key, some, 100, 0)),
            ("fact_rows page 500 (all)", lambda: raw(data.fact_rows)(key, FactFilter(), 100, 49900)),
            ("filter_options", lambda: raw(data.filter_options)(key)),
        ],
        "文章": [
            ("article", lambda: raw(data.article)(key, article_id)),
            ("article_facts", lambda: raw(data.article_facts)(key, article_id)),
            ("article_list (title search)", lambda: raw(data.article_list)(key, "宁波", 30, 0)),
            ("article_count", lambda: raw(data.article_count)(key, "宁波")),
        ],
        "倡议": [
            ("initiative_places (rank + places)", lambda: raw(data.initiative_places)(key, FactFilter(period=y))),
            ("initiative_places in 宁波, by county", lambda: raw(data.initiative_places)(
                key, FactFilter(region_codes=("330200",), period=y), "county")),
            ("facts under one", lambda: raw(data.fact_rows)(key, FactFilter(initiatives=(ini,)), 500)),
        ],
    }
    return {page: [(name, median_ms(fn, reps)) for name, fn in items] for page, items in pages.items()}


def export_benchmark() -> list[tuple[str, float]]:
    from dashboard import data, tables
    from dashboard.data import FactFilter

    key = data.current_key()
    flt = FactFilter(cities=("宁波市",), kinds=("increment",))
    out = []
    t0 = time.perf_counter()
    tbl = data.export_rows(key, flt)
    out.append((f"export rows ({tbl.num_rows:,})", (time.perf_counter() - t0) * 1000))
    for name, fn in (("CSV", lambda: tables.csv_bytes(tbl)), ("Parquet", lambda: tables.parquet_bytes(tbl, [])),
                     ("XLSX", lambda: tables.xlsx_bytes(tbl, []))):
        t0 = time.perf_counter()
        fn()
        out.append((f"{name} of those rows (on click)", (time.perf_counter() - t0) * 1000))
    return out


REFERENCE = {"metric_table", "region_table", "filter_options", "db_info", "geojson"}


def clear_filter_caches() -> None:
    """Empty the cache of every query whose result depends on the filters."""
    from streamlit.runtime.caching.cache_utils import CachedFunc

    from dashboard import data

    for name, obj in vars(data).items():
        if isinstance(obj, CachedFunc) and name not in REFERENCE and not name.startswith("_"):
            obj.clear()


def page_benchmarks(reps: int) -> dict[str, tuple[float, float, float, float]]:
    """Full script runs per page: median with defaults; median and minimum of filter changes;
    median of cold filter changes."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from dashboard import data
    from dashboard.data import FactFilter

    key = data.current_key()
    articles = raw(data.fact_rows)(key, FactFilter(), 2 * reps + 2)["article_id"].tolist()
    initiatives = raw(data.filter_options)(key)["initiatives"]
    changes = {
        "views/overview.py": ("segmented_control", "kind", ["total", "target", "increment"]),
        "views/overview.py#period": ("select_slider", "period", [(2020, 2020), (2016, 2024), (2023, 2023)]),
        "views/overview.py#scope": ("selectbox", "city", ["宁波市", "湖州市", "全省"]),
        "views/compare.py": ("multiselect", "regions", [["330100", "330200"], ["330300", "330212"],
                                                         ["330200", "330500", "330600"]]),
        "views/compare.py#period": ("select_slider", "period", [(2020, 2020), (2016, 2024), (2022, 2022)]),
        "views/initiatives.py#period": ("select_slider", "period", [(2020, 2020), (2016, 2024), (2022, 2022)]),
        "views/explore.py": ("multiselect", "metrics", [["funding"], ["union_members", "competitions"],
                                                        ["union_orgs"]]),
        "views/articles.py": ("query", "article", articles),
        "views/initiatives.py": ("selectbox", "initiative", initiatives[1:]),
    }
    results = {}
    for name, (widget, wkey, values) in changes.items():
        page = name.split("#")[0]
        at = AppTest.from_file(str(ROOT / "dashboard" / "app.py"), default_timeout=300)
        at.run()
        if page != "views/overview.py":
            at.switch_page(page)
            at.run()

        def change(i: int, clear) -> float:
            value = values[i % len(values)]
            clear()
            if widget == "query":
                at.query_params["article"] = value
                t0 = time.perf_counter()
                at.run()
            else:
                el = getattr(at, widget)(key=wkey).set_value(value)
                t0 = time.perf_counter()
                el.run()
            assert not at.exception, [e.value for e in at.exception]
            return (time.perf_counter() - t0) * 1000

        def default_run():
            st.cache_data.clear()
            at.run()

        first = median_ms(default_run, reps)
        warm = [change(i, clear_filter_caches) for i in range(reps)]
        cold = [change(i + reps, st.cache_data.clear) for i in range(reps)]
        results[name] = (first, statistics.median(warm), min(warm), statistics.median(cold))
    return results


# ---- the 核对 page (issue 10): one reviewer's actions, each a full script run ---------------------

REVIEW_PASSWORD = "bench"


def review_db(base: Path) -> Path:
    """The synthetic database with confidences and doubts set (the ETL fills them; the generator
    does not), so that the queue's order means something; built once next to it."""
    import shutil

    import duckdb

    path = base.with_name(base.stem.replace("synth_", "synth_review_") + ".duckdb")
    if path.exists() and path.stat().st_mtime >= base.stat().st_mtime:
        return path
    shutil.copyfile(base, path)
    con = duckdb.connect(str(path))
    con.execute("""UPDATE facts SET confidence = (hash(fact_id) % 1000) / 1000.0,
                                     doubts = CASE WHEN hash(fact_id) % 3 = 0 THEN 'region_from_article'
                                                   WHEN hash(fact_id) % 3 = 1 THEN 'far_cue|inferred_date' END""")
    con.execute("CHECKPOINT")
    con.close()
    return path


def review_benchmarks(base: Path, reps: int) -> tuple[list[tuple[str, float, float, float, float]], float]:
    """Median, fastest and slowest wall ms, and median CPU ms of this process, of each reviewer action on 核对 (and of adding a number on 文章): the
    click, the line appended to the corrections file, the snapshot updated in place and the page
    run again. Returns them and the one-off snapshot build."""
    import tempfile

    from streamlit.testing.v1 import AppTest

    from dashboard import auth, data

    db = review_db(base)
    corrections = Path(tempfile.mkdtemp(prefix="bench-review-")) / "corrections.jsonl"
    saved = {k: os.environ.get(k) for k in ("UNION_DB", "UNION_CORRECTIONS", "UNION_REVIEW_PASSWORD")}
    os.environ.update(UNION_DB=str(db), UNION_CORRECTIONS=str(corrections), UNION_REVIEW_PASSWORD=REVIEW_PASSWORD)
    try:
        t0 = time.perf_counter()
        data._database(data.current_key())
        build = (time.perf_counter() - t0) * 1000
        app = str(ROOT / "dashboard" / "app.py")
        at = AppTest.from_file(app, default_timeout=300)
        at.run()
        at.switch_page("views/review.py")
        at.run()
        at.text_input(key="review_password_input").input(REVIEW_PASSWORD)
        next(b for b in at.button if b.label == "进入").click().run()
        at.text_input(key="reviewer_input").input("基准").run()
        times: dict[str, list[float]] = {}
        cpu: dict[str, list[float]] = {}  # this process's CPU time (all threads): what other load leaves alone

        def timed(name: str, el) -> None:
            t, c = time.perf_counter(), time.process_time()
            el.run()
            assert not at.exception, [e.value for e in at.exception]
            times.setdefault(name, []).append((time.perf_counter() - t) * 1000)
            cpu.setdefault(name, []).append((time.process_time() - c) * 1000)

        def first(prefix: str):
            return next(b for b in at.button if b.key and b.key.startswith(prefix))

        for i in range(reps):
            timed("confirm (确认)", first("rv_ok_").click())
            timed("reject (否决)", first("rv_no_").click())
            edit = first("rv_edit_")
            fid = edit.key[len("rv_edit_"):]
            timed("open the correction form (更正…)", edit.click())
            at.text_input(key=f"rv_form_{fid}_value").input(str(1000 + i))
            timed("save a correction (保存更正)", next(b for b in at.button if b.label == "保存更正").click())
            timed("next page of the queue", at.pagination(key="rv_page").set_value(2 + i))
            timed("show 已核对", at.segmented_control(key="rv_status").set_value("reviewed"))
            timed("show 未核对", at.segmented_control(key="rv_status").set_value("unreviewed"))
            timed("rerun, nothing changed", at)

        # 文章: add a number the ETL missed (the synthetic articles' fillers hold no quantity, so by text)
        key = data.current_key()
        article_ids = list(dict.fromkeys(raw(data.fact_rows)(key, data.FactFilter(), 20 * reps)["article_id"]))[:reps]
        for i, aid in enumerate(article_ids):
            art = AppTest.from_file(app, default_timeout=300)
            art.session_state["_review_unlocked"] = auth._digest(REVIEW_PASSWORD)  # entered, as on 核对
            art.session_state["_reviewer"] = "基准"
            art.run()
            art.switch_page("views/articles.py")
            art.query_params["article"] = aid
            art.run()
            # by position: the words of the filler before its first number (no fact there)
            text = data.article(data.current_key(), aid)["text"]
            start = text.index("持续发力")
            art.radio(key="add_mode").set_value("offsets").run()
            art.number_input(key="add_start").set_value(start)
            art.number_input(key="add_end").set_value(start + 4).run()
            next(t for t in art.text_input if t.key and t.key.endswith("_value")).input(str(7 + i))
            logged = len(data.review_log(data.current_key()))
            t, c = time.perf_counter(), time.process_time()
            next(b for b in art.button if b.label == "保存补充的数字").click().run()
            assert not art.exception, [e.value for e in art.exception]
            times.setdefault("add a number on 文章 (保存补充的数字)", []).append((time.perf_counter() - t) * 1000)
            cpu.setdefault("add a number on 文章 (保存补充的数字)", []).append((time.process_time() - c) * 1000)
            assert len(data.review_log(data.current_key())) == logged + 1, "the number was added"
        # 仅已核对 on the pages that read the reviewed facts: the toggle on and off, full script runs
        # over the database with this session's corrections in it
        for page, label in (("views/compare.py", "地区对比"), ("views/explore.py", "数据"),
                            ("views/overview.py", "总览")):
            view = AppTest.from_file(app, default_timeout=300)
            view.run()
            if page != "views/overview.py":
                view.switch_page(page)
                view.run()
            for i in range(reps):
                for on in (True, False):
                    t, c = time.perf_counter(), time.process_time()
                    view.toggle(key="reviewed").set_value(on).run()
                    assert not view.exception, [e.value for e in view.exception]
                    name = f"{label}: 仅已核对 {'on' if on else 'off'}"
                    times.setdefault(name, []).append((time.perf_counter() - t) * 1000)
                    cpu.setdefault(name, []).append((time.process_time() - c) * 1000)
        snap = data._snapshot(data.current_key().file_key(), str(corrections))
        assert snap.rebuilds == 1, "every action was applied in place"
        rows = [(name, statistics.median(ms), min(ms), max(ms), statistics.median(cpu[name]))
                for name, ms in times.items()]
        return rows, build
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def print_review_section(base: Path, reps: int) -> None:
    rows, build = review_benchmarks(base, reps)
    print(f"\n核对 (review page) per action, full script runs (AppTest), {reps} each (ms):")
    print(f"    snapshot with the overlay, built once per database file: {build:.0f}")
    print(f"    {'action':44s} {'median':>8s} {'fastest':>8s} {'slowest':>8s} {'CPU':>6s}")
    for name, med, best, worst, used in rows:
        print(f"    {name:44s} {med:8.0f} {best:8.0f} {worst:8.0f} {used:6.0f}")
    print("    (CPU: this process's CPU time, every thread, median: on a machine shared with other work the\n"
          "     wall times include waiting for a core)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--facts", type=int, default=1_000_000)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--rebuild", action="store_true")
    ap.add_argument("--skip-export", action="store_true")
    ap.add_argument("--review-only", action="store_true", help="only the 核对 page's section")
    args = ap.parse_args()

    quiet_streamlit()
    db = synthetic_db(args.facts, args.rebuild)
    os.environ["UNION_DB"] = str(db)
    os.environ["UNION_NO_BUILD"] = "1"  # never let the ETL touch the synthetic file
    if args.review_only:
        print_review_section(db, args.reps)
        load = os.getloadavg()
        print(f"\nload average during the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")
        return

    print(f"\nQueries, uncached, median of {args.reps} (ms):")
    for page, items in query_benchmarks(args.reps).items():
        print(f"  {page}  (sum {sum(ms for _, ms in items):.0f} ms)")
        for name, ms in items:
            print(f"    {name:40s} {ms:8.1f}")
    if not args.skip_export:
        print("\nDownloads (one run each, ms):")
        for name, ms in export_benchmark():
            print(f"    {name:40s} {ms:8.0f}")
    print(f"\nFull page script runs (AppTest), median of {args.reps} (ms):")
    print(f"    {'page':28s} {'defaults, cold':>15s} {'filter change (min)':>20s} {'filter change, cold':>20s}")
    names = {"views/overview.py": "总览 数字类型", "views/overview.py#period": "总览 时期",
             "views/overview.py#scope": "总览 范围", "views/compare.py": "地区对比 地区",
             "views/compare.py#period": "地区对比 时期", "views/explore.py": "数据 指标", "views/articles.py": "文章 文章",
             "views/initiatives.py": "倡议 倡议", "views/initiatives.py#period": "倡议 时期"}
    for page, (first, warm, warm_min, cold) in page_benchmarks(args.reps).items():
        print(f"    {names[page]:28s} {first:15.0f} {warm:13.0f} ({warm_min:4.0f}) {cold:20.0f}")
    print_review_section(db, args.reps)
    load = os.getloadavg()
    print(f"\nload average during the run: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
