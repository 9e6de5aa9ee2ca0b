"""地区对比: 2–4 cities or counties side by side (宁波市 and 湖州市 by default) on every metric and kind
either reports; grouped bars, a summary table, the facts behind each bar, optional per 10,000 residents."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import charts, data, ui
from dashboard.formatting import KIND_LABELS, KIND_ORDER, combine_approx, format_fact_value, kind_label, md_text, per_10k

DEFAULT_REGIONS = ["330200", "330500"]  # 宁波市, 湖州市
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
kinds = c2.pills("数字类型", list(KIND_LABELS), selection_mode="multi", default=list(KIND_LABELS),
                 format_func=kind_label, key="kinds", bind="query-params")
t1, t2 = st.columns([1, 1])
per10k = t1.toggle("按每万常住人口计算", key="per10k", bind="query-params",
                   help="用 2020 年第七次人口普查的常住人口换算；缺少人口数据的地区不做换算")
sub = t2.toggle("含下辖地区上报的数字", value=True, key="sub", bind="query-params",
                help="打开：地市包括其区县、乡镇上报的数字（可能与地市本级数字重叠）；关闭：只看本级")

if len(sel) < 2:
    st.warning("请至少选择 2 个地区进行对比（最多 4 个）。")
    st.stop()
if not kinds:
    st.warning("请至少选择一种数字类型（新增、累计或目标）。")
    st.stop()

codes = tuple(sel)
kinds = tuple(k for k in KIND_ORDER if k in kinds)
summ = data.compare_summary(key, codes, kinds, sub)
region_names = [region_label(c) for c in codes]
if summ.empty:
    st.info(f"{md_text('、'.join(region_names))}都没有{'、'.join(kind_label(k) for k in kinds)}类的数字。")
    ui.source_note(key)
    st.stop()

morder = {m: i for i, m in enumerate(metrics)}
korder = {k: i for i, k in enumerate(KIND_ORDER)}
summ = summ.assign(_m=summ.metric.map(morder), _k=summ.kind.map(korder)).sort_values(["_m", "_k", "code"])
summ["panel"] = [f"{labels.get(m, m)}·{kind_label(k)}" for m, k in zip(summ.metric, summ.kind)]
summ["region"] = summ.code.map(region_label)
summ["label"] = [format_fact_value(v, units.get(m, ""), combine_approx(a))
                 for v, m, a in zip(summ.value, summ.metric, summ.approxes)]
summ["unit"] = summ.metric.map(units)
summ["text"] = [format_fact_value(v, units.get(m, ""), combine_approx(a), compact=True)
                for v, m, a in zip(summ.value, summ.metric, summ.approxes)]

missing_pop = [c for c in codes if pd.isna(population.get(c))]
# Per 10,000 residents: a ratio, never an exact count, so always in the compact form (445.42万元/万人).
ratios = [per_10k(v, population.get(c)) for c, v in zip(summ.code, summ.value)]
summ["p10k"] = [None if r is None else float(r) for r in ratios]
summ["p10k_label"] = [None if r is None else format_fact_value(r, f"{u}/万人", combine_approx(a), compact=True)
                      for r, u, a in zip(ratios, summ.unit, summ.approxes)]
if per10k:
    if missing_pop:
        st.warning("缺少 2020 年人口普查常住人口数据，未做每万人换算：" + md_text("、".join(region_label(c) for c in missing_pop))
                   + "。这些地区在图中空缺，表中注明“缺少人口数据”。")
    known = [c for c in codes if c not in missing_pop]
    if known:
        srcs = sorted({pop_source.get(c) or "" for c in known} - {""})
        st.caption("人口：" + "；".join(f"{md_text(region_label(c))} {int(population[c]):,} 人" for c in known)
                   + (f"（来源：{'；'.join(srcs)}）" if srcs else ""))
    chart_df = summ[summ.p10k.notna()].assign(value=lambda d: d.p10k, label=lambda d: d.p10k_label,
                                              text=lambda d: d.p10k_label, unit=lambda d: d.unit + "/万人")
else:
    chart_df = summ

if chart_df.empty:
    st.info("所选地区都缺少人口数据，无法按每万人显示。请关闭“按每万常住人口计算”。")
else:
    fig = charts.compare_chart(chart_df, title=f"{' 与 '.join(region_names)}："
                               + ("每万常住人口" if per10k else "各指标数字") + "对比",
                               region_order=region_names)
    ev = st.plotly_chart(fig, key="compare_chart", config={"displayModeBar": False}, on_select="rerun",
                         selection_mode="points")
    # A click on a bar picks its panel below; only a new click overrides the select box.
    points = ev.selection.points if ev and ev.selection else []
    clicked = (points[0].get("customdata") or [None])[0] if points else None
    if clicked and clicked != st.session_state.get("_compare_click"):
        st.session_state["_compare_click"] = clicked
        st.session_state["bar"] = clicked
st.caption("每个小图是一个指标的一种类型（新增、累计、目标从不相加），纵轴单位见小图标题；"
           "某地区没有柱子表示它没有报告这个数字。")

st.subheader("数字对照表")
cells = [f"{lab}（{n}条）" for lab, n in zip(summ.label, summ.n)]
if per10k:
    cells = [f"{c}；每万人 {p if isinstance(p, str) else '缺少人口数据'}" for c, p in zip(cells, summ.p10k_label)]
table = summ.assign(cell=cells)
pivot = table.pivot(index="panel", columns="region", values="cell").reindex(
    index=list(dict.fromkeys(table.panel)), columns=region_names).fillna("—")
pivot.index.name = "指标·类型"
st.dataframe(pivot, width="stretch")

st.subheader("每根柱子背后的数字")
panels = list(dict.fromkeys(summ.panel))
if st.session_state.get("bar") not in panels:
    st.session_state["bar"] = panels[0]
panel = st.selectbox("选择指标·类型（或点击上方图中的柱子）", panels, key="bar")
grp = summ[summ.panel == panel]
m, k = grp.metric.iloc[0], grp.kind.iloc[0]
facts = data.compare_facts(key, codes, (k,), sub, per_bar=FACTS_PER_BAR, metric=m)
for col, code in zip(st.columns(len(codes)), codes):
    with col:
        rows = facts[facts.compare_code == code]
        total = int(grp.loc[grp.code == code, "n"].sum())
        if total == 0:
            st.markdown(f"**{md_text(region_label(code))}**：没有报告“{md_text(panel)}”。")
            continue
        label = grp.loc[grp.code == code, "label"].iloc[0]
        more = f"，列出数值最大的 {len(rows)} 条" if total > len(rows) else ""
        st.markdown(f"**{md_text(region_label(code))}**：合计 {md_text(label)}，{total} 条数字{more}")
        ui.show_facts(rows, key=f"facts_{code}")
        params = {"metrics": labels.get(m, m), "kinds": kind_label(k), "counted": "true"}
        params["cities" if level_of[code] == "city" else "counties"] = names[code]
        if not sub:
            params["levels"] = "市级" if level_of[code] == "city" else "区县级"
        ui.data_page_link(f"在“数据”页查看、下载这些数字", params)

with st.expander("统计口径与去重规则"):
    st.markdown(ui.COUNTING_RULE)
ui.source_note(key)
