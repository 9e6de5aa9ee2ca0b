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

from dashboard import data
from dashboard.data import Measure
from dashboard.formatting import chinese_punctuation, combine_approx, format_fact_value, kind_label, year_span
from tests.dashboard.conftest import _plotly_specs as plotly_specs_of

ZJ = ["杭州市", "宁波市", "温州市", "嘉兴市", "湖州市", "绍兴市", "金华市", "衢州市", "舟山市", "台州市", "丽水市", "浙江省"]
CORE = [("union_orgs", "工会组织", "家"), ("union_members", "工会会员", "人"), ("funding", "经费投入", "元"),
        ("competitions", "竞赛", "场")]


def no_errors(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def article_html(at) -> str:
    body, = [h.value for h in at.html if "union-article" in h.value and "<h3>" in h.value]
    return body


def cards(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_cards(key, kind, span, region="330000") -> dict[str, str]:
    """The cards as the counting rules give them (the rules are tested in test_counting_rules.py)."""
    figs = data.figures(key, Measure(kind, tuple(m for m, *_ in CORE), span, regions=(region,))).set_index("metric")
    return {f"{label} · {kind_label(kind)}":
            (format_fact_value(figs.loc[m, "value"], unit, combine_approx(figs.loc[m, "approxes"]), compact=True)
             if m in figs.index else "暂无") for m, label, unit in CORE}


# ---- 总览 -------------------------------------------------------------------------------------


def test_overview_defaults_and_kind_filter(real_db, use_db, run_page):
    use_db(real_db)
    at = run_page()
    no_errors(at)
    key = data.current_key()
    year = data.filter_options(key)["default_year"]
    span = year_span(year, year)
    assert at.select_slider(key="period").value == (year, year)
    assert at.subheader[0].value == f"全省 · {year}年 · 新增 · 本级数字"
    assert cards(at) == expected_cards(key, "increment", span)
    titles = [f.layout.title.text for f in plotly_specs_of(at)]
    assert titles[:2] == [f"全省各地市工会组织新增（{year}年）", f"各地市工会组织新增（{year}年）"]
    assert titles[-1] == "全省工会组织新增，按年份"
    # the city bars are exactly each city's figure
    bars = plotly_specs_of(at)[1].data[0]
    cities = data.figures(key, Measure("increment", ("union_orgs",), span, level="city"))
    names = dict(zip(data.region_table(key).code, data.region_table(key).name))
    assert dict(zip(bars.y, bars.x)) == {names[c]: v for c, v in zip(cities.grp, cities.value)}

    at.segmented_control(key="kind").set_value("total").run()
    no_errors(at)
    assert cards(at) == expected_cards(key, "total", span)
    assert at.subheader[0].value == f"全省 · 截至{year}年末 · 累计 · 本级数字"


def test_overview_state_comes_from_the_url(real_db, use_db, run_page):
    use_db(real_db)
    at = run_page(query={"kind": "目标", "metric": "工会会员（人）", "city": "宁波市", "period": ["2024", "2024"]})
    no_errors(at)
    assert at.segmented_control(key="kind").value == "target"
    assert at.selectbox(key="metric").value == "union_members"
    assert at.selectbox(key="city").value == "宁波市"
    assert at.select_slider(key="period").value == (2024, 2024)
    assert at.select_slider(key="period").label == "时期：2024年"   # the thumbs show 2024 2024
    assert at.subheader[0].value == "宁波市 · 2024年有效的目标 · 宁波市本级"
    key = data.current_key()
    listed = data.target_list(key, Measure("target", tuple(m for m, *_ in CORE), year_span(2024, 2024),
                                           regions=("330200",)))
    for metric, label, _ in CORE:                 # targets are counted, never added
        n = int((listed.metric == metric).sum())
        assert cards(at)[f"{label} · 目标"] == (f"{n} 项" if n else "暂无")
    at.select_slider(key="period").set_value((2016, 2024)).run()
    assert at.select_slider(key="period").label == "时期：2016—2024年"


def test_overview_crafted_numbers_and_facts_behind_a_bar(crafted_db, use_db, run_page, fact_tables):
    use_db(crafted_db)
    at = run_page()
    no_errors(at)
    # 宁波 1059 (1—6月) + 湖州 300余; 鄞州区's 60 is in a period Ningbo reports itself
    assert cards(at) == {
        "工会组织 · 新增": "≥1359家", "工会会员 · 新增": "10万人", "经费投入 · 新增": "2700万元", "竞赛 · 新增": "≥120场"}
    assert "2021年1—6月；本级未报告，地市补充 2 条；已核对 0/2 条" in [c.value for c in at.caption]
    at.segmented_control(key="basis").set_value("below").run()     # the sum of the cities' figures
    assert cards(at) == {
        "工会组织 · 新增": "≥1359家", "工会会员 · 新增": "10万人", "经费投入 · 新增": "2700万元", "竞赛 · 新增": "暂无"}
    assert "下辖未报告；本级 ≥120场（切换“口径”查看）" in [c.value for c in at.caption]
    at.segmented_control(key="basis").set_value("own").run()
    at.selectbox(key="pick_region").set_value("宁波市").run()
    facts, = fact_tables(at)
    assert facts["原文证据"].tolist() == ["宁波全市新建工会1059家", "鄞州区新建工会60家"]
    assert facts["数值"].tolist() == [1059.0, 60.0]
    assert facts["是否计入"].tolist() == ["计入", "不计：上级地区已报告这一时期"]
    assert "宁波市：1059家，1 条数字计入这根柱子，另有 1 条按统计口径不计（见“是否计入”）。" in [c.value for c in at.caption]
    link, = [p.proto for p in at.get("page_link") if "数据" in p.proto.label]
    assert link.page == "data"
    # 数字类型 as to_kinds: a key 地区对比 binds too, which a link would lose on the way (ui.data_page_link)
    assert parse_qs(link.query_string) == {"metrics": ["工会组织"], "to_kinds": ["新增"], "counted": ["true"],
                                           "cities": ["宁波市"]}
    # ... and that link, opened, shows all of Ningbo's facts of that kind
    at2 = run_page("views/explore.py", query={k: v for k, v in parse_qs(link.query_string).items()})
    assert fact_tables(at2)[0]["原文证据"].tolist() == ["宁波全市新建工会1059家", "鄞州区新建工会60家"]


def test_overview_facts_behind_a_year(crafted_db, use_db, run_page, fact_tables, plotly_specs):
    use_db(crafted_db)
    at = run_page()
    year_fig = plotly_specs(at)[-1]
    assert year_fig.layout.title.text == "全省工会组织新增，按年份" and year_fig.layout.xaxis.type == "date"
    assert at.selectbox(key="pick_year").options == ["2021年"]
    at.selectbox(key="pick_year").set_value("2021年").run()
    no_errors(at)
    facts = fact_tables(at)[-1]
    assert facts["原文证据"].tolist() == ["宁波全市新建工会1059家", "湖州市新建工会组织300余家", "鄞州区新建工会60家"]
    assert "2021年：2 条数字计入这根柱子。" in [c.value for c in at.caption]


def test_overview_empty_result_is_said_in_words(crafted_db, use_db, run_page, plotly_specs):
    use_db(crafted_db)
    at = run_page(query={"metric": "维权案件（件）"})
    no_errors(at)
    assert [i.value for i in at.info] == [
        "全省各地市在2021年都没有“维权案件新增”的数字，所以这里没有地图和地市柱状图。它们可能只有全省性的数字（见上方卡片）。",
        "全省在2021年没有带倡议的“维权案件新增”数字，所以这里没有倡议柱状图。",
        "全省没有时期在一年之内的“维权案件新增”数字，所以这里没有按年份的图。"]
    assert plotly_specs(at) == []                       # no empty charts, and never silently


def test_overview_targets_are_listed_not_added(crafted_db, use_db, run_page, fact_tables, plotly_specs):
    use_db(crafted_db)
    at = run_page(query={"kind": "目标", "basis": "下辖各地之和"})
    no_errors(at)
    assert cards(at)["工会组织 · 目标"] == "1 项"
    assert plotly_specs(at) == []                       # no map or bars that would add targets up
    facts, = fact_tables(at)
    assert facts["原文证据"].tolist() == ["计划新建500家"] and facts["数值"].tolist() == [500.0]


def test_overview_drill_into_a_city_without_county_numbers(crafted_db, use_db, run_page, plotly_specs):
    use_db(crafted_db)
    at = run_page(query={"city": "湖州市"})
    no_errors(at)
    assert at.info[0].value.startswith("湖州市各区县在2021年都没有“工会组织新增”的数字")
    assert [f.layout.title.text for f in plotly_specs(at)] == ["湖州市各倡议工会组织新增（2021年，前15）",
                                                              "湖州市工会组织新增，按年份"]
    at = run_page(query={"city": "宁波市"})
    figs = plotly_specs(at)
    assert [f.layout.title.text for f in figs][:2] == ["宁波市各区县工会组织新增（2021年）", "各区县工会组织新增（2021年）"]
    assert [f["id"] for f in figs[0].data[-1].geojson["features"]] == ["330212"]   # 鄞州区 coloured
    assert len(figs[0].data[0].geojson["features"]) == 9                          # the rest of Ningbo grey


# ---- 地区对比 ----------------------------------------------------------------------------------


def compare_cells(at) -> dict:
    table = at.table[0].value
    return {(panel, region): cell for panel, row in table.iterrows() for region, cell in row.items() if cell != "未报告"}


def expected_compare(key, metrics, year) -> dict:
    m = data.metric_table(key)
    label, unit = dict(zip(m.metric, m.label)), dict(zip(m.metric, m.unit))
    out = {}
    for kind in ("increment", "total"):
        figs = data.figures(key, Measure(kind, tuple(metrics), year_span(year, year), regions=("330200", "330500")))
        for r in figs.itertuples():
            out[(f"{label[r.metric]}·{kind_label(kind)}", {"330200": "宁波市", "330500": "湖州市"}[r.grp])] = \
                format_fact_value(r.value, unit[r.metric], combine_approx(r.approxes))
    return out


def test_compare_defaults_to_ningbo_and_huzhou(real_db, use_db, run_page):
    use_db(real_db)
    at = run_page("views/compare.py")
    no_errors(at)
    assert at.multiselect(key="regions").value == ["330200", "330500"]
    assert list(at.table[0].value.columns) == ["宁波市", "湖州市"]
    key = data.current_key()
    year = data.filter_options(key)["default_year"]
    for every, metrics in ((False, data.core_metrics(key)), (True, list(data.metric_table(key).metric))):
        if every:
            at = run_page("views/compare.py", query={"all": "true"})
            no_errors(at)
        got, expected = compare_cells(at), expected_compare(key, metrics, year)
        assert set(got) == set(expected)
        for k, cell in got.items():
            assert cell.startswith(expected[k] + "（"), (k, cell)
        assert len(at.get("plotly_chart")) == len({p for p, _ in expected})     # one small chart per metric·kind


def test_compare_per_10k_and_missing_population(crafted_db, use_db, run_page):
    use_db(crafted_db)
    at = run_page("views/compare.py", query={"regions": ["宁波市", "湖州市", "鄞州区（宁波市）"], "kinds": "新增",
                                             "per10k": "true"})
    no_errors(at)
    assert at.multiselect(key="regions").value == ["330200", "330500", "330212"]
    table = at.table[0].value
    # 宁波 1059 / 9,404,283 residents, 湖州 300余 / 3,367,579; 鄞州区 has no census figure in data/
    assert table.loc["工会组织·新增", "宁波市"] == "1059家（2021年1—6月，1条，已核对0条）；每万人 1.13家/万人"
    assert table.loc["工会组织·新增", "湖州市"] == "≥300家（2021年1—6月，1条，已核对0条）；每万人 ≥0.89家/万人"
    assert table.loc["工会组织·新增", "鄞州区（宁波市）"] == "60家（2021年1—6月，1条，已核对0条）；每万人 缺少人口数据"
    assert table.loc["经费投入·新增", "宁波市"] == "未报告"
    assert any("鄞州区（宁波市）" in w.value and "缺少" in w.value for w in at.warning)


def test_compare_lists_targets_and_says_who_did_not_report(crafted_db, use_db, run_page, plotly_specs, fact_tables):
    use_db(crafted_db)
    at = run_page("views/compare.py", query={"regions": ["宁波市", "衢州市"]})
    no_errors(at)
    figs = plotly_specs(at)
    orgs = next(f for f in figs if f.layout.title.text.startswith("工会组织·新增"))
    assert [(a.x, a.text) for a in orgs.layout.annotations] == [("衢州市", "未报告")]
    assert "宁波市、衢州市在2021年都没有有效的目标。" in [i.value for i in at.info]
    at = run_page("views/compare.py", query={"regions": ["宁波市", "湖州市"], "kinds": "目标"})
    no_errors(at)
    assert plotly_specs(at) == []                                 # targets are listed, never drawn as sums
    assert fact_tables(at)[0]["原文证据"].tolist() == ["计划新建500家"]


def test_compare_a_region_without_numbers_warns_nothing(crafted_db, use_db, run_page):
    import warnings

    use_db(crafted_db)
    with warnings.catch_warnings():
        warnings.simplefilter("error", FutureWarning)      # pandas' downcasting warning was one
        at = run_page("views/compare.py", query={"regions": ["宁波市", "衢州市", "丽水市"], "per10k": "true"})
    no_errors(at)
    assert set(at.table[0].value["衢州市"]) == {"未报告"}


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
    assert shown["原文证据"].tolist() == [chinese_punctuation(e) for *_, e in expected]

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
    assert about["看板链接"].startswith("data?")       # AppTest has no browser URL: the relative one
    # The sheet names files, not the server's folders.
    assert about["数据库"].startswith("union_facts.duckdb（更新于 ")
    assert about["数据来源"].endswith("版面（raw 文件夹），经 ETL 抽取") and "/" not in about["数据来源"]
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
    assert at.dataframe(key="facts_table").value["数值"].tolist() == [1059.0]
    data = downloads[at.download_button(key="dl_csv").proto.deferred_file_id]()
    rows = list(csv.DictReader(io.StringIO(data[3:].decode("utf-8"))))
    assert len(rows) == 1 and rows[0]["出版日期"] == "2021-08-02" and rows[0]["数值"] == "1059"


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
    body = article_html(at)
    assert f"<h3>{chinese_punctuation(title)}</h3>" in body
    assert body.count("<mark ") == n_facts
    assert re.search(r'">4730家?</mark><sup>\d+</sup>', body)
    facts, = [d.value for d in at.dataframe if "序号" in d.value.columns]
    assert facts["序号"].tolist() == list(range(1, n_facts + 1))
    assert 4730.0 in facts["数值"].tolist()


def test_article_text_is_escaped(crafted_db, use_db, run_page):
    use_db(crafted_db)
    at = run_page("views/articles.py", query={"article": "a2", "fact": "f06"})
    no_errors(at)
    body = article_html(at)
    assert "<script" not in body and "<img" not in body and "<b>" not in body
    assert "<h3>湖州&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;工会</h3>" in body
    assert "&lt;img src=x onerror=alert(2)&gt;" in body
    assert "300余家&lt;script&gt;alert(1)&lt;/script&gt;" in "".join(body.split("</mark><sup>1</sup>"))
    assert '<mark class="fact current" title="2. 经费投入·新增：2700万元">2700万</mark>' in body
    assert all("<script" not in m.value for m in at.markdown)


def test_article_shows_breakdowns_and_the_linked_row(crafted_db, use_db, run_page, tmp_path):
    import shutil

    import duckdb

    db = tmp_path / "parts.duckdb"
    shutil.copyfile(crafted_db, db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE facts SET part_of = 'f01' WHERE fact_id = 'f03'")   # 其中鄞州区新建工会60家
    con.close()
    use_db(db)
    at = run_page("views/articles.py", query={"article": "a1", "fact": "f03"})
    no_errors(at)
    table, = [d for d in at.dataframe if "序号" in d.value.columns]
    frame = table.value
    assert frame.loc[frame["数值"] == 60.0, "所属"].tolist() == ["第 1 条的一部分"]
    assert frame.loc[frame["数值"] == 1059.0, "所属"].tolist() == ["", ""]    # f01 and its repeat f04
    assert '<mark class="fact current"' in article_html(at)
    assert any("scrollIntoView" in h.value for h in at.html)                # the linked number is brought into view


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
    year = at.select_slider(key="period").value[0]
    s, e = f"{year}-01-01", f"{year}-12-31"
    in_period = f"""WITH f AS (
        SELECT *, least(coalesce(period_start, period_end, issue_date), coalesce(period_end, period_start, issue_date)) AS ps,
                  greatest(coalesce(period_start, period_end, issue_date), coalesce(period_end, period_start, issue_date)) AS pe,
                  least(coalesce(period_end, issue_date), coalesce(issue_date, period_end)) AS as_of_d
        FROM fact_view)
        SELECT {{}} FROM f WHERE CASE kind WHEN 'increment' THEN ps >= DATE '{s}' AND pe <= DATE '{e}'
                                          WHEN 'total' THEN as_of_d BETWEEN DATE '{s}' AND DATE '{e}'
                                          ELSE coalesce(issue_date, pe) <= DATE '{e}' AND pe >= DATE '{s}' END"""
    ranked = oracle(real_db, in_period.format("initiative, count(*)")
                    + " AND counted AND initiative IS NOT NULL GROUP BY 1 ORDER BY 2 DESC")
    table = at.dataframe[0].value
    assert dict(zip(table["倡议"], table["数字条数"])) == dict(ranked)
    assert table["数字条数"].tolist() == sorted(table["数字条数"], reverse=True)
    top = table["倡议"].iloc[0]
    assert at.selectbox(key="initiative").value == top
    other = table["倡议"].iloc[-1]
    at.selectbox(key="initiative").set_value(other).run()
    no_errors(at)
    n = oracle(real_db, in_period.format("count(*)") + " AND initiative = ?", [other])[0][0]
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
