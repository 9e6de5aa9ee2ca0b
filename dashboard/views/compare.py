"""地区对比: 2–4 cities or counties side by side (宁波市 and 湖州市 by default) for a period, every metric
and kind either reports, by the counting rules; one small chart per metric and kind (they stack on
a phone), a table of the figures with their dates, the targets listed by deadline, the facts
behind each bar, optionally per 10,000 residents."""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import charts, data, ui
from dashboard.data import FactFilter, Measure
from dashboard.formatting import (
    INFERRED_MARK, KIND_LABELS, KIND_ORDER, REVIEWED_STATES, combine_approx, date_text, format_fact_value, kind_label,
    md_text, per_10k, period_text, reviewed_share_text, span_text,
)

DEFAULT_REGIONS = ["330200", "330500"]  # 宁波市, 湖州市
PANELS_PER_ROW = 3
FACTS_PER_BAR = 50

key = ui.db_key()
metrics, labels, units, core = ui.metric_info(key)
regions = data.region_table(key)
pickable = regions[regions.level.isin(["city", "county"])]
names = dict(zip(regions.code, regions.name))
city_of = dict(zip(pickable.code, pickable.city_code))
level_of = dict(zip(pickable.code, pickable.level))
population = dict(zip(regions.code, regions.population_2020))
pop_source = dict(zip(regions.code, regions.population_source))


def region_label(code: str) -> str:
    if level_of.get(code) == "county":
        return f"{names[code]}（{names.get(city_of.get(code), '')}）"
    return names.get(code, code)


st.title("地区对比")
c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
sel = c1.multiselect("对比的地区（2–4 个地市或区县）", pickable["code"].tolist(),
                     default=[c for c in DEFAULT_REGIONS if c in level_of], format_func=region_label,
                     max_selections=4, key="regions", bind="query-params")
span = ui.period_picker(key, c2)
t1, t2, t3 = st.columns([2, 2, 2], vertical_alignment="bottom")
kinds = t1.pills("数字类型", list(KIND_LABELS), selection_mode="multi", default=list(KIND_LABELS),
                 format_func=kind_label, key="kinds", bind="query-params")
basis = ui.basis_picker(t2, ui.BASIS_HELP + "区县没有下一级的汇总，总按本级数字。")
per10k = t3.toggle("按每万常住人口计算", key="per10k", bind="query-params",
                   help="用 2020 年第七次人口普查的常住人口换算；缺少人口数据的地区不做换算")
e1, e2 = st.columns([4, 2], vertical_alignment="bottom")
every = e1.toggle(f"也比较其他 {len(metrics) - len(core)} 项指标（竞赛参与人数、服务阵地、培训……）", key="all",
                  bind="query-params", help="默认只比较四项核心指标：工会组织、工会会员、经费投入、竞赛")
reviewed = ui.reviewed_toggle(e2)
of_facts = partial(Measure, reviewed_only=reviewed)  # every figure of the page: of all facts, or of the reviewed ones
shown = tuple(metrics) if every else tuple(m for m in metrics if m in core)

if len(sel) < 2:
    st.warning("请至少选择 2 个地区进行对比（最多 4 个）。")
    st.stop()
if not kinds:
    st.warning("请至少选择一种数字类型（新增、累计或目标）。")
    st.stop()

codes = tuple(sel)
kinds = tuple(k for k in KIND_ORDER if k in kinds)
period = span_text(span)
span_start = pd.Timestamp(span[0])
region_names = [region_label(c) for c in codes]
below = basis == "below"


def measure(kind: str, code: str | None = None) -> Measure:
    """The figures of the selected regions (their own), or of one city's counties (below)."""
    if below and code is not None:
        return of_facts(kind, shown, span, level="county", within=code)
    return of_facts(kind, shown, span, regions=codes)


def when_text(kind: str, row, sep: str = "") -> str:
    """When a figure is from (（推断） when read against an inferred issue date); `sep` between the
    date and the note that it is older than the span."""
    mark = INFERRED_MARK if row.get("n_inferred", 0) else ""
    if kind == "total":
        first, last = row["first_as_of"], row["last_as_of"]
        text = f"截至{date_text(last)}" if first == last else f"截至{date_text(first)}至{date_text(last)}不等"
        return text + mark + (f"{sep}（早于所选时期）" if pd.Timestamp(last) < span_start else "")
    return period_text(row["first_start"], row["last_end"]) + mark


frames = []
for kind in (k for k in kinds if k != "target"):
    if below:
        for code in codes:
            if level_of.get(code) == "city":
                f = data.sum_of_figures(data.figures(key, measure(kind, code))).assign(grp=code)
            else:
                f = data.figures(key, of_facts(kind, shown, span, regions=(code,)))
            frames.append(f.assign(kind=kind))
    else:
        frames.append(data.figures(key, measure(kind)).assign(kind=kind))
summ = pd.concat([f for f in frames if not f.empty], ignore_index=True) if any(not f.empty for f in frames) \
    else pd.DataFrame(columns=["grp", "metric", "kind", "value", "n", "approxes", "n_reviewed"])
targets = (data.target_list(key, of_facts("target", shown, span, regions=codes))
           if "target" in kinds else pd.DataFrame())

if summ.empty and targets.empty:
    st.info(f"{md_text('、'.join(region_names))}在{period}都没有{'、'.join(kind_label(k) for k in kinds)}类的"
            + ("数字。" if every else "核心指标数字。打开“也比较其他指标”，或")
            + "换一个时期（例如拖动“时期”的两端选几年）或别的地区。")
    ui.source_note(key)
    st.stop()

if not summ.empty:
    morder = {m: i for i, m in enumerate(metrics)}
    korder = {k: i for i, k in enumerate(KIND_ORDER)}
    summ = summ.rename(columns={"grp": "code"})
    summ = summ.assign(_m=summ.metric.map(morder), _k=summ.kind.map(korder)).sort_values(["_m", "_k", "code"])
    summ["panel"] = [f"{labels.get(m, m)}·{kind_label(k)}" for m, k in zip(summ.metric, summ.kind)]
    summ["region"] = summ.code.map(region_label)
    summ["unit"] = summ.metric.map(units)
    summ["when"] = [when_text(k, r) for k, r in zip(summ.kind, summ.to_dict("records"))]
    summ["when_short"] = [when_text(k, r, "\n") for k, r in zip(summ.kind, summ.to_dict("records"))]
    summ["label"] = [format_fact_value(v, units.get(m, ""), combine_approx(a))
                     for v, m, a in zip(summ.value, summ.metric, summ.approxes)]
    summ["text"] = [format_fact_value(v, units.get(m, ""), combine_approx(a), compact=True)
                    for v, m, a in zip(summ.value, summ.metric, summ.approxes)]
    missing_pop = [c for c in codes if pd.isna(population.get(c))]
    # Per 10,000 residents: a ratio, never an exact count, so always in the compact form (445.42万元/万人).
    ratios = [per_10k(v, population.get(c)) for c, v in zip(summ.code, summ.value)]
    summ["p10k"] = [None if r is None else float(r) for r in ratios]
    summ["p10k_label"] = [None if r is None else format_fact_value(r, f"{u}/万人", combine_approx(a), compact=True)
                          for r, u, a in zip(ratios, summ.unit, summ.approxes)]

    what = ("各地区本级数字" if not below else "地市为其各区县数字之和，区县为本级数字")
    st.subheader(f"{md_text(' 与 '.join(region_names))}：{period}" + ("，每万常住人口" if per10k else ""))
    st.caption(f"{what}。新增：时期完全在{period}内的数字按统计口径计；累计：截至{period}末的最新报道（标出截至日期）；"
               "每个小图是一个指标的一种类型，新增、累计、目标从不相加。")
    ui.review_note(key, FactFilter(metrics=shown, kinds=kinds, period=span, region_codes=codes), reviewed, "所选地区")
    if per10k:
        if missing_pop:
            st.warning("缺少 2020 年人口普查常住人口数据，未做每万人换算：" + md_text("、".join(region_label(c) for c in missing_pop))
                       + "。这些地区在图中显示“未报告”，表中注明“缺少人口数据”。")
        known = [c for c in codes if c not in missing_pop]
        if known:
            srcs = sorted({pop_source.get(c) or "" for c in known} - {""})
            st.caption("人口：" + "；".join(f"{md_text(region_label(c))} {int(population[c]):,} 人" for c in known)
                       + (f"（来源：{'；'.join(srcs)}）" if srcs else ""))
        chart_df = summ[summ.p10k.notna()].assign(value=lambda d: d.p10k, label=lambda d: d.p10k_label,
                                                  text=lambda d: d.p10k_label, unit=lambda d: d.unit + "/万人")
    else:
        chart_df = summ

    panels = list(dict.fromkeys(summ.panel))
    if chart_df.empty:
        st.info("所选地区都缺少人口数据，无法按每万人显示。请关闭“按每万常住人口计算”。")
    else:
        for start in range(0, len(panels), PANELS_PER_ROW):
            row_panels = panels[start:start + PANELS_PER_ROW]
            for col, p in zip(st.columns(PANELS_PER_ROW), row_panels):
                part = chart_df[chart_df.panel == p]
                with col:
                    if part.empty:
                        st.caption(f"{p}：所选地区都缺少人口数据。")
                        continue
                    kind = part.kind.iloc[0]
                    sub = "各地最新报道，不相加" if kind == "total" else f"时期在{period}内"
                    # the panel's share of reviewed facts (each bar's in its hover); with 仅已核对, the words
                    sub = f"仅已核对 · {sub}" if reviewed else \
                        f"{sub} · {reviewed_share_text(part.n_reviewed.sum(), part.n.sum())}"
                    fig = charts.compare_panel(part.assign(key=p, when=part.when_short), title=p,
                                               unit=part.unit.iloc[0], region_order=region_names, subtitle=sub)
                    ev = st.plotly_chart(fig, key=f"panel_{start + row_panels.index(p)}",
                                         config={"displayModeBar": False}, on_select="rerun", selection_mode="points")
                    clicked = ui.clicked(ev)
                    if clicked and clicked != st.session_state.get("_compare_click"):
                        st.session_state["_compare_click"] = clicked
                        st.session_state["bar"] = clicked
        st.caption("“未报告”表示该地区在所选时期没有这个数字；悬停在柱子上可见数字的时期或截至日期。")

    st.subheader("数字对照表")
    counts = [f"{int(n)}条" if reviewed else f"{int(n)}条，已核对{int(k)}条" for n, k in zip(summ.n, summ.n_reviewed)]
    cells = [f"{lab}（{w}，{c}）" if w else f"{lab}（{c}）" for lab, w, c in zip(summ.label, summ.when, counts)]
    if per10k:
        cells = [f"{c}；每万人 {p if isinstance(p, str) else '缺少人口数据'}" for c, p in zip(cells, summ.p10k_label)]
    table = summ.assign(cell=cells)
    pivot = table.pivot(index="panel", columns="region", values="cell").reindex(
        index=list(dict.fromkeys(table.panel)), columns=region_names)
    pivot = pivot.astype(object).where(pivot.notna(), "未报告")
    pivot.index.name = "指标·类型"
    pivot.columns.name = None
    # a static table wraps its cells, so that the dates stay readable on a phone (nothing in it comes
    # from a page: numbers, dates, metric and gazetteer names)
    st.table(pivot)

if "target" in kinds:
    st.subheader(f"目标（{period}有效，按期限排列，从不相加）")
    if targets.empty:
        st.info(f"{md_text('、'.join(region_names))}在{period}都没有有效的目标。")
    else:
        if len(targets) > 200:
            st.caption(f"共 {len(targets)} 项目标，下表列出期限最近的 200 项；全部目标可在“数据”页按类型“目标”筛选下载。")
        if not reviewed:
            listed = targets[targets.dropped.isna()]
            st.caption(f"目标{reviewed_share_text(listed.review.isin(REVIEWED_STATES).sum(), len(listed), '项')}。")
        ui.show_facts(targets.head(200).drop(columns=["dropped"]), key="compare_targets")

if not summ.empty:
    st.subheader("每根柱子背后的数字")
    panels = list(dict.fromkeys(summ.panel))
    if st.session_state.get("bar") not in panels:
        st.session_state["bar"] = panels[0]
    panel = st.selectbox("选择指标·类型（或点击上方图中的柱子）", panels, key="bar")
    grp = summ[summ.panel == panel]
    m, k = grp.metric.iloc[0], grp.kind.iloc[0]
    # one query for the regions' own figures (the counties of a city for 下辖各地之和: one per city)
    own_facts = data.figure_facts(key, of_facts(k, shown, span, regions=codes), None, m)
    for col, code in zip(st.columns(len(codes)), codes):
        with col:
            here = grp[grp.code == code]
            if here.empty:
                st.markdown(f"**{md_text(region_label(code))}**")
                st.caption(f"{period}没有报告“{md_text(panel)}”。")
                continue
            if below and level_of.get(code) == "city":
                rows = data.figure_facts(key, measure(k, code), None, m)
            else:
                rows = own_facts[own_facts.grp == code]
            n_in = int(rows["dropped"].isna().sum())
            st.markdown(f"**{md_text(region_label(code))}**")
            more = f"；下表列出前 {FACTS_PER_BAR} 条（计入的在前）" if len(rows) > FACTS_PER_BAR else ""
            n_done = int(rows.loc[rows.dropped.isna(), "review"].isin(REVIEWED_STATES).sum())
            st.caption(f"{here.label.iloc[0]}（{here.when.iloc[0]}）：{n_in} 条数字计入"
                       + ("" if reviewed else f"（已核对 {n_done} 条）")
                       + (f"，{len(rows) - n_in} 条按统计口径不计" if len(rows) > n_in else "") + more)
            ui.show_facts(rows.head(FACTS_PER_BAR), key=f"facts_{code}")
            params = {"metrics": labels.get(m, m), "kinds": kind_label(k), "counted": "true",
                      **({"reviewed": "true"} if reviewed else {})}
            params["cities" if level_of[code] == "city" else "counties"] = names[code]
            ui.data_page_link("在“数据”页查看、下载这一地区的这类数字", params)

with st.expander("统计口径与去重规则"):
    st.markdown(ui.COUNTING_RULE)
ui.source_note(key)
