"""Downloads: CSV with BOM, XLSX with a 说明 sheet, Parquet with exact values; formulas neutralised."""
from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from openpyxl import load_workbook

from dashboard import tables
from dashboard.data import FactFilter


def sample() -> pa.Table:
    rows = [
        {"fact_id": "f1", "article_id": "a1", "doc": "d", "issue_date": date(2021, 8, 2), "metric": "funding",
         "metric_label": "经费投入", "kind": "increment", "value": Decimal("27000000.00"), "unit": "元",
         "approx": "exact", "region": "湖州市", "region_code": "330500", "city": "湖州市", "county": None,
         "town": None, "period_label": "今年", "period_start": date(2021, 1, 1), "period_end": date(2021, 12, 31),
         "initiative": "@共富工坊", "evidence": "=投入经费2700万元", "article_title": "+湖州", "counted": True},
        {"fact_id": "f2", "article_id": "a1", "doc": "d", "issue_date": date(2021, 8, 2), "metric": "union_orgs",
         "metric_label": "工会组织", "kind": "total", "value": Decimal("12.50"), "unit": "家", "approx": "over",
         "region": "长三角", "region_code": None, "city": "", "county": None, "town": None, "period_label": None,
         "period_start": None, "period_end": None, "initiative": None, "evidence": "-12.5家", "article_title": "t",
         "counted": False},
    ]
    schema = pa.schema([(k, pa.decimal128(20, 2) if k == "value" else pa.date32() if k in (
        "issue_date", "period_start", "period_end") else pa.bool_() if k == "counted" else pa.string())
                        for k in rows[0]])
    return pa.Table.from_pylist(rows, schema=schema)


def test_csv_has_bom_chinese_headers_exact_numbers_and_no_formulas():
    data = tables.csv_bytes(sample())
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    assert "\r\n" in text
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]
    assert header[:10] == ["出版日期", "出版日期来源", "指标", "类型", "目标类型", "数值", "更正前数值", "单位", "约数",
                           "数值（中文写法）"]
    assert "所属上级数字（事实编号）" in header
    r1 = dict(zip(header, rows[1]))
    assert r1["数值"] == "27000000" and r1["数值（中文写法）"] == "2700万元" and r1["类型"] == "新增"
    assert r1["原文证据"] == "'=投入经费2700万元"
    assert r1["倡议"] == "'@共富工坊" and r1["文章标题"] == "'+湖州"
    assert r1["出版日期"] == "2021-08-02" and r1["计入汇总"] == "是"
    r2 = dict(zip(header, rows[2]))
    assert r2["数值"] == "12.5" and r2["数值（中文写法）"] == "≥12.5家" and r2["约数"] == "≥（不少于）"
    assert r2["原文证据"] == "'-12.5家" and r2["计入汇总"] == "否" and r2["时期开始"] == ""
    assert len(rows) == 3


def test_xlsx_rows_types_and_about_sheet():
    about = [("导出时间", "2024-01-01T12:00:00+08:00"), ("筛选：原文证据包含", "=1+1")]
    wb = load_workbook(io.BytesIO(tables.xlsx_bytes(sample(), about)))
    assert wb.sheetnames == ["数据", "说明"]
    ws = wb["数据"]
    header = [c.value for c in ws[1]]
    r1 = dict(zip(header, [c.value for c in ws[2]]))
    assert r1["数值"] == 27000000 and isinstance(r1["数值"], int)   # numbers stay numbers
    assert r1["原文证据"] == "'=投入经费2700万元"
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    assert r1["出版日期"].date() == date(2021, 8, 2)
    r2 = dict(zip(header, [c.value for c in ws[3]]))
    assert r2["数值"] == 12.5
    assert ws.max_row == 3
    info = [[c.value for c in row] for row in wb["说明"].iter_rows()]
    assert info == [["项目", "内容"], ["导出时间", "2024-01-01T12:00:00+08:00"], ["筛选：原文证据包含", "'=1+1"]]


def test_parquet_keeps_exact_values_and_notes():
    t = pq.read_table(io.BytesIO(tables.parquet_bytes(sample(), [("行数", "2")])))
    assert t.schema.field("value").type == pa.decimal128(20, 2)
    assert t.column("value").to_pylist() == [Decimal("27000000.00"), Decimal("12.50")]
    assert t.column("evidence").to_pylist() == ["=投入经费2700万元", "-12.5家"]  # raw data, not for Excel
    assert t.schema.metadata[b"union_dashboard_export"].decode("utf-8") == '{"行数": "2"}'


def test_describe_export_names_every_filter():
    flt = FactFilter(metrics=("union_orgs",), kinds=("increment", "total"), cities=("宁波市", ""),
                     years=(2021, 2022), text="快递", counted_only=True)
    rows = dict(tables.describe_export(flt, labels={"union_orgs": "工会组织"}, exported_at="T", source="S",
                                       database="D", n_rows=7, link="data?x=1", rule="**统计口径**：…"))
    assert rows["筛选：指标"] == "工会组织"
    assert rows["筛选：数字类型"] == "新增、累计"
    assert rows["筛选：地市"] == "宁波市、省外或未定位"
    assert rows["筛选：区县"] == "全部"
    assert rows["筛选：时期"] == "2021–2022 年"
    assert rows["筛选：原文证据包含"] == "快递" and rows["筛选：只看计入汇总"] == "是"
    assert rows["行数"] == "7" and rows["导出时间"] == "T" and rows["统计口径"] == "统计口径：…"
    rows = dict(tables.describe_export(FactFilter(period=("2021-01-01", "2024-12-31")), labels={}, exported_at="T",
                                       source="S", database="D", n_rows=1, link="http://h/data?x=1", rule="r"))
    assert rows["筛选：时期"] == "2021—2024年" and rows["看板链接"] == "http://h/data?x=1"


def test_fact_display_frame():
    df = sample().to_pandas()
    out = tables.fact_display_frame(df)
    assert list(out.columns) == ["指标", "类型", "约", "数值", "单位", "核对", "地区", "时期", "原文证据", "文章",
                                 "出版日期", "倡议", "地市", "计入汇总"]
    # a number column, so that it sorts by size (not ≥2.49万家 < 1059家 as text)
    assert out["数值"].tolist() == [27000000.0, 12.5] and out["约"].tolist() == ["", "≥"]
    assert out["单位"].tolist() == ["元", "家"]
    assert out["时期"].tolist() == ["今年（2021年）", ""]
    assert out["地市"].tolist() == ["湖州市", "省外"]
    assert out["文章"].tolist() == ["articles?article=a1&fact=f1", "articles?article=a1&fact=f2"]
    assert out["计入汇总"].tolist() == [True, False]
    assert out["核对"].tolist() == ["未核对", "未核对"]  # rows without the review columns
    assert isinstance(out, pd.DataFrame)


def reviewed_sample() -> pa.Table:
    """The sample as reviewed: f1's value corrected (the ETL read 2500万), f2 confirmed, and a number a
    reviewer added; names and notes as typed, one of them formula-like."""
    t = sample().to_pylist()
    t[0].update(value=Decimal("27000000.00"), review="corrected", original_value=Decimal("25000000.00"),
                reviewed_by="=张三", reviewed_at="2026-12-01T10:00:00+08:00", review_note="原文核对",
                corrected_fields="value|region")
    t[1].update(review="confirmed", reviewed_by="李四", reviewed_at="2026-12-01T10:01:00+08:00")
    added = {**t[0], "fact_id": "rv0123", "value": Decimal("5.00"), "review": "added", "original_value": None,
             "reviewed_by": "王五", "review_note": None, "corrected_fields": None}
    schema = sample().schema
    for name in ("review", "reviewed_by", "reviewed_at", "review_note", "corrected_fields"):
        schema = schema.append(pa.field(name, pa.string()))
    schema = schema.append(pa.field("original_value", pa.decimal128(20, 2)))
    return pa.Table.from_pylist([t[0], t[1], added], schema=schema)


def test_downloads_carry_the_review_state_and_the_value_before_a_correction():
    text = tables.csv_bytes(reviewed_sample())[3:].decode("utf-8")
    header, *cells = list(csv.reader(io.StringIO(text)))
    rows = [dict(zip(header, r)) for r in cells]
    got = [(r["事实编号"], r["数值"], r["更正前数值"], r["核对状态"], r["核对状态代码"], r["更正的字段"], r["核对人"],
            r["核对时间"], r["核对备注"]) for r in rows]
    assert got == [
        ("f1", "27000000", "25000000", "已更正", "corrected", "数值、地区", "'=张三", "2026-12-01T10:00:00+08:00", "原文核对"),
        ("f2", "12.5", "", "已确认", "confirmed", "", "李四", "2026-12-01T10:01:00+08:00", ""),
        ("rv0123", "5", "", "已补充", "added", "", "王五", "2026-12-01T10:00:00+08:00", ""),
    ]
    assert header.index("更正前数值") == header.index("数值") + 1  # beside the corrected value
    # Parquet: the database's names and exact values; Excel: the same cells as the CSV
    back = pq.read_table(io.BytesIO(tables.parquet_bytes(reviewed_sample(), [])))
    assert back.column("review").to_pylist() == ["corrected", "confirmed", "added"]
    assert back.column("original_value").to_pylist() == [Decimal("25000000.00"), None, None]
    ws = load_workbook(io.BytesIO(tables.xlsx_bytes(reviewed_sample(), [])))["数据"]
    xh = [c.value for c in ws[1]]
    assert [ws.cell(2, xh.index(h) + 1).value for h in ("数值", "更正前数值", "核对状态", "核对人")] == [
        27000000, 25000000, "已更正", "'=张三"]
    # on screen: the state, the ETL's value beside a corrected one
    assert tables.fact_display_frame(reviewed_sample().to_pandas())["核对"].tolist() == [
        "已更正（原2500万元）", "已确认", "已补充"]
    about = dict(tables.describe_export(FactFilter(reviewed_only=True), labels={}, exported_at="T", source="S",
                                        database="D", n_rows=1, link="l", rule="r"))
    assert about["筛选：仅已核对"] == "是（只含有人确认、更正或补充的数字）"


def test_fact_display_frame_marks_inferred_dates_targets_and_reasons():
    df = sample().to_pandas().assign(date_source=["inferred", "manifest"], kind=["target", "total"],
                                     target_type=["stock", None], dropped=[None, "older"],
                                     evidence=["今年1—6月,宁波全市新建工会1059家", "x"])
    out = tables.fact_display_frame(df)
    assert out["出版日期"].tolist() == ["2021-08-02（推断）", "2021-08-02"]
    assert out["类型"].tolist() == ["累计目标", "累计"]
    assert out["是否计入"].tolist() == ["计入", "不计：该地区有更晚的累计数"]
    assert out["原文证据"].iloc[0] == "今年1—6月，宁波全市新建工会1059家"     # the paper's punctuation


def test_xlsx_is_ready_to_read():
    wb = load_workbook(io.BytesIO(tables.xlsx_bytes(sample(), [("看板链接", "http://127.0.0.1:8501/data?q=1")])))
    ws = wb["数据"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}3"
    header = [c.value for c in ws[1]]
    evidence = ws.cell(1, header.index("原文证据") + 1).column_letter
    assert ws.column_dimensions[evidence].width == 60
    assert wb["说明"]["B2"].value == "http://127.0.0.1:8501/data?q=1"
