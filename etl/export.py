"""Export of facts as CSV (UTF-8 with BOM, so Excel reads the Chinese) in the contract's columns.
Text cells a spreadsheet would run as formulas (=HYPERLINK(…), +, -, @, a tab) get a leading `'`,
as in the dashboard's downloads, unless the export is for a program (`raw`)."""
from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

EXPORT_COLUMNS = ["doc", "fact_id", "article_id", "article_title", "metric", "kind", "value", "unit", "approx", "region",
                  "city", "county", "town", "period_start", "period_end", "period_label", "initiative",
                  "evidence", "issue_date", "date_source", "target_type", "part_of", "confidence"]
# Columns that hold numbers or dates, written as such: never neutralised.
NOT_TEXT = {"value", "confidence", "period_start", "period_end", "issue_date"}

# Cells starting with these are run as formulas by spreadsheet programs (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_formula(cell: object) -> object:
    """Prefix a text cell that a spreadsheet would run as a formula with `'`; leave other values alone."""
    if isinstance(cell, str) and cell.startswith(FORMULA_PREFIXES):
        return "'" + cell
    return cell


def plain_number(value) -> str:
    """Decimal('24900.00') → '24900'; Decimal('1.50') → '1.5'."""
    if value is None:
        return ""
    d = Decimal(str(value))
    return format(d.to_integral_value() if d == d.to_integral_value() else d.normalize(), "f")


def fact_rows(db_path: str | Path, raw: bool = False) -> list[dict]:
    """Every fact as the export writes it: plain values, ISO dates, '' for none, formula-like text
    neutralised (unless `raw`)."""
    from .load import open_read_only  # here, not at import: the dashboard's pure helpers import this module
    con = open_read_only(db_path)
    try:
        cur = con.execute(f"SELECT {', '.join(EXPORT_COLUMNS)} FROM fact_view ORDER BY doc, evidence_start, value_start")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
    finally:
        con.close()
    for r in rows:
        r["value"] = plain_number(r["value"])
        for k, v in r.items():
            r[k] = "" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v)
            if not raw and k not in NOT_TEXT:
                r[k] = neutralise_formula(r[k])
    return rows


def export_csv(db_path: str | Path, out: str | Path, raw: bool = False) -> int:
    rows = fact_rows(db_path, raw)
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=EXPORT_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return len(rows)
