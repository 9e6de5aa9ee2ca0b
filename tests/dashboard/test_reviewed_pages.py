"""仅已核对 on 总览, 地区对比, 数据 and 倡议 (AppTest): a toggle kept in the URL that every figure, card and
table of the page honours, and beside the figures how many of their facts a person has reviewed.
(AppTest opens the default page first: the toggle comes from the URL there, and from a link's
to_reviewed on 数据; on the other pages it is switched on.)

The crafted database of conftest.py without f10; two confirmations: f03 (鄞州区新建工会60家, which
宁波市's own 1059 covers when all facts count) and f07 (the reprint of 宁波全市新建工会1059家, whose first
printing f01 stays unreviewed)."""
from __future__ import annotations

import csv
import io

import pytest

from tests.dashboard.test_review_overlay import review, review_db  # noqa: F401 — review_db is a fixture

Y2021 = {"period": ["2021", "2021"]}


def no_errors(at):
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def cards(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


@pytest.fixture
def confirmed(review_db):
    review("confirm", "f03")
    review("confirm", "f07")
    return review_db


def test_overview_counts_only_reviewed_facts_with_the_toggle(confirmed, run_page):
    at = run_page("views/overview.py", query=Y2021)
    no_errors(at)
    assert at.toggle(key="reviewed").value is False
    assert cards(at)["工会组织 · 新增"] == "≥1359家"           # 宁波 1059 (f01) + 湖州 300余 (f05)
    assert "2021年1—6月；本级未报告，地市补充 2 条；已核对 0/2 条" in captions(at)  # f01 counts, not its reprint f07
    assert "所选范围的数字已核对 2/9 条（22%）；打开“仅已核对”只看已核对的数字。" in captions(at)

    at = run_page(None, query={**Y2021, "reviewed": "true"})   # 总览, from the URL
    no_errors(at)
    assert at.toggle(key="reviewed").value is True
    # the reviewed facts among themselves: f07 counts (its first printing is not reviewed), f03 is covered by it
    assert cards(at) == {"工会组织 · 新增": "1059家", "工会会员 · 新增": "暂无", "经费投入 · 新增": "暂无", "竞赛 · 新增": "暂无"}
    assert "2021年1—6月；本级未报告，地市补充 1 条" in captions(at)
    assert captions(at).count("没有已核对的这类数字") == 3
    assert ("**仅已核对**：只计入有人确认、更正或补充过的数字——所选范围的 9 条数字中的 2 条；统计口径在这些数字之间照常适用。"
            in captions(at))
    subtitles = {f.layout.title.text: f.layout.title.subtitle.text for f in _figures(at)}
    assert subtitles["各地市工会组织新增（2021年）"] == "仅已核对 · 各地市本级数字，缺报时期由下辖补充"
    # the facts behind 宁波市's bar: the reviewed ones only, and they say so
    at.selectbox(key="pick_region").set_value("宁波市").run()
    table = next(d.value for d in at.dataframe if "是否计入" in d.value.columns)
    assert table[["是否计入", "数值", "核对"]].values.tolist() == [["计入", 1059.0, "已确认"],
                                                              ["不计：上级地区已报告这一时期", 60.0, "已确认"]]
    link = next(p for p in at.get("page_link") if "数据" in p.proto.label)
    assert "to_reviewed=true" in link.proto.query_string and "counted=true" in link.proto.query_string
    at.toggle(key="reviewed").set_value(False).run()
    assert cards(at)["工会组织 · 新增"] == "≥1359家"


def test_compare_panels_and_table_with_and_without_the_toggle(confirmed, run_page):
    at = run_page("views/compare.py", query=Y2021)
    no_errors(at)
    table = at.table[0].value
    assert table.loc["工会组织·新增", "宁波市"] == "1059家（2021年1—6月，1条，已核对0条）"
    subtitles = {f.layout.title.text: f.layout.title.subtitle.text for f in _figures(at)}
    assert subtitles["工会组织·新增（家）"] == "时期在2021年内 · 已核对 0/2 条"
    assert "所选地区的数字已核对 2/10 条（20%）；打开“仅已核对”只看已核对的数字。" in captions(at)

    at.toggle(key="reviewed").set_value(True).run()
    no_errors(at)
    table = at.table[0].value
    assert list(table.index) == ["工会组织·新增"]
    assert table.loc["工会组织·新增"].tolist() == ["1059家（2021年1—6月，1条）", "未报告"]
    subtitles = {f.layout.title.text: f.layout.title.subtitle.text for f in _figures(at)}
    assert subtitles == {"工会组织·新增（家）": "仅已核对 · 时期在2021年内"}
    assert "1059家（2021年1—6月）：1 条数字计入，1 条按统计口径不计" in captions(at)  # 鄞州区's 60, covered


def test_data_page_table_counts_and_csv_of_the_reviewed_facts(confirmed, run_page, downloads):
    at = run_page("views/explore.py", query={"to_reviewed": "true", "to_kinds": "新增"})  # as a link sets them
    no_errors(at)
    assert at.toggle(key="reviewed").value is True and at.pills(key="kinds").value == ["increment"]
    assert "to_reviewed" not in at.query_params and at.query_params["kinds"] == "新增"  # (the browser test reads the URL)
    assert at.markdown[0].value == ("**共 2 条已核对的数字**（仅已核对：这些筛选条件下共 9 条数字），"
                                    "其中 2 条计入汇总（在已核对的数字之间去重）。")
    table = next(d.value for d in at.dataframe if "核对" in d.value.columns)
    assert table[["数值", "地区", "核对", "计入汇总"]].values.tolist() == [[1059.0, "宁波市", "已确认", True],
                                                                  [60.0, "鄞州区", "已确认", True]]
    rows = list(csv.DictReader(io.StringIO(
        downloads[at.download_button(key="dl_csv").proto.deferred_file_id]()[3:].decode("utf-8"))))
    assert [(r["事实编号"], r["核对状态"], r["核对状态代码"], r["核对人"], r["计入汇总"]) for r in rows] == [
        ("f07", "已确认", "confirmed", "张三", "是"), ("f03", "已确认", "confirmed", "张三", "是")]

    at.toggle(key="reviewed").set_value(False)
    at.pills(key="kinds").set_value([]).run()
    no_errors(at)
    assert at.markdown[0].value == "**共 11 条数字**，其中 8 条计入汇总（去重后）；已核对 2/11 条（18%）。"
    rows = list(csv.DictReader(io.StringIO(
        downloads[at.download_button(key="dl_csv").proto.deferred_file_id]()[3:].decode("utf-8"))))
    assert sorted((r["事实编号"], r["核对状态代码"]) for r in rows if r["核对状态代码"] != "unreviewed") == [
        ("f03", "confirmed"), ("f07", "confirmed")]
    assert {r["核对状态"] for r in rows} == {"未核对", "已确认"}


def test_initiatives_rank_the_reviewed_facts_with_the_toggle(confirmed, run_page):
    at = run_page("views/initiatives.py", query=Y2021)
    no_errors(at)
    rank = next(d.value for d in at.dataframe if "倡议" in d.value.columns and "已核对" in d.value.columns)
    assert dict(zip(rank["倡议"], zip(rank["数字条数"], rank["已核对"]))) == {
        "两基": (4, 1), "@共富工坊": (1, 0), "八大群体": (1, 1), "职工职业技能竞赛": (1, 0)}

    at.toggle(key="reviewed").set_value(True).run()
    no_errors(at)
    rank = next(d.value for d in at.dataframe if "倡议" in d.value.columns and "已核对" in d.value.columns)
    assert dict(zip(rank["倡议"], zip(rank["数字条数"], rank["已核对"]))) == {"两基": (2, 2), "八大群体": (1, 1)}
    assert any(m.value.startswith("**“两基”在2021年共 2 条已核对的数字**（其中 2 条计入汇总）") for m in at.markdown)
    link = next(p for p in at.get("page_link") if "数据" in p.proto.label)
    assert "to_reviewed=true" in link.proto.query_string


def _figures(at):
    from tests.dashboard.conftest import _plotly_specs

    return _plotly_specs(at)
