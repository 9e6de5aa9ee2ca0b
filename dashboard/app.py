"""Entry point (`streamlit run dashboard/app.py`): page config, database check, navigation."""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # `streamlit run` puts only dashboard/ on the path; we import etl too
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from dashboard import data, ui  # noqa: E402
from dashboard.formatting import md_text  # noqa: E402

# A local favicon: with a Material icon the browser would fetch it from fonts.gstatic.com (offline app).
st.set_page_config(page_title="浙江工会数据看板", page_icon=str(ROOT / "dashboard" / "assets" / "favicon.svg"),
                   layout="wide", menu_items={})

OVERVIEW = "views/overview.py"
nav = st.navigation([
    # Streamlit serves the default page at / whatever its url_path; the hidden alias below is what
    # answers at /overview, the page's own address (links and bookmarks use it).
    st.Page(OVERVIEW, title="总览", icon=":material/map:", url_path="overview-default", default=True),
    st.Page("views/compare.py", title="地区对比", icon=":material/compare_arrows:", url_path="compare"),
    st.Page("views/explore.py", title="数据", icon=":material/table_view:", url_path="data"),
    st.Page("views/articles.py", title="文章", icon=":material/article:", url_path="articles"),
    st.Page("views/initiatives.py", title="倡议", icon=":material/flag:", url_path="initiatives"),
    st.Page("views/review.py", title="核对", icon=":material/fact_check:", url_path="review"),
    st.Page("views/sources.py", title="来源", icon=":material/folder_open:", url_path="sources"),
    st.Page(OVERVIEW, title="总览", icon=":material/map:", url_path="overview", visibility="hidden"),
])

st.sidebar.caption("浙江工人日报 · 工会工作数字看板")
ui.page_chrome()

try:
    with st.spinner("正在根据 data/raw/ 中的报纸版面生成或更新数据库，请稍候……"):
        data.ensure_database()
except Exception as exc:  # noqa: BLE001 — any failure of the ETL must reach the reader in words
    reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
    if data.db_path().exists():
        st.warning(f"未能检查或更新数据库（{md_text(reason)}），以下显示现有数据库 {md_text(data.db_path().name)} 的内容。")
    else:
        st.error(f"无法生成数据库 {md_text(data.db_path().name)}。原因：{md_text(reason)}。"
                 f"请检查 {md_text(data.raw_dir().name)} 文件夹中的版面文件后刷新页面。")
        st.stop()

nav.run()
