"""来源: every document loaded (title, issue date and how it was known, paper, URL, file, articles,
facts, share reviewed) and every file that could not be loaded, with the reason; with the password,
pages uploaded in the browser are stored under the corpus folder and ingested."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from dashboard import auth, data, ui, writes
from dashboard.formatting import safe_url
from etl import uploads

DATE_SOURCES = {"manifest": "清单", "masthead": "报头", "metadata": "网页元数据", "inferred": "推断"}

key = ui.db_key()
st.title("来源：已载入的版面与未能载入的文件")


def shown_path(p: object) -> str:
    """A file's path relative to the corpus folder where it lies in it."""
    path = Path(str(p))
    for root in (data.raw_dir(), data.raw_dir().resolve()):
        try:
            return str(path.relative_to(root))
        except ValueError:
            continue
    return str(path)


# The ETL's reasons (etl/read.py) are English; a reader gets them in Chinese, the original beside.
REASONS = [("empty file", "空文件"), ("binary file", "二进制文件，不是文本（PDF 或图片改了扩展名？）"),
           ("not UTF-8 or GB18030", "不是 UTF-8 或 GB18030 编码的文本"), ("not text in Chinese", "不是中文文本"),
           ("file too large", "文件太大"), ("no readable JSON record", "没有可读的 JSON 记录"),
           ("unsupported file type", "不支持的文件类型"), ("permission denied", "无权读取"),
           ("no such file", "文件不存在"), ("internal error", "处理时出错"), ("cannot read", "无法读取"),
           ("symlink", "符号链接有问题"), ("is a folder", "是文件夹")]


def reason_zh(why: object) -> str:
    text = str(why or "")
    for en, zh in REASONS:
        if text.lower().startswith(en) or en in text.lower():
            return f"{zh}（{text}）"
    return text


docs = data.sources(key)
n_facts = int(docs.n_facts.sum()) if not docs.empty else 0
n_rev = int(docs.n_reviewed.sum()) if not docs.empty else 0
inferred = int((docs.date_source == "inferred").sum()) if not docs.empty else 0
st.markdown(f"**{len(docs)} 个版面**，{int(docs.n_articles.sum()) if not docs.empty else 0} 篇文章，{n_facts} 条数字，"
            f"其中 {n_rev} 条已核对（{(n_rev / n_facts if n_facts else 0):.0%}）。"
            + (f"{inferred} 个版面的出版日期是根据正文推断的。" if inferred else ""))
if not docs.empty:
    frame = pd.DataFrame({
        "标题": [t if isinstance(t, str) and t.strip() else f"（无标题：{d}）" for t, d in zip(docs.title, docs.doc)],
        "出版日期": pd.to_datetime(docs.issue_date).dt.strftime("%Y-%m-%d").fillna("不详"),
        "日期来源": [DATE_SOURCES.get(s, s or "不详") for s in docs.date_source],
        "文章数": docs.n_articles.astype(int),
        "数字数": docs.n_facts.astype(int),
        "已核对": [(r / f) if f else 0.0 for r, f in zip(docs.n_reviewed, docs.n_facts)],
        "已否决": docs.n_rejected.astype(int),
        "报纸": docs.paper.fillna(""),
        "文件": [shown_path(p) for p in docs.source_file],
        "网址": [safe_url(u) for u in docs.url],  # only http(s) addresses become links
    })
    st.dataframe(frame, hide_index=True, key="sources_table", height=min(38 + 35 * len(frame), 600), column_config={
        "标题": st.column_config.TextColumn("标题", width="large"),
        "日期来源": st.column_config.TextColumn("日期来源", help="清单：manifest.csv；报头：版面上的日期；推断：按正文中的年份和日期推断"),
        "网址": st.column_config.LinkColumn("网址", help="报纸原网页（只显示 http/https 地址）"),
        "已核对": st.column_config.ProgressColumn("已核对", format="percent", min_value=0.0, max_value=1.0,
                                               help="已确认、已更正或补充的数字占本版面数字的比例"),
    })

st.subheader("未能载入的文件")
skipped = data.skipped_files(key)
if skipped.empty:
    st.caption("没有：每个文件都已载入。")
else:
    st.dataframe(pd.DataFrame({"文件": [shown_path(p) for p in skipped.source_file], "原因": [reason_zh(r) for r in skipped.reason],
                               "时间": pd.to_datetime(skipped.skipped_at).dt.strftime("%Y-%m-%d %H:%M")}),
                 hide_index=True, key="skipped_table")

st.subheader("上传版面")
permit = auth.gate("上传")
if permit is not None:
    st.caption(f"可上传 .txt、.html、.htm、.jsonl 文件，或装有这些文件的 .zip；单个版面不超过 "
               f"{uploads.MAX_PAGE_BYTES // uploads.MB} MB，.jsonl 不超过 {uploads.MAX_JSONL_BYTES // uploads.MB} MB，"
               f"压缩包不超过 {uploads.MAX_ZIP_BYTES // uploads.MB} MB。文件保存到 {data.raw_dir() / uploads.UPLOAD_FOLDER}，"
               "随后自动载入数据库。")
    result = st.session_state.pop("upload_result", None)
    if result:  # the outcome of the upload just made, above a fresh, empty uploader
        st.success(f"已保存 {result['stored']} 个文件，载入 {result['ingested']} 个：新写入 {result['documents']} 个版面、"
                   f"{result['facts']} 条数字。各页面已显示新数据。")
        for shown, why in result["problems"]:
            st.text(f"✗ {shown}：{why}")  # st.text: a file's name is never read as markdown
        for shown, stored_as in result["renamed"]:
            st.text(f"· {shown} 保存为 {stored_as}")
    files = st.file_uploader("选择或拖入文件", type=["txt", "html", "htm", "jsonl", "zip"], accept_multiple_files=True,
                             key=f"upload_{st.session_state.get('upload_round', 0)}",
                             max_upload_size=uploads.MAX_ZIP_BYTES // uploads.MB)
    if files and st.button("上传并载入", type="primary", icon=":material/upload:", key="upload_go"):
        bar = st.progress(0.0, text="正在保存文件……")

        def step(done: int, total: int) -> None:
            bar.progress(done / total, text=f"正在载入 {done} / {total} 个文件……")

        try:
            stored, report = writes.upload_and_ingest(auth.permit(), [(f.name, f.getvalue()) for f in files], step)
        except PermissionError:
            st.error("没有上传权限。")
            st.stop()
        bar.progress(1.0, text="完成")
        problems = list(stored.problems) + [(shown_path(p), reason_zh(why)) for p, why in (report.skipped if report else [])]
        st.session_state["upload_result"] = {
            "stored": len(stored.stored), "ingested": report.ingested if report else 0,
            "facts": report.facts if report else 0, "documents": report.documents if report else 0,
            "problems": problems, "renamed": stored.renamed}
        st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1  # empties the uploader
        st.rerun()

ui.source_note(key)
