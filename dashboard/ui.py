"""Streamlit pieces the pages share: the database key, fact tables with article links, notes."""
from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard import data
from dashboard.formatting import KIND_LABELS, md_text
from dashboard.tables import fact_display_frame

COUNTING_RULE = (
    "**统计口径**：① 只有同一类型的数字才相加——“新增”“累计”“目标”从不相加；"
    "② 去重：同一指标、类型、数值、地区和时期的数字只计一次（同一篇文章中重复出现，或在其他期次转载），"
    "计入最早一期；③ 带“余/多/超”的数字按下限（≥）计，带“近/不足”的按上限（<）计，合计中含有这类数字时，合计也带相应标记；"
    "④ “含下辖地区”时，地市的数字包括其区县、乡镇上报的数字——地市自身的数字往往已包含下辖地区，二者可能重叠，"
    "关闭该开关只看各地区本级上报的数字。"
)


def db_key() -> data.DbKey:
    """Key of the current database file; stops the page with a Chinese message if it is missing."""
    try:
        return data.current_key()
    except FileNotFoundError:
        st.error(f"找不到数据库文件 {md_text(data.db_path().name)}。请确认 data/raw/ 中有报纸版面，然后刷新页面以自动生成。")
        st.stop()


def metric_info(key: data.DbKey) -> tuple[list[str], dict[str, str], dict[str, str], list[str]]:
    """Metric keys in display order, their labels and units, and the core ones."""
    m = data.metric_table(key)
    keys = m["metric"].tolist()
    return keys, dict(zip(m.metric, m.label)), dict(zip(m.metric, m.unit)), m[m.core.astype(bool)]["metric"].tolist()


def show_facts(df: pd.DataFrame, *, key: str | None = None, height: int | str = "auto", select: bool = False):
    """A fact table with a link to each fact's article; returns the selection state if `select`."""
    frame = fact_display_frame(df)
    config = {
        "文章": st.column_config.LinkColumn("文章", display_text="查看原文", help="打开这条数字所在的文章，数字会高亮显示"),
        "计入汇总": st.column_config.CheckboxColumn("计入汇总", help="去重后参与合计的那一次出现；转载或重复出现的为否"),
        "原文证据": st.column_config.TextColumn("原文证据", width="large"),
        "数值": st.column_config.TextColumn("数值", help="≥ 不少于（原文“余、多、超”），< 不足（“近、不足”），≈ 约"),
    }
    if select:
        return st.dataframe(frame, hide_index=True, column_config=config, key=key, height=height,
                            on_select="rerun", selection_mode="single-row")
    st.dataframe(frame, hide_index=True, column_config=config, key=key, height=height)
    return None


def data_page_link(label: str, params: dict[str, str | list[str]]) -> None:
    """Link to the 数据 page with its filters set (the same query parameters its widgets bind);
    the label is plain text (it may hold an initiative's name)."""
    st.page_link("views/explore.py", label=md_text(label), icon=":material/search:", query_params=params)


def article_page_link(label: str, article_id: str) -> None:
    """Link to one article; the label is plain text (it holds the article's title)."""
    st.page_link("views/articles.py", label=md_text(label), icon=":material/article:", query_params={"article": article_id})


def kind_options() -> list[str]:
    return list(KIND_LABELS)


def source_note(key: data.DbKey) -> None:
    info = data.db_info(key)
    first, last = info.get("first_issue"), info.get("last_issue")
    span = f"{pd.Timestamp(first):%Y-%m-%d} 至 {pd.Timestamp(last):%Y-%m-%d}" if first is not None else "日期不详"
    built = datetime.fromtimestamp(key.mtime_ns / 1e9).strftime("%Y-%m-%d %H:%M")
    st.caption(f"数据来源：{md_text(info.get('papers') or '浙江工人日报')}，{info['documents']} 个版面、{info['articles']} 篇文章、"
               f"{info['facts']} 条数字（去重后 {info['counted']} 条），出版日期 {span}；数据库更新于 {built}。")
