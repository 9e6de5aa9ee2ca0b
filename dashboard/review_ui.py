"""Streamlit pieces of reviewing that the 核对 and 文章 pages share: the form of a fact's fields, a
fact shown for review (every text escaped), the Chinese labels of review states and doubts."""
from __future__ import annotations

import datetime as dt
import html
from decimal import Decimal, InvalidOperation
from typing import Any

import pandas as pd
import streamlit as st

from dashboard import data, ui
from dashboard.formatting import (  # noqa: F401 — REVIEW_LABELS and FIELD_LABELS are read through this module
    APPROX_LABELS, FIELD_LABELS, KIND_LABELS, REVIEW_LABELS, format_fact_value, kind_label, md_text,
)

STATUS_LABELS = {"applied": "生效", "superseded": "已被后来的核对取代", "orphaned": "孤立（找不到对应的数字）"}
ACTION_LABELS = {"confirm": "确认", "correct": "更正", "reject": "否决", "add": "补充"}
# Reasons the ETL gives for doubting a fact (facts.doubts; their weights are in
# data/rules/confidence.yaml); a reason not listed here is shown as written.
DOUBT_LABELS = {
    "noun_before": "名词在数字之前（如“新建工会1059家”）",
    "noun_earlier": "数字没有自己的名词，取自句中前文",
    "carried_metric": "指标沿用前一个数字（只补了“累计/共”）",
    "window_rule": "指标由数字前后的词判断，而非它的名词短语",
    "headline": "只出现在标题中",
    "kind_by_default": "类型无提示词，按该指标的默认类型",
    "kind_from_sentence_head": "类型取自句首的时期词，而非数字所在分句",
    "plan_pointed_back": "属于前一句宣布的计划（“后者”等）",
    "subgroup_stock": "其中某一群体的累计数：全地区的总数未报告，不作为该地区的累计",
    "region_from_paragraph": "地区取自本段（本句未写地区）",
    "region_from_article": "地区取自全文（本段未写地区）",
    "no_region": "没有找到地区",
    "inferred_date": "出版日期是推断的",
    "no_date": "没有出版日期",
    "url_date": "出版日期取自网址",
}


def doubt_text(doubts: object) -> str:
    if doubts is None or (isinstance(doubts, float) and pd.isna(doubts)) or not str(doubts).strip():
        return ""
    return "；".join(DOUBT_LABELS.get(d.strip(), d.strip()) for d in str(doubts).split("|") if d.strip())


def _none(v: Any) -> Any:
    return None if v is None or (pd.api.types.is_scalar(v) and pd.isna(v)) else v


def fact_html(row: dict[str, Any], label: str, unit: str) -> str:
    """One fact for review: its decided fields and its clause with the number marked, all escaped."""
    value = format_fact_value(row.get("value"), unit, row.get("approx"))
    e = lambda v: html.escape(str(v)) if _none(v) is not None and str(v) != "" else "—"
    period = _none(row.get("period_label")) or ""
    if _none(row.get("period_start")) is not None or _none(row.get("period_end")) is not None:
        span = f"{_date(row.get('period_start')) or '…'} 至 {_date(row.get('period_end')) or '…'}"
        period = f"{period}（{span}）" if period else span
    cells = [("指标", label), ("类型", kind_label(row.get("kind") or "")), ("数值", value),
             ("地区", row.get("region")), ("地市", row.get("city")), ("时期", period),
             ("倡议", row.get("initiative"))]
    fields = "".join(f'<span class="f"><b>{html.escape(k)}</b> {e(v)}</span>' for k, v in cells)
    ev = str(row.get("evidence") or "")
    es, vs, ve = _none(row.get("evidence_start")), _none(row.get("value_start")), _none(row.get("value_end"))
    if es is not None and vs is not None and ve is not None and 0 <= vs - es <= len(ev) and ve - es <= len(ev):
        a, b = int(vs - es), int(ve - es)
        sentence = f"{html.escape(ev[:a])}<mark>{html.escape(ev[a:b])}</mark>{html.escape(ev[b:])}"
    else:
        sentence = html.escape(ev)
    return f'<div class="rv-fact"><div class="rv-fields">{fields}</div><div class="rv-ev">{sentence}</div></div>'


CARD_STYLE = """<style>
.rv-fact .rv-fields { display: flex; flex-wrap: wrap; gap: 0.2em 1.2em; font-size: 0.95rem; }
.rv-fact .rv-fields b { color: #666; font-weight: 500; margin-right: 0.25em; }
.rv-fact .rv-ev { margin-top: 0.35em; line-height: 1.8; background: #fafafa; border-left: 3px solid #d9d9d9;
                  padding: 0.2em 0.6em; }
.rv-fact mark { background: #ffe58f; padding: 0 2px; border-radius: 3px; }
</style>"""


def _date(v: Any) -> str | None:
    v = _none(v)
    if v is None:
        return None
    return pd.Timestamp(v).strftime("%Y-%m-%d")


def _to_date(v: Any) -> dt.date | None:
    v = _none(v)
    return None if v is None else pd.Timestamp(v).date()


def region_options(key: data.DbKey) -> tuple[list[str], dict[str, str]]:
    """Choice values for a region ('' none, a division code, or 'out:NAME' outside Zhejiang) and labels."""
    regions = data.region_choices(key)
    values, labels = [""], {"": "（未定位）"}
    for code, name, level, city in zip(regions.code, regions.name, regions.level, regions.city):
        if level == "outside":
            v = f"out:{name}"
            labels[v] = f"{name}（省外）"
        else:
            v = code
            labels[v] = name if level in ("province", "city") or not city else f"{name}（{city}）"
        values.append(v)
    return values, labels


def field_form(key: data.DbKey, form_key: str, initial: dict[str, Any], parents: pd.DataFrame | None = None,
               submit_label: str = "保存", note_label: str = "备注（可选）", on_submit=None,
               on_submit_args: tuple = ()) -> None:
    """A form of every decided field, filled with `initial`. Its submit button calls `on_submit`
    before the page runs again (read what was entered with read_form); problems it stored under
    f"{form_key}_problems" are shown below the form."""
    metrics, labels, units, _ = ui.metric_info(key)
    region_values, region_labels = region_options(key)
    code = _none(initial.get("region_code"))
    region = _none(initial.get("region"))
    if code and code in region_labels:
        region_value = code
    elif region:
        region_value = f"out:{region}"
        if region_value not in region_labels:
            region_values.append(region_value)
            region_labels[region_value] = f"{region}（省外）"
    else:
        region_value = ""
    parent_ids = [""] + ([] if parents is None else parents["fact_id"].tolist())
    parent_labels = {"": "（不属于其他数字）"}
    if parents is not None:
        for fid, lab, v, u, a, ev in zip(parents.fact_id, parents.metric_label, parents.value, parents.unit,
                                        parents.approx, parents.evidence):
            parent_labels[fid] = f"{lab}：{format_fact_value(v, u, a)}——{str(ev)[:30]}"
    part = _none(initial.get("part_of"))
    with st.form(form_key, border=True):
        c = st.columns(4)
        c[0].selectbox("指标", metrics, index=metrics.index(initial["metric"]) if initial.get("metric") in metrics else 0,
                       format_func=lambda m: f"{labels.get(m, m)}（{units.get(m, '')}）", key=f"{form_key}_metric")
        kinds = list(KIND_LABELS)
        c[1].selectbox("类型", kinds, index=kinds.index(initial["kind"]) if initial.get("kind") in kinds else 0,
                       format_func=kind_label, key=f"{form_key}_kind")
        c[2].text_input("数值（基本单位：元、人、家、场、个、件）", value=_plain(initial.get("value")),
                        key=f"{form_key}_value", help="写出完整数字：2.49万写作 24900，2700万元写作 27000000")
        approxes = list(APPROX_LABELS)
        c[3].selectbox("约数", approxes, index=approxes.index(initial["approx"]) if initial.get("approx") in approxes else 0,
                       format_func=lambda a: APPROX_LABELS[a], key=f"{form_key}_approx")
        c = st.columns([2, 2, 1, 1])
        c[0].selectbox("地区", region_values, index=region_values.index(region_value),
                       format_func=lambda v: region_labels.get(v, v), key=f"{form_key}_region")
        c[1].text_input("倡议（可留空）", value=_none(initial.get("initiative")) or "", key=f"{form_key}_ini")
        c[2].date_input("时期开始", value=_to_date(initial.get("period_start")), key=f"{form_key}_ps",
                        min_value=dt.date(1949, 1, 1), max_value=dt.date(2100, 12, 31), format="YYYY-MM-DD")
        c[3].date_input("时期结束", value=_to_date(initial.get("period_end")), key=f"{form_key}_pe",
                        min_value=dt.date(1949, 1, 1), max_value=dt.date(2100, 12, 31), format="YYYY-MM-DD")
        c = st.columns([2, 3])
        c[0].text_input("时期（原文写法）", value=_none(initial.get("period_label")) or "", key=f"{form_key}_pl")
        c[1].selectbox("属于（“其中”之类的细分所属的数字）", parent_ids,
                       index=parent_ids.index(part) if part in parent_ids else 0,
                       format_func=lambda v: parent_labels.get(v, v), key=f"{form_key}_part")
        st.text_input(note_label, key=f"{form_key}_note", max_chars=500)
        st.form_submit_button(submit_label, type="primary", on_click=on_submit, args=on_submit_args)
    for problem in st.session_state.pop(f"{form_key}_problems", []):
        st.error(problem)


def read_form(key: data.DbKey, form_key: str) -> tuple[dict[str, Any] | None, str, list[str]]:
    """What a submitted field_form holds: (fields with part_of as a fact id, note, problems)."""
    ss = st.session_state
    problems = []
    try:
        amount = Decimal(str(ss.get(f"{form_key}_value", "")).strip().replace(",", ""))
        if not amount.is_finite() or amount < 0:
            raise InvalidOperation
    except InvalidOperation:
        problems.append("数值必须是不小于 0 的数字（基本单位）")
        amount = None
    start, end = ss.get(f"{form_key}_ps"), ss.get(f"{form_key}_pe")
    if start and end and start > end:
        problems.append("时期开始不能晚于结束")
    if problems:
        return None, "", problems
    region_choice = ss.get(f"{form_key}_region") or ""
    if region_choice.startswith("out:"):
        region_name, region_code = region_choice[4:], None
    elif region_choice:
        region_name, region_code = data.region_choices(key).set_index("code").name.get(region_choice), region_choice
    else:
        region_name, region_code = None, None
    fields = {"metric": ss.get(f"{form_key}_metric"), "kind": ss.get(f"{form_key}_kind"), "value": format(amount, "f"),
              "approx": ss.get(f"{form_key}_approx"), "region": region_name, "region_code": region_code,
              "period_start": start, "period_end": end,
              "period_label": (ss.get(f"{form_key}_pl") or "").strip() or None,
              "initiative": (ss.get(f"{form_key}_ini") or "").strip() or None,
              "part_of": ss.get(f"{form_key}_part") or None}
    return fields, ss.get(f"{form_key}_note") or "", []


def _plain(v: Any) -> str:
    v = _none(v)
    if v is None:
        return ""
    d = Decimal(str(v))
    return format(d.to_integral_value() if d == d.to_integral_value() else d.normalize(), "f")


def with_parent_anchor(key: data.DbKey, fields: dict[str, Any]) -> dict[str, Any]:
    """part_of as a fact id → the parent's anchor (its number in words), as corrections store it."""
    parent = fields.get("part_of")
    if not parent:
        return {**fields, "part_of": None}
    anchor = data.fact_anchor(key, parent)
    return {**fields, "part_of": None if anchor is None else
            {k: v for k, v in anchor.to_dict().items() if k in ("number", "before", "after", "evidence", "occurrence")}}


def shown_fields(row: dict[str, Any]) -> dict[str, Any]:
    """A fact's decided fields as fv shows them (corrections applied), part_of as a fact id."""
    return {k: _none(row.get(k)) for k in ("metric", "kind", "value", "approx", "region", "region_code",
                                            "period_start", "period_end", "period_label", "initiative", "part_of")}


def _context_label(text: str, s: int, e: int, width: int = 10) -> str:
    left = text[max(0, s - width):s].replace("\n", " ")
    right = text[e:e + width].replace("\n", " ")
    return f"…{left}【{text[s:e]}】{right}…"


def add_number_panel(key: data.DbKey, art: dict[str, Any], facts: pd.DataFrame) -> None:
    """On the 文章 page: add a number the ETL missed, chosen by its span in the article text."""
    from dashboard import auth, writes
    from etl.corrections import anchor_at
    from etl.numbers import find_quantities, parse_quantity

    with st.expander("补充遗漏的数字", icon=":material/add_circle:"):
        permit = auth.gate("补充数字")
        if permit is None:
            return
        name = auth.reviewer_box()
        # After a number is added the choosers start afresh (new keys): the old choice is a fact now.
        rnd = st.session_state.get("_add_round", 0)
        k = (lambda w: w) if rnd == 0 else (lambda w: f"{w}_{rnd}")
        done = st.session_state.pop("_add_done", None)
        if done:
            st.success(done)
        text = art.get("text") or ""
        taken = [(int(s), int(e)) for s, e in zip(facts.get("value_start", []), facts.get("value_end", []))
                 if _none(s) is not None and _none(e) is not None]
        free = [q for q in find_quantities(text) if not any(q.span[0] < e and s < q.span[1] for s, e in taken)]
        modes = {"found": f"文中识别出、尚未抽取的数字（{len(free)} 个）", "text": "按文字查找", "offsets": "按位置（起止字符）"}
        mode = st.radio("怎样选出这个数字", list(modes), format_func=modes.get, horizontal=True, key=k("add_mode"))
        span: tuple[int, int] | None = None
        if mode == "found":
            if not free:
                st.caption("数字语法在这篇文章中没有找到别的数字；可按文字查找或按位置选择。")
            else:
                i = st.selectbox("选择数字", range(len(free)), key=k("add_found"),
                                 format_func=lambda i: _context_label(text, *free[i].span))
                span = free[i].span
        elif mode == "text":
            needle = st.text_input("数字在原文中的写法（例如：1200余人）", key=k("add_text"), max_chars=60)
            hits = []
            if needle:
                pos = text.find(needle)
                while pos >= 0:
                    hits.append((pos, pos + len(needle)))
                    pos = text.find(needle, pos + 1)
                if not hits:
                    st.warning("文中没有这段文字。")
                else:
                    j = st.selectbox(f"文中出现 {len(hits)} 处，选择其中一处", range(len(hits)), key=k("add_hit"),
                                     format_func=lambda j: _context_label(text, *hits[j]))
                    span = hits[j]
        else:
            c = st.columns(2)
            s = c[0].number_input("起（第几个字符，从 0 起）", 0, max(0, len(text) - 1), 0, key=k("add_start"))
            e = c[1].number_input("止（不含）", 1, max(1, len(text)), min(len(text), 1), key=k("add_end"))
            if e > s:
                span = (int(s), int(e))
            else:
                st.warning("止必须大于起。")
        if span is None:
            return
        s, e = span
        if any(s < te and ts < e for ts, te in taken):
            st.warning("这段文字与已有的数字重叠：要修改已有的数字，请到“核对”页更正它。")
            return
        st.html('<div class="rv-fact"><div class="rv-ev">' + html.escape(text[max(0, s - 40):s]) + "<mark>"
                + html.escape(text[s:e]) + "</mark>" + html.escape(text[e:e + 40]) + "</div></div>" + CARD_STYLE)
        q = parse_quantity(text[s:e])
        regions = data.region_choices(key)
        code = None
        if art.get("region"):
            hit = regions[(regions.name == art["region"]) & regions.code.notna()]
            code = hit.code.iloc[0] if not hit.empty else None
        initial = {"value": q.value if q else None, "approx": q.approx.value if q else "exact", "kind": "increment",
                   "region": art.get("region"), "region_code": code, "initiative": art.get("initiative")}
        if not name:
            st.warning("请先填写核对人姓名。")
            return
        form_key = f"add_form_{s}_{e}"

        def submit() -> None:  # runs before the page does again, so that run shows the new number
            fields, note, problems = read_form(key, form_key)
            if problems:
                st.session_state[f"{form_key}_problems"] = problems
                return
            anchor = anchor_at(data.doc_articles(key, art["doc"]), art["article_id"], s, e, "", fields["value"])
            try:
                writes.save_correction(auth.permit(), "add", anchor, with_parent_anchor(key, fields), None, note)
            except (PermissionError, ValueError) as exc:
                st.session_state[f"{form_key}_problems"] = [f"没有保存：{exc}"]
                return
            # Only our own words and the number go into this markdown message, never the page's text.
            label = ui.metric_info(key)[1].get(fields["metric"], "")
            st.session_state["_add_done"] = (f"已补充一个数字：{fields['value']}（{md_text(label)}），"
                                             "已在文中标出，并计入各页面的数字。")
            st.session_state["_add_round"] = rnd + 1

        field_form(key, form_key, initial, facts if not facts.empty else None, "保存补充的数字", on_submit=submit)
