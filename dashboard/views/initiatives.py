"""倡议: initiatives ranked by number of facts or by the regions they reach, for a period, province-wide
or in one city (then by county), and for one initiative its places and the facts under it."""
from __future__ import annotations

import streamlit as st

from dashboard import charts, data, ui
from dashboard.data import FactFilter
from dashboard.formatting import md_text, reviewed_share_text, span_text

TOP = 20
FACT_LIMIT = 500

key = ui.db_key()
regions = data.region_table(key)
cities = regions[regions.level == "city"]
city_code = dict(zip(cities.name, cities.code))

st.title("倡议：各项工作及其数字")
c1, c2, c3, c4 = st.columns([2, 3, 2.5, 1.5], vertical_alignment="bottom")
scope = c1.selectbox("范围", ["全省", *cities.name], key="iscope", bind="query-params",
                     help="选择一个地市，只统计该市（含下辖区县、乡镇）的数字，并按区县分布")
span = ui.period_picker(key, c2)
order = c3.segmented_control("排序依据", ["facts", "regions"], default="facts", required=True, key="iorder",
                             bind="query-params",
                             format_func=lambda o: {"facts": "按数字条数", "regions": "按覆盖地区数"}[o])
reviewed = ui.reviewed_toggle(c4)
period = span_text(span)
province = scope == "全省"
by = "city" if province else "county"
place_word = "地市" if province else "区县"
scope_filter = FactFilter(period=span, reviewed_only=reviewed) if province else \
    FactFilter(region_codes=(city_code[scope],), period=span, reviewed_only=reviewed)

places_all = data.initiative_places(key, scope_filter, by)
rank = data.initiative_rank(places_all)
st.caption(f"{scope}，{period}：新增数字时期在其中的、累计数截至日期在其中的、目标在其中有效的，按条数计（去重后）；"
           "这里只数条数，不把数值相加。")
ui.review_note(key, FactFilter(region_codes=scope_filter.region_codes, period=span, counted_only=True), reviewed,
               f"{scope}{period}计入汇总")
if rank.empty:
    st.info(f"{md_text(scope)}在{period}没有{'已核对的、' if reviewed else ''}标注倡议的数字。"
            "可换一个时期（拖动“时期”两端选几年）或范围。")
    ui.source_note(key)
    st.stop()

sort_col = "n_facts" if order != "regions" else "n_regions"
rank = rank.sort_values([sort_col, "n_facts" if sort_col == "n_regions" else "n_regions", "initiative"],
                        ascending=[False, False, True], kind="stable").reset_index(drop=True)
left, right = st.columns([1, 1])
with left:
    top = rank.head(TOP)
    if sort_col == "n_facts":
        fig = charts.count_bar_chart(top, category="initiative", count="n_facts",
                                     title=f"{scope}倡议排行（{period}）：按数字条数（前{len(top)}）",
                                     count_title="数字条数（条，去重后）", category_title="倡议")
    else:
        fig = charts.count_bar_chart(top, category="initiative", count="n_regions",
                                     title=f"{scope}倡议排行（{period}）：按覆盖地区数（前{len(top)}）",
                                     count_title="覆盖地区数（个）", category_title="倡议")
    ev = st.plotly_chart(fig, key="ini_rank", on_select="rerun", selection_mode="points",
                         config={"displayModeBar": False})
with right:
    st.dataframe({"倡议": rank["initiative"], "数字条数": rank["n_facts"].astype(int),
                  "已核对": rank["n_reviewed"].astype(int),
                  "覆盖地区数": rank["n_regions"].astype(int), f"涉及{place_word}数": rank["n_cities"].astype(int)},
                 hide_index=True, height=min(38 + 35 * len(rank), 520))
    st.caption("数字条数为去重后的条数，“已核对”是其中有人确认、更正或补充过的；一条数字可同时属于几个倡议。"
               "覆盖地区数按数字所指的省、市、区县、乡镇计。")

# A click on a bar selects that initiative below; only a new click overrides the select box.
clicked = ui.clicked(ev)
names = rank["initiative"].tolist()
if clicked and clicked != st.session_state.get("_ini_rank_click") and clicked in names:
    st.session_state["_ini_rank_click"] = clicked
    st.session_state["initiative"] = clicked

st.subheader("某一倡议的数字")
chosen = st.selectbox("选择倡议（或点击左侧柱子）", names, key="initiative", bind="query-params")
flt = FactFilter(initiatives=(chosen,), region_codes=scope_filter.region_codes, period=span, reviewed_only=reviewed)
places = places_all[places_all.initiative == chosen].reset_index(drop=True)
n_all = data.fact_count(key, flt)
n_counted = int(places["n_facts"].sum())
left, right = st.columns([2, 3])
with left:
    if places.empty:
        st.info(f"“{md_text(chosen)}”在{md_text(scope)}、{period}没有计入汇总的数字。")
    else:
        fig = charts.count_bar_chart(places, category="place", count="n_facts",
                                     title=f"“{chosen}”的数字分布在哪些{place_word}（{period}）",
                                     count_title="数字条数（条，去重后）", category_title=place_word)
        st.plotly_chart(fig, key="ini_places", config={"displayModeBar": False})
        if not province:
            st.caption("“市本级”是全市层面报告的数字，不属于某个区县。")
with right:
    rows = data.fact_rows(key, flt, limit=FACT_LIMIT)
    more = f"，下表列出最新的 {len(rows)} 条" if n_all > len(rows) else ""
    done = "" if reviewed else "，" + reviewed_share_text(data.review_share(key, flt)["reviewed"], n_all)
    st.markdown(f"**“{md_text(chosen)}”在{period}共 {n_all} 条{'已核对的' if reviewed else ''}数字**"
                f"（其中 {n_counted} 条计入汇总{done}）{more}。")
    ui.show_facts(rows, key="ini_facts", height=min(38 + 35 * len(rows), 420))
    params: dict[str, str | list[str]] = {"initiatives": chosen, "years": [span[0][:4], span[1][:4]]}  # 数据's slider
    if reviewed:
        params["reviewed"] = "true"
    if scope != "全省":
        params["cities"] = scope
    ui.data_page_link(f"在“数据”页筛选、下载“{chosen}”的全部数字", params)   # the link escapes its label

ui.source_note(key)
