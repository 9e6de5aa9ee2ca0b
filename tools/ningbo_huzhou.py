"""Each core metric for 宁波市 and 湖州市 in 2021, 2023 and 2024 as the dashboard computes it (地区对比,
本级数字), with the facts behind each figure — so the figures can be checked by hand against the
articles, and checked again whenever the ETL improves.

Usage: python tools/ningbo_huzhou.py [--db build/union_facts.duckdb] [--years 2021 2023 2024]
                                     [--regions 330200 330500] [--all] [--markdown]
Without --db the dashboard's own database is used (built from data/raw/ when missing).
--all lists the facts left out of each figure too, with the counting rule that left each one out.
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
logging.getLogger("streamlit").setLevel(logging.ERROR)

KINDS = ("increment", "total", "target")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", help="database file (default: the dashboard's, built from data/raw/ if missing)")
    ap.add_argument("--years", type=int, nargs="+", default=[2021, 2023, 2024])
    ap.add_argument("--regions", nargs="+", default=["330200", "330500"], help="region codes")
    ap.add_argument("--all", action="store_true", help="also list the facts the rules left out")
    ap.add_argument("--markdown", action="store_true", help="one markdown table of the figures, then the facts")
    args = ap.parse_args()
    if args.db:
        os.environ["UNION_DB"] = args.db
        os.environ["UNION_NO_BUILD"] = "1"

    # no "No runtime found" line per cached function outside a Streamlit server
    logging.getLogger("streamlit.runtime.caching.cache_data_api").addFilter(
        lambda r: "No runtime found" not in r.getMessage())
    from dashboard import data
    from dashboard.data import Measure

    from dashboard.formatting import (
        combine_approx, date_text, format_fact_value, kind_label, period_text, target_label, year_span,
    )
    from dashboard.tables import DROPPED_LABELS

    data.ensure_database()
    key = data.current_key()
    metrics = data.metric_table(key)
    core = [m for m in metrics.metric if m in data.core_metrics(key)]
    label = dict(zip(metrics.metric, metrics.label))
    unit = dict(zip(metrics.metric, metrics.unit))
    names = dict(zip(data.region_table(key).code, data.region_table(key).name))
    regions = tuple(args.regions)

    def when(kind, row, year) -> str:
        inferred = "，日期推断" if row.get("n_inferred") else ""
        if kind == "total":
            stale = "，早于所选年份" if row["last_as_of"].year < year else ""
            return f"截至{date_text(row['last_as_of'])}{stale}{inferred}"
        return period_text(row["first_start"], row["last_end"]) + inferred

    def fact_line(f) -> str:
        period = period_text(f["period_start"], f["period_end"]) or "—"
        words = f["period_label"] if isinstance(f["period_label"], str) else ""
        dropped = None if f["dropped"] is None or f["dropped"] != f["dropped"] else f["dropped"]
        tag = ("列出" if dropped is None else "细分，不另列") if f["kind"] == "target" \
            else DROPPED_LABELS.get(dropped, str(dropped))
        value = format_fact_value(f["value"], f["unit"], f["approx"])
        kind = target_label(f["target_type"]) if f["kind"] == "target" else kind_label(f["kind"])
        return (f"    [{tag}] {value} {kind} · {f['region']} · {period}" + (f"（{words}）" if words else "")
                + f" · {f['doc']} {date_text(f['issue_date'], f['date_source'] == 'inferred')}\n"
                f"        「{f['evidence']}」")

    table: list[tuple] = []
    details: list[str] = []
    for year in args.years:
        span = year_span(year, year)
        for kind in KINDS:
            m = Measure(kind, tuple(core), span, regions=regions)
            if kind == "target":
                listed = data.target_list(key, m)
                for code in regions:
                    for metric in core:
                        rows = listed[(listed.grp == code) & (listed.metric == metric)]
                        cell = "；".join(f"{format_fact_value(r.value, unit[metric], r.approx, compact=True)}"
                                        f"（{target_label(r.target_type)}，期限{date_text(r.deadline)}）"
                                        for r in rows.itertuples()) or "—"
                        table.append((year, names[code], label[metric], "目标（不相加）", cell, len(rows)))
                        if len(rows):
                            details.append(f"{year} {names[code]} {label[metric]} 目标：{cell}")
                            details += [fact_line(r) for r in rows.to_dict("records")]
                continue
            figs = data.figures(key, m)
            facts = data.figure_facts(key, m)
            for code in regions:
                for metric in core:
                    row = figs[(figs.grp == code) & (figs.metric == metric)]
                    behind = facts[(facts.grp == code) & (facts.metric == metric)]
                    if row.empty:
                        cell, n = "未报告", 0
                    else:
                        r = row.iloc[0].to_dict()
                        cell = (format_fact_value(r["value"], unit[metric], combine_approx(r["approxes"]), compact=True)
                                + f"（{when(kind, r, year)}）")
                        n = int(r["n"])
                    table.append((year, names[code], label[metric], kind_label(kind), cell, n))
                    shown = behind if args.all else behind[behind.dropped.isna()]
                    if len(shown):
                        details.append(f"{year} {names[code]} {label[metric]} {kind_label(kind)}：{cell}")
                        details += [fact_line(f) for f in shown.to_dict("records")]

    if args.markdown:
        print("| 年份 | 地区 | 指标 | 类型 | 看板上的数字 | 计入的数字条数 |")
        print("| --- | --- | --- | --- | --- | --- |")
        for row in table:
            print("| " + " | ".join(str(x) for x in row) + " |")
    else:
        for row in table:
            print("  ".join(str(x) for x in row))
    print()
    print("\n".join(details))
    print(f"\n数据库：{key.path}")


if __name__ == "__main__":
    main()
