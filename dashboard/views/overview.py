"""总览: core-metric cards for one kind, a map of the 11 cities (drilling into counties), bars by
region and by initiative, and a timeline by issue date. Filters live in the URL."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, ui
from dashboard.formatting import KIND_LABELS, combine_approx, format_fact_value, kind_label, md_text
from dashboard.data import FactFilter

key = ui.db_key()
metrics, labels, units, core = ui.metric_info(key)
regions = data.region_table(key)
cities = regions[regions.level == "city"]
city_code = dict(zip(cities.name, cities.code))
county_code = dict(zip(regions[regions.level == "county"].name, regions[regions.level == "county"].code))

st.title("浙江工会工作数字总览")

c1, c2, c3, c4 = st.columns([3, 3, 3, 3], vertical_alignment="bottom")
with c1:
    kind = st.segmented_control("数字类型", list(KIND_LABELS), format_func=kind_label, default="increment",
                                required=True, key="kind", bind="query-params",
                                help="新增、累计、目标三类数字含义不同，从不相加")
with c2:
    metric = st.selectbox("地图和柱状图的指标", metrics, index=metrics.index("union_orgs") if "union_orgs" in metrics else 0,
                          format_func=lambda m: f"{labels[m]}（{units[m]}）", key="metric", bind="query-params")
with c3:
    scope = st.selectbox("范围（下钻到区县）", ["全省", *cities.name], key="city", bind="query-params")
with c4:
    sub = st.toggle("含下辖地区上报的数字", value=True, key="sub", bind="query-params",
                    help="打开：地区的数字包括其下辖区县、乡镇的数字（可能与上级数字重叠）；关闭：只看本级上报的数字")

kind = kind or "increment"
province = scope == "全省"
if province:
    scope_filter = (FactFilter(zhejiang=True) if sub
                    else FactFilter(region_codes=("330000",), include_sub=False))
else:
    scope_filter = FactFilter(region_codes=(city_code[scope],), include_sub=sub)
scope_name = "全省" if province else scope

# ---- cards: the four core metrics, one kind
st.subheader(f"{md_text(scope_name)}核心指标 · {kind_label(kind)}")
tot = data.totals(key, FactFilter(kinds=(kind,), zhejiang=scope_filter.zhejiang,
                                  region_codes=scope_filter.region_codes, include_sub=scope_filter.include_sub))
tot = tot.set_index("metric")
cols = st.columns(len(core))
for col, m in zip(cols, core):
    with col:
        if m in tot.index:
            row = tot.loc[m]
            st.metric(f"{labels[m]} · {kind_label(kind)}",
                      format_fact_value(row["value"], units[m], combine_approx(row["approxes"]), compact=True),
                      border=True, help=f"{int(row['n'])} 条数字相加（已去重）")
            st.caption(f"{int(row['n'])} 条数字相加")
        else:
            st.metric(f"{labels[m]} · {kind_label(kind)}", "暂无", border=True,
                      help="所选范围内没有这一类数字")
            st.caption("没有这一类数字")

with st.expander("统计口径与去重规则"):
    st.markdown(ui.COUNTING_RULE)

# ---- map and bars by region
base = FactFilter(metrics=(metric,), kinds=(kind,))
level = "city" if province else "county"
level_name = "地市" if province else "区县"
reg = data.by_region(key, base, level, include_sub=sub, within_city=None if province else city_code[scope])
what = f"{labels[metric]}（{kind_label(kind)}）"
left, right = st.columns([1, 1])
in_scope = int(tot.loc[metric, "n"]) if metric in tot.index else 0  # the cards' query covers every metric
if reg.empty and in_scope == 0:
    st.info(f"{md_text(scope_name)}没有“{md_text(what)}”的数字，因此这里不画地图和图表。可换一个指标、数字类型或范围。")
elif reg.empty:
    st.info(f"{md_text(scope_name)}的 {in_scope} 条“{md_text(what)}”数字都是{'省级' if province else '全市'}的，没有落到具体"
            f"{level_name}，所以{level_name}地图空缺；它们在下方按倡议、按出版日期的图中。")
else:
    geo = data.geojson_for(level)
    ev_map = None
    with left:
        if geo is None:
            st.info("缺少地图边界文件（data/geo/），暂不能显示地图；右侧柱状图不受影响。")
        else:
            if not province:
                geo = {"type": "FeatureCollection",
                       "features": [f for f in geo["features"] if f["properties"].get("city_code") == city_code[scope]]}
            try:
                fig = charts.region_map(reg, geo, title=f"{scope_name}各{level_name}{what}", unit=units[metric])
                ev_map = st.plotly_chart(fig, key="map", config={"displayModeBar": False}, on_select="rerun",
                                         selection_mode="points")
                st.caption("颜色越深数字越大；灰色表示没有数字。选择上方“范围”可下钻到某个地市的区县。")
            except ValueError:
                st.info(f"{md_text(scope_name)}各{level_name}的数字无法落到地图上（地区代码不在边界文件中）。")
    with right:
        fig = charts.bar_chart(reg, category="name", title=f"各{level_name}{what}", unit=units[metric],
                               category_title=level_name, customdata="code")
        ev = st.plotly_chart(fig, key="region_bars", on_select="rerun", selection_mode="points",
                             config={"displayModeBar": False})
    # A click on a bar or on the map picks that region below; only a new click overrides the select box.
    points = ev.selection.points if ev and ev.selection else []
    clicked = charts.clicked_label(points)
    map_points = ev_map.selection.points if geo is not None and ev_map and ev_map.selection else []
    if map_points and not clicked:
        code_clicked = map_points[0].get("location")
        names_by_code = dict(zip(reg["code"], reg["name"]))
        clicked = names_by_code.get(code_clicked)
    if clicked and clicked != st.session_state.get("_region_click"):
        st.session_state["_region_click"] = clicked
        st.session_state["pick_region"] = clicked
    with st.expander("查看柱子背后的事实", expanded=bool(st.session_state.get("pick_region"))):
        names = reg["name"].tolist()
        if st.session_state.get("pick_region") not in names:
            st.session_state["pick_region"] = None
        pick = st.selectbox(f"选择{level_name}（或点击上方柱子）", names, index=None, key="pick_region",
                            placeholder=f"选择一个{level_name}")
        if pick:
            code = reg.loc[reg["name"] == pick, "code"].iloc[0]
            flt = FactFilter(metrics=(metric,), kinds=(kind,), region_codes=(code,), include_sub=sub,
                             counted_only=True)
            rows = data.fact_rows(key, flt, limit=1000)
            st.caption(f"{md_text(pick)}：{len(rows)} 条数字构成这根柱子。")
            ui.show_facts(rows, key="region_facts")
            params = {"metrics": labels[metric], "kinds": kind_label(kind), "counted": "true"}
            params["cities" if level == "city" else "counties"] = pick
            if not sub:
                params["levels"] = "市级" if level == "city" else "区县级"
            ui.data_page_link("在“数据”页打开这些数字（可筛选、下载）", params)

# ---- bars by initiative and timeline, within the scope
flt = FactFilter(metrics=(metric,), kinds=(kind,), zhejiang=scope_filter.zhejiang,
                 region_codes=scope_filter.region_codes, include_sub=scope_filter.include_sub)
ini = data.by_initiative(key, flt, limit=15)
by_month = (data.db_info(key).get("issue_dates") or 0) > 40  # many issues: one bar per month
tl = data.timeline(key, flt, by_month)
if in_scope == 0:  # said once above
    ui.source_note(key)
    st.stop()
left, right = st.columns([1, 1])
with left:
    if ini.empty:
        st.info(f"{md_text(scope_name)}没有带倡议的“{md_text(what)}”数字。")
    else:
        fig = charts.bar_chart(ini, category="initiative", title=f"{scope_name}各倡议{what}（前15）",
                               unit=units[metric], category_title="倡议")
        ev2 = st.plotly_chart(fig, key="ini_bars", on_select="rerun", selection_mode="points",
                              config={"displayModeBar": False})
        points = ev2.selection.points if ev2 and ev2.selection else []
        clicked = charts.clicked_label(points)
        if clicked and clicked != st.session_state.get("_ini_click"):
            st.session_state["_ini_click"] = clicked
            st.session_state["pick_ini"] = clicked
        st.caption("一条数字可同时属于几个倡议，因此各倡议之和可能大于合计。")
        with st.expander("查看柱子背后的事实", expanded=bool(st.session_state.get("pick_ini"))):
            names = ini["initiative"].tolist()
            if st.session_state.get("pick_ini") not in names:
                st.session_state["pick_ini"] = None
            pick = st.selectbox("选择倡议（或点击上方柱子）", names, index=None, key="pick_ini",
                                placeholder="选择一个倡议")
            if pick:
                rows = data.fact_rows(key, FactFilter(metrics=(metric,), kinds=(kind,), initiatives=(pick,),
                                                      zhejiang=flt.zhejiang, region_codes=flt.region_codes,
                                                      include_sub=flt.include_sub, counted_only=True), limit=1000)
                st.caption(f"“{md_text(pick)}”：{len(rows)} 条数字构成这根柱子。")
                ui.show_facts(rows, key="ini_facts")
with right:
    if tl.empty:
        st.info(f"{md_text(scope_name)}没有标明出版日期的“{md_text(what)}”数字。")
    else:
        fig = charts.timeline_chart(tl, title=f"{scope_name}{what}按出版{'月份' if by_month else '日期'}",
                                    unit=units[metric], by_month=by_month)
        ev_tl = st.plotly_chart(fig, key="timeline", config={"displayModeBar": False}, on_select="rerun",
                                selection_mode="points")
        days = pd.to_datetime(tl["issue_date"])
        labels_tl = days.dt.strftime("%Y年%m月" if by_month else "%Y-%m-%d").tolist()
        points = ev_tl.selection.points if ev_tl and ev_tl.selection else []
        clicked = str(points[0].get("x")) if points else None
        if clicked:  # x is the category label (dates) or a date-time string (months)
            match = [lab for lab, d in zip(labels_tl, days) if clicked.startswith(d.strftime("%Y-%m-%d"))
                     or clicked == lab or (by_month and clicked.startswith(d.strftime("%Y-%m")))]
            if match and match[0] != st.session_state.get("_tl_click"):
                st.session_state["_tl_click"] = match[0]
                st.session_state["pick_day"] = match[0]
        with st.expander("查看柱子背后的事实", expanded=bool(st.session_state.get("pick_day"))):
            if st.session_state.get("pick_day") not in labels_tl:
                st.session_state["pick_day"] = None
            pick = st.selectbox("选择出版" + ("月份" if by_month else "日期") + "（或点击上方柱子）", labels_tl,
                                index=None, key="pick_day", placeholder="选择一根柱子")
            if pick:
                first = days.iloc[labels_tl.index(pick)]
                last = (first + pd.offsets.MonthEnd(0)) if by_month else first
                rows = data.fact_rows(key, FactFilter(metrics=(metric,), kinds=(kind,), zhejiang=flt.zhejiang,
                                                      region_codes=flt.region_codes, include_sub=flt.include_sub,
                                                      issued=(first.date().isoformat(), last.date().isoformat()),
                                                      counted_only=True), limit=1000)
                st.caption(f"{md_text(pick)}：{len(rows)} 条数字构成这根柱子。")
                ui.show_facts(rows, key="day_facts")

ui.source_note(key)
