"""AppTest of every page: defaults render the right numbers, a filter changes them, the URL holds
the state, downloads carry exactly the filtered rows. Expected values come from SQL run directly
on the database file (not through dashboard.data)."""
from __future__ import annotations

import csv
import io
import re
from urllib.parse import parse_qs
from decimal import Decimal

import pyarrow.parquet as pq
from openpyxl import load_workbook

from dashboard.formatting import combine_approx, format_fact_value, kind_label, md_text

ZJ = ["杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市", "台州市", "丽水市", "浙江省"]
CORE = [("union_orgs", "工会组织", "家"), ("union_members", "工会会员", "人"), ("funding", "经费投入", "元"),
        ("competitions", "竞赛", "场")]


def no_errors(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def card_oracle(oracle, db, kind, cities=ZJ) -> dict[str, str]:
    rows = oracle(db, """SELECT metric, sum(value), list(DISTINCT approx) FROM fact_view
                         WHERE counted AND kind = ? AND list_contains(?, city) GROUP BY metric""", [kind, cities])
    got = {m: (v, a) for m, v, a in rows}
    out = {}
    for metric, label, unit in CORE:
        title = f"{label} · {kind_label(kind)}"
        out[title] = (format_fact_value(got[metric][0], unit, combine_approx(got[metric][1]), compact=True)
                      if metric in got else "暂无")
    return out


# ---- 总览 -------------------------------------------------------------------------------------


def test_overview_defaults_and_kind_filter(real_db, use_db, run_page, oracle, plotly_specs):
    use_db(real_db)
    at = run_page()
    no_errors(at)
    assert {m.label: m.value for m in at.metric} == card_oracle(oracle, real_db, "increment")
    figs = plotly_specs(at)
    # the bundled corpus spans more than 40 issues, so the timeline is by month of issue
    n_issues = oracle(real_db, "SELECT count(DISTINCT issue_date) FROM documents")[0][0]
    assert [f.layout.title.text for f in figs] == ["全省各地市工会组织（新增）", "各地市工会组织（新增）",
                                                   "全省各倡议工会组织（新增）（前15）",
                                                   f"全省工会组织（新增）按出版{'月份' if n_issues > 40 else '日期'}"]
    assert figs[0].layout.map.style == "white-bg"
    # the city bars are exactly the counted sums per city
    bars = figs[1].data[0]
    expected = oracle(real_db, """SELECT r.name, sum(value) FROM fact_view f JOIN regions r ON r.code = f.city_code
                                  WHERE counted AND kind = 'increment' AND metric = 'union_orgs' GROUP BY 1""")
    assert dict(zip(bars.y, bars.x)) == {n: float(v) for n, v in expected}

    at.segmented_control(key="kind").set_value("total").run()
    no_errors(at)
    assert {m.label: m.value for m in at.metric} == card_oracle(oracle, real_db, "total")


def test_overview_state_comes_from_the_url(real_db, use_db, run_page, oracle):
    use_db(real_db)
    at = run_page(query={"kind": "目标", "metric": "工会会员（人）", "city": "宁波市"})
    no_errors(at)
    assert at.segmented_control(key="kind").value == "target"
    assert at.selectbox(key="metric").value == "union_members"
    assert at.selectbox(key="city").value == "宁波市"
    rows = oracle(real_db, """SELECT metric, sum(value), list(DISTINCT approx) FROM fact_view
                              WHERE counted AND kind = 'target' AND city_code = '330200' GROUP BY metric""")
    got = {m: format_fact_value(v, u, combine_approx(a), compact=True)
           for m, v, a in rows for mm, _, u in CORE if mm == m}
    cards = {m.label: m.value for m in at.metric}
    for metric, label, _ in CORE:
        assert cards[f"{label} · 目标"] == got.get(metric, "暂无")
    assert at.subheader[0].value == "宁波市核心指标 · 目标"


def test_overview_crafted_numbers_and_facts_behind_a_bar(crafted_db, use_db, run_page, fact_tables):
    use_db(crafted_db)
    at = run_page()
    no_errors(at)
    assert {m.label: m.value for m in at.metric} == {
        "工会组织 · 新增": "≥1419家", "工会会员 · 新增": "10万人", "经费投入 · 新增": "2700万元", "竞赛 · 新增": "≥120场"}
    at.toggle(key="sub").set_value(False).run()     # only numbers about the province itself
    assert {m.label: m.value for m in at.metric} == {
        "工会组织 · 新增": "暂无", "工会会员 · 新增": "暂无", "经费投入 · 新增": "暂无", "竞赛 · 新增": "≥120场"}
    at.toggle(key="sub").set_value(True).run()
    at.selectbox(key="pick_region").set_value("宁波市").run()
    facts, = fact_tables(at)
    assert facts["原文证据"].tolist() == ["宁波全市新建工会1059家", "鄞州区新建工会60家"]
    assert facts["数值"].tolist() == ["1059家", "60家"]
    link, = [p.proto for p in at.get("page_link") if "数据" in p.proto.label]
    assert link.page == "data"
    assert parse_qs(link.query_string) == {"metrics": ["工会组织"], "kinds": ["新增"], "counted": ["true"],
                                           "cities": ["宁波市"]}
    # ... and that link, opened, shows exactly the facts behind the bar
    at2 = run_page("views/explore.py", query={k: v for k, v in parse_qs(link.query_string).items()})
    assert fact_tables(at2)[0]["原文证据"].tolist() == ["宁波全市新建工会1059家", "鄞州区新建工会60家"]


def test_overview_facts_behind_a_timeline_bar(crafted_db, use_db, run_page, fact_tables):
    use_db(crafted_db)
    at = run_page()
    assert at.selectbox(key="pick_day").options == ["2021-08-02"]     # f07, the reprint, is not counted
    at.selectbox(key="pick_day").set_value("2021-08-02").run()
    no_errors(at)
    facts, = fact_tables(at)
    assert facts["原文证据"].tolist() == ["宁波全市新建工会1059家", "鄞州区新建工会60家", "湖州市新建工会组织300余家"]
    assert f"{md_text('2021-08-02')}：3 条数字构成这根柱子。" in [c.value for c in at.caption]  # as literal text


def test_overview_empty_result_is_said_in_words(crafted_db, use_db, run_page, plotly_specs):
    use_db(crafted_db)
    at = run_page(query={"metric": "维权案件（件）"})
    no_errors(at)
    assert [i.value for i in at.info] == ["全省没有“维权案件（新增）”的数字，因此这里不画地图和图表。可换一个指标、数字类型或范围。"]
    assert plotly_specs(at) == []                       # no empty charts


# ---- 地区对比 ----------------------------------------------------------------------------------


def test_overview_drill_into_a_city_without_county_numbers(crafted_db, use_db, run_page, plotly_specs):
    use_db(crafted_db)
    at = run_page(query={"city": "湖州市"})
    no_errors(at)
    assert at.info[0].value.startswith("湖州市的 1 条“工会组织（新增）”数字都是全市的，没有落到具体区县")
    assert [f.layout.title.text for f in plotly_specs(at)] == ["湖州市各倡议工会组织（新增）（前15）",
                                                              "湖州市工会组织（新增）按出版日期"]
    at = run_page(query={"city": "宁波市"})
    figs = plotly_specs(at)
    assert [f.layout.title.text for f in figs][:2] == ["宁波市各区县工会组织（新增）", "各区县工会组织（新增）"]
    assert [f["id"] for f in figs[0].data[-1].geojson["features"]] == ["330212"]   # 鄞州区 coloured
    assert len(figs[0].data[0].geojson["features"]) == 9                          # the rest of Ningbo grey


def test_compare_defaults_to_ningbo_and_huzhou(real_db, use_db, run_page, oracle):
    use_db(real_db)
    at = run_page("views/compare.py")
    no_errors(at)
    assert at.multiselect(key="regions").value == ["330200", "330500"]
    table = at.dataframe[0].value
    assert list(table.columns) == ["宁波市", "湖州市"]
    rows = oracle(real_db, """
        SELECT s.code, f.metric, m.label, m.unit, f.kind, sum(f.value), count(*), list(DISTINCT f.approx)
        FROM (VALUES ('330200'), ('330500')) s(code) JOIN fact_view f
          ON f.region_code = s.code OR f.city_code = s.code OR f.county_code = s.code
        JOIN metrics m USING (metric)
        WHERE f.counted GROUP BY ALL""")
    name = {"330200": "宁波市", "330500": "湖州市"}
    expected = {(f"{label}·{kind_label(kind)}", name[code]):
                f"{format_fact_value(v, unit, combine_approx(a))}（{n}条）"
                for code, _, label, unit, kind, v, n, a in rows}
    got = {(panel, region): cell for panel, row in table.iterrows() for region, cell in row.items() if cell != "—"}
    assert got == expected


def test_compare_per_10k_and_missing_population(crafted_db, use_db, run_page):
    use_db(crafted_db)
    at = run_page("views/compare.py", query={"regions": ["宁波市", "湖州市", "鄞州区（宁波市）"], "kinds": "新增",
                                             "per10k": "true"})
    no_errors(at)
    assert at.multiselect(key="regions").value == ["330200", "330500", "330212"]
    table = at.dataframe[0].value
    # 宁波 1119 / 9,404,283 residents, 湖州 300余 / 3,367,579; 鄞州区 has no census figure in data/
    assert table.loc["工会组织·新增", "宁波市"] == "1119家（2条）；每万人 1.19家/万人"
    assert table.loc["工会组织·新增", "湖州市"] == "≥300家（1条）；每万人 ≥0.89家/万人"
    assert table.loc["工会组织·新增", "鄞州区（宁波市）"] == "60家（1条）；每万人 缺少人口数据"
    assert any("鄞州区（宁波市）" in w.value and "缺少" in w.value for w in at.warning)


def test_compare_needs_two_regions(crafted_db, use_db, run_page):
    use_db(crafted_db)
    at = run_page("views/compare.py")
    at.multiselect(key="regions").set_value(["330200"]).run()
    assert at.warning[0].value == "请至少选择 2 个地区进行对比（最多 4 个）。"
    assert len(at.get("plotly_chart")) == 0


# ---- 数据 -------------------------------------------------------------------------------------


def test_data_filter_table_and_downloads(real_db, use_db, run_page, oracle, downloads):
    use_db(real_db)
    at = run_page("views/explore.py")
    no_errors(at)
    total = oracle(real_db, "SELECT count(*) FROM fact_view")[0][0]
    assert at.markdown[0].value.startswith(f"**共 {total} 条数字**")

    at.multiselect(key="metrics").set_value(["union_orgs"]).run()
    at.pills(key="kinds").set_value(["increment"]).run()
    no_errors(at)
    expected = oracle(real_db, """SELECT fact_id, value, unit, approx, evidence FROM fact_view
                                  WHERE metric = 'union_orgs' AND kind = 'increment'
                                  ORDER BY issue_date DESC NULLS LAST, doc,
                                           (SELECT seq FROM articles a WHERE a.article_id = fact_view.article_id),
                                           article_id, evidence_start NULLS LAST, fact_id""")
    assert expected, "the real pages report new union organisations"
    assert at.markdown[0].value.startswith(f"**共 {len(expected)} 条数字**")
    shown = at.dataframe(key="facts_table").value
    assert shown["原文证据"].tolist() == [e for *_, e in expected]

    csv_id = at.download_button(key="dl_csv").proto.deferred_file_id
    data = downloads[csv_id]()
    assert data[:3] == b"\xef\xbb\xbf"
    rows = list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))
    assert [r["事实编号"] for r in rows] == [f for f, *_ in expected]
    assert [Decimal(r["数值"]) for r in rows] == [v for _, v, *_ in expected]
    assert [r["单位"] for r in rows] == [u for _, _, u, *_ in expected]
    assert [r["原文证据"] for r in rows] == [e for *_, e in expected]
    assert {r["指标"] for r in rows} == {"工会组织"} and {r["类型"] for r in rows} == {"新增"}

    wb = load_workbook(io.BytesIO(downloads[at.download_button(key="dl_xlsx").proto.deferred_file_id]()))
    assert wb["数据"].max_row == len(expected) + 1
    about = {r[0].value: r[1].value for r in wb["说明"].iter_rows(min_row=2)}
    assert about["筛选：指标"] == "工会组织" and about["筛选：数字类型"] == "新增"
    assert about["行数"] == str(len(expected)) and about["导出时间"]
    assert about["看板链接（相对地址）"].startswith("data?")
    # The sheet names files, not the server's folders.
    assert about["数据库"].startswith("union_facts.duckdb（更新于 ")
    assert about["数据来源"].endswith("版面（raw 文件夹），经 ETL 抽取") and "/" not in about["数据来源"]
    pq_table = pq.read_table(io.BytesIO(downloads[at.download_button(key="dl_parquet").proto.deferred_file_id]()))
    assert pq_table.column("fact_id").to_pylist() == [f for f, *_ in expected]


def test_data_state_from_url_and_text_search(crafted_db, use_db, run_page, downloads):
    use_db(crafted_db)
    at = run_page("views/explore.py", query={"cities": ["宁波市", "湖州市"], "q": "1059", "counted": "true"})
    no_errors(at)
    assert at.multiselect(key="cities").value == ["宁波市", "湖州市"]
    assert at.text_input(key="q").value == "1059"
    assert at.toggle(key="counted").value is True
    assert at.markdown[0].value.startswith("**共 1 条数字**")
    assert at.dataframe(key="facts_table").value["数值"].tolist() == ["1059家"]
    data = downloads[at.download_button(key="dl_csv").proto.deferred_file_id]()
    rows = list(csv.reader(io.StringIO(data[3:].decode("utf-8"))))
    assert len(rows) == 2 and rows[1][0] == "2021-08-02" and rows[1][3] == "1059"


def test_data_download_neutralises_formulas(crafted_db, use_db, run_page, downloads):
    use_db(crafted_db)
    at = run_page("views/explore.py", query={"cities": "湖州市"})
    no_errors(at)
    data = downloads[at.download_button(key="dl_csv").proto.deferred_file_id]()
    rows = {r["事实编号"]: r for r in csv.DictReader(io.StringIO(data[3:].decode("utf-8")))}
    assert set(rows) == {"f05", "f06", "f12"}
    assert rows["f06"]["原文证据"] == "'=投入经费2700万元" and rows["f06"]["数值"] == "27000000"
    assert rows["f05"]["倡议"] == "'@共富工坊"


def test_data_empty_result(crafted_db, use_db, run_page):
    use_db(crafted_db)
    at = run_page("views/explore.py", query={"q": "不存在的词"})
    no_errors(at)
    assert at.info[0].value.startswith("没有符合这些筛选条件的数字")
    assert len(at.dataframe) == 0 and len(at.download_button) == 0


# ---- 文章 -------------------------------------------------------------------------------------


def test_article_highlights_its_numbers(real_db, use_db, run_page, oracle):
    use_db(real_db)
    (article_id, title), = oracle(real_db, """SELECT a.article_id, a.title FROM facts f JOIN articles a USING (article_id)
                                             WHERE f.metric = 'union_orgs' AND f.value = 4730""")
    n_facts = oracle(real_db, "SELECT count(*) FROM facts WHERE article_id = ?", [article_id])[0][0]
    at = run_page("views/articles.py", query={"article": article_id})
    no_errors(at)
    body = at.html[0].value
    assert f"<h3>{title}</h3>" in body
    assert body.count("<mark ") == n_facts
    assert re.search(r'">4730家?</mark><sup>\d+</sup>', body)
    facts, = [d.value for d in at.dataframe if "序号" in d.value.columns]
    assert facts["序号"].tolist() == list(range(1, n_facts + 1))
    assert "4730家" in facts["数值"].tolist()


def test_article_text_is_escaped(crafted_db, use_db, run_page):
    use_db(crafted_db)
    at = run_page("views/articles.py", query={"article": "a2", "fact": "f06"})
    no_errors(at)
    body = at.html[0].value
    assert "<script" not in body and "<img" not in body and "<b>" not in body
    assert "<h3>湖州&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;工会</h3>" in body
    assert "&lt;img src=x onerror=alert(2)&gt;" in body
    assert "300余家&lt;script&gt;alert(1)&lt;/script&gt;" in "".join(body.split("</mark><sup>1</sup>"))
    assert '<mark class="fact current" title="2. 经费投入·新增：2700万元">2700万</mark>' in body
    assert all("<script" not in m.value for m in at.markdown)


def test_article_unknown_id_says_so(crafted_db, use_db, run_page):
    use_db(crafted_db)
    at = run_page("views/articles.py", query={"article": "nope"})
    no_errors(at)
    assert at.warning[0].value.startswith("找不到编号为 nope 的文章")
    assert at.dataframe(key="article_list").value["标题"].tolist() == [
        "宁波工会“两基”工作跑出加速度", "全省职工技能竞赛", "宁波工会“两基”工作跑出加速度", "湖州<script>alert('t')</script>工会"]


# ---- 倡议 -------------------------------------------------------------------------------------


def test_initiatives_rank_and_facts_under_one(real_db, use_db, run_page, oracle, fact_tables):
    use_db(real_db)
    at = run_page("views/initiatives.py")
    no_errors(at)
    ranked = oracle(real_db, """SELECT initiative, count(*) FROM fact_view WHERE counted AND initiative IS NOT NULL
                                GROUP BY 1 ORDER BY 2 DESC""")
    table = at.dataframe[0].value
    assert dict(zip(table["倡议"], table["数字条数"])) == dict(ranked)
    assert table["数字条数"].tolist() == sorted(table["数字条数"], reverse=True)
    top = table["倡议"].iloc[0]
    assert at.selectbox(key="initiative").value == top
    other = table["倡议"].iloc[-1]
    at.selectbox(key="initiative").set_value(other).run()
    no_errors(at)
    n = oracle(real_db, "SELECT count(*) FROM fact_view WHERE initiative = ?", [other])[0][0]
    facts, = fact_tables(at)
    assert len(facts) == n and set(facts["倡议"]) == {other}


def test_initiatives_split_multi_valued(crafted_db, use_db, run_page):
    use_db(crafted_db)
    at = run_page("views/initiatives.py", query={"iscope": "宁波市"})
    no_errors(at)
    table = at.dataframe[0].value
    assert dict(zip(table["倡议"], table["数字条数"])) == {"两基": 4, "八大群体": 1}


# ---- the database itself ----------------------------------------------------------------------


def test_missing_database_is_built_or_explained(tmp_path, monkeypatch, run_page):
    monkeypatch.setenv("UNION_DB", str(tmp_path / "none" / "union.duckdb"))
    monkeypatch.setenv("UNION_RAW", str(tmp_path / "no_pages_here"))
    monkeypatch.delenv("UNION_NO_BUILD", raising=False)
    import etl.api

    def fail(db_path, raw_dir):
        raise FileNotFoundError(f"no pages in {raw_dir}")

    monkeypatch.setattr(etl.api, "ensure_database", fail)
    at = run_page()
    assert at.error[0].value.startswith("无法生成数据库")
    assert "no pages in" in at.error[0].value
    assert len(at.metric) == 0
