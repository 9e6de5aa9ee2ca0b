"""End to end with hostile pages loaded: kickers, titles, sources and URLs carrying markdown, HTML
and links (tests/dashboard/test_dashboard_hostile.py), and a URL parameter that does. In a real
browser every page shows them as literal text, renders no image, formula or link from them, and
makes no request off the machine."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from urllib.parse import quote

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.dashboard.test_dashboard_hostile import IMG, LINK, LOGIN, SOURCE, as_rendered, write_hostile_pages  # noqa: E402
from test_e2e_browser import settle  # noqa: E402  (the walk-through's: scripts, placeholders, tables, maps)

CHROMIUM = "/usr/bin/chromium"
WAIT = 60_000

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); scripts/test.sh installs it.",
                allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory, start_server):
    """`streamlit run` from the repository (its .streamlit/config.toml) on the hostile pages, which
    the app's first request builds into a database."""
    tmp = tmp_path_factory.mktemp("hostile_e2e")
    raw = write_hostile_pages(tmp / "raw")
    db = tmp / "union_facts.duckdb"
    with start_server({"UNION_DB": str(db), "UNION_RAW": str(raw)}, "e2e_hostile_server.log",
                      shipped_config=True) as base:
        yield base, db


@pytest.fixture(scope="module")
def page(server, open_browser):
    with open_browser(WAIT, viewport={"width": 1440, "height": 2200}) as pg:
        yield pg


def nothing_rendered_from_the_data(pg, allowed_links: tuple[str, ...] = ()) -> None:
    """No image, formula or link made from page or URL content; no request left the machine."""
    assert pg.locator('[data-testid="stException"]').count() == 0
    assert pg.locator("img[src*='e.co']").count() == 0
    assert pg.locator(".katex").count() == 0
    # Links that leave the app (resolved by the browser: relative links to our pages stay).
    links = pg.eval_on_selector_all("a[href]", "els => els.map(a => a.href).filter(h => !h.startsWith(location.origin))")
    assert links == list(allowed_links)
    assert pg.locator(".js-plotly-plot a").count() == 0
    assert pg.outside == []


def test_hostile_pages_render_as_text_and_nothing_leaves_the_machine(server, page):
    from playwright.sync_api import expect

    base, db = server
    pg = page
    pg.goto(base + "/overview")
    expect(pg.get_by_role("heading", name="浙江工会工作数字总览")).to_be_visible(timeout=120_000)
    settle(pg)
    assert db.exists()
    assert pg.get_by_text("Page not found").count() == 0
    ticks = pg.locator(".js-plotly-plot text")
    expect(ticks.filter(has_text=LINK).first).to_be_attached()
    expect(ticks.filter(has_text=IMG).first).to_be_attached()
    nothing_rendered_from_the_data(pg)

    pg.goto(base + "/initiatives")
    expect(pg.get_by_role("heading", name="倡议：各项工作及其数字")).to_be_visible()
    settle(pg)
    expect(ticks.filter(has_text=LINK).first).to_be_attached()
    expect(pg.get_by_text(as_rendered(SOURCE), exact=False).first).to_be_visible()  # the manifest's source
    nothing_rendered_from_the_data(pg)

    pg.goto(base + "/articles?article=" + quote(LOGIN))
    settle(pg)
    expect(pg.get_by_text(f"找不到编号为 {as_rendered(LOGIN)} 的文章", exact=False)).to_be_visible()
    nothing_rendered_from_the_data(pg)

    con = duckdb.connect(str(db), read_only=True)
    arts = dict(con.execute("SELECT doc, article_id FROM articles JOIN documents USING (doc_id)").fetchall())
    con.close()
    pg.goto(base + "/articles?article=" + arts["md"])
    settle(pg)
    expect(pg.get_by_role("heading", name="粗体**标题 $x^2$ :red[红字]")).to_be_visible()
    assert pg.get_by_role("link", name="打开报纸原网页").count() == 0  # its URL is javascript:
    nothing_rendered_from_the_data(pg)

    pg.goto(base + "/articles?article=" + arts["html"])
    settle(pg)
    expect(pg.get_by_role("heading", name="湖州<b>工会</b>[点我](https://e.co/x)")).to_be_visible()
    expect(pg.get_by_text(f"“{LINK}”进行时")).to_be_visible()
    # The one link out is the article's own source, as the manifest gives it; nothing fetches it.
    nothing_rendered_from_the_data(pg, allowed_links=("https://e.co/ok",))

    pg.goto(base + "/data")
    settle(pg)
    expect(pg.get_by_role("heading", name="数据：筛选、查看与下载")).to_be_visible()
    nothing_rendered_from_the_data(pg)
