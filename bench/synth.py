"""Synthetic DuckDB with the real schema (etl/schema.sql), for the dashboard's benchmark and tests.

Usage: python bench/synth.py OUT.duckdb [N_FACTS] — deterministic for a given seed.
"""
from __future__ import annotations

import csv
import hashlib
import os
import random
import sys
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "etl" / "schema.sql"
GAZETTEER = ROOT / "data" / "gazetteer" / "zhejiang.tsv"
POPULATION = ROOT / "data" / "population.tsv"
METRICS = ROOT / "data" / "metrics.yaml"

INITIATIVES = [
    "两基", "八大群体", "小哥驿站", "产改", "职工职业技能竞赛", "数据挖掘大赛", "工匠培育",
    "共富工坊", "职工之家", "爱心驿站", "送清凉", "春风行动", "劳动竞赛", "金秋助学",
    "困难职工帮扶", "新就业形态", "职工书屋", "护薪行动", "技能提升", "女职工关爱",
]

# Per metric: (low, high) of values, a verb phrase before the number.
METRIC_SHAPES = {
    "union_orgs": (1, 2000, "新建工会组织"),
    "union_members": (10, 200000, "发展会员"),
    "funding": (10000, 500000000, "投入经费"),
    "competitions": (1, 300, "举办竞赛"),
    "competition_participants": (50, 500000, "参赛职工"),
    "service_sites": (1, 500, "建成服务阵地"),
    "trainings": (1, 1000, "开展培训"),
    "activities": (1, 2000, "开展活动"),
    "people_served": (100, 1000000, "服务职工"),
    "craftsmen": (1, 3000, "评选劳模工匠"),
    "rights_cases": (1, 5000, "办结维权案件"),
    "wages_recovered": (10000, 200000000, "追回工资"),
}
KINDS = [("increment", 0.6), ("total", 0.3), ("target", 0.1)]
KIND_WORDS = {"increment": "今年", "total": "累计", "target": "计划"}
APPROX = [("exact", 0.8), ("over", 0.1), ("under", 0.05), ("about", 0.05)]
APPROX_WORDS = {"exact": ("", ""), "over": ("超", ""), "under": ("近", ""), "about": ("约", "")}


def _hex(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(map(str, parts)).encode()).hexdigest()[:16]


def load_regions() -> pd.DataFrame:
    """Regions table rows from the gazetteer, with 2020 population where data/population.tsv has it."""
    pop: dict[str, int] = {}
    if POPULATION.exists():
        with POPULATION.open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                pop[row["code"]] = int(row["population_2020"])
    rows = []
    with GAZETTEER.open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            rows.append({
                "code": row["code"], "name": row["name"], "level": row["level"],
                "parent_code": row["parent_code"] or None, "city_code": row["city_code"] or None,
                "county_code": row["county_code"] or None, "population_2020": pop.get(row["code"]),
            })
    return pd.DataFrame(rows)


def load_metrics() -> pd.DataFrame:
    spec = yaml.safe_load(METRICS.read_text(encoding="utf-8"))
    return pd.DataFrame([
        {"metric": k, "label": v["label"], "unit": v["unit"], "core": bool(v["core"]), "sort_order": i}
        for i, (k, v) in enumerate(spec.items())
    ])


def number_text(value: int) -> str:
    """How a newspaper writes the number: 2700万 for round ten-thousands, digits otherwise."""
    if value >= 100000000 and value % 10000000 == 0:
        return f"{Decimal(value) / Decimal(100000000):f}".rstrip("0").rstrip(".") + "亿"
    if value >= 10000 and value % 1000 == 0:
        return f"{Decimal(value) / Decimal(10000):f}".rstrip("0").rstrip(".") + "万"
    return str(value)


def create_empty(path: Path) -> duckdb.DuckDBPyConnection:
    if path.exists():
        path.unlink()
    con = duckdb.connect(str(path))
    con.execute(SCHEMA.read_text(encoding="utf-8"))
    return con


def write_tables(con: duckdb.DuckDBPyConnection, tables: dict[str, pd.DataFrame]) -> None:
    """Insert DataFrames into the schema's tables by column name (missing columns stay NULL)."""
    for name, df in tables.items():
        if df.empty:
            continue
        cols = ", ".join(f'"{c}"' for c in df.columns)
        con.register("_incoming", df)
        con.execute(f"INSERT INTO {name} ({cols}) SELECT {cols} FROM _incoming")
        con.unregister("_incoming")


def build_synthetic_db(path: str | os.PathLike, n_facts: int = 1_000_000, seed: int = 7,
                       reprint_share: float = 0.05) -> Path:
    """Write a DuckDB at `path` with about `n_facts` facts; a share of documents reprint earlier ones."""
    path = Path(path)
    rng = random.Random(seed)
    regions = load_regions()
    metrics = load_metrics()
    by_level = {lvl: regions[regions.level == lvl].to_dict("records") for lvl in ("province", "city", "county", "town")}
    outside = [{"code": None, "name": n, "city_code": None, "county_code": None, "level": "outside"}
               for n in ("长三角", "全国", "上海市")]
    level_weights = [("city", 0.55), ("county", 0.30), ("town", 0.06), ("province", 0.07), ("outside", 0.02)]
    metric_keys = list(METRIC_SHAPES)
    metric_weights = [4, 4, 3, 3, 1, 1, 1, 1, 1, 1, 1, 1]
    city_name = {r["code"]: r["name"] for r in by_level["city"]}
    unit_of = dict(zip(metrics.metric, metrics.unit))
    county_name = {r["code"]: r["name"] for r in by_level["county"]}

    def pick(weighted):
        return rng.choices([w[0] for w in weighted], [w[1] for w in weighted])[0]

    facts_per_article = 5
    articles_per_doc = 8
    n_articles = max(1, n_facts // facts_per_article)
    n_docs = max(1, n_articles // articles_per_doc)
    start = date(2015, 1, 1)
    span = (date(2024, 12, 31) - start).days
    issue_dates = sorted(start + timedelta(days=rng.randrange(span)) for _ in range(n_docs))

    docs, arts, facts = [], [], []
    now = datetime(2024, 12, 31, 12, 0, 0)
    produced = 0
    for d_i, issue in enumerate(issue_dates):
        doc_name = f"synth_{d_i:06d}"
        doc_id = _hex("doc", doc_name)
        docs.append({"doc_id": doc_id, "doc": doc_name, "source_file": f"synth/{doc_name}.txt",
                     "source_format": "page", "encoding": "utf-8", "paper": "浙江工人日报",
                     "title": f"浙江工人日报 {issue.isoformat()}", "url": None, "issue_date": issue,
                     "date_source": "masthead", "n_chars": 0, "ingested_at": now})
        reprint_of = None
        if d_i > 10 and rng.random() < reprint_share:
            reprint_of = rng.randrange(max(0, len(arts) - 200), len(arts))
        for seq in range(articles_per_doc):
            if produced >= n_facts:
                break
            if reprint_of is not None and seq == 0:
                src = arts[reprint_of]
                art_id = _hex("art", doc_id, seq, src["article_id"])
                arts.append({**src, "article_id": art_id, "doc_id": doc_id, "seq": seq,
                             "kicker": "转载"})
                for f in src["_facts"]:
                    nf = dict(f, article_id=art_id, doc_id=doc_id)
                    nf["fact_id"] = _hex("fact", art_id, f["metric"], f["kind"], f["value"], f["evidence_start"])
                    facts.append(nf)
                    produced += 1
                arts[-1]["_facts"] = []
                continue
            lvl = pick(level_weights)
            reg = rng.choice(outside if lvl == "outside" else by_level[lvl])
            if lvl == "province":
                city = "浙江省"
            elif lvl == "outside":
                city = ""
            else:
                city = city_name[reg["city_code"]]
            county = county_name.get(reg.get("county_code") or "", None)
            town = reg["name"] if lvl == "town" else None
            initiative = rng.choice(INITIATIVES)
            title = f"{reg['name']}工会推进“{initiative}”工作"
            art_id = _hex("art", doc_id, seq, title)
            text_parts: list[str] = [title, "。\n"]
            pos = len(title) + 2
            art_facts = []
            for k in range(facts_per_article):
                if produced >= n_facts:
                    break
                metric = rng.choices(metric_keys, metric_weights)[0]
                lo, hi, verb = METRIC_SHAPES[metric]
                kind = pick(KINDS)
                approx = pick(APPROX)
                value = int(round(10 ** rng.uniform(len(str(lo)) - 1, len(str(hi)) - 1)))
                value = max(lo, min(hi, value))
                if value >= 10000 and rng.random() < 0.6:
                    value = value // 10000 * 10000
                year = issue.year if kind != "target" else issue.year + 1
                period_label = f"{year}年" if kind != "total" else "累计"
                unit = unit_of[metric]
                prefix, _ = APPROX_WORDS[approx]
                num = number_text(value)
                filler = f"据了解，{reg['name']}总工会持续发力。"
                sentence_head = f"{KIND_WORDS[kind]}{reg['name']}{verb}{prefix}"
                evidence = f"{sentence_head}{num}{unit}"
                ev_start = pos + len(filler)
                v_start = ev_start + len(sentence_head)
                text_parts += [filler, evidence, "。"]
                pos += len(filler) + len(evidence) + 1
                f = {
                    "fact_id": _hex("fact", art_id, metric, kind, value, ev_start),
                    "article_id": art_id, "doc_id": doc_id, "metric": metric, "kind": kind,
                    "value": Decimal(value), "unit": unit, "approx": approx,
                    "region_code": reg["code"], "region": reg["name"], "city": city,
                    "county": county, "town": town,
                    "period_start": date(year, 1, 1) if kind != "total" else None,
                    "period_end": date(year, 12, 31) if kind != "total" else issue,
                    "period_label": period_label, "initiative": initiative, "evidence": evidence,
                    "evidence_start": ev_start, "evidence_end": ev_start + len(evidence),
                    "value_start": v_start, "value_end": v_start + len(num),
                }
                art_facts.append(f)
                produced += 1
                # Some numbers are repeated later in the same article (a summary paragraph).
                if rng.random() < 0.03 and produced < n_facts:
                    rep_filler = "总体来看，"
                    rep_start = pos + len(rep_filler)
                    text_parts += [rep_filler, evidence, "。"]
                    pos += len(rep_filler) + len(evidence) + 1
                    delta = rep_start - ev_start
                    g = dict(f, evidence_start=rep_start, evidence_end=rep_start + len(evidence),
                             value_start=v_start + delta, value_end=v_start + delta + len(num))
                    g["fact_id"] = _hex("fact", art_id, metric, kind, value, rep_start)
                    art_facts.append(g)
                    produced += 1
            text = "".join(text_parts)
            arts.append({"article_id": art_id, "doc_id": doc_id, "seq": seq, "kicker": None,
                         "title": title, "subtitle": None, "byline": "本报记者",
                         "text": text, "region": reg["name"], "initiative": initiative,
                         "_facts": art_facts})
            facts.extend(art_facts)
        if produced >= n_facts:
            docs = docs[: d_i + 1]
            break

    con = create_empty(path)
    art_df = pd.DataFrame([{k: v for k, v in a.items() if k != "_facts"} for a in arts])
    fact_df = pd.DataFrame(facts)
    fact_df["value"] = fact_df["value"].astype(str)
    ini_counts = fact_df["initiative"].value_counts()
    write_tables(con, {
        "documents": pd.DataFrame(docs),
        "articles": art_df,
        "facts": fact_df,
        "regions": regions,
        "metrics": metrics,
        "initiatives": pd.DataFrame([{"name": n, "aliases": None, "status": "lexicon",
                                      "first_doc": None, "mentions": int(ini_counts.get(n, 0))}
                                     for n in INITIATIVES]),
    })
    con.execute("CHECKPOINT")
    con.close()
    return path


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "bench/out/synth.duckdb")
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    out.parent.mkdir(parents=True, exist_ok=True)
    t0 = datetime.now()
    build_synthetic_db(out, n)
    print(f"wrote {out} with {n} facts in {(datetime.now() - t0).total_seconds():.1f}s")
