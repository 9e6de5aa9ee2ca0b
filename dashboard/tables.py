"""Pure shaping of fact rows for the screen and for downloads (CSV with BOM, XLSX, Parquet).

Text cells that a spreadsheet would run as formulas get a leading `'` in CSV and XLSX; numbers
stay numbers. Parquet keeps the database's own column names and exact DECIMAL values.
"""
from __future__ import annotations

import io
import json
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from urllib.parse import urlencode

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.formatting import (
    APPROX_MARKS, DATE_SOURCE_INFERRED, chinese_punctuation, corrected_fields_text, format_fact_value, iso_date_text,
    kind_label, neutralise_formula, period_text, review_label, target_label, to_decimal,
)

APPROX_SHORT = {"exact": "精确", "over": "≥（不少于）", "under": "<（不足）", "about": "≈（约）"}

# Database column → Chinese header, in download order.
EXPORT_COLUMNS: list[tuple[str, str]] = [
    ("issue_date", "出版日期"), ("date_source", "出版日期来源"), ("metric_label", "指标"), ("kind", "类型"),
    ("target_type", "目标类型"), ("value", "数值"), ("original_value", "更正前数值"),
    ("unit", "单位"), ("approx", "约数"), ("display", "数值（中文写法）"), ("region", "地区"),
    ("region_code", "地区代码"), ("city", "地市"), ("county", "区县"), ("town", "乡镇"),
    ("period_label", "时期"), ("period_start", "时期开始"), ("period_end", "时期结束"),
    ("initiative", "倡议"), ("evidence", "原文证据"), ("article_title", "文章标题"), ("doc", "版面文件"),
    ("counted", "计入汇总"), ("review", "核对状态"), ("review_code", "核对状态代码"), ("corrected_fields", "更正的字段"),
    ("reviewed_by", "核对人"), ("reviewed_at", "核对时间"), ("review_note", "核对备注"),
    ("part_of", "所属上级数字（事实编号）"), ("metric", "指标代码"), ("fact_id", "事实编号"),
    ("article_id", "文章编号"),
]
DATE_SOURCE_LABELS = {"masthead": "报头", "manifest": "清单", "metadata": "网页元数据", "url": "网址",
                      "inferred": "推断"}
# Why the counting rules (sql/counting.sql) left a fact out of a figure.
DROPPED_LABELS = {
    None: "计入",
    "part": "不计：是另一条数字的一部分（其中…）",
    "subgroup": "不计：是其中某一群体的累计数，不是该地区的总数",
    "inner": "不计：时期在同一地区另一条更宽的数字之内",
    "covered": "不计：上级地区已报告这一时期",
    "older": "不计：该地区有更晚的累计数",
    "smaller": "不计：同一天有更大的累计数",
}
# Excel column widths (characters) by header; others get 12.
XLSX_WIDTHS = {"出版日期": 12, "指标": 10, "类型": 6, "数值": 14, "数值（中文写法）": 14, "地区": 12, "时期": 14,
               "原文证据": 60, "文章标题": 36, "倡议": 14, "版面文件": 28, "事实编号": 18, "文章编号": 18,
               "所属上级数字（事实编号）": 18, "出版日期来源": 8, "单位": 6, "约数": 10, "更正前数值": 12,
               "核对状态": 8, "核对时间": 20, "核对备注": 24}
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit minus the header row


def plain_value(v: object) -> int | Decimal | None:
    """Exact value for a file: 27000000.00 → 27000000 (int), 12.50 → Decimal('12.5')."""
    d = to_decimal(v)
    if d is None:
        return None
    if d == d.to_integral_value():
        return int(d)
    return d.normalize()


def _date(v: object) -> date | None:
    if v is None or (not isinstance(v, (list, dict)) and pd.isna(v)):
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    return pd.Timestamp(v).date()


def _text(v: object) -> str | None:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    return str(v)


def export_frame(table: pa.Table) -> pd.DataFrame:
    """The rows for CSV/XLSX, column by column: Chinese headers, exact numbers (int or Decimal),
    dates, 是/否, and every text cell that a spreadsheet would run as a formula prefixed with '."""
    n = table.num_rows
    col = {name: (table.column(name).to_pylist() if name in table.column_names else [None] * n)
           for name, _ in EXPORT_COLUMNS if name not in ("display", "review_code")}
    values = [plain_value(v) for v in col["value"]]
    units = [u or "" for u in col["unit"]]
    approx = [a or "exact" for a in col["approx"]]
    out: dict[str, list] = {}
    for name, header in EXPORT_COLUMNS:
        if name == "display":
            cells = [format_fact_value(v, u, a) for v, u, a in zip(values, units, approx)]
        elif name in ("value", "original_value"):
            out[header] = values if name == "value" else [plain_value(v) for v in col[name]]
            continue
        elif name == "review":
            cells = [review_label(r) for r in col["review"]]
        elif name == "review_code":   # the state as a code, for programs: confirmed corrected added unreviewed
            cells = [r or "unreviewed" for r in col["review"]]
        elif name == "corrected_fields":
            cells = [corrected_fields_text(f) or None for f in col[name]]
        elif name == "kind":
            cells = [kind_label(k) if k else None for k in col["kind"]]
        elif name == "target_type":
            cells = [target_label(t) if t else None for t in col["target_type"]]
        elif name == "date_source":
            cells = [DATE_SOURCE_LABELS.get(d, d) if d else None for d in col["date_source"]]
        elif name == "approx":
            cells = [APPROX_SHORT.get(a, a) for a in approx]
        elif name == "counted":
            cells = ["是" if c else "否" for c in col["counted"]]
        elif name in ("issue_date", "period_start", "period_end"):
            out[header] = [_date(v) for v in col[name]]
            continue
        else:
            cells = [_text(v) for v in col[name]]
        out[header] = [neutralise_formula(c) for c in cells]
    return pd.DataFrame(out, dtype=object)


def export_records(table: pa.Table) -> tuple[list[str], list[list[object]]]:
    """Header and rows for CSV/XLSX (see export_frame)."""
    df = export_frame(table)
    return list(df.columns), df.values.tolist()


def csv_bytes(table: pa.Table) -> bytes:
    """UTF-8 with BOM (so Excel reads Chinese), CRLF line ends (RFC 4180)."""
    text = export_frame(table).to_csv(index=False, lineterminator="\r\n", date_format="%Y-%m-%d")
    return text.encode("utf-8-sig")


def xlsx_bytes(table: pa.Table, about: Sequence[tuple[str, str]]) -> bytes:
    """Sheet 数据 with the rows; sheet 说明 naming filters, source and export time."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    if table.num_rows > XLSX_MAX_ROWS:
        raise ValueError(f"{table.num_rows} rows exceed Excel's limit of {XLSX_MAX_ROWS}")
    from openpyxl.utils import get_column_letter

    header, rows = export_records(table)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("数据")
    bold = Font(bold=True)
    # Set before any row is written (write-only sheets): widths, the header frozen, a filter on every column.
    for i, h in enumerate(header, start=1):
        ws.column_dimensions[get_column_letter(i)].width = XLSX_WIDTHS.get(h, 12)
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"

    def head(sheet, values):
        cells = []
        for v in values:
            c = WriteOnlyCell(sheet, value=v)
            c.font = bold
            cells.append(c)
        return cells

    ws.append(head(ws, header))
    # Plain values: no text starts with "=" any more (export_frame), so openpyxl writes no formula,
    # and dates get openpyxl's date format.
    for row in rows:
        ws.append(row)
    info = wb.create_sheet("说明")
    info.column_dimensions["A"].width = 24
    info.column_dimensions["B"].width = 100
    info.freeze_panes = "A2"
    info.append(head(info, ["项目", "内容"]))
    for k, v in about:
        info.append([neutralise_formula(str(k)), neutralise_formula(str(v))])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def parquet_bytes(table: pa.Table, about: Sequence[tuple[str, str]]) -> bytes:
    """The rows as stored (exact DECIMAL, dates, booleans); the export notes go in the file metadata."""
    meta = dict(table.schema.metadata or {})
    meta[b"union_dashboard_export"] = json.dumps(dict(about), ensure_ascii=False).encode("utf-8")
    buf = io.BytesIO()
    pq.write_table(table.replace_schema_metadata(meta), buf)
    return buf.getvalue()


def article_link(article_id: str, fact_id: str | None = None) -> str:
    """Relative URL of the 文章 page for one article (relative, so it works under any base path)."""
    params = {"article": article_id}
    if fact_id:
        params["fact"] = fact_id
    return "articles?" + urlencode(params)


def _inferred(df: pd.DataFrame) -> list[bool]:
    if "date_source" not in df.columns:
        return [False] * len(df)
    return [d == DATE_SOURCE_INFERRED for d in df["date_source"]]


def _kind_cell(kind: object, target_type: object) -> str:
    return target_label(target_type) if kind == "target" else kind_label(kind)


def _float(v: object) -> float | None:
    d = to_decimal(v)
    return None if d is None else float(d)


def _period_cell(label: object, start: object, end: object) -> str:
    """The words of the article and the period they were read as: 今年1—6月（2021年1—6月）."""
    words = _text(label) or ""
    resolved = period_text(start, end)
    if words and resolved and words != resolved:
        return f"{words}（{resolved}）"
    return words or resolved


def _review_cell(review: object, original: object, unit: object) -> str:
    """未核对 / 已确认 / 已补充, or 已更正（原1059家）: the ETL's value beside the corrected one."""
    label = review_label(review)
    if review == "corrected" and to_decimal(original) is not None:
        return f"{label}（原{format_fact_value(original, _text(unit) or '', 'exact')}）"
    return label


def fact_display_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Fact rows → the on-screen table: Chinese headers; the value as a number (so the column sorts
    by size) between its approximation mark (≥, <, ≈) and its unit; the period as written and as
    read; inferred issue dates marked 推断; the evidence with its Chinese punctuation; the link to
    the article. With a `dropped` column (facts behind a figure), whether and why each one counts."""
    n = len(df)
    col = lambda c: df[c] if c in df.columns else pd.Series([None] * n, index=df.index)  # noqa: E731
    # What a reader needs first comes first (a phone shows four or five columns): the number and
    # whether a person has checked it, its place and period, the words; then where and when it was printed.
    out = pd.DataFrame({
        "指标": df["metric_label"].fillna(df["metric"]),
        "类型": [_kind_cell(k, t) for k, t in zip(df["kind"], col("target_type"))],
        "约": [APPROX_MARKS.get(a or "exact", "") for a in df["approx"]],
        "数值": [_float(v) for v in df["value"]],
        "单位": df["unit"].fillna(""),
        "核对": [_review_cell(r, o, u) for r, o, u in zip(col("review"), col("original_value"), df["unit"])],
        "地区": df["region"].fillna("（未定位）"),
        "时期": [_period_cell(lab, s, e) for lab, s, e in zip(df["period_label"], col("period_start"), col("period_end"))],
        "原文证据": [chinese_punctuation(e) if isinstance(e, str) else e for e in df["evidence"]],
        "文章": [article_link(a, f) for a, f in zip(df["article_id"], df["fact_id"])],
        "出版日期": [iso_date_text(d, inf) for d, inf in zip(df["issue_date"], _inferred(df))],
        "倡议": df["initiative"].fillna(""),
        "地市": df["city"].fillna("").replace("", "省外"),
        "计入汇总": df["counted"].astype(bool),
    })
    if "dropped" in df.columns:
        out.insert(0, "是否计入", [DROPPED_LABELS.get(None if pd.isna(d) else d, str(d)) for d in df["dropped"]])
    return out.reset_index(drop=True)


def describe_export(flt, *, labels: dict[str, str], exported_at: str, source: str, database: str, n_rows: int,
                    link: str, rule: str) -> list[tuple[str, str]]:
    """Rows of the 说明 sheet (and of the Parquet metadata): filters, source and export time."""
    from dashboard.formatting import APPROX_LABELS, LEVEL_LABELS

    def joined(values, fmt=str) -> str:
        return "、".join(fmt(v) for v in values) if values else "全部"

    city_names = {"": "省外或未定位", "浙江省": "浙江省（全省性数字）"}
    if getattr(flt, "period", None):
        years = period_text(*flt.period)
    else:
        years = f"{flt.years[0]}–{flt.years[1]} 年" if flt.years else "全部"
    return [
        ("导出时间", exported_at),
        ("数据来源", source),
        ("数据库", database),
        ("行数", str(n_rows)),
        ("筛选：指标", joined(flt.metrics, lambda m: labels.get(m, m))),
        ("筛选：数字类型", joined(flt.kinds, kind_label)),
        ("筛选：精确程度", joined(flt.approx, lambda a: APPROX_LABELS.get(a, a))),
        ("筛选：地市", joined(flt.cities, lambda c: city_names.get(c, c))),
        ("筛选：区县", joined(flt.counties)),
        ("筛选：地区层级", joined(flt.levels, lambda v: LEVEL_LABELS.get(v, v))),
        ("筛选：倡议", joined(flt.initiatives)),
        ("筛选：时期", years),
        ("筛选：原文证据包含", flt.text.strip() or "（不限）"),
        ("筛选：只看计入汇总", "是" if flt.counted_only else "否"),
        ("筛选：仅已核对", "是（只含有人确认、更正或补充的数字）" if getattr(flt, "reviewed_only", False) else "否"),
        ("看板链接", link),
        ("统计口径", rule.replace("**", "")),
        ("列说明", "“数值”为基本单位（元、人、家、场、个、件）的精确数值；“约数”标明≥（不少于）、<（不足）、≈（约）；"
                 "“计入汇总”为“否”的是重复出现或转载，合计时不计。“核对状态”：未核对、已确认、已更正、已补充（ETL 漏掉、"
                 "由核对人补上的数字）；已更正的数字，“数值”是更正后的值，“更正前数值”是 ETL 原来抽取的值；"
                 "“核对状态代码”是同一状态的代码（unreviewed、confirmed、corrected、added，与 Parquet 的 review 列相同）。"),
    ]
