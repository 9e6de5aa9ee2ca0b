"""End to end, the researcher in the loop: a real server and chromium. Enter the password, correct a
value on 核对, add a number the ETL missed from the article, find both in 地区对比 and in the CSV
of 数据 (with their review state and the ETL's value beside the corrected one), reload and find them
still there; switch on 仅已核对 and find only them, in 地区对比 and in 数据 and its CSV, after a
reload too; upload a page with one bad file beside it.

The expected figures come from a copy of the database file with the same two changes made by SQL,
counted by the schema's own fact_view — not from the dashboard's code."""
from __future__ import annotations

import csv
import io
import re
import shutil
import time
from decimal import Decimal
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import duckdb
import pytest

from test_e2e_browser import ARTIFACTS, CHROMIUM, ROOT, no_app_errors, q, settle, shot  # the walk-through's helpers

from dashboard.formatting import combine_approx, format_fact_value

PASSWORD = "e2e-核对"
CORRECTED = ("宁波全市新建工会1059家", "1100")   # the evidence of a fact, and the value a reviewer sets
ADDED = "2300余名"                              # 宁波2300余名医院护工、护理员 joined: the ETL missed it
NINGBO = "330200"

pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed")


@pytest.fixture(scope="module")
def site(tmp_path_factory, start_server):
    """The server over a copy of the bundled pages (uploads go there, not into data/raw/), its own
    database (absent: the first page builds it) and corrections file, and the password set."""
    tmp = tmp_path_factory.mktemp("e2e_review")
    raw = tmp / "raw"
    shutil.copytree(ROOT / "data" / "raw", raw, ignore=shutil.ignore_patterns("uploads"))
    env = {"UNION_DB": str(tmp / "union.duckdb"), "UNION_RAW": str(raw),
           "UNION_CORRECTIONS": str(tmp / "corrections.jsonl"), "UNION_REVIEW_PASSWORD": PASSWORD}
    with start_server(env, "e2e_review_server.log") as base:
        yield base, tmp


def unlock(pg) -> None:
    pg.get_by_label("核对密码").fill(PASSWORD)
    pg.get_by_role("button", name="进入").click()
    settle(pg)


def choose(scope, pg, label: str, option: str) -> None:
    """Pick an option of a select box: its combobox opens with the keyboard (a click on it may not)."""
    box = scope.locator('[data-testid="stSelectbox"]').filter(has_text=label).get_by_role("combobox")
    box.click()
    if box.get_attribute("aria-expanded") != "true":
        box.press("ArrowDown")
    pg.get_by_role("option", name=option, exact=True).click()


def expected_compare(db: Path, tmp: Path, changed: bool, reviewed_only: bool = False) -> dict[str, str]:
    """宁波市's 工会组织·新增 and 工会会员·新增 in 2021 as 地区对比 states them ("X（period）：N 条数字计入"),
    from a copy of the database file with the reviewer's two changes made by SQL when `changed` (and,
    for 仅已核对, every other fact deleted), by the counting rules (sql/counting.sql) through the
    dashboard's data layer in this process."""
    import os

    from dashboard import data
    from dashboard.data import Measure

    copy = tmp / f"oracle_{'after' if changed else 'before'}{'_reviewed' if reviewed_only else ''}.duckdb"
    shutil.copyfile(db, copy)
    con = duckdb.connect(str(copy))
    if changed:
        con.execute("UPDATE facts SET value = ? WHERE evidence = ?", [CORRECTED[1], CORRECTED[0]])
        (aid, did), = con.execute("SELECT article_id, doc_id FROM facts WHERE evidence = ?", [CORRECTED[0]]).fetchall()
        con.execute("""INSERT INTO facts (fact_id, article_id, doc_id, metric, kind, value, unit, approx, region_code,
                                          region, city, evidence) VALUES
                       ('added', ?, ?, 'union_members', 'increment', 2300, '人', 'over', ?, '宁波市', '宁波市', '')""",
                    [aid, did, NINGBO])
    if reviewed_only:
        con.execute("DELETE FROM facts WHERE fact_id <> 'added' AND evidence IS DISTINCT FROM ?", [CORRECTED[0]])
    con.close()
    saved = {k: os.environ.get(k) for k in ("UNION_DB", "UNION_NO_BUILD", "UNION_CORRECTIONS")}
    os.environ.update(UNION_DB=str(copy), UNION_NO_BUILD="1", UNION_CORRECTIONS=str(tmp / "none.jsonl"))
    try:
        key = data.current_key()
        figs = data.figures(key, Measure("increment", ("union_orgs", "union_members"), ("2021-01-01", "2021-12-31"),
                                         regions=(NINGBO,)))
        facts = data.figure_facts(key, Measure("increment", ("union_orgs", "union_members"),
                                               ("2021-01-01", "2021-12-31"), regions=(NINGBO,)))
    finally:
        for k, v in saved.items():
            os.environ.pop(k, None) if v is None else os.environ.__setitem__(k, v)
    out = {}
    for metric, panel, unit in (("union_orgs", "工会组织·新增", "家"), ("union_members", "工会会员·新增", "人")):
        row = figs[figs.metric == metric].iloc[0]
        n = int(facts[(facts.metric == metric) & facts.dropped.isna()].shape[0])
        out[panel] = (format_fact_value(row.value, unit, combine_approx(row.approxes)), n)
    return out


def compare_texts(pg, base: str, query: str = "") -> dict[str, tuple[str, int]]:
    """宁波市's figure and the number of facts in it, for the two panels, as the page shows them."""
    from playwright.sync_api import expect

    pg.goto(base + "/compare?period=2021&period=2021" + query)
    pg.get_by_role("heading", name="地区对比").wait_for()
    settle(pg)
    out = {}
    for panel, unit in (("工会组织·新增", "家"), ("工会会员·新增", "人")):
        choose(pg, pg, "选择指标·类型", panel)
        line = pg.get_by_text(re.compile(rf"^[≥<≈]?[\d.]+万?{unit}（[^）]*）：\d+ 条数字计入")).first
        expect(line).to_be_visible()  # the panel's own figures, not the previous panel's
        settle(pg)
        text = pg.get_by_text(re.compile(rf"^[≥<≈]?[\d.]+万?{unit}（[^）]*）：\d+ 条数字计入")).first.inner_text()
        m = re.match(r"(\S+?)（[^）]*）：(\d+) 条数字计入", text)
        out[panel] = (m.group(1), int(m.group(2)))
    return out


def download_csv(pg, base: str, name: str, query: str = "?q=宁波") -> list[dict]:
    if query is not None:
        pg.goto(base + "/data" + query)
    pg.get_by_role("heading", name="数据：筛选、查看与下载").wait_for()
    settle(pg)
    with pg.expect_download() as dl:
        pg.get_by_role("button", name=re.compile("下载 CSV")).click()
    path = ARTIFACTS / name
    dl.value.save_as(path)
    return list(csv.DictReader(io.StringIO(path.read_bytes()[3:].decode("utf-8"))))


def test_correct_add_see_them_everywhere_and_after_a_reload(site, open_browser):
    from playwright.sync_api import expect

    base, tmp = site
    db = tmp / "union.duckdb"
    with open_browser() as pg:
        pg.goto(base + "/review")
        expect(pg.get_by_role("heading", name=re.compile("核对"))).to_be_visible(timeout=180_000)  # builds the db
        settle(pg)
        assert pg.get_by_role("button", name="确认").count() == 0  # nothing to click before the password
        (fact_id,), = q(db, "SELECT fact_id FROM facts WHERE evidence = ?", [CORRECTED[0]])
        before = compare_texts(pg, base)
        assert before == expected_compare(db, tmp, changed=False)

        # 核对: a link straight to the fact, the password, the reviewer's name, the corrected value
        pg.goto(f"{base}/review?fact={fact_id}")
        settle(pg)
        shot(pg, "20_review_locked")
        unlock(pg)
        name = pg.get_by_label(re.compile("核对人姓名"))
        name.fill("张三")
        name.press("Enter")
        settle(pg)
        shot(pg, "21_review_queue")
        card = pg.locator(f'.st-key-rv_card_{fact_id}')
        card.get_by_role("button", name=re.compile("更正")).click()
        settle(pg)
        card.get_by_label(re.compile("^数值")).fill(CORRECTED[1])
        card.get_by_label("备注（可选）").fill("原文核对：1100")
        shot(pg, "22_review_correct_form")
        card.get_by_role("button", name="保存更正").click()
        settle(pg)
        expect(card.get_by_text("已更正", exact=False)).to_be_visible()
        expect(card.get_by_text("ETL 原值：1059家", exact=False)).to_be_visible()
        no_app_errors(pg)
        shot(pg, "23_review_corrected")

        # 文章: from the card to its article, add the number the ETL missed
        card.get_by_role("link", name="查看原文").click()
        settle(pg)
        pg.get_by_text("补充遗漏的数字").click()
        pg.get_by_text("按文字查找").click()
        box = pg.get_by_label(re.compile("数字在原文中的写法"))
        box.fill(ADDED)
        box.press("Enter")
        settle(pg)
        form = pg.locator('[data-testid="stForm"]').filter(has=pg.get_by_role("button", name="保存补充的数字"))
        choose(form, pg, "指标", "工会会员（人）")
        expect(form.get_by_label(re.compile("^数值"))).to_have_value("2300")
        shot(pg, "24_article_add_form")
        form.get_by_role("button", name="保存补充的数字").click()
        settle(pg)
        expect(pg.locator(".union-article mark").filter(has_text=ADDED)).to_have_count(1)
        no_app_errors(pg)
        shot(pg, "25_article_with_added_number")

        # 地区对比 and the CSV of 数据 carry both; a reload changes nothing
        expected = expected_compare(db, tmp, changed=True)
        assert expected != before
        assert compare_texts(pg, base) == expected
        shot(pg, "26_compare_after_review")
        rows = download_csv(pg, base, "e2e_review_download.csv")
        by_evidence = {r["原文证据"]: r["数值"] for r in rows}
        assert by_evidence[CORRECTED[0]] == CORRECTED[1]
        added = [r for r in rows if ADDED in r["原文证据"]]
        assert [(r["指标代码"], r["数值"], r["约数"], r["地区"]) for r in added] == [("union_members", "2300", "≥（不少于）", "宁波市")]
        # each row says what a person made of it, the ETL's value beside the corrected one
        review = [(r["原文证据"], r["数值"], r["更正前数值"], r["核对状态"], r["核对状态代码"], r["核对人"], r["核对备注"])
                  for r in rows if r["核对状态代码"] != "unreviewed"]
        assert review == [(CORRECTED[0], "1100", "1059", "已更正", "corrected", "张三", "原文核对：1100"),
                          (added[0]["原文证据"], "2300", "", "已补充", "added", "张三", "")]
        assert {r["核对状态"] for r in rows if r["核对状态代码"] == "unreviewed"} == {"未核对"} and len(rows) > 2
        pg.reload()
        settle(pg)
        assert compare_texts(pg, base) == expected
        assert {r["原文证据"]: r["数值"] for r in download_csv(pg, base, "e2e_review_download_2.csv")} == by_evidence
        shot(pg, "27_data_after_reload")
        no_app_errors(pg)

        # 仅已核对: only what a person vouched for, by the same counting rules, on 地区对比 and 数据
        only = expected_compare(db, tmp, changed=True, reviewed_only=True)
        assert only != expected
        assert compare_texts(pg, base, "&reviewed=true") == only
        shot(pg, "29_compare_reviewed_only")
        pg.goto(base + "/data?q=宁波")
        settle(pg)
        pg.get_by_text("仅已核对", exact=True).first.click()    # the toggle, into the URL
        settle(pg)
        assert parse_qs(urlparse(pg.url).query).get("reviewed") == ["true"]
        expect(pg.get_by_text("共 2 条已核对的数字", exact=False)).to_be_visible()
        reviewed_rows = download_csv(pg, base, "e2e_review_download_reviewed.csv", query=None)
        assert [(r["原文证据"], r["数值"], r["核对状态代码"]) for r in reviewed_rows] == [
            (r[0], r[1], r[4]) for r in review]
        pg.reload()
        pg.get_by_role("heading", name="数据：筛选、查看与下载").wait_for()
        expect(pg.get_by_text("共 2 条已核对的数字", exact=False)).to_be_visible()
        pg.get_by_role("button", name=re.compile("下载 CSV")).wait_for()
        settle(pg)
        shot(pg, "30_data_reviewed_only_after_reload")
        no_app_errors(pg)
        assert pg.outside == [], f"requests left the machine: {pg.outside}"

    lines = (tmp / "corrections.jsonl").read_text(encoding="utf-8").splitlines()
    assert [re.search(r'"action":"(\w+)"', line).group(1) for line in lines] == ["correct", "add"]


def test_upload_a_page_with_one_bad_file_beside_it(site, open_browser, tmp_path):
    from playwright.sync_api import expect

    base, tmp = site
    good = tmp_path / "宁波 新页面.txt"
    page = (ROOT / "data" / "raw" / "000_64fa456c5d228954.txt").read_text(encoding="utf-8")
    good.write_text(page.replace("宁波全市新建工会1059家", "宁波全市新建工会1060家"), encoding="utf-8")
    bad = tmp_path / "扫描件<b>.html"
    bad.write_bytes(b"%PDF-1.7\n\x00\x01binary")
    with open_browser() as pg:
        pg.goto(base + "/sources")
        expect(pg.get_by_role("heading", name=re.compile("来源"))).to_be_visible(timeout=180_000)
        settle(pg)
        n_docs = int(re.search(r"(\d+) 个版面", pg.inner_text("body")).group(1))
        assert pg.locator('input[type="file"]').count() == 0
        unlock(pg)
        pg.locator('input[type="file"]').set_input_files([str(good), str(bad)])
        expect(pg.get_by_text("扫描件<b>.html")).to_be_visible()
        time.sleep(0.5)
        pg.get_by_role("button", name="上传并载入").click()
        settle(pg)
        expect(pg.get_by_text(re.compile(r"已保存 2 个文件，载入 1 个"))).to_be_visible()
        expect(pg.get_by_text(re.compile(r"✗ uploads/扫描件_b\.html：二进制文件"))).to_be_visible()
        assert pg.locator("b", has_text=".html").count() == 0  # the name was never read as markup
        expect(pg.get_by_text(f"{n_docs + 1} 个版面", exact=True)).to_be_visible()  # listed without a restart
        no_app_errors(pg)
        shot(pg, "28_sources_after_upload")
    assert (tmp / "raw" / "uploads" / "宁波_新页面.txt").exists()
