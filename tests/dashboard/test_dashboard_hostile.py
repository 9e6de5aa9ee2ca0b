"""Pages whose kicker, title, source and URL carry markdown, HTML and links, and URL parameters that
do: everything reaches the screen as literal text (escaped for Streamlit's markdown, HTML-escaped
for Plotly), and no link leaves for a javascript: URL. tests/e2e checks the rendering in a browser."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from dashboard.formatting import WORD_JOINER, md_text, plotly_text

IMG = "![](//e.co/a)"
LINK = "<a href=x>y</a>"
SOURCE = "[官网](https://e.co/s)"
PAGES = {
    "md.txt": f"“{IMG}”进行时\n**粗体**标题 $x^2$ :red[红字]\n本报讯 记者张三报道 今年以来,宁波市新建工会12家,发展会员300人。\n",
    "html.txt": f"“{LINK}”进行时\n湖州<b>工会</b>[点我](https://e.co/x)\n本报讯 记者李四报道 今年以来,湖州市新建工会40家。\n",
}
MANIFEST = ("file,date,source,url\n"
            f"md.txt,2024-05-06,{SOURCE},javascript:alert(1)\n"
            "html.txt,2024-05-07,\"<img src=https://e.co/t.png>\",https://e.co/ok\n")
LOGIN = "[请点此重新登录](https://e.co/login)![](https://e.co/t.png)"


def as_rendered(text: str) -> str:
    """What a browser shows for md_text(text): the text itself, with md_text's word joiners."""
    return re.sub(r"\\(.)", r"\1", md_text(text))


def write_hostile_pages(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in PAGES.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / "manifest.csv").write_text(MANIFEST, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory) -> Path:
    from etl.ingest import ingest
    folder = write_hostile_pages(tmp_path_factory.mktemp("hostile") / "raw")
    db = folder.parent / "hostile.duckdb"
    report = ingest([folder], db, folder / "manifest.csv", workers=1, progress=False, log=lambda m: None)
    assert report.skipped == [] and report.facts == 3
    return db


def texts(at, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def test_md_text_escapes_every_markdown_construct():
    j = WORD_JOINER  # bare URLs and addresses: the parser links them after escapes, the joiner stops it
    assert md_text(LOGIN) == (r"\[请点此重新登录\]\(https" + j + r"\:\/\/e\.co\/login\)\!\[\]\(https" + j
                              + r"\:\/\/e\.co\/t\.png\)")
    assert md_text("www.e.co a@e.co") == "www" + j + r"\.e\.co a" + j + r"\@e\.co"
    assert md_text("**粗** $x$ :red[红] <b>\n# 标题") == r"\*\*粗\*\* \$x\$ \:red\[红\] \<b\> \# 标题"
    assert md_text("宁波市（新增）") == "宁波市（新增）"  # Chinese text and punctuation as they are
    assert plotly_text(LINK) == "&lt;a href=x&gt;y&lt;/a&gt;" and plotly_text(12) == 12


def test_initiatives_page_shows_names_from_kickers_as_text(hostile_db, use_db, run_page, plotly_specs):
    use_db(hostile_db)
    at = run_page("views/initiatives.py")
    assert not at.exception
    rank, = [f for f in plotly_specs(at) if "排行" in f.layout.title.text]
    assert sorted(rank.data[0].y) == sorted([plotly_text(IMG), plotly_text(LINK)])
    at.selectbox(key="initiative").set_value(LINK).run()
    assert not at.exception
    # the pages are of May 2024: the page opens on 2024 and says so
    assert f"**“{md_text(LINK)}”在2024年共 1 条数字**（其中 1 条计入汇总，已核对 0/1 条）。" in texts(at, "markdown")
    places, = [f for f in plotly_specs(at) if "分布" in f.layout.title.text]
    assert places.layout.title.text == f"“{plotly_text(LINK)}”的数字分布在哪些地市（2024年）"
    link, = [p.proto.label for p in at.get("page_link") if "数据" in p.proto.label]
    assert link == md_text(f"在“数据”页筛选、下载“{LINK}”的全部数字")
    note, = [c for c in texts(at, "caption") if c.startswith("数据来源：")]
    papers = note.removeprefix("数据来源：").split("，")[0]  # one page each: by name
    assert papers == md_text(f"<img src=https://e.co/t.png> 1 个版面、{SOURCE} 1 个")


def test_article_page_escapes_the_url_parameter_and_offers_no_javascript_link(hostile_db, use_db, run_page, oracle):
    use_db(hostile_db)
    at = run_page("views/articles.py", {"article": LOGIN})
    assert texts(at, "warning") == [f"找不到编号为 {md_text(LOGIN)} 的文章：数据库可能已经更新。请重新选择。"]
    (md_article,), = oracle(hostile_db, "SELECT article_id FROM articles JOIN documents USING (doc_id) WHERE doc = 'md'")
    (html_article,), = oracle(hostile_db, "SELECT article_id FROM articles JOIN documents USING (doc_id) WHERE doc = 'html'")
    at = run_page("views/articles.py", {"article": md_article})
    assert not at.exception and not at.warning
    assert at.get("link_button") == []  # its URL is javascript:
    at = run_page("views/articles.py", {"article": html_article})
    assert [b.proto.url for b in at.get("link_button")] == ["https://e.co/ok"]
