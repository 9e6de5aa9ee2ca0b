"""文章: where every number came from — the article's text (escaped) with each extracted number
highlighted and numbered, the list of its facts, and a searchable list of articles."""
from __future__ import annotations

import html
import math

import pandas as pd
import streamlit as st

from dashboard import data, review_ui, ui
from dashboard.formatting import (
    DATE_SOURCE_INFERRED, INFERRED_MARK, chinese_punctuation, format_fact_value, highlight_html, kind_label, md_text,
    safe_url,
)
from dashboard.tables import fact_display_frame

LIST_SIZE = 30
STYLE = """<style>
.union-article { max-width: 52em; line-height: 1.9; font-size: 1.02rem; }
.union-article .kicker, .union-article .meta { color: #666; font-size: 0.9rem; }
.union-article h3 { margin: 0.2em 0 0.1em 0; }
.union-article .subtitle { color: #444; margin-bottom: 0.4em; }
.union-article mark.fact { background: #ffe58f; padding: 0 2px; border-radius: 3px; }
.union-article mark.current { background: #ff9c6e; outline: 2px solid #d4380d; }
.union-article sup { color: #8c8c8c; font-size: 0.7em; margin-left: 1px; }
.union-article .body { margin-top: 0.8em; }
</style>"""
# Fixed script (no data in it): bring the number the link pointed at into view once it is drawn.
SCROLL = """<script>
(() => {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  let tries = 0;
  const go = () => {
    const mark = doc.querySelector('.union-article mark.current');
    if (mark) { mark.scrollIntoView({block: 'center'}); return; }
    if (++tries < 40) setTimeout(go, 100);
  };
  go();
})();
</script>"""

key = ui.db_key()
st.title("文章：数字的出处")

article_id = st.query_params.get("article")
fact_id = st.query_params.get("fact")


def article_picker(expanded: bool) -> None:
    with st.expander("查找文章", expanded=expanded):
        q = st.text_input("按标题查找", key="aq", bind="query-params", placeholder="例如：宁波、驿站")
        total = data.article_count(key, q or "")
        if total == 0:
            st.info("没有标题含这些字的、带数字的文章。")
            return
        pages = max(1, math.ceil(total / LIST_SIZE))
        area = st.container()
        page = st.pagination(pages, key="apage", bind="query-params") if pages > 1 else 1
        page = min(max(1, int(page or 1)), pages)
        lst = data.article_list(key, q or "", limit=LIST_SIZE, offset=(page - 1) * LIST_SIZE)
        with area:
            st.caption(f"共 {total} 篇带数字的文章（按出版日期从新到旧）。选中一行即可打开。")
            frame = pd.DataFrame({
                "出版日期": pd.to_datetime(lst["issue_date"]).dt.strftime("%Y-%m-%d").fillna(""),
                "标题": lst["title"].fillna("（无标题）"),
                "版面文件": lst["doc"],
                "数字条数": lst["n_facts"].astype(int),
            })
            ev = st.dataframe(frame, hide_index=True, on_select="rerun", selection_mode="single-row",
                              key="article_list")
            if ev.selection.rows:
                chosen = lst.iloc[ev.selection.rows[0]]["article_id"]
                if chosen != article_id:
                    st.query_params["article"] = chosen
                    if "fact" in st.query_params:
                        del st.query_params["fact"]
                    st.rerun()


if not article_id:
    st.info("请在下面选择一篇文章；也可以从“数据”“总览”“地区对比”页面中每条数字的“查看原文”链接进入。")
    article_picker(expanded=True)
    st.stop()

art = data.article(key, article_id)
if art is None:
    st.warning(f"找不到编号为 {md_text(article_id)} 的文章：数据库可能已经更新。请重新选择。")
    article_picker(expanded=True)
    st.stop()

facts = data.article_facts(key, article_id).reset_index(drop=True)
# The ETL's text is normalised for matching (full-width punctuation made half-width); the reader sees
# the paper's punctuation again, one character for one, so every offset still points at its number.
text = chinese_punctuation(art.get("text") or "")
spans = []
for vs, ve, es, ee in zip(facts["value_start"], facts["value_end"], facts["evidence_start"], facts["evidence_end"]):
    # Prefer the number itself; fall back to the evidence sentence when the ETL has no number offsets.
    if pd.notna(vs) and pd.notna(ve):
        spans.append((int(vs), int(ve)))
    elif pd.notna(es) and pd.notna(ee):
        spans.append((int(es), int(ee)))
    else:
        spans.append((None, None))
tips = [f"{i + 1}. {lab}·{kind_label(k)}：{format_fact_value(v, u, a)}"
        for i, (lab, k, v, u, a) in enumerate(zip(facts["metric_label"], facts["kind"], facts["value"],
                                                   facts["unit"], facts["approx"]))]
current = [i for i, f in enumerate(facts["fact_id"]) if f == fact_id]

date = pd.Timestamp(art["issue_date"]).strftime("%Y年%m月%d日") if art.get("issue_date") is not None else "日期不详"
if art.get("issue_date") is not None and art.get("date_source") == DATE_SOURCE_INFERRED:
    date += INFERRED_MARK
meta = " · ".join(html.escape(str(x)) for x in (art.get("paper") or "浙江工人日报", date, f"版面 {art.get('doc')}",
                                               art.get("byline")) if x)
head = ""
if art.get("kicker"):
    head += f'<div class="kicker">{html.escape(art["kicker"])}</div>'
head += f'<h3>{html.escape(chinese_punctuation(art.get("title") or "（无标题）"))}</h3>'
if art.get("subtitle"):
    head += f'<div class="subtitle">{html.escape(chinese_punctuation(art["subtitle"]))}</div>'
head += f'<div class="meta">{meta}</div>'
body = highlight_html(text, spans, tips, current)
left, right = st.columns([3, 2])
with left:
    st.html(f'{STYLE}<div class="union-article">{head}<div class="body">{body}</div></div>')
    if safe_url(art.get("url")):  # http(s) only: a javascript: URL from a page is no link
        st.link_button("打开报纸原网页", safe_url(art["url"]))
with right:
    st.subheader(f"文中的 {len(facts)} 条数字")
    if facts.empty:
        st.info("这篇文章中没有抽取到数字。")
    else:
        shown = sum(1 for s in spans if s != (None, None))
        st.caption(f"黄色为抽取出的数字，上标是下表的序号；{shown} 条在文中定位。"
                   + ("橙色为从链接进入时所指的那条。" if current else ""))
        frame = fact_display_frame(facts)[["指标", "类型", "约", "数值", "单位", "地区", "时期", "计入汇总"]]
        frame.insert(0, "序号", range(1, len(frame) + 1))
        # A breakdown (其中…) names the number it is part of by its place in this list.
        number_of = {f: i + 1 for i, f in enumerate(facts["fact_id"])}
        frame["所属"] = [f"第 {number_of[p]} 条的一部分" if isinstance(p, str) and p in number_of
                       else ("另一篇中数字的一部分" if isinstance(p, str) and p else "")
                       for p in facts.get("part_of", pd.Series([None] * len(facts)))]
        config = {**ui.FACT_TABLE_CONFIG, "计入汇总": st.column_config.CheckboxColumn(
            "计入汇总", help="否：同一数字在更早的期次或本文前文已出现，合计时不重复计算"),
            "所属": st.column_config.TextColumn("所属", help="“其中……”之类的细分数字属于哪一条；合计时不再相加")}
        shown_frame = frame
        if current:
            # the row the link pointed at, in the same orange as its number in the text
            shown_frame = frame.style.apply(
                lambda r: ["background-color: #ffd8bf" if r.name in current else "" for _ in r], axis=1)
        st.dataframe(shown_frame, hide_index=True, key="article_facts", height=38 + 35 * len(frame),
                     column_config=config)
review_ui.add_number_panel(key, art, facts)
if current:
    st.html(SCROLL, unsafe_allow_javascript=True)

article_picker(expanded=False)
ui.source_note(key)
