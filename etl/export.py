"""Export of facts as CSV (UTF-8 with BOM, so Excel reads the Chinese) in the contract's columns."""
from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import duckdb

EXPORT_COLUMNS = ["doc", "fact_id", "article_id", "article_title", "metric", "kind", "value", "unit", "approx", "region",
                  "city", "county", "town", "period_start", "period_end", "period_label", "initiative",
                  "evidence", "issue_date", "date_source", "target_type", "part_of", "confidence"]


def plain_number(value) -> str:
    """Decimal('24900.00') → '24900'; Decimal('1.50') → '1.5'."""
    if value is None:
        return ""
    d = Decimal(str(value))
    return format(d.to_integral_value() if d == d.to_integral_value() else d.normalize(), "f")


def fact_rows(db_path: str | Path) -> list[dict]:
    con = duckdb.connect(str(db_path), read_only=True)
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
    return rows


def export_csv(db_path: str | Path, out: str | Path) -> int:
    rows = fact_rows(db_path)
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=EXPORT_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return len(rows)
