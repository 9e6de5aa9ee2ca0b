"""数据: filter facts (metric, kind, city, county, level, initiative, period, approximation, text in
evidence), read them in a table with Chinese number forms, and download exactly those rows."""
from __future__ import annotations

import math
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from dashboard import data, tables, ui
from dashboard.data import FactFilter
from dashboard.formatting import (
    APPROX_LABELS, KIND_LABELS, LEVEL_LABELS, kind_label, percent_text, reviewed_share_text, year_span,
)

PAGE_SIZE = 100

key = ui.db_key()
metrics, labels, units, core = ui.metric_info(key)
opts = data.filter_options(key)

st.title("数据：筛选、查看与下载")


def city_label(c: str) -> str:
    return {"": "省外或未定位", data.PROVINCE: "浙江省（全省性数字）"}.get(c, c)


# what a link from 地区对比, 总览 or 倡议 asks for, in widgets those pages have too (see ui.data_page_link)
ui.take_link_params({"kinds": lambda words: [k for k, w in KIND_LABELS.items() if w in words],
                     "reviewed": lambda words: words[0] == "true"})
r1 = st.columns([4, 3, 3], vertical_alignment="bottom")
sel_metrics = r1[0].multiselect("指标", metrics, format_func=lambda m: labels[m], key="metrics",
                                bind="query-params", placeholder="全部指标")
sel_kinds = r1[1].pills("数字类型", list(KIND_LABELS), selection_mode="multi", format_func=kind_label,
                        key="kinds", bind="query-params", help="不选即全部；新增、累计、目标不会相加")
sel_approx = r1[2].multiselect("精确程度", list(APPROX_LABELS), format_func=lambda a: APPROX_LABELS[a],
                               key="approx", bind="query-params", placeholder="全部")

r2 = st.columns([4, 3, 3], vertical_alignment="bottom")
sel_cities = r2[0].multiselect("地市", opts["cities"], format_func=city_label, key="cities", bind="query-params",
                               placeholder="全部地市")
county_opts = [n for n, c in opts["counties"] if not sel_cities or c in sel_cities]
sel_counties = r2[1].multiselect("区县", county_opts, key="counties", bind="query-params", placeholder="全部区县")
sel_levels = r2[2].multiselect("地区层级", list(LEVEL_LABELS), format_func=lambda v: LEVEL_LABELS[v], key="levels",
                               bind="query-params", placeholder="全部层级",
                               help="数字所指地区的层级；例如只选“市级”可避免地市与其区县的数字重叠")

r3 = st.columns([4, 3, 3], vertical_alignment="bottom")
sel_inis = r3[0].multiselect("倡议", opts["initiatives"], key="initiatives", bind="query-params",
                             placeholder="全部倡议")
lo, hi = opts["years"]
period = None
with r3[1]:
    if lo is not None and hi is not None and lo < hi:
        chosen = st.select_slider(ui.chosen_years_label("时期（年）", "years", (lo, hi), lo, hi),
                                  options=list(range(lo, hi + 1)), value=(lo, hi),
                                  key="years", bind="query-params",
                                  help="新增数字：时期完全在所选年份之内的；累计数：截至日期在其中的；"
                                       "目标：在其中有效的（已提出、未到期）")
        period = None if tuple(chosen) == (lo, hi) else year_span(int(chosen[0]), int(chosen[1]))
    elif lo is not None:
        st.caption(f"时期：所有数字都属于 {lo} 年。")
text = r3[2].text_input("在原文证据中搜索", key="q", bind="query-params", placeholder="例如：快递、职工之家")

r4 = st.columns([4, 6], vertical_alignment="bottom")
counted_only = r4[0].toggle("只看计入汇总的数字（去掉重复和转载）", key="counted", bind="query-params")
reviewed = ui.reviewed_toggle(r4[1])

flt = FactFilter(metrics=tuple(sel_metrics), kinds=tuple(sel_kinds or ()), cities=tuple(sel_cities),
                 counties=tuple(sel_counties), initiatives=tuple(sel_inis), approx=tuple(sel_approx),
                 levels=tuple(sel_levels), period=period, text=text or "", counted_only=bool(counted_only),
                 reviewed_only=reviewed)

n = data.fact_count(key, flt)
if n == 0:
    if reviewed:
        st.info("没有符合这些筛选条件的已核对数字。可关闭“仅已核对”，或在“核对”页核对数字。")
    else:
        st.info("没有符合这些筛选条件的数字。请放宽条件（例如清除搜索词或减少地区）。")
    ui.source_note(key)
    st.stop()

counts = data.fact_counts(key, flt)
n_counted = int(counts["n"].sum()) if not counts.empty else 0
n_reviewed = int(counts["n_reviewed"].sum()) if not counts.empty else 0
if reviewed:
    n_all = data.fact_count(key, replace(flt, reviewed_only=False))
    st.markdown(f"**共 {n} 条已核对的数字**（仅已核对：这些筛选条件下共 {n_all} 条数字），"
                f"其中 {n_counted} 条计入汇总（在已核对的数字之间去重）。")
else:
    st.markdown(f"**共 {n} 条数字**，其中 {n_counted} 条计入汇总（去重后）；"
                f"{reviewed_share_text(n_reviewed, n)}（{percent_text(n_reviewed / n)}）。")

with st.expander("按指标和类型的条数（这里不相加：筛选出的数字时期、地区、层级各不相同）"):
    order = {m: i for i, m in enumerate(metrics)}
    counts = counts.assign(_o=counts["metric"].map(order)).sort_values(["_o", "kind"])
    st.dataframe(
        {"指标": [labels.get(m, m) for m in counts["metric"]],
         "类型": [kind_label(k) for k in counts["kind"]],
         "数字条数": counts["n_all"].astype(int).tolist(),
         "去重后": counts["n"].astype(int).tolist(),
         "已核对": counts["n_reviewed"].astype(int).tolist()},
        hide_index=True)
    st.caption("按统计口径相加的数字见“总览”和“地区对比”：那里每个数字都注明时期和口径。")

pages = max(1, math.ceil(n / PAGE_SIZE))
table_area = st.container()  # filled after the pager below has read its (possibly URL-given) value
page = st.pagination(pages, key="page", bind="query-params") if pages > 1 else 1
page = min(max(1, int(page or 1)), pages)
rows = data.fact_rows(key, flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
with table_area:
    st.caption(f"第 {page} / {pages} 页，每页 {PAGE_SIZE} 条；点“查看原文”打开文章，数字在文中高亮。选中一行可在下方跳转。")
    state = ui.show_facts(rows, key="facts_table", select=True, height=min(38 + 35 * len(rows), 560))
sel = state.selection.rows if state is not None else []
if sel:
    r = rows.iloc[sel[0]]
    ui.article_page_link(f"查看原文：{r['article_title'] or r['doc']}", r["article_id"])

# ---- downloads: exactly the filtered rows, generated when clicked


def about() -> list[tuple[str, str]]:
    info = data.db_info(key)
    built = datetime.fromtimestamp(key.mtime_ns / 1e9).astimezone().isoformat(timespec="seconds")
    return tables.describe_export(
        flt, labels=labels, exported_at=datetime.now().astimezone().isoformat(timespec="seconds"),
        # File names, not paths: the sheet travels, the server's folders are no one's business.
        source=f"{info.get('papers') or '浙江工人日报'} 版面（{data.raw_dir().name} 文件夹），经 ETL 抽取",
        database=f"{Path(key.path).name}（更新于 {built}）", n_rows=n, link=page_url, rule=ui.COUNTING_RULE,
    )


page_query = "data?" + urlencode([(k, v) for k in st.query_params for v in st.query_params.get_all(k)])
# The 说明 sheet's link opens this very view: absolute when the browser told us where it is.
page_url = (st.context.url.rsplit("/", 1)[0] + "/" + page_query) if st.context.url else page_query
stamp = datetime.now().strftime("%Y%m%d-%H%M")
st.markdown("**下载筛选后的全部数字**（共 {} 条，不受分页影响）".format(n))
d1, d2, d3 = st.columns(3)
d1.download_button("下载 CSV（UTF-8，Excel 可直接打开）", data=lambda: tables.csv_bytes(data.export_rows(key, flt)),
                   file_name=f"zj_union_facts_{stamp}.csv", mime="text/csv", key="dl_csv", on_click="ignore",
                   icon=":material/download:")
if n <= tables.XLSX_MAX_ROWS:
    d2.download_button("下载 Excel（含“说明”工作表）",
                       data=lambda: tables.xlsx_bytes(data.export_rows(key, flt), about()),
                       file_name=f"zj_union_facts_{stamp}.xlsx", key="dl_xlsx", on_click="ignore", icon=":material/download:",
                       mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
else:
    d2.caption(f"筛选结果超过 Excel 单表上限（{tables.XLSX_MAX_ROWS} 行），请缩小范围或改用 CSV / Parquet。")
d3.download_button("下载 Parquet（精确数值，供程序分析）",
                   data=lambda: tables.parquet_bytes(data.export_rows(key, flt), about()),
                   file_name=f"zj_union_facts_{stamp}.parquet", mime="application/vnd.apache.parquet",
                   key="dl_parquet", on_click="ignore", icon=":material/download:")
if n > 20_000:
    st.caption(f"共 {n} 行：Excel 文件生成较慢（约每万行 3 秒），CSV 和 Parquet 快得多。")
st.caption("CSV 与 Excel 使用中文列名；以 = + - @ 开头的文字前加了 ' 以免被电子表格当作公式执行。"
           "“核对状态”一列说明每条数字是否有人核对过（未核对、已确认、已更正、已补充），更正过的数字旁有“更正前数值”。"
           "Parquet 保留数据库原列名（review、original_value）和精确小数。")

ui.source_note(key)
