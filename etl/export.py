"""Export of facts as CSV (UTF-8 with BOM, so Excel reads the Chinese) in the contract's columns.
Text cells a spreadsheet would run as formulas (=HYPERLINK(…), +, -, @, a tab) get a leading `'`,
as in the dashboard's downloads, unless the export is for a program (`raw`). With the researchers'
corrections the facts are the reviewed ones, each saying what a person made of it (`review`)."""
from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

# The referee's columns first (doc … evidence keep their meaning: a fact's fields, as reviewed when
# corrections apply), then what reviewing adds: review = confirmed | corrected | added | unreviewed
# (empty when corrections were not read), the ETL's own value beside a corrected one, who, when, why,
# and which fields a correction changed ('|'-separated).
REVIEW_COLUMNS = ["review", "original_value", "reviewed_by", "reviewed_at", "review_note", "corrected_fields"]
EXPORT_COLUMNS = ["doc", "fact_id", "article_id", "article_title", "metric", "kind", "value", "unit", "approx", "region",
                  "city", "county", "town", "period_start", "period_end", "period_label", "initiative",
                  "evidence", "issue_date", "date_source", "target_type", "part_of", "confidence", *REVIEW_COLUMNS]
# Columns that hold numbers or dates, written as such: never neutralised.
NOT_TEXT = {"value", "original_value", "confidence", "period_start", "period_end", "issue_date"}
_ETL_COLUMNS = [c for c in EXPORT_COLUMNS if c not in REVIEW_COLUMNS]

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


def fact_rows(db_path: str | Path, raw: bool = False, corrections: list | None = None) -> list[dict]:
    """Every fact as the export writes it: plain values, ISO dates, '' for none, formula-like text
    neutralised (unless `raw`).

    `corrections` (etl.corrections records) are applied as the dashboard applies them: confirmed and
    corrected facts as reviewed, rejected ones left out, added ones in their place in the article,
    the others `unreviewed`. Without them (None) the facts are the ETL's own and the review columns
    empty: what `evaluate` scores."""
    from .load import open_read_only  # here, not at import: the dashboard's pure helpers import this module
    con = open_read_only(db_path)
    try:
        cur = con.execute(f"""SELECT {', '.join(_ETL_COLUMNS)}, evidence_start, value_start FROM fact_view
                              ORDER BY doc, evidence_start, value_start""")
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
        if corrections is not None:
            rows = _reviewed(con, rows, corrections)
    finally:
        con.close()
    out = []
    for r in rows:
        r = {k: r.get(k) for k in EXPORT_COLUMNS}
        r["value"] = plain_number(r["value"])
        r["original_value"] = plain_number(r["original_value"])
        for k, v in r.items():
            r[k] = "" if v is None else (v.isoformat() if hasattr(v, "isoformat") else v)
            if not raw and k not in NOT_TEXT:
                r[k] = neutralise_formula(r[k])
        out.append(r)
    return out


def _reviewed(con, rows: list[dict], corrections: list) -> list[dict]:
    """The ETL's rows with the corrections applied (etl.corrections.resolve_database, fact_columns)."""
    from .corrections import fact_columns, resolve_database
    res = resolve_database(con, corrections)
    regions = {r[0]: r[1:] for r in con.execute("SELECT code, name, level, city_code, county_code FROM regions").fetchall()}
    units = dict(con.execute("SELECT metric, unit FROM metrics").fetchall()) or _yaml_units()
    applied = res.by_fact()
    out = []
    for r in rows:
        a = applied.get(r["fact_id"])
        if a is None:
            out.append({**r, "review": "unreviewed"})
        elif a.review != "rejected":
            out.append({**r, **{k: v for k, v in fact_columns(a, regions, units).items() if k in EXPORT_COLUMNS}})
    added = res.added()
    if added:
        docs = {d: (issue, source) for d, issue, source in con.execute(
            "SELECT doc, issue_date, date_source FROM documents WHERE list_contains(?::VARCHAR[], doc)",
            [sorted({a.doc for a in added})]).fetchall()}
        titles = dict(con.execute("SELECT article_id, title FROM articles WHERE list_contains(?::VARCHAR[], article_id)",
                                  [sorted({a.article_id for a in added})]).fetchall())
        for a in added:
            issue, source = docs.get(a.doc, (None, None))
            out.append({"doc": a.doc, "fact_id": a.added_id, "article_id": a.article_id,
                        "article_title": titles.get(a.article_id), "evidence": a.evidence, "issue_date": issue,
                        "date_source": source, "evidence_start": (a.evidence_span or (None, None))[0],
                        "value_start": (a.span or (None, None))[0],
                        **{k: v for k, v in fact_columns(a, regions, units).items() if k in EXPORT_COLUMNS}})
        # in the export's order (doc, evidence_start, value_start; none last), the others as they were
        out.sort(key=lambda r: (r["doc"], r["evidence_start"] is None, r["evidence_start"] or 0,
                                r["value_start"] is None, r["value_start"] or 0))
    return out


def _yaml_units() -> dict[str, str]:
    import yaml

    from .api import ROOT
    spec = yaml.safe_load((ROOT / "data" / "metrics.yaml").read_text(encoding="utf-8"))
    return {k: v["unit"] for k, v in spec.items()}


def export_csv(db_path: str | Path, out: str | Path, raw: bool = False, corrections: list | None = None) -> int:
    rows = fact_rows(db_path, raw, corrections)
    with open(out, "w", encoding="utf-8-sig", newline="") as f:
        w = csv.DictWriter(f, fieldnames=EXPORT_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return len(rows)
