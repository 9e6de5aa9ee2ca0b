"""End to end: `streamlit run` on a loopback port, driven by Debian's chromium through Playwright.

The server starts without a database, so its first page builds one from data/raw/ through the
ETL. Each page is opened, a filter changed, the URL reloaded and the same state found; a CSV is
downloaded and compared with the database; 总览 and 地区对比 are walked again at a phone's width
(390×844); the time to the first chart in a fresh browser is measured and printed in the test
summary. Screenshots go to tests/artifacts/ (gitignored). No request may leave the machine.
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.formatting import combine_approx, format_fact_value, year_span  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--headless"]
WAIT = 60_000  # ms, for anything the server has to compute

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); scripts/test.sh installs it. "
                "In CI (CI set) this test runs and fails instead.", allow_module_level=True)


@pytest.fixture(scope="module")
def server(tmp_path_factory, start_server):
    """A `streamlit run dashboard/app.py` subprocess; yields (base url, database path)."""
    db = tmp_path_factory.mktemp("e2e") / "union_facts.duckdb"   # absent: the app must build it
    with start_server({"UNION_DB": str(db), "UNION_RAW": str(ROOT / "data" / "raw")}, "e2e_server.log") as base:
        yield base, db


LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


def open_context(browser, **options):
    """A fresh browser context (empty cache) and its page, which records page errors and every
    request that would leave the machine (map tiles, fonts, icons, images named by the data)."""
    context = browser.new_context(locale="zh-CN", accept_downloads=True, **options)
    context.set_default_timeout(WAIT)
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.outside = []
    pg.on("request", lambda r: pg.outside.append(r.url) if not r.url.startswith(LOCAL) else None)
    return context, pg


@pytest.fixture(scope="module")
def page(browser):
    context, pg = open_context(browser, viewport={"width": 1440, "height": 2200})
    try:
        yield pg
    finally:
        assert pg.outside == [], f"requests left the machine: {pg.outside}"
        context.close()


@pytest.fixture(scope="module")
def numbers(server):
    """dashboard.data on the server's database (read-only), for the figures the pages must show."""
    _, db = server
    saved = {k: os.environ.get(k) for k in ("UNION_DB", "UNION_NO_BUILD")}

    def get():
        os.environ["UNION_DB"], os.environ["UNION_NO_BUILD"] = str(db), "1"
        from dashboard import data
        return data, data.current_key()

    yield get
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


def q(db: Path, sql: str, params=None):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def settle(pg) -> None:
    """Wait until the script run finished and no chart is still a placeholder."""
    pg.wait_for_selector('[data-testid="stStatusWidget"]', state="detached", timeout=WAIT)
    pg.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=WAIT)
    # tables are canvases laid out after the run: wait until they have their width
    pg.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stDataFrame\"]')]"
                         ".every(e => e.getBoundingClientRect().width > 150)", timeout=WAIT)
    # maps are drawn by maplibre after Plotly returns: wait until each has loaded its shapes (a
    # screenshot taken before shows an empty map under load)
    pg.wait_for_function("() => [...document.querySelectorAll('.js-plotly-plot')].every(gd => {"
                         " const m = gd._fullLayout && gd._fullLayout.map && gd._fullLayout.map._subplot;"
                         " return !m || (m.map && m.map.loaded() && !m.map.isMoving()); })", timeout=WAIT)
    time.sleep(0.5)


def no_app_errors(pg) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0
    assert pg.get_by_text("Page not found").count() == 0
    assert not pg.errors, pg.errors


def params(pg) -> dict[str, list[str]]:
    return parse_qs(urlparse(pg.url).query)


def shot(pg, name: str) -> None:
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def tall_shot(pg, name: str) -> None:
    """The whole page, although Streamlit scrolls it inside its own container (full_page sees only
    the window): the window is made as tall as the content for the picture, then put back."""
    size = pg.viewport_size
    height = pg.evaluate("""() => Math.max(...[...document.querySelectorAll('[data-testid="stMain"], section, body')]
                                          .map(e => e.scrollHeight))""")
    pg.set_viewport_size({"width": size["width"], "height": min(int(height) + 40, 12000)})
    time.sleep(0.8)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"))
    pg.set_viewport_size(size)
    time.sleep(0.3)


CORE = (("union_orgs", "家"), ("union_members", "人"), ("funding", "元"), ("competitions", "场"))


def cards(numbers, kind: str, year: int) -> list[str]:
    """The four cards of 总览 (全省, 本级数字) by the counting rules."""
    data, key = numbers()
    figs = data.figures(key, data.Measure(kind, tuple(m for m, _ in CORE), year_span(year, year),
                                          regions=("330000",))).set_index("metric")
    return [format_fact_value(figs.loc[m, "value"], u, combine_approx(figs.loc[m, "approxes"]), compact=True)
            if m in figs.index else "暂无" for m, u in CORE]


def test_browser_walk_through_every_page(server, page, numbers):
    from playwright.sync_api import expect

    base, db = server
    pg = page

    # 总览 — the first request builds the database from data/raw/
    pg.goto(base + "/")
    expect(pg.get_by_role("heading", name="浙江工会工作数字总览")).to_be_visible(timeout=120_000)
    settle(pg)
    assert db.exists()
    data, key = numbers()
    year = data.filter_options(key)["default_year"]
    span = year_span(year, year)
    values = pg.locator('[data-testid="stMetricValue"]')
    expect(values).to_have_text(cards(numbers, "increment", year))
    expect(pg.get_by_text(f"全省 · {year}年 · 新增 · 本级数字")).to_be_visible()
    cities = data.figures(key, data.Measure("increment", ("union_orgs",), span, level="city"))
    by_ini = data.figures(key, data.Measure("increment", ("union_orgs",), span, by="initiative"))
    by_year = data.figures(key, data.Measure("increment", ("union_orgs",), year_span(*data.filter_options(key)["years"]),
                                             regions=("330000",), by="year"))
    charts = 2 * (not cities.empty) + (not by_ini.empty) + (not by_year.empty)
    expect(pg.locator(".js-plotly-plot")).to_have_count(charts)   # map, bars by city, by initiative, by year
    assert not cities.empty, "the bundled corpus reports new unions in cities in its default year"
    expect(pg.locator(".js-plotly-plot .gtitle").first).to_have_text(f"全省各地市工会组织新增（{year}年）")
    no_app_errors(pg)
    shot(pg, "01_overview")

    # from a chart to the facts behind a bar: click the smallest city bar (bars are drawn smallest first)
    names = dict(zip(data.region_table(key).code, data.region_table(key).name))
    smallest = cities.sort_values("value", kind="stable").iloc[0]
    city = names[smallest.grp]
    pg.locator(".js-plotly-plot").nth(1).locator("g.point path").first.click(force=True)
    expect(pg.get_by_text(re.compile(f"^{city}：.*，{int(smallest.n)} 条数字计入这根柱子"))).to_be_visible()
    settle(pg)
    shot(pg, "01b_overview_facts_behind_a_bar")
    if not by_year.empty:   # the tallest year (a short bar may be 0 px high)
        by_year = by_year.sort_values("year").reset_index(drop=True)
        top = int(by_year["value"].idxmax())
        pg.locator(".js-plotly-plot").last.locator("g.point path").nth(top).click(force=True)
        expect(pg.get_by_text(f"{int(by_year.year[top])}年：{int(by_year.n[top])} 条数字计入这根柱子。")).to_be_visible()
        settle(pg)
    pg.get_by_role("link", name=re.compile("在“数据”页查看")).click()
    expect(pg.get_by_role("heading", name="数据：筛选、查看与下载")).to_be_visible()
    settle(pg)
    n_city = q(db, """SELECT count(*) FROM fact_view WHERE counted AND kind = 'increment' AND metric = 'union_orgs'
                      AND city = ?""", [city])[0][0]
    expect(pg.get_by_text(f"共 {n_city} 条数字", exact=False)).to_be_visible()
    assert params(pg) == {"metrics": ["工会组织"], "kinds": ["新增"], "counted": ["true"], "cities": [city]}
    pg.goto(base + "/")
    settle(pg)

    pg.get_by_role("radio", name="累计", exact=True).click()
    expect(values).to_have_text(cards(numbers, "total", year))
    pg.wait_for_url(re.compile(r"kind="))
    assert params(pg) == {"kind": ["累计"]}
    pg.reload()
    expect(pg.get_by_role("heading", name="浙江工会工作数字总览")).to_be_visible()
    settle(pg)
    expect(pg.get_by_role("radio", name="累计", exact=True)).to_have_attribute("aria-checked", "true")
    expect(values).to_have_text(cards(numbers, "total", year))
    expect(pg.locator(".js-plotly-plot .gtitle").first).to_have_text(f"全省各地市工会组织累计（{year}年）")
    shot(pg, "02_overview_total_after_reload")

    # another year, from the URL
    pg.goto(base + "/?period=2021&period=2021")
    settle(pg)
    expect(pg.get_by_text("全省 · 2021年 · 新增 · 本级数字")).to_be_visible()
    expect(values).to_have_text(cards(numbers, "increment", 2021))
    shot(pg, "02b_overview_2021")

    # 地区对比 — 宁波市 and 湖州市 by default; per 10,000 residents survives a reload
    pg.goto(base + "/compare")
    expect(pg.get_by_role("heading", name="地区对比")).to_be_visible()
    settle(pg)
    chips = pg.locator('[data-testid="stMultiSelectTagsContainer"] [data-tag]')
    expect(chips).to_have_count(2)
    assert chips.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))") == ["宁波市", "湖州市"]
    no_app_errors(pg)
    shot(pg, "03_compare")
    # Streamlit's own English words are translated: a search that finds no region
    pg.locator('[data-testid="stMultiSelect"]').first.click()
    pg.keyboard.type("zzzz")
    expect(pg.get_by_text("没有匹配的选项")).to_be_visible()
    expect(pg.get_by_text("No results")).to_have_count(0)
    pg.keyboard.press("Escape")
    pg.keyboard.press("Tab")                                # leave the box; the search is dropped
    expect(chips).to_have_count(2)
    pg.get_by_text("按每万常住人口计算").click()
    pg.wait_for_url(re.compile(r"per10k=true"))
    settle(pg)
    pg.reload()
    settle(pg)
    expect(pg.get_by_role("switch", name="按每万常住人口计算")).to_be_checked()
    expect(pg.get_by_text("人口：宁波市 9,404,283 人；湖州市 3,367,579 人", exact=False)).to_be_visible()
    shot(pg, "04_compare_per10k_after_reload")

    # 数据 — search the evidence, reload, download exactly those rows
    pg.goto(base + "/data")
    expect(pg.get_by_role("heading", name="数据：筛选、查看与下载")).to_be_visible()
    settle(pg)
    box = pg.get_by_label("在原文证据中搜索")
    box.fill("宁波")
    box.press("Enter")
    pg.wait_for_url(re.compile(r"q="))
    settle(pg)
    expected = q(db, """SELECT fact_id, value, evidence FROM fact_view v WHERE contains(lower(evidence), '宁波')
                        ORDER BY issue_date DESC NULLS LAST, doc,
                                 (SELECT seq FROM articles a WHERE a.article_id = v.article_id), article_id,
                                 evidence_start NULLS LAST, fact_id""")
    assert expected
    expect(pg.get_by_text(f"共 {len(expected)} 条数字", exact=False)).to_be_visible()
    pg.reload()
    settle(pg)
    expect(pg.get_by_label("在原文证据中搜索")).to_have_value("宁波")
    expect(pg.get_by_text(f"共 {len(expected)} 条数字", exact=False)).to_be_visible()
    assert params(pg) == {"q": ["宁波"]}
    no_app_errors(pg)
    shot(pg, "05_data_search_after_reload")
    with pg.expect_download(timeout=WAIT) as dl:
        pg.get_by_role("button", name=re.compile("下载 CSV")).click()
    path = ARTIFACTS / "e2e_download.csv"
    dl.value.save_as(path)
    raw = path.read_bytes()
    assert raw[:3] == b"\xef\xbb\xbf"
    rows = list(csv.DictReader(io.StringIO(raw[3:].decode("utf-8"))))
    assert [(r["事实编号"], r["原文证据"]) for r in rows] == [(f, e) for f, _, e in expected]
    assert [r["数值"] for r in rows] == [format(v.normalize(), "f") for _, v, _ in expected]

    # 文章 — the article of a fact, its numbers highlighted, the linked one current
    (article_id, fact_id, title), = q(db, """SELECT a.article_id, f.fact_id, a.title FROM facts f
                                           JOIN articles a USING (article_id)
                                           WHERE f.metric = 'union_orgs' AND f.value = 4730""")
    n_facts = q(db, "SELECT count(*) FROM facts WHERE article_id = ?", [article_id])[0][0]
    pg.goto(f"{base}/articles?article={article_id}&fact={fact_id}")
    settle(pg)
    expect(pg.locator(".union-article mark")).to_have_count(n_facts)
    expect(pg.locator(".union-article mark.current")).to_have_count(1)
    expect(pg.locator(".union-article mark.current")).to_have_text(re.compile("4730"))
    no_app_errors(pg)
    shot(pg, "06_article")

    # 倡议 — choose another initiative; the URL keeps it
    span = year_span(year, year)
    places = data.initiative_places(key, data.FactFilter(period=span))
    ranked = data.initiative_rank(places)
    pg.goto(base + "/initiatives")
    expect(pg.get_by_role("heading", name="倡议：各项工作及其数字")).to_be_visible()
    settle(pg)
    target = ranked["initiative"].iloc[-1]
    pg.locator('[data-testid="stSelectbox"]').filter(has_text="选择倡议").click()
    pg.get_by_role("option", name=target, exact=True).click()
    pg.wait_for_url(re.compile(r"initiative="))
    settle(pg)
    n = data.fact_count(key, data.FactFilter(initiatives=(target,), period=span))
    expect(pg.get_by_text(f"“{target}”在{year}年共 {n} 条数字", exact=False)).to_be_visible()
    pg.reload()
    settle(pg)
    expect(pg.get_by_text(f"“{target}”在{year}年共 {n} 条数字", exact=False)).to_be_visible()
    assert params(pg) == {"initiative": [target]}
    no_app_errors(pg)
    shot(pg, "07_initiatives_after_reload")
    # no English the reader does not need: no Deploy button, no developer menu
    expect(pg.get_by_role("button", name="Deploy")).to_have_count(0)
    expect(pg.locator('[data-testid="stMainMenu"]')).to_have_count(0)
    assert pg.outside == [], f"requests left the machine: {pg.outside}"


def test_phone_width_overview_and_compare(server, browser):
    """总览 and 地区对比 at 390×844: nothing wider than the screen, every chart inside it; screenshots."""
    from playwright.sync_api import expect

    base, db = server
    context, pg = open_context(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                               is_mobile=True, has_touch=True)
    try:
        for path, heading, name in (("/", "浙江工会工作数字总览", "08_phone_overview"),
                                    ("/compare", "地区对比", "09_phone_compare"),
                                    ("/compare?period=2021&period=2021", "地区对比", "10_phone_compare_2021")):
            pg.goto(base + path)
            expect(pg.get_by_role("heading", name=heading)).to_be_visible(timeout=120_000)
            settle(pg)
            no_app_errors(pg)
            width = pg.evaluate("""() => Math.max(document.documentElement.scrollWidth,
                                   ...[...document.querySelectorAll('[data-testid="stMain"]')].map(e => e.scrollWidth))""")
            assert width <= 390, f"{path}: the page is {width} px wide on a 390 px screen"
            boxes = pg.locator(".js-plotly-plot").evaluate_all(
                "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.right]; })")
            assert boxes, f"{path}: no chart"
            assert all(left >= 0 and right <= 391 for left, right in boxes), (path, boxes)
            tall_shot(pg, name)
        # a deep link to a number scrolls it into view on a small screen
        (article_id, fact_id), = q(db, """SELECT f.article_id, f.fact_id FROM facts f
                                         WHERE f.metric = 'union_orgs' AND f.value = 4730""")
        pg.goto(f"{base}/articles?article={article_id}&fact={fact_id}")
        settle(pg)
        mark = pg.locator(".union-article mark.current")
        expect(mark).to_have_count(1)
        pg.wait_for_function("""() => { const m = document.querySelector('.union-article mark.current');
                                        const r = m && m.getBoundingClientRect();
                                        return r && r.top >= 0 && r.bottom <= window.innerHeight; }""", timeout=10_000)
        shot(pg, "11_phone_article_deep_link")
        assert pg.outside == [], f"requests left the machine: {pg.outside}"
    finally:
        context.close()


def test_first_chart_in_a_fresh_browser(server, browser, e2e_timings):
    """Seconds from opening 总览 in a fresh browser (empty cache) to its first drawn chart, the
    server warm. Printed in the test summary; no goal is asserted (the machine is shared)."""
    base, _ = server
    times = []
    for _ in range(3):
        context, pg = open_context(browser, viewport={"width": 1440, "height": 1000})
        try:
            t0 = time.perf_counter()
            pg.goto(base + "/")
            pg.wait_for_selector(".js-plotly-plot .main-svg", timeout=WAIT)
            times.append(time.perf_counter() - t0)
            plotly = pg.evaluate("""() => performance.getEntriesByType('resource')
                                          .filter(e => e.name.includes('PlotlyChart'))
                                          .map(e => [Math.round(e.startTime), Math.round(e.responseEnd)])""")
            assert pg.outside == [], f"requests left the machine: {pg.outside}"
        finally:
            context.close()
    e2e_timings["first chart in a fresh browser (s), 3 tries"] = ", ".join(f"{t:.2f}" for t in times)
    e2e_timings["plotly.js requested / loaded at (ms), last try"] = " / ".join(str(x) for x in plotly[0]) if plotly else "?"
    e2e_timings["load average (1 min)"] = f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"


def test_chromium_renders_chinese_with_a_cjk_font():
    """Screenshots are only worth looking at if the Chinese glyphs exist (fonts-noto-cjk)."""
    fc = shutil.which("fc-list")
    assert fc, "fontconfig is missing"
    out = subprocess.run([fc, ":lang=zh"], capture_output=True, text=True, timeout=30).stdout
    assert "CJK" in out or "Noto Sans SC" in out, "install fonts-noto-cjk"
