"""End to end: `streamlit run` on a loopback port, driven by Debian's chromium through Playwright.

The server starts without a database, so its first page builds one from data/raw/ through the
ETL. Each page is opened, a filter changed, the URL reloaded and the same state found; a CSV is
downloaded and compared with the database; screenshots go to tests/artifacts/ (gitignored).
"""
from __future__ import annotations

import csv
import io
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from dashboard.formatting import combine_approx, format_fact_value  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--headless"]
WAIT = 60_000  # ms, for anything the server has to compute

if not Path(CHROMIUM).exists() and not os.environ.get("CI"):
    pytest.skip("Debian's chromium is not installed (/usr/bin/chromium); scripts/test.sh installs it. "
                "In CI (CI set) this test runs and fails instead.", allow_module_level=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A `streamlit run dashboard/app.py` subprocess; yields (base url, database path)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    db = tmp_path_factory.mktemp("e2e") / "union_facts.duckdb"   # absent: the app must build it
    port = free_port()
    env = dict(os.environ, UNION_DB=str(db), UNION_RAW=str(ROOT / "data" / "raw"), PYTHONUNBUFFERED="1")
    env.pop("UNION_NO_BUILD", None)
    log = (ARTIFACTS / "e2e_server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(base + "/_stcore/health", timeout=2) as r:
                    if r.read() == b"ok":
                        break
            except OSError:
                pass
            if proc.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"streamlit did not come up; see {ARTIFACTS / 'e2e_server.log'}")
            time.sleep(0.3)
        yield base, db
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def page(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1440, "height": 2200}, locale="zh-CN",
                                      accept_downloads=True)
        context.set_default_timeout(WAIT)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.errors = errors
        # Everything must come from our server: no map tiles, fonts or icons from the internet.
        outside: list[str] = []
        pg.on("request", lambda r: outside.append(r.url)
              if not r.url.startswith(("http://127.0.0.1", "data:", "blob:", "about:")) else None)
        pg.outside = outside
        try:
            yield pg
        finally:
            context.close()
            browser.close()


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
    time.sleep(0.5)


def no_app_errors(pg) -> None:
    assert pg.locator('[data-testid="stException"]').count() == 0
    assert pg.get_by_text("Page not found").count() == 0
    assert not pg.errors, pg.errors


def params(pg) -> dict[str, list[str]]:
    return parse_qs(urlparse(pg.url).query)


def shot(pg, name: str) -> None:
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def cards(db: Path, kind: str) -> list[str]:
    zj = ["杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市", "台州市", "丽水市", "浙江省"]
    rows = {m: (v, a) for m, v, a in q(db, """SELECT metric, sum(value), list(DISTINCT approx) FROM fact_view
                                             WHERE counted AND kind = ? AND list_contains(?, city)
                                             GROUP BY metric""", [kind, zj])}
    out = []
    for metric, unit in (("union_orgs", "家"), ("union_members", "人"), ("funding", "元"), ("competitions", "场")):
        out.append(format_fact_value(rows[metric][0], unit, combine_approx(rows[metric][1]), compact=True)
                   if metric in rows else "暂无")
    return out


def test_browser_walk_through_every_page(server, page):
    from playwright.sync_api import expect

    base, db = server
    pg = page

    # 总览 — the first request builds the database from data/raw/
    pg.goto(base + "/")
    expect(pg.get_by_role("heading", name="浙江工会工作数字总览")).to_be_visible(timeout=120_000)
    settle(pg)
    assert db.exists()
    values = pg.locator('[data-testid="stMetricValue"]')
    expect(values).to_have_text(cards(db, "increment"))
    assert pg.locator(".js-plotly-plot").count() == 4           # map, bars by city, by initiative, timeline
    expect(pg.locator(".js-plotly-plot .gtitle").first).to_have_text("全省各地市工会组织（新增）")
    no_app_errors(pg)
    shot(pg, "01_overview")

    # from a chart to the facts behind a bar: click the smallest city bar, then open them on 数据
    (city, n_behind), = q(db, """SELECT r.name, count(*) FROM fact_view f JOIN regions r ON r.code = f.city_code
                                WHERE counted AND kind = 'increment' AND metric = 'union_orgs'
                                GROUP BY r.name ORDER BY sum(value), r.name LIMIT 1""")
    pg.locator(".js-plotly-plot").nth(1).locator("g.point path").first.click(force=True)
    expect(pg.get_by_text(f"{city}：{n_behind} 条数字构成这根柱子。")).to_be_visible()
    settle(pg)
    shot(pg, "01b_overview_facts_behind_a_bar")
    # 91 issues: the timeline has one bar per month of issue; click the tallest (a short one may be 0 px high)
    months = q(db, """SELECT strftime(date_trunc('month', issue_date), '%Y年%m月'), count(*), sum(value) FROM fact_view
                      WHERE counted AND kind = 'increment' AND metric = 'union_orgs' AND region_code IS NOT NULL
                      GROUP BY 1 ORDER BY 1""")
    i_top = max(range(len(months)), key=lambda i: months[i][2])
    day, n_day, _ = months[i_top]
    pg.locator(".js-plotly-plot").nth(3).locator("g.point path").nth(i_top).click(force=True)
    expect(pg.get_by_text(f"{day}：{n_day} 条数字构成这根柱子。")).to_be_visible()
    settle(pg)
    pg.get_by_role("link", name=re.compile("在“数据”页打开这些数字")).click()
    expect(pg.get_by_role("heading", name="数据：筛选、查看与下载")).to_be_visible()
    settle(pg)
    expect(pg.get_by_text(f"共 {n_behind} 条数字", exact=False)).to_be_visible()
    assert params(pg) == {"metrics": ["工会组织"], "kinds": ["新增"], "counted": ["true"], "cities": [city]}
    pg.goto(base + "/")
    settle(pg)

    pg.get_by_role("radio", name="累计", exact=True).click()
    expect(values).to_have_text(cards(db, "total"))
    pg.wait_for_url(re.compile(r"kind="))
    assert params(pg) == {"kind": ["累计"]}
    pg.reload()
    expect(pg.get_by_role("heading", name="浙江工会工作数字总览")).to_be_visible()
    settle(pg)
    expect(pg.get_by_role("radio", name="累计", exact=True)).to_have_attribute("aria-checked", "true")
    expect(values).to_have_text(cards(db, "total"))
    expect(pg.locator(".js-plotly-plot .gtitle").first).to_have_text("全省各地市工会组织（累计）")
    shot(pg, "02_overview_total_after_reload")

    # 地区对比 — 宁波市 and 湖州市 by default; per 10,000 residents survives a reload
    pg.goto(base + "/compare")
    expect(pg.get_by_role("heading", name="地区对比")).to_be_visible()
    settle(pg)
    chips = pg.locator('[data-testid="stMultiSelectTagsContainer"] [data-tag]')
    expect(chips).to_have_count(2)
    assert chips.evaluate_all("els => els.map(e => e.getAttribute('aria-label'))") == ["宁波市", "湖州市"]
    no_app_errors(pg)
    shot(pg, "03_compare")
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

    # 文章 — the article of a fact, its numbers highlighted
    (article_id, title), = q(db, """SELECT a.article_id, a.title FROM facts f JOIN articles a USING (article_id)
                                   WHERE f.metric = 'union_orgs' AND f.value = 4730""")
    n_facts = q(db, "SELECT count(*) FROM facts WHERE article_id = ?", [article_id])[0][0]
    pg.goto(f"{base}/articles?article={article_id}")
    expect(pg.get_by_role("heading", name=title)).to_be_visible()
    settle(pg)
    expect(pg.locator(".union-article mark")).to_have_count(n_facts)
    expect(pg.locator(".union-article mark").filter(has_text="4730")).to_have_count(1)
    no_app_errors(pg)
    shot(pg, "06_article")

    # 倡议 — choose another initiative; the URL keeps it
    ranked = q(db, """SELECT initiative FROM fact_view WHERE counted AND initiative IS NOT NULL
                      GROUP BY 1 ORDER BY count(*) DESC, initiative""")
    pg.goto(base + "/initiatives")
    expect(pg.get_by_role("heading", name="倡议：各项工作及其数字")).to_be_visible()
    settle(pg)
    target = ranked[-1][0]
    pg.locator('[data-testid="stSelectbox"]').filter(has_text="选择倡议").click()
    pg.get_by_role("option", name=target, exact=True).click()
    pg.wait_for_url(re.compile(r"initiative="))
    settle(pg)
    n = q(db, "SELECT count(*) FROM fact_view WHERE initiative = ?", [target])[0][0]
    expect(pg.get_by_text(f"“{target}”共 {n} 条数字", exact=False)).to_be_visible()
    pg.reload()
    settle(pg)
    expect(pg.get_by_text(f"“{target}”共 {n} 条数字", exact=False)).to_be_visible()
    assert params(pg) == {"initiative": [target]}
    no_app_errors(pg)
    shot(pg, "07_initiatives_after_reload")
    assert pg.outside == [], f"requests left the machine: {pg.outside}"


def test_chromium_renders_chinese_with_a_cjk_font():
    """Screenshots are only worth looking at if the Chinese glyphs exist (fonts-noto-cjk)."""
    fc = shutil.which("fc-list")
    assert fc, "fontconfig is missing"
    out = subprocess.run([fc, ":lang=zh"], capture_output=True, text=True, timeout=30).stdout
    assert "CJK" in out or "Noto Sans SC" in out, "install fonts-noto-cjk"
