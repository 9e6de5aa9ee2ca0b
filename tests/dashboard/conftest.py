"""Fixtures of the dashboard tests: a database built by the ETL from the real pages, a small
hand-made one whose totals are known by heart (reprints, repeats, <script>, formulas), and an
AppTest runner that captures the bytes of the download buttons."""
from __future__ import annotations

import sys
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synth import create_empty, load_metrics, load_regions, write_tables  # noqa: E402

APP = ROOT / "dashboard" / "app.py"
RAW = ROOT / "data" / "raw"


@pytest.fixture(scope="session")
def real_db(tmp_path_factory) -> Path:
    """The database the ETL builds from data/raw/ (through its public entry point)."""
    from etl.api import ensure_database

    db = tmp_path_factory.mktemp("real") / "union_facts.duckdb"
    return Path(ensure_database(db, RAW))


# ---- the hand-made database ------------------------------------------------------------------

A1_TEXT = ("宁波工会“两基”工作跑出加速度。\n今年1—6月，宁波全市新建工会1059家，发展会员10万人，累计8.3万人。"
           "鄞州区新建工会60家。总之，宁波全市新建工会1059家。")
A2_TEXT = ("湖州<b>工会</b>报道。湖州市新建工会组织300余家<script>alert(1)</script>，"
           "=投入经费2700万元。计划新建500家。")
A4_TEXT = "全省举办竞赛120多场。长三角联合举办竞赛5场。"


def _span(text: str, sub: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return start, start + len(sub)


def _fact(fid, art, doc, text, metric, kind, value, unit, approx, code, region, city, county, evidence,
          number, ini, nth=0, period=(date(2021, 1, 1), date(2021, 6, 30), "今年1—6月")):
    es, ee = _span(text, evidence, nth)
    vs = es + evidence.index(number)
    return {"fact_id": fid, "article_id": art, "doc_id": doc, "metric": metric, "kind": kind,
            "value": str(Decimal(value)), "unit": unit, "approx": approx, "region_code": code, "region": region,
            "city": city, "county": county, "town": None, "period_start": period[0], "period_end": period[1],
            "period_label": period[2], "initiative": ini, "evidence": evidence, "evidence_start": es,
            "evidence_end": ee, "value_start": vs, "value_end": vs + len(number)}


def build_crafted_db(path: Path) -> Path:
    """Twelve facts in four articles of two issues; see the tests for what each one checks."""
    con = create_empty(path)
    now = datetime(2021, 9, 1, 12, 0)
    docs = pd.DataFrame([
        {"doc_id": "d1", "doc": "crafted_0802", "source_file": "crafted/0802.txt", "source_format": "page",
         "paper": "浙江工人日报", "issue_date": date(2021, 8, 2), "date_source": "manifest", "ingested_at": now},
        {"doc_id": "d2", "doc": "crafted_0818", "source_file": "crafted/0818.txt", "source_format": "page",
         "paper": "浙江工人日报", "issue_date": date(2021, 8, 18), "date_source": "manifest", "ingested_at": now},
    ])
    arts = pd.DataFrame([
        {"article_id": "a1", "doc_id": "d1", "seq": 0, "title": "宁波工会“两基”工作跑出加速度", "text": A1_TEXT,
         "byline": "记者张浩呈", "region": "宁波市", "initiative": "两基"},
        {"article_id": "a2", "doc_id": "d1", "seq": 1, "title": "湖州<script>alert('t')</script>工会",
         "subtitle": "<img src=x onerror=alert(2)>", "text": A2_TEXT, "region": "湖州市"},
        {"article_id": "a3", "doc_id": "d2", "seq": 0, "kicker": "转载", "title": "宁波工会“两基”工作跑出加速度",
         "text": A1_TEXT, "region": "宁波市", "initiative": "两基"},
        {"article_id": "a4", "doc_id": "d2", "seq": 1, "title": "全省职工技能竞赛", "text": A4_TEXT},
    ])
    p21 = (date(2021, 1, 1), date(2021, 12, 31), "今年")
    facts = pd.DataFrame([
        _fact("f01", "a1", "d1", A1_TEXT, "union_orgs", "increment", 1059, "家", "exact", "330200", "宁波市", "宁波市",
              None, "宁波全市新建工会1059家", "1059", "两基"),
        _fact("f02", "a1", "d1", A1_TEXT, "union_members", "increment", 100000, "人", "exact", "330200", "宁波市",
              "宁波市", None, "发展会员10万人", "10万", "两基"),
        _fact("f03", "a1", "d1", A1_TEXT, "union_orgs", "increment", 60, "家", "exact", "330212", "鄞州区", "宁波市",
              "鄞州区", "鄞州区新建工会60家", "60", "两基|八大群体"),
        # the same number repeated later in the same article: not counted again
        _fact("f04", "a1", "d1", A1_TEXT, "union_orgs", "increment", 1059, "家", "exact", "330200", "宁波市", "宁波市",
              None, "宁波全市新建工会1059家", "1059", "两基", nth=1),
        _fact("f05", "a2", "d1", A2_TEXT, "union_orgs", "increment", 300, "家", "over", "330500", "湖州市", "湖州市",
              None, "湖州市新建工会组织300余家", "300", "@共富工坊"),
        _fact("f06", "a2", "d1", A2_TEXT, "funding", "increment", 27000000, "元", "exact", "330500", "湖州市", "湖州市",
              None, "=投入经费2700万元", "2700万", None, period=p21),
        # a reprint of a1 two weeks later: neither number counts again
        _fact("f07", "a3", "d2", A1_TEXT, "union_orgs", "increment", 1059, "家", "exact", "330200", "宁波市", "宁波市",
              None, "宁波全市新建工会1059家", "1059", "两基"),
        _fact("f08", "a3", "d2", A1_TEXT, "union_members", "increment", 100000, "人", "exact", "330200", "宁波市",
              "宁波市", None, "发展会员10万人", "10万", "两基"),
        _fact("f09", "a4", "d2", A4_TEXT, "competitions", "increment", 120, "场", "over", "330000", "浙江省", "浙江省",
              None, "全省举办竞赛120多场", "120", "职工职业技能竞赛", period=p21),
        # outside Zhejiang: never in a Zhejiang total
        _fact("f10", "a4", "d2", A4_TEXT, "competitions", "increment", 5, "场", "exact", None, "长三角", "", None,
              "长三角联合举办竞赛5场", "5", "职工职业技能竞赛", period=p21),
        _fact("f11", "a1", "d1", A1_TEXT, "union_members", "total", 83000, "人", "exact", "330200", "宁波市", "宁波市",
              None, "累计8.3万人", "8.3万", "两基"),
        _fact("f12", "a2", "d1", A2_TEXT, "union_orgs", "target", 500, "家", "exact", "330500", "湖州市", "湖州市",
              None, "计划新建500家", "500", None, period=(None, date(2021, 12, 31), "计划")),
    ])
    write_tables(con, {"documents": docs, "articles": arts, "facts": facts, "regions": load_regions(),
                       "metrics": load_metrics(),
                       "initiatives": pd.DataFrame([{"name": n, "status": "lexicon"} for n in
                                                    ("两基", "八大群体", "职工职业技能竞赛", "@共富工坊")])})
    con.execute("CHECKPOINT")
    con.close()
    return path


@pytest.fixture(scope="session")
def crafted_db(tmp_path_factory) -> Path:
    return build_crafted_db(tmp_path_factory.mktemp("crafted") / "crafted.duckdb")


# ---- running the app -------------------------------------------------------------------------


@pytest.fixture
def use_db(monkeypatch):
    """Point the app at a database file and keep the ETL from rebuilding it during the test."""
    def use(path: Path) -> Path:
        monkeypatch.setenv("UNION_DB", str(path))
        monkeypatch.setenv("UNION_NO_BUILD", "1")
        return path
    return use


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """file id → bytes-producing callable of every deferred download button the app registers."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    captured: dict = {}
    original = MediaFileManager.add_deferred

    def add_deferred(self, data_callable, *args, **kwargs):
        file_id = original(self, data_callable, *args, **kwargs)
        captured[file_id] = data_callable
        return file_id

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    return captured


def _run_page(page: str | None = None, query: dict | None = None, timeout: float = 60):
    """AppTest of dashboard/app.py, switched to `page` (e.g. 'views/explore.py'), with URL params."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(APP), default_timeout=timeout)
    # The first run is on the default page (AppTest finds st.navigation's pages only after one run);
    # it gets the URL too, so that widgets two pages share (years, basis) start from the URL's values.
    at.query_params.update(query or {})
    at.run()
    if page is None:
        return at
    at.switch_page(page)
    at.query_params.clear()
    at.query_params.update(query or {})
    return at.run()


def _oracle(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    """Independent reading of the database (not through dashboard.data)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _unpack(obj):
    """Plotly's JSON packs numeric arrays as {"dtype", "bdata"} (base64); turn them back into lists."""
    import base64

    import numpy as np

    if isinstance(obj, dict):
        if set(obj) >= {"dtype", "bdata"}:
            arr = np.frombuffer(base64.b64decode(obj["bdata"]), dtype=obj["dtype"])
            return arr.reshape(obj["shape"]).tolist() if "shape" in obj else arr.tolist()
        return {k: _unpack(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_unpack(v) for v in obj]
    return obj


def _plotly_specs(at) -> list:
    """The page's Plotly figures, rebuilt as Figure objects."""
    import json

    import plotly.graph_objects as go

    return [go.Figure(_unpack(json.loads(e.proto.spec))) for e in at.get("plotly_chart")]


def _fact_tables(at) -> list:
    """The fact tables on the page (st.dataframe without selection has no key in AppTest)."""
    return [d.value for d in at.dataframe if "原文证据" in d.value.columns]


@pytest.fixture
def fact_tables():
    return _fact_tables


@pytest.fixture
def run_page():
    return _run_page


@pytest.fixture
def oracle():
    return _oracle


@pytest.fixture
def plotly_specs():
    return _plotly_specs
