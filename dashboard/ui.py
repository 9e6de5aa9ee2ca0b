"""Streamlit pieces the pages share: the database key, fact tables with article links, notes."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st
from streamlit.errors import StreamlitAPIException

from dashboard import data
from dashboard.formatting import KIND_LABELS, md_text, percent_text, reviewed_share_text, year_span
from dashboard.tables import fact_display_frame

COUNTING_RULE = (
    "**统计口径**（详见 README“Counting rules”）："
    "① 新增、累计、目标三类数字含义不同，从不相加。"
    "② 新增数字属于它的时期：时期完全落在所选时期内的新增数字才计入；“其中……”之类的细分数字不再加到它所属的数字上；"
    "同一地区、同一指标，一个时期包含另一个（如1—6月在全年之内）时只计较宽的那个，时期相同时只计最大的那个；"
    "区县、乡镇的新增数字只在上级地区本身没有报告重叠时期的数字时，才计入上级地区。"
    "③ 累计数是某一日期的存量：一个地区的累计数取截至所选时期末的最新一次报道，不同日期的累计数从不相加；"
    "同一天有几个累计数时取最大的（其余多是其中一部分）。地市本级的累计数与其区县累计数之和是两个不同的数字，"
    "后者只在“下辖各地之和”口径下显示，并注明截至日期。"
    "④ 目标是带期限的承诺，分为新增目标（如新建8900家）和累计目标（如累计达3.3万家），从不相加，按期限列出；"
    "只列所选时期内有效（已提出、未到期）的目标。"
    "⑤ 去重：同一指标、类型、数值、地区和时期的数字只计一次（同一篇文章中重复出现，或在其他期次转载），计入最早一期。"
    "⑥ 带“余/多/超”的数字按下限（≥）计，带“近/不足”的按上限（<）计，合计中含有这类数字时，合计也带相应标记。"
)
BASIS_LABELS = {"own": "本级数字", "below": "下辖各地之和"}
BASIS_HELP = ("本级数字：所选地区自己报告的数字；新增数字在本级没有报告的时期，由下辖地区的数字补充。"
              "下辖各地之和：把下一级各地区（地市或区县）各自的数字加起来——这是另一个数字，累计数的截至日期可能各不相同。")
LEVEL_NAMES = {0: "全省", 1: "地市", 2: "区县"}

# Fixed page chrome, not data: hide the tables' and charts' English toolbars (downloads live on the
# 数据 page), and translate the few English words Streamlit's widgets still show.
CHROME = """<style>
[data-testid="stElementToolbar"] { display: none !important; }
@media (max-width: 640px) {   /* a phone: titles that leave room for the numbers */
  h1 { font-size: 1.8rem !important; }
  h2, h3 { font-size: 1.25rem !important; }
}
</style>
<script>
(() => {
  const doc = window.parent && window.parent.document ? window.parent.document : document;
  if (doc.__unionZh) return;
  doc.__unionZh = true;
  const words = [[/^No results$/, "没有匹配的选项"],
                 [/^You can only select up to (\\d+) options?\\. Remove an option first\\.$/, "最多只能选 $1 个，请先删掉一个。"],
                 [/^Running\\.\\.\\.$/, "正在计算……"], [/^Stop$/, "停止"], [/^Connecting$/, "正在连接"]];
  const fix = (root) => {
    const walker = doc.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    let node;
    while ((node = walker.nextNode())) {
      const t = node.nodeValue.trim();
      if (!t || t.length > 80) continue;
      for (const [re, zh] of words) { if (re.test(t)) { node.nodeValue = t.replace(re, zh); break; } }
    }
  };
  fix(doc.body);
  new MutationObserver((ms) => { for (const m of ms) for (const n of m.addedNodes) {
      if (n.nodeType === 1) fix(n); else if (n.nodeType === 3 && n.parentNode) fix(n.parentNode); } })
    .observe(doc.body, {childList: true, subtree: true, characterData: false});
})();
</script>"""


def clicked(event) -> object | None:
    """What a click on a chart picked: the first item of the point's customdata (the builders in
    charts.py put the raw key there; labels on screen are escaped for Plotly)."""
    points = event.selection.points if event and event.selection else []
    if not points:
        return None
    custom = points[0].get("customdata")
    if isinstance(custom, (list, tuple)):
        return custom[0] if custom else None
    return custom


def _plotly_chunk() -> str | None:
    """File name of Streamlit's own Plotly chunk (static/js/PlotlyChart.<hash>.js), if installed."""
    import streamlit

    found = sorted((Path(streamlit.__file__).parent / "static" / "static" / "js").glob("PlotlyChart.*.js"))
    return found[0].name if found else None


# The browser fetches Plotly (4.7 MB) only when the first chart arrives, after the page's queries.
# A modulepreload of that very module (same URL, so the same instance) as soon as the page opens
# downloads and compiles it meanwhile, without running it, so the cards are not held up; measured
# in a fresh browser, the first chart comes ~0.3 s sooner. The name comes from the installed
# package, never from data.
_CHUNK = _plotly_chunk()
PRELOAD = ("" if _CHUNK is None else
           "<script>(() => { const l = document.createElement('link'); l.rel = 'modulepreload';"
           " l.href = './static/js/" + _CHUNK + "'; document.head.appendChild(l); })();</script>")


def page_chrome() -> None:
    st.html(PRELOAD + CHROME, unsafe_allow_javascript=True)


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


FACT_TABLE_CONFIG = {
    "文章": st.column_config.LinkColumn("文章", display_text="查看原文", help="打开这条数字所在的文章，数字会高亮显示",
                                      width="small"),
    "计入汇总": st.column_config.CheckboxColumn("计入汇总", help="去重后参与合计的那一次出现；转载或重复出现的为否"),
    "核对": st.column_config.TextColumn("核对", help="是否有人核对过：已确认、已更正（括号里是 ETL 原值）、已补充（ETL 漏掉的数字），或未核对"),
    "原文证据": st.column_config.TextColumn("原文证据", width="large"),
    "约": st.column_config.TextColumn("约", width=40, help="≥ 不少于（原文“余、多、超”），< 不足（“近、不足”），≈ 约"),
    "数值": st.column_config.NumberColumn("数值", format="localized", help="基本单位的精确数值；点列名按大小排序"),
    "单位": st.column_config.TextColumn("单位", width=50),
    "出版日期": st.column_config.TextColumn("出版日期", help="（推断）：报纸上没有日期，由文章内容推断"),
    "是否计入": st.column_config.TextColumn("是否计入", width="medium", help="按统计口径，这条数字是否计入上面的数字，不计的原因"),
    "时期": st.column_config.TextColumn("时期", help="原文的说法，括号里是看板据此理解的时期"),
}


def show_facts(df: pd.DataFrame, *, key: str | None = None, height: int | str = "auto", select: bool = False):
    """A fact table with a link to each fact's article; returns the selection state if `select`."""
    frame = fact_display_frame(df)
    config = FACT_TABLE_CONFIG
    if select:
        return st.dataframe(frame, hide_index=True, column_config=config, key=key, height=height,
                            on_select="rerun", selection_mode="single-row")
    st.dataframe(frame, hide_index=True, column_config=config, key=key, height=height)
    return None


# Widgets of 数据 whose keys widgets of the pages that link to it share (地区对比's 数字类型, every
# page's 仅已核对). A page_link that sets such a key in its query parameters arrives without it: on a
# page switch Streamlit 1.67 resets a key bound on the page left to its default. So links carry them
# as to_KEY, which 数据 takes into its widgets on arrival (take_link_params).
SHARED_KEYS = ("kinds", "reviewed")
LINK_PREFIX = "to_"


def data_page_link(label: str, params: dict[str, str | list[str]]) -> None:
    """Link to the 数据 page with its filters set (the query parameters its widgets bind, the shared
    ones as to_KEY); the label is plain text (it may hold an initiative's name)."""
    params = {(LINK_PREFIX + k if k in SHARED_KEYS else k): v for k, v in params.items()}
    st.page_link("views/explore.py", label=md_text(label), icon=":material/search:", query_params=params)


def take_link_params(parsers: dict[str, Callable[[list[str]], object]]) -> None:
    """On arrival from data_page_link: each to_KEY of the URL becomes the value of widget KEY
    (`parsers[KEY]` reads it from the URL's words) and KEY in the URL, before the widgets are made."""
    for k, parse in parsers.items():
        words = st.query_params.get_all(LINK_PREFIX + k)
        if not words:
            continue
        del st.query_params[LINK_PREFIX + k]
        st.session_state[k] = parse(words)
        try:  # the URL says it too (a reload keeps it), unless the key is still bound (the widget writes it then)
            st.query_params[k] = words if len(words) > 1 else words[0]
        except StreamlitAPIException:
            pass


def article_page_link(label: str, article_id: str) -> None:
    """Link to one article; the label is plain text (it holds the article's title)."""
    st.page_link("views/articles.py", label=md_text(label), icon=":material/article:", query_params={"article": article_id})


def kind_options() -> list[str]:
    return list(KIND_LABELS)


def period_picker(key: data.DbKey, container=None, label: str = "时期（年）") -> tuple[str, str]:
    """A year or a span of years, kept in the URL (`period`); returns its first and last day (ISO)."""
    opts = data.filter_options(key)
    lo, hi = opts["years"]
    where = container if container is not None else st
    if lo is None or hi is None:
        where.caption("时期：数据库中没有带日期的数字。")
        today = datetime.now().year
        return year_span(today, today)
    if lo == hi:
        where.caption(f"时期：{lo}年（所有数字都属于这一年）。")
        return year_span(lo, hi)
    default = opts.get("default_year") or hi
    chosen = where.select_slider(chosen_years_label(label, "period", (default, default), lo, hi),
                                 options=list(range(lo, hi + 1)), value=(default, default),
                                 key="period", bind="query-params",
                                 help="选一年，或拖动两端选几年。新增数字：时期完全在其中的才计入；"
                                      "累计数：截至所选时期末的最新报道；目标：所选时期内有效的。")
    a, b = (chosen if isinstance(chosen, (tuple, list)) else (chosen, chosen))
    return year_span(int(a), int(b))


def chosen_years_label(label: str, state_key: str, default: tuple[int, int], lo: int, hi: int) -> str:
    """A year slider's label with the years it holds (时期：2021年, 时期：2016—2024年): the slider itself
    shows a single year as two equal thumbs (2021 2021). The label is no part of the widget's identity
    (it has a key), so it may change with the value: the one in the session, else the URL's."""
    value = st.session_state.get(state_key)
    if value is None:
        value = st.query_params.get_all(state_key) or default
    try:
        years = [int(v) for v in (value if isinstance(value, (list, tuple)) else [value])]
        a, b = min(years), max(years)
    except (TypeError, ValueError):
        a, b = default
    if not (lo <= a <= b <= hi):
        a, b = default
    words = f"{a}年" if a == b else f"{a}—{b}年"
    return f"{label.split('（')[0]}：{words}"


def basis_picker(container=None, help_text: str = BASIS_HELP) -> str:
    where = container if container is not None else st
    value = where.segmented_control("口径", list(BASIS_LABELS), format_func=BASIS_LABELS.get, default="own",
                                    required=True, key="basis", bind="query-params", help=help_text)
    return value or "own"


LEADING_SOURCES = 3  # the source note names this many papers or sites; 来源 lists them all


def source_note(key: data.DbKey) -> None:
    """The foot of every page: the leading sources and how many there are, the counts, the dates."""
    info = data.db_info(key)
    first, last = info.get("first_issue"), info.get("last_issue")
    span = f"{pd.Timestamp(first):%Y-%m-%d} 至 {pd.Timestamp(last):%Y-%m-%d}" if first is not None else "日期不详"
    built = datetime.fromtimestamp(key.mtime_ns / 1e9).strftime("%Y-%m-%d %H:%M")
    st.caption(f"数据来源：{md_text(sources_text(data.papers(key)))}，{info['documents']} 个版面、{info['articles']} 篇文章、"
               f"{info['facts']} 条数字（去重后 {info['counted']} 条），出版日期 {span}；数据库更新于 {built}。")


def sources_text(papers: pd.DataFrame, leading: int = LEADING_SOURCES) -> str:
    """浙江工人日报 28 个版面、中国宁波网 7 个等 41 个来源（全部见“来源”页）; a single source by its name."""
    if papers.empty:
        return "浙江工人日报"
    if len(papers) == 1:
        return str(papers.paper.iloc[0])
    head = [f"{p} {int(n)} 个{'版面' if i == 0 else ''}" for i, (p, n) in
            enumerate(zip(papers.paper.head(leading), papers.n_docs.head(leading)))]
    if len(papers) <= leading:
        return "、".join(head)
    return f"{'、'.join(head)}等 {len(papers)} 个来源（全部见“来源”页）"


def reviewed_toggle(container=None) -> bool:
    """仅已核对, kept in the URL (`reviewed`) like the other filters; the same key on every page, so
    that it stays on from page to page (links to 数据 carry it: see data_page_link)."""
    where = container if container is not None else st
    return bool(where.toggle("仅已核对", key="reviewed", bind="query-params",
                             help="只计入有人确认、更正或补充过的数字（在“核对”页或文章页核对）；"
                                  "统计口径在这些数字之间照常适用。"))


def review_note(key: data.DbKey, flt: data.FactFilter, reviewed: bool, what: str = "所选范围") -> None:
    """Beside a page's figures: how many of the facts of its scope (`flt`) a person has reviewed, or,
    with 仅已核对, that the figures count only those."""
    share = data.review_share(key, replace(flt, reviewed_only=False))
    total, done = share["total"], share["reviewed"]
    if reviewed:
        st.caption(f"**仅已核对**：只计入有人确认、更正或补充过的数字——{what}的 {total} 条数字中的 {done} 条；"
                   "统计口径在这些数字之间照常适用。")
    elif total:
        st.caption(f"{what}的数字{reviewed_share_text(done, total)}（{percent_text(done / total)}）；"
                   "打开“仅已核对”只看已核对的数字。")


def bars_share_text(figs: pd.DataFrame, reviewed: bool, items: str = "各柱子") -> str:
    """Under a chart of figures: how many of the facts it adds are reviewed, as a sentence (empty
    with 仅已核对, where the subtitle says so)."""
    if reviewed or figs.empty or "n_reviewed" not in figs.columns:
        return ""
    return f"图中计入的数字{reviewed_share_text(figs['n_reviewed'].sum(), figs['n'].sum())}（{items}的见悬停提示）。"
