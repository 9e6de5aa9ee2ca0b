"""总览: the four core metrics of one kind for a period and a place (全省 or a city), a map and bars
of the regions one level down, bars by initiative and the figures year by year — every figure by
the counting rules (sql/counting.sql) and labelled with what it is and when. Filters live in the URL."""
from __future__ import annotations

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import charts, data, ui
from dashboard.data import FactFilter, Measure
from dashboard.formatting import (
    INFERRED_MARK, KIND_LABELS, REVIEWED_STATES, combine_approx, date_text, format_fact_value, kind_label, md_text,
    period_text, reviewed_share_text, span_text, target_label, year_span,
)

key = ui.db_key()
metrics, labels, units, core = ui.metric_info(key)
regions = data.region_table(key)
cities = regions[regions.level == "city"]
city_code = dict(zip(cities.name, cities.code))
region_name = dict(zip(regions.code, regions.name))
opts = data.filter_options(key)

st.title("浙江工会工作数字总览")

c1, c2, c3, c4 = st.columns([4, 3, 3, 3], vertical_alignment="bottom")
span = ui.period_picker(key, c1)
with c2:
    kind = st.segmented_control("数字类型", list(KIND_LABELS), format_func=kind_label, default="increment",
                                required=True, key="kind", bind="query-params",
                                help="新增、累计、目标三类数字含义不同，从不相加")
with c3:
    scope = st.selectbox("范围（下钻到区县）", ["全省", *cities.name], key="city", bind="query-params")
basis = ui.basis_picker(c4)
m1, m2 = st.columns([4, 2], vertical_alignment="bottom")
metric = m1.selectbox("地图和柱状图的指标", metrics, index=metrics.index("union_orgs") if "union_orgs" in metrics else 0,
                      format_func=lambda m: f"{labels[m]}（{units[m]}）", key="metric", bind="query-params")
reviewed = ui.reviewed_toggle(m2)
measure = partial(Measure, reviewed_only=reviewed)  # every figure of the page: of all facts, or of the reviewed ones

kind = kind or "increment"
province = scope == "全省"
scope_code = data.PROVINCE_CODE if province else city_code[scope]
scope_name = "全省" if province else scope
child_level = "city" if province else "county"
child = "地市" if province else "区县"
within = None if province else scope_code
period = span_text(span)
span_end = pd.Timestamp(span[1])
span_start = pd.Timestamp(span[0])
what = f"{labels[metric]}{kind_label(kind)}"


def when_text(row) -> str:
    """When a figure is from: the span of its increments' periods, or its totals' dates; （推断）
    when one of its facts was dated by an inferred issue date."""
    text = _when_text(row)
    return text + INFERRED_MARK if text and row.get("n_inferred", 0) else text


def _when_text(row) -> str:
    if kind == "total":
        first, last = row.get("first_as_of"), row.get("last_as_of")
        if pd.isna(last):
            return ""
        text = f"截至{date_text(last)}" if pd.isna(first) or first == last else \
            f"截至{date_text(first)}至{date_text(last)}不等"
        if pd.Timestamp(last) < span_start:
            text += "（早于所选时期的最新报道）"
        return text
    return period_text(row.get("first_start"), row.get("last_end"))


def named(figs: pd.DataFrame) -> pd.DataFrame:
    """Figures per region with the region's name and the words for when they are from."""
    if figs.empty:
        return figs.assign(code=[], name=[], when=[])
    return figs.assign(code=figs["grp"], name=figs["grp"].map(region_name).fillna(figs["grp"]),
                       when=[when_text(r) for r in figs.to_dict("records")])


# ---- cards: the four core metrics, one kind ---------------------------------------------------

# One query per set of figures serves the cards and the map: the core metrics and the map's metric.
shown_metrics = tuple(dict.fromkeys([*core, metric]))
mark = "仅已核对 · " if reviewed else ""   # on every chart's subtitle: a screenshot says what it counts
reviewed_param = {"reviewed": "true"} if reviewed else {}   # links to 数据 keep the filter
# the facts of the page's scope, for how many of them are reviewed (the cards' metrics, this kind and period)
scope_facts = FactFilter(metrics=tuple(core), kinds=(kind,), period=span,
                         **({"zhejiang": True} if province else {"region_codes": (scope_code,)}))
none_word = "没有已核对的这类数字" if reviewed else "没有这一类数字"

if kind == "target":
    own_targets = data.target_list(key, measure("target", shown_metrics, span, regions=(scope_code,)))
    below_targets = data.target_list(key, measure("target", shown_metrics, span, level=child_level, within=within))
    listed = own_targets if basis == "own" else below_targets
    whose = f"{scope_name}本级" if basis == "own" else f"各{child}"
    st.subheader(f"{scope_name} · {period}有效的目标 · {whose}")
    st.caption("目标从不相加：这里数的是目标有几项，并列出期限最近的一项；全部目标按期限列在下方。")
    ui.review_note(key, scope_facts, reviewed)
    cols = st.columns(len(core))
    for col, m in zip(cols, core):
        rows = listed[(listed.metric == m) & listed.dropped.isna()]
        with col:
            if rows.empty:
                st.metric(f"{labels[m]} · 目标", "暂无", border=True, help=f"{period}没有有效的这类目标")
                st.caption("没有已核对的这类目标" if reviewed else "没有这一类目标")
            else:
                first = rows.iloc[0]
                st.metric(f"{labels[m]} · 目标", f"{len(rows)} 项", border=True,
                          help="目标从不相加；新增目标与累计目标含义不同")
                share = "" if reviewed else "；" + reviewed_share_text(rows.review.isin(REVIEWED_STATES).sum(), len(rows), "项")
                st.caption(f"期限最近：{date_text(first.deadline)}，{target_label(first.target_type)} "
                           f"{format_fact_value(first.value, units[m], first.approx, compact=True)}（{md_text(first.region)}）"
                           + share)
else:
    own = data.figures(key, measure(kind, tuple(core), span, regions=(scope_code,))).set_index("metric")
    children = data.figures(key, measure(kind, shown_metrics, span, level=child_level, within=within))
    below = data.sum_of_figures(children[children.metric.isin(core)]).set_index("metric")
    if kind == "increment":
        head = (f"{scope_name}本级报道（本级未报的时期由{child}补充）" if basis == "own"
                else f"各{child}报道之和")
        st.subheader(f"{scope_name} · {period} · 新增 · {'本级数字' if basis == 'own' else '下辖各地之和'}")
        st.caption(f"{head}。时期完全在{period}内的新增数字才计入。")
    else:
        head = (f"{scope_name}本级截至{date_text(span_end)}的最新累计数" if basis == "own"
                else f"各{child}截至{date_text(span_end)}的最新累计数之和（截至日期不一）")
        st.subheader(f"{scope_name} · 截至{period}末 · 累计 · {'本级数字' if basis == 'own' else '下辖各地之和'}")
        st.caption(f"{head}。累计数是某一日期的存量，不同日期的从不相加。")
    ui.review_note(key, scope_facts, reviewed)
    shown = own if basis == "own" else below
    other = below if basis == "own" else own
    cols = st.columns(len(core))
    for col, m in zip(cols, core):
        with col:
            title = f"{labels[m]} · {kind_label(kind)}"
            if m in shown.index:
                row = shown.loc[m]
                st.metric(title, format_fact_value(row["value"], units[m], combine_approx(row["approxes"]),
                                                   compact=True), border=True,
                          help=f"{int(row['n'])} 条数字按统计口径计入")
                when = when_text(row)
                if basis == "own" and kind == "increment":
                    if not row["n_below"]:
                        parts = f"本级 {int(row['n_own'])} 条"
                    elif not row["n_own"]:
                        parts = f"本级未报告，{child}补充 {int(row['n_below'])} 条"
                    else:
                        parts = f"本级 {int(row['n_own'])} 条 + {child}补充 {int(row['n_below'])} 条"
                elif basis == "own":
                    parts = "本级最新报道"
                else:
                    parts = f"{int(row['n_regions'])} 个地区，{int(row['n'])} 条"
                if not reviewed:  # with 仅已核对 every fact counted is reviewed (the note above says so)
                    parts += "；" + reviewed_share_text(row["n_reviewed"], row["n"])
                st.caption(f"{when}；{parts}" if when else parts)
            else:
                st.metric(title, "暂无", border=True, help=f"{head}：没有这一类数字")
                if m in other.index:
                    alt = other.loc[m]
                    alt_text = format_fact_value(alt["value"], units[m], combine_approx(alt["approxes"]), compact=True)
                    st.caption(f"{'本级未报告；各' + child + '之和' if basis == 'own' else '下辖未报告；本级'} "
                               f"{alt_text}（切换“口径”查看）")
                else:
                    st.caption(none_word)

with st.expander("统计口径与去重规则"):
    st.markdown(ui.COUNTING_RULE)

# ---- targets are listed, never added ------------------------------------------------------------

if kind == "target":
    rows = pd.concat([own_targets, below_targets], ignore_index=True)
    rows = rows[rows.metric == metric].drop_duplicates("fact_id").sort_values(["deadline", "region"], kind="stable")
    st.subheader(f"{scope_name}{labels[metric]}目标（{period}有效，按期限排列，从不相加）")
    if rows.empty:
        st.info(f"{scope_name}在{period}没有有效的“{labels[metric]}”目标。可换一个指标、时期或范围。")
    else:
        ui.show_facts(rows.drop(columns=["dropped"]), key="target_facts")
        st.caption("期限是目标要达到的日期；新增目标（如新建8900家）与累计目标（如累计达3.3万家）含义不同。")
    ui.source_note(key)
    st.stop()

# ---- map and bars of the regions one level down -------------------------------------------------

child_measure = measure(kind, shown_metrics, span, level=child_level, within=within)
reg = named(children[children.metric == metric].reset_index(drop=True))
# Subtitles stay short (Plotly does not wrap them on a phone); the longer words go under the chart.
if kind == "increment":
    sub_title = f"{mark}各{child}本级数字，缺报时期由下辖补充"
    under = f"每个{child}：本级报告的新增数字；本级未报告的时期，计入其下辖地区的数字。"
else:
    sub_title = f"{mark}各{child}最新累计数，不相加"
    under = f"每个{child}：截至{date_text(span_end)}的最新一次累计数；截至日期见悬停提示。"
left, right = st.columns([1, 1])
if reg.empty:
    st.info(f"{scope_name}各{child}在{period}都没有“{what}”的数字，所以这里没有地图和{child}柱状图。"
            + ("它们可能只有全省性的数字（见上方卡片）。" if province else "它们可能只有全市的数字（见上方卡片）。"))
else:
    geo = data.geojson_for(child_level)
    ev_map = None
    with left:
        if geo is None:
            st.info("缺少地图边界文件（data/geo/），暂不能显示地图；右侧柱状图不受影响。")
        else:
            if not province:
                geo = {"type": "FeatureCollection",
                       "features": [f for f in geo["features"] if f["properties"].get("city_code") == scope_code]}
            try:
                fig = charts.region_map(reg, geo, title=f"{scope_name}各{child}{what}（{period}）", unit=units[metric],
                                        subtitle=sub_title)
                ev_map = st.plotly_chart(fig, key="map", config={"displayModeBar": False}, on_select="rerun",
                                         selection_mode="points")
                st.caption(f"{under}颜色越深数字越大；灰色表示没有数字。选择上方“范围”可下钻到某个地市的区县。")
            except ValueError:
                st.info(f"{scope_name}各{child}的数字无法落到地图上（地区代码不在边界文件中）。")
    with right:
        fig = charts.bar_chart(reg, category="name", title=f"各{child}{what}（{period}）", unit=units[metric],
                               category_title=child, customdata="code", subtitle=sub_title)
        ev = st.plotly_chart(fig, key="region_bars", on_select="rerun", selection_mode="points",
                             config={"displayModeBar": False})
        st.caption(ui.bars_share_text(reg, reviewed))
    # A click on a bar or on the map picks that region below; only a new click overrides the select box.
    name_of = dict(zip(reg["code"], reg["name"]))
    clicked = name_of.get(ui.clicked(ev))
    map_points = ev_map.selection.points if geo is not None and ev_map and ev_map.selection else []
    if map_points and not clicked:
        clicked = name_of.get(map_points[0].get("location"))
    if clicked and clicked != st.session_state.get("_region_click"):
        st.session_state["_region_click"] = clicked
        st.session_state["pick_region"] = clicked
    with st.expander("查看柱子背后的数字", expanded=bool(st.session_state.get("pick_region"))):
        names = reg["name"].tolist()
        if st.session_state.get("pick_region") not in names:
            st.session_state["pick_region"] = None
        pick = st.selectbox(f"选择{child}（或点击上方柱子）", names, index=None, key="pick_region",
                            placeholder=f"选择一个{child}")
        if pick:
            row = reg[reg["name"] == pick].iloc[0]
            rows = data.figure_facts(key, child_measure, row["code"], metric)
            n_in = int(rows["dropped"].isna().sum())
            value = format_fact_value(row["value"], units[metric], combine_approx(row["approxes"]), compact=True)
            st.caption(f"{md_text(pick)}：{value}，{n_in} 条数字计入这根柱子" +
                       (f"，另有 {len(rows) - n_in} 条按统计口径不计（见“是否计入”）。" if len(rows) > n_in else "。"))
            ui.show_facts(rows, key="region_facts")
            params = {"metrics": labels[metric], "kinds": kind_label(kind), "counted": "true", **reviewed_param}
            params["cities" if child_level == "city" else "counties"] = pick
            ui.data_page_link(f"在“数据”页查看{pick}的全部“{labels[metric]}”数字（可筛选、下载）", params)

# ---- bars by initiative, within the scope -------------------------------------------------------

ini_measure = measure(kind, (metric,), span, by="initiative", within=within)
ini = data.figures(key, ini_measure)
ini = ini.assign(initiative=ini["grp"], when=[when_text(r) for r in ini.to_dict("records")]) if not ini.empty else ini
ini = ini.sort_values("value", ascending=False).head(15) if not ini.empty else ini
left, right = st.columns([1, 1])
with left:
    if ini.empty:
        st.info(f"{scope_name}在{period}没有带倡议的“{what}”数字，所以这里没有倡议柱状图。")
    else:
        ini_sub = mark + ("每个倡议内按统计口径计" if kind == "increment" else "每个倡议：各地最新累计数之和")
        fig = charts.bar_chart(ini, category="initiative", title=f"{scope_name}各倡议{what}（{period}，前15）",
                               unit=units[metric], category_title="倡议", subtitle=ini_sub)
        ev2 = st.plotly_chart(fig, key="ini_bars", on_select="rerun", selection_mode="points",
                              config={"displayModeBar": False})
        st.caption(f"{ui.bars_share_text(ini, reviewed)}一条数字可同时属于几个倡议，所以各倡议之和可能大于上方的合计。")
        clicked = ui.clicked(ev2)
        if clicked and clicked != st.session_state.get("_ini_click"):
            st.session_state["_ini_click"] = clicked
            st.session_state["pick_ini"] = clicked
        with st.expander("查看柱子背后的数字", expanded=bool(st.session_state.get("pick_ini"))):
            names = ini["initiative"].tolist()
            if st.session_state.get("pick_ini") not in names:
                st.session_state["pick_ini"] = None
            pick = st.selectbox("选择倡议（或点击上方柱子）", names, index=None, key="pick_ini",
                                placeholder="选择一个倡议")
            if pick:
                rows = data.figure_facts(key, ini_measure, pick, metric)
                st.caption(f"“{md_text(pick)}”：{int(rows['dropped'].isna().sum())} 条数字计入这根柱子。")
                ui.show_facts(rows, key="ini_facts")

# ---- year by year, on a true time axis ----------------------------------------------------------

lo, hi = opts["years"]
full = year_span(lo, hi) if lo is not None else span
sel_years = (span_start.year, span_end.year)
with right:
    if kind == "increment":
        if basis == "own":
            yr_measure = measure(kind, (metric,), full, regions=(scope_code,), by="year")
            years = data.figures(key, yr_measure)
        else:
            yr_measure = measure(kind, (metric,), full, level=child_level, within=within, by="year")
            by_year = data.figures(key, yr_measure)
            years = (by_year.groupby("year", as_index=False)
                     .agg(value=("value", "sum"), n=("n", "sum"),
                          approxes=("approxes", lambda s: sorted({a for x in s for a in x})),
                          first_start=("first_start", "min"), last_end=("last_end", "max"),
                          n_inferred=("n_inferred", "sum"), n_reviewed=("n_reviewed", "sum"))
                     if not by_year.empty else by_year)
        if years.empty:
            st.info(f"{scope_name}没有时期在一年之内的“{what}”数字，所以这里没有按年份的图。")
        else:
            years = years.assign(when=[period_text(a, b) + (INFERRED_MARK if k else "") for a, b, k in
                                       zip(years.first_start, years.last_end, years.get("n_inferred", [0] * len(years)))])
            fig = charts.year_chart(years, title=f"{scope_name}{what}，按年份", unit=units[metric], selected=sel_years,
                                    subtitle=f"{mark}每年按统计口径计，深色为所选时期")
            ev_tl = st.plotly_chart(fig, key="timeline", config={"displayModeBar": False}, on_select="rerun",
                                    selection_mode="points")
            st.caption(ui.bars_share_text(years, reviewed) + ("本级数字" if basis == "own" else f"各{child}之和") +
                       "；每根柱子占它所在的一年，时期跨年的数字不画入。")
            clicked = ui.clicked(ev_tl)
            year_labels = [f"{int(y)}年" for y in years["year"]]
            if clicked and f"{int(clicked)}年" != st.session_state.get("_tl_click"):
                st.session_state["_tl_click"] = f"{int(clicked)}年"
                st.session_state["pick_year"] = f"{int(clicked)}年"
            with st.expander("查看柱子背后的数字", expanded=bool(st.session_state.get("pick_year"))):
                if st.session_state.get("pick_year") not in year_labels:
                    st.session_state["pick_year"] = None
                pick = st.selectbox("选择年份（或点击上方柱子）", year_labels, index=None, key="pick_year",
                                    placeholder="选择一根柱子")
                if pick:
                    y = int(pick[:-1])
                    m_year = measure(kind, (metric,), year_span(y, y), regions=(scope_code,)) if basis == "own" \
                        else measure(kind, (metric,), year_span(y, y), level=child_level, within=within)
                    rows = data.figure_facts(key, m_year, None, metric)
                    st.caption(f"{pick}：{int(rows['dropped'].isna().sum())} 条数字计入这根柱子。")
                    ui.show_facts(rows, key="year_facts")
    else:
        own_years = data.figures(key, measure("total", (metric,), full, regions=(scope_code,), by="year"))
        child_years = data.figures(key, measure("total", (metric,), full, level=child_level, within=within, by="year"))
        stocks = pd.concat([own_years, child_years], ignore_index=True)
        if stocks.empty:
            st.info(f"{scope_name}及各{child}都没有“{what}”的数字，所以这里没有按日期的图。")
        else:
            stocks = stocks.assign(region=stocks["grp"].map(region_name).fillna(stocks["grp"]),
                                   as_of=stocks["last_as_of"])
            order = ([scope_name if province else scope] if not own_years.empty else []) + \
                [n for n in stocks.sort_values("value", ascending=False)["region"] if n != region_name.get(scope_code)]
            stocks.loc[stocks["grp"] == scope_code, "region"] = scope_name if province else scope
            fig = charts.stock_chart(stocks, title=f"{scope_name}及各{child}{what}，按截至日期", unit=units[metric],
                                     subtitle=f"{mark}每点是当年最后一次报道，不相加",
                                     region_order=list(dict.fromkeys(order)))
            st.plotly_chart(fig, key="timeline", config={"displayModeBar": False})
            st.caption(ui.bars_share_text(stocks, reviewed, "每个点") + "累计数是某一日期的存量，从不相加。")

ui.source_note(key)
