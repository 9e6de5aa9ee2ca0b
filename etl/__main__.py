"""Command line of the ETL: ingest, export, evaluate, stats, initiatives."""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import warnings
from pathlib import Path

from .api import DEFAULT_DB, DEFAULT_RAW, ROOT, RunError
from .read import shown


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m etl", description="Union-press pages → facts in DuckDB.")
    sub = ap.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="read pages into the database, e.g. python -m etl ingest data/raw --manifest data/raw/manifest.csv")
    p.add_argument("paths", nargs="+", help="files or folders (.txt .md .html .jsonl)")
    default_db = DEFAULT_DB.relative_to(ROOT) if DEFAULT_DB.is_relative_to(ROOT) else DEFAULT_DB  # UNION_DB may be anywhere
    p.add_argument("--db", default=str(DEFAULT_DB), help=f"DuckDB file (default {default_db})")
    p.add_argument("--manifest", help="CSV of file,date,source,url giving issue dates")
    p.add_argument("--workers", type=int, default=max(1, (os.cpu_count() or 1)), help="worker processes (default: one per core)")
    p.add_argument("--engine", choices=["local", "dask"], default="local", help="where per-document work runs")
    p.add_argument("--address", help="Dask scheduler address for --engine dask, e.g. tcp://10.0.0.5:8786")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--follow-links", action="store_true", help="read symlinks that point out of the folder")
    p.add_argument("--page-seconds", type=float, default=None, metavar="S",
                   help="CPU seconds a page may take before it is skipped (default 60; 0: no bound)")

    p = sub.add_parser("export", help="write facts as CSV, e.g. python -m etl export --out facts.csv")
    p.add_argument("--db", default=str(DEFAULT_DB))
    p.add_argument("--out", required=True)
    p.add_argument("--raw", action="store_true",
                   help="write text cells as stored, for programs (default: formula-like cells get a leading ')")
    p.add_argument("--corrections", help="the researchers' corrections applied to the facts "
                                         "(default data/corrections.jsonl, or UNION_CORRECTIONS)")
    p.add_argument("--no-corrections", action="store_true",
                   help="the ETL's own facts, as evaluate scores them (the review columns left empty)")

    p = sub.add_parser("evaluate", help="score facts against every gold file, e.g. python -m etl evaluate --show")
    p.add_argument("--gold", nargs="+", help="gold TSV files (default: every .tsv in data/gold/)")
    p.add_argument("--db", help="score this database (default: ingest data/raw into a temporary one)")
    p.add_argument("--pages", default=str(DEFAULT_RAW), help="folder of the scored pages")
    p.add_argument("--show", action="store_true", help="list misses and false positives")
    p.add_argument("--reviewed", action="store_true",
                   help="score against the researchers' reviewed facts instead of the gold files")
    p.add_argument("--corrections", help="corrections file for --reviewed (default data/corrections.jsonl)")

    p = sub.add_parser("corrections", help="share researchers' corrections, e.g. python -m etl corrections export corrections.csv")
    p.add_argument("action", choices=["export", "import", "status"], help="export FILE.csv, import FILE.csv, or status")
    p.add_argument("file", nargs="?", help="the CSV file to write or read")
    p.add_argument("--store", help="the corrections file (default data/corrections.jsonl, or UNION_CORRECTIONS)")
    p.add_argument("--db", default=str(DEFAULT_DB), help="database the status is resolved against")

    p = sub.add_parser("stats", help="counts by table, metric and city, e.g. python -m etl stats")
    p.add_argument("--db", default=str(DEFAULT_DB))

    p = sub.add_parser("initiatives", help="list initiatives and candidates; --promote NAME adds one to the lexicon")
    p.add_argument("--db", default=str(DEFAULT_DB))
    p.add_argument("--promote", metavar="NAME", help="add this candidate to data/initiatives.yaml")

    a = ap.parse_args(argv)
    # jieba imports the deprecated pkg_resources; its two-line warning, repeated by every worker
    # process (they inherit the environment, not the filter), would bury the per-file problem lines.
    warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)
    os.environ.setdefault("PYTHONWARNINGS", "ignore:pkg_resources is deprecated:UserWarning")
    command = {"ingest": _ingest, "export": _export, "evaluate": _evaluate, "stats": _stats,
               "initiatives": _initiatives, "corrections": _corrections}[a.command]
    try:
        status = command(a)
        sys.stdout.flush()  # here, where a closed pipe is caught, not at exit
        return status
    except RunError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # stats | head: the reader has what it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the exit's flush does not fail again
        return 141  # as a program ended by SIGPIPE
    except OSError as e:  # an output file that cannot be written, a folder that cannot be read
        print(f"error: {shown(e.filename) + ': ' if e.filename else ''}{e.strerror or e}", file=sys.stderr)
        return 2


def _ingest(a) -> int:
    from .ingest import ingest
    from .pipeline import PAGE_SECONDS
    report = ingest(a.paths, a.db, a.manifest, workers=a.workers, engine=a.engine, address=a.address,
                    progress=not a.quiet, follow_links=a.follow_links,
                    page_seconds=PAGE_SECONDS if a.page_seconds is None else a.page_seconds or None)
    print(report.summary())
    return 1 if report.skipped else 0


def _export(a) -> int:
    from .export import export_csv
    if a.no_corrections:
        n = export_csv(a.db, a.out, raw=a.raw)
        print(f"wrote {n} facts to {shown(a.out)} (the ETL's own, no corrections applied)")
        return 0
    from .corrections import CorrectionStore
    store = CorrectionStore(a.corrections)
    read = store.read()
    for line, why in read.problems:
        print(f"unreadable line {line} of {shown(store.path)}: {why}", file=sys.stderr)
    n = export_csv(a.db, a.out, raw=a.raw, corrections=read.records)
    print(f"wrote {n} facts to {shown(a.out)}, with the {len(read.records)} corrections of {shown(store.path)} applied"
          " (python -m etl corrections status says what became of each)")
    return 0


def _evaluate(a) -> int:
    from .evaluate import format_scores, misses_and_false_positives, read_gold, scorecards
    from .export import fact_rows
    from .read import find_sources
    pages = Path(a.pages)
    gold_files = [Path(g) for g in a.gold] if a.gold else sorted((ROOT / "data" / "gold").glob("*.tsv"))
    with tempfile.TemporaryDirectory() as tmp:
        db = a.db
        if db is None:
            from .ingest import ingest
            db = str(Path(tmp) / "eval.duckdb")
            manifest = pages / "manifest.csv"
            ingest([pages], db, manifest if manifest.exists() else None, workers=1, progress=False, log=lambda m: None)
        if a.reviewed:
            return _evaluate_reviewed(a, db)
        # the rows `export --no-corrections` writes, what the referee (shared/tools/score.py) reads: the
        # ETL's own facts, never the researchers' corrections of them (those are --reviewed's gold)
        pred = fact_rows(db)
    docs = {s.doc for s in find_sources([pages], [])} if pages.is_dir() else set()
    for card in scorecards({g.name: read_gold([g]) for g in gold_files}, pred, docs):
        print(f"== {card.title}")
        print(format_scores(card.scores))
        print()
    if a.show:
        gold = read_gold(gold_files)  # listed as the last card counts them
        misses, fps = misses_and_false_positives(gold, pred, docs if len(gold_files) > 1 else set())
        for g in misses:
            print("MISS", g["doc"][:3], g["metric"], g["value"], g["evidence"])
        for p in fps:
            print("FP  ", p["doc"][:3], p["metric"], p["value"], p["evidence"][:60])
    return 0


def _evaluate_reviewed(a, db: str) -> int:
    from .corrections import CorrectionStore, reviewed_scoring
    from .load import open_read_only
    from .evaluate import format_scores, misses_and_false_positives, score
    store = CorrectionStore(a.corrections)
    records = store.read().records
    if not records:
        print(f"no corrections in {store.path}: nothing reviewed to score against", file=sys.stderr)
        return 2
    con = open_read_only(db)
    try:
        s = reviewed_scoring(con, records)
    finally:
        con.close()
    c = s.counts
    print(f"reviewed facts from {store.path}: {c['confirmed']} confirmed, {c['corrected']} corrected, "
          f"{c['added']} added, {c['rejected']} rejected, {c['missing']} no longer extracted; "
          f"{c['unscorable']} orphaned corrections not scored (document or text not in the database)")
    if not s.gold and not s.predictions:
        return 0
    print(format_scores(score(s.gold, s.predictions, s.docs)))
    if a.show:
        misses, fps = misses_and_false_positives(s.gold, s.predictions, s.docs)
        for g in misses:
            print("MISS", g["doc"], g["metric"], g["value"], g["evidence"][:60])
        for p in fps:
            print("FP  ", p["doc"], p["metric"], p["value"], p["evidence"][:60])
    return 0


def _corrections(a) -> int:
    from .corrections import CorrectionStore, export_csv, import_csv, reason_text
    store = CorrectionStore(a.store)
    if a.action in ("export", "import") and not a.file:
        print(f"error: corrections {a.action} needs a FILE.csv", file=sys.stderr)
        return 2
    if a.action == "export":
        n = export_csv(store, a.file)
        print(f"wrote {n} corrections from {store.path} to {a.file}")
        return 0
    if a.action == "import":
        if not Path(a.file).exists():
            print(f"error: no file {a.file}", file=sys.stderr)
            return 2
        new, present, problems = import_csv(store, a.file)
        for line, why in problems:
            print(f"skipped line {line} of {a.file}: {why}", file=sys.stderr)
        print(f"imported {new} new corrections into {store.path}, {present} already there")
        return 1 if problems else 0
    from .corrections import resolve_database
    from .load import open_read_only
    read = store.read()
    for line, why in read.problems:
        print(f"unreadable line {line} of {store.path}: {why}", file=sys.stderr)
    if not Path(a.db).exists():
        print(f"{len(read.records)} corrections in {store.path}; no database at {a.db} to resolve them against")
        return 0
    con = open_read_only(a.db)
    try:
        res = resolve_database(con, read.records)
    finally:
        con.close()
    states = [x.review for x in res.applied]
    print(f"{len(read.records)} corrections in {store.path}: " + ", ".join(
        f"{states.count(k)} {k}" for k in ("confirmed", "corrected", "rejected", "added"))
          + f"; {len(res.orphans)} orphaned")
    for o in res.orphans:
        c = o.correction
        print(f"  orphaned {c.action:7} {c.anchor.doc} {c.anchor.number!r} ({c.by}, {c.at}): {reason_text(o.reason, 'en')}")
    return 0


def _stats(a) -> int:
    from .load import open_read_only
    con = open_read_only(a.db)
    for table in ("documents", "articles", "facts", "regions", "initiatives"):
        print(f"{table:12} {con.execute(f'SELECT count(*) FROM {table}').fetchone()[0]:>8}")
    print("\nfacts by metric and kind")
    for row in con.execute("SELECT metric, kind, count(*), sum(value) FROM facts GROUP BY ALL ORDER BY 1, 2").fetchall():
        print(f"  {row[0]:26} {row[1]:10} {row[2]:6} {row[3]:>18}")
    print("\nfacts by city")
    for row in con.execute("SELECT coalesce(nullif(city, ''), '(outside Zhejiang)'), count(*) FROM facts GROUP BY 1 ORDER BY 2 DESC").fetchall():
        print(f"  {row[0]:12} {row[1]:6}")
    con.close()
    return 0


def _initiatives(a) -> int:
    if a.promote is not None:
        from .promote import PromoteError, promote
        path = ROOT / "data" / "initiatives.yaml"
        try:
            promote(a.promote, path)
        except PromoteError as e:
            print(f"error: not added: {e}", file=sys.stderr)
            return 2
        print(f"added {a.promote} to {path.relative_to(ROOT)}; re-run ingest to apply it")
        return 0
    from .load import open_read_only
    con = open_read_only(a.db)
    for name, status, mentions, first in con.execute(
            "SELECT name, status, mentions, first_doc FROM initiatives ORDER BY status DESC, mentions DESC, name").fetchall():
        print(f"{status:9} {mentions:5}  {shown(name)}" + (f"   (first in {shown(first)})" if first else ""))
    con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
