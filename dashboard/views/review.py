"""核对: the facts the ETL is least sure of first; confirm, correct or reject each one. Only with the
operator's password; every action is one line appended to the corrections file."""
from __future__ import annotations

import math
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, data, review_ui, ui, writes
from dashboard.formatting import format_fact_value, kind_label, md_text

PAGE_SIZE = 10
STATUSES = {"unreviewed": "未核对", "reviewed": "已核对", "confirmed": "已确认", "corrected": "已更正",
            "added": "已补充", "all": "全部"}

key = ui.db_key()
st.title("核对：确认、更正或否决抽取的数字")
permit = auth.gate("核对")
if permit is None:
    st.stop()

metrics, labels, units, _ = ui.metric_info(key)
name = auth.reviewer_box()
permit = auth.permit()
counts = data.review_counts(key)
st.caption(f"共 {counts['facts']} 条数字：未核对 {counts['unreviewed']}，已确认 {counts['confirmed']}，"
           f"已更正 {counts['corrected']}，已补充 {counts['added']}；另有 {counts['rejected']} 条已否决（不再计入）。"
           f"核对记录 {counts['corrections']} 条" + (f"，其中 {counts['orphaned']} 条孤立（见下方）" if counts["orphaned"] else "")
           + "。核对记录保存在看板数据库之外，重新导入或重建数据库后依然有效。")
if not name:
    st.warning("请先填写核对人姓名，再开始核对。")
if st.session_state.get("rv_problem"):
    st.error(st.session_state.pop("rv_problem"))

c1, c2 = st.columns([3, 2], vertical_alignment="bottom")
status = c1.segmented_control("显示", list(STATUSES), format_func=STATUSES.get, default="unreviewed", key="rv_status")
status = status or "unreviewed"
sel_metrics = c2.multiselect("指标", metrics, format_func=lambda m: labels.get(m, m), key="rv_metrics",
                             placeholder="全部指标")
n = (counts[status] if status in ("unreviewed", "confirmed", "corrected", "added") and not sel_metrics
     else data.review_queue_count(key, status, tuple(sel_metrics)))
pages = max(1, math.ceil(n / PAGE_SIZE))
st.markdown(f"**{n} 条**（按把握从低到高：ETL 最没有把握的排在最前）")
area = st.container()
page = st.pagination(pages, key="rv_page") if pages > 1 else 1
page = min(max(1, int(page or 1)), pages)
rows = data.review_queue(key, status, tuple(sel_metrics), PAGE_SIZE, (page - 1) * PAGE_SIZE)


def save(action: str, row: dict, fields: dict | None, note: str = "") -> None:
    """A button's callback: runs before the page does again, so that run already shows the change."""
    fact_id = row["fact_id"]
    anchor = data.fact_anchor(key, fact_id, row)
    if anchor is None:
        st.session_state["rv_problem"] = "这条数字在文中没有位置信息，无法记录核对。"
        return
    original = data.etl_fields(key, fact_id)
    try:
        writes.save_correction(auth.permit(), action, anchor,
                               review_ui.with_parent_anchor(key, fields) if fields else None, original, note)
    except (PermissionError, ValueError) as e:
        st.session_state["rv_problem"] = f"没有保存：{e}"
        return
    st.session_state.pop("rv_editing", None)
    st.toast({"confirm": "已确认", "correct": "已保存更正", "reject": "已否决"}[action], icon=":material/check:")


def save_form(row: dict, form_key: str) -> None:
    fields, note, problems = review_ui.read_form(key, form_key)
    if problems:
        st.session_state[f"{form_key}_problems"] = problems
        return
    save("correct", row, fields, note)


def card(r: dict, title: str) -> None:
    """One fact to review: its fields and clause, how sure the ETL is and why not, the buttons."""
    fid = r["fact_id"]
    with st.container(border=True, key=f"rv_card_{fid}"):
        head, side = st.columns([5, 2])
        conf = r.get("confidence")
        sure = "把握未知" if conf is None or pd.isna(conf) else f"把握 {float(conf):.0%}"
        state = review_ui.REVIEW_LABELS.get(r["review"], r["review"])
        with head:
            st.html(review_ui.fact_html(r, labels.get(r["metric"], r["metric"]), units.get(r["metric"], "")))
        with side:
            st.caption(f"{title} · {sure} · {state}")
            doubts = review_ui.doubt_text(r.get("doubts"))
            if doubts:
                st.caption(f"存疑之处：{md_text(doubts)}")
            if r["review"] == "corrected" and r.get("original_value") is not None and not pd.isna(r["original_value"]):
                changed = "、".join(review_ui.FIELD_LABELS.get(x, x) for x in str(r.get("corrected_fields") or "").split("|") if x)
                st.caption(f"ETL 原值：{format_fact_value(r['original_value'], units.get(r['metric'], ''), 'exact')}"
                           + (f"；改动：{changed}" if changed else ""))
            if r["review"] != "unreviewed" and r.get("reviewed_by"):
                st.caption(f"{md_text(r['reviewed_by'])} 于 "  # a name typed by a reviewer
                           f"{str(r.get('reviewed_at') or '')[:16].replace('T', ' ')}")
            st.page_link("views/articles.py", label="查看原文", icon=":material/article:",
                         query_params={"article": r["article_id"], "fact": fid})
        b = st.columns([1, 1, 1, 4])
        disabled = not name
        b[0].button("确认", key=f"rv_ok_{fid}", icon=":material/check:", disabled=disabled, help="这条数字的各项都对",
                    on_click=save, args=("confirm", r, review_ui.shown_fields(r)))
        if b[1].button("更正…", key=f"rv_edit_{fid}", icon=":material/edit:", disabled=disabled):
            st.session_state["rv_editing"] = fid
        b[2].button("否决", key=f"rv_no_{fid}", icon=":material/close:", disabled=disabled,
                    help="这不是一条数字事实（不计入任何合计）", on_click=save, args=("reject", r, None))
        if st.session_state.get("rv_editing") == fid and not disabled:
            art_facts = data.article_facts(key, r["article_id"])
            parents = art_facts[art_facts.fact_id != fid]
            review_ui.field_form(key, f"rv_form_{fid}", review_ui.shown_fields(r), parents, "保存更正",
                                 on_submit=save_form, on_submit_args=(r, f"rv_form_{fid}"))


st.html(review_ui.CARD_STYLE)
focus = st.query_params.get("fact")
focused = data.review_fact(key, focus) if focus else None
if focus and focused is None:
    st.warning("链接所指的数字不在当前数据中（可能已被否决，或数据库已更新）。")
with area:
    if focused is not None:
        st.markdown("**链接所指的数字**")
        card(focused, "链接所指")
        st.markdown("**其余数字**")
    if rows.empty:
        st.info("没有符合条件的数字。")
    for i, r in enumerate(rows.to_dict("records"), start=(page - 1) * PAGE_SIZE + 1):
        if focused is None or r["fact_id"] != focus:
            card(r, f"第 {i} 条")

st.divider()
with st.expander(f"已否决的数字（{counts['rejected']} 条）"):
    rej = data.rejected_facts(key)
    if rej.empty:
        st.caption("还没有否决过数字。")
    else:
        frame = pd.DataFrame({
            "指标": [labels.get(m, m) for m in rej.metric], "类型": [kind_label(k) for k in rej.kind],
            "数值": [format_fact_value(v, u, a) for v, u, a in zip(rej.value, rej.unit, rej.approx)],
            "地区": rej.region.fillna(""), "原文证据": rej.evidence, "版面": rej.doc,
            "核对人": rej.reviewed_by, "时间": rej.reviewed_at.str.slice(0, 16).str.replace("T", " ")})
        ev = st.dataframe(frame, hide_index=True, on_select="rerun", selection_mode="single-row", key="rv_rejected")
        if ev.selection.rows and name:
            r = rej.iloc[ev.selection.rows[0]]
            def unreject(fact_id: str) -> None:
                f = data.etl_fields(key, fact_id)
                writes.save_correction(auth.permit(), "confirm", data.fact_anchor(key, fact_id), f, f, "撤销否决")

            st.button("撤销否决（恢复为 ETL 的数字并确认）", key="rv_unreject", on_click=unreject, args=(r["fact_id"],))

log = data.review_log(key)
orphans = log[log.status == "orphaned"]
with st.expander(f"孤立的核对记录（{len(orphans)} 条）", expanded=bool(len(orphans))):
    st.caption("数据库里找不到它们所指的数字：版面没有载入、原文变了，或 ETL 不再抽取这个数字。记录不会被删除；"
               "版面重新载入或规则改回后会自动生效。")
    if not orphans.empty:
        from etl.corrections import reason_text
        st.dataframe(pd.DataFrame({
            "原因": [reason_text(x) for x in orphans.reason], "操作": orphans.action.map(review_ui.ACTION_LABELS),
            "版面": orphans.doc, "数字": orphans.number, "原文证据": orphans.evidence,
            "核对人": orphans.reviewed_by, "时间": orphans.reviewed_at.str.slice(0, 16).str.replace("T", " "),
            "备注": orphans.review_note}), hide_index=True)

with st.expander("全部核对记录"):
    if log.empty:
        st.caption("还没有核对记录。")
    else:
        st.dataframe(pd.DataFrame({
            "时间": log.reviewed_at.str.slice(0, 16).str.replace("T", " "), "核对人": log.reviewed_by,
            "操作": log.action.map(review_ui.ACTION_LABELS), "状态": log.status.map(review_ui.STATUS_LABELS),
            "版面": log.doc, "数字": log.number, "原文证据": log.evidence, "备注": log.review_note}), hide_index=True)
    problems = data.review_problems(key)
    if problems:
        st.warning("核对记录文件中有无法读取的行（可能被手工改过），这些行被跳过：" +
                   "；".join(f"第 {n} 行" for n, _ in problems[:20]))

    def export_bytes() -> bytes:
        from etl.corrections import CorrectionStore, export_csv
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "corrections.csv"
            export_csv(CorrectionStore(data.corrections_path()), out)
            return out.read_bytes()

    st.download_button("下载全部核对记录（CSV，可用 python -m etl corrections import 导入）", data=export_bytes,
                       file_name="corrections.csv", mime="text/csv", on_click="ignore", key="rv_export",
                       icon=":material/download:")
    st.caption(f"核对记录文件：{data.corrections_path()}（每行一条 JSON，可直接备份或用 diff 比较）")

