"""Pure figure builders: titles, units on axes, offline maps, refusal to draw nothing."""
from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
import pytest

from dashboard import charts

ROOT_GEO = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "id": "330200", "properties": {"code": "330200", "name": "宁波市", "city_code": "330200"},
     "geometry": {"type": "Polygon", "coordinates": [[[121.0, 29.0], [122.0, 29.0], [122.0, 30.0], [121.0, 29.0]]]}},
    {"type": "Feature", "id": "330500", "properties": {"code": "330500", "name": "湖州市", "city_code": "330500"},
     "geometry": {"type": "Polygon", "coordinates": [[[119.5, 30.5], [120.5, 30.5], [120.5, 31.0], [119.5, 30.5]]]}},
]}


def regions() -> pd.DataFrame:
    return pd.DataFrame({"code": ["330200", "330500"], "name": ["宁波市", "湖州市"],
                         "value": [27000000.0, 3000000.0], "n": [3, 1], "approxes": [["exact"], ["exact", "over"]]})


def test_region_map_is_offline_and_labelled():
    fig = charts.region_map(regions(), ROOT_GEO, title="全省各地市经费投入（新增）", unit="元")
    assert fig.layout.title.text == "全省各地市经费投入（新增）"
    assert fig.layout.map.style == "white-bg"          # no tiles, no world map fetched
    assert all(isinstance(t, go.Choroplethmap) for t in fig.data)
    values, = fig.data                                   # both regions have data: no grey layer
    assert list(values.locations) == ["330200", "330500"]
    assert [f["id"] for f in values.geojson["features"]] == ["330200", "330500"]
    assert list(values.z) == [2700.0, 300.0]            # in 万元, as the colour bar says
    assert values.colorbar.title.text == "万元"
    assert [c[1] for c in values.customdata] == ["2700万元", "≥300万元"]
    assert "geo" not in json.loads(fig.to_json())["layout"] or not fig.layout.geo.projection.type


def test_region_map_sends_each_shape_once_and_greys_regions_without_data():
    fig = charts.region_map(regions().iloc[:1], ROOT_GEO, title="t", unit="元")
    blank, values = fig.data
    assert list(blank.locations) == ["330500"] and [f["id"] for f in blank.geojson["features"]] == ["330500"]
    assert blank.hovertemplate.startswith("%{customdata[0]}：暂无数据")
    assert list(values.locations) == ["330200"] and [f["id"] for f in values.geojson["features"]] == ["330200"]


def test_region_map_refuses_nothing_to_draw():
    with pytest.raises(ValueError):
        charts.region_map(regions().iloc[0:0], ROOT_GEO, title="t", unit="元")
    with pytest.raises(ValueError):  # codes that are not on this map
        charts.region_map(regions().assign(code=["999999", "888888"]), ROOT_GEO, title="t", unit="元")


def test_bar_chart_units_and_order():
    fig = charts.bar_chart(regions(), category="name", title="各地市经费投入（新增）", unit="元", category_title="地市")
    bar = fig.data[0]
    assert fig.layout.title.text == "各地市经费投入（新增）"
    assert fig.layout.xaxis.title.text == "数值（万元）"
    assert fig.layout.yaxis.title.text == "地市"
    assert list(bar.y) == ["湖州市", "宁波市"]            # largest on top of a horizontal chart
    assert list(bar.x) == [300.0, 2700.0]
    assert list(bar.text) == ["≥300万元", "2700万元"]
    assert fig.layout.xaxis.tickformat == ",~f"          # no SI suffixes such as 27M
    assert fig.layout.xaxis.range[1] > 2700              # room for the outside labels


def test_bar_chart_small_values_keep_base_unit():
    df = pd.DataFrame({"initiative": ["两基", "八大群体"], "value": [1059.0, 62.0], "n": [1, 1]})
    fig = charts.bar_chart(df, category="initiative", title="各倡议工会组织（新增）", unit="家", category_title="倡议")
    assert fig.layout.xaxis.title.text == "数值（家）"
    assert list(fig.data[0].x) == [62.0, 1059.0]


def test_count_bar_chart():
    df = pd.DataFrame({"initiative": ["两基", "产改", "八大群体"], "n_facts": [11, 12, 4]})
    fig = charts.count_bar_chart(df, category="initiative", count="n_facts", title="倡议排行", count_title="数字条数（条）",
                                 category_title="倡议")
    assert list(fig.data[0].y) == ["八大群体", "两基", "产改"]
    assert fig.layout.xaxis.title.text == "数字条数（条）"
    with pytest.raises(ValueError):
        charts.count_bar_chart(df.iloc[0:0], category="initiative", count="n_facts", title="t", count_title="c",
                               category_title="c")


def test_timeline_by_date_and_by_month():
    few = pd.DataFrame({"issue_date": pd.to_datetime(["2021-08-02", "2021-08-18"]), "value": [1119.0, 300.0],
                        "n": [2, 1], "approxes": [["exact"], ["over"]]})
    fig = charts.timeline_chart(few, title="工会组织（新增）按出版日期", unit="家")
    assert list(fig.data[0].x) == ["2021-08-02", "2021-08-18"]
    assert fig.layout.xaxis.title.text == "出版日期" and fig.layout.xaxis.type == "category"
    assert fig.layout.yaxis.title.text == "数值（家）"
    many = pd.DataFrame({"issue_date": pd.date_range("2020-01-01", periods=60, freq="7D"), "value": 1.0, "n": 1,
                         "approxes": [["exact"]] * 60})
    fig = charts.timeline_chart(many, title="t", unit="家")
    assert fig.layout.xaxis.title.text == "出版月份"
    assert sum(fig.data[0].y) == 60                    # weeks summed into months, nothing lost
    assert len(fig.data[0].x) == 14
    months = pd.DataFrame({"issue_date": pd.to_datetime(["2020-01-01", "2020-02-01"]), "value": [3.0, 4.0], "n": 1,
                           "approxes": [["exact"], ["over"]]})
    fig = charts.timeline_chart(months, title="t", unit="家", by_month=True)   # grouped by the query already
    assert fig.layout.xaxis.title.text == "出版月份" and list(fig.data[0].y) == [3.0, 4.0]
    assert [c[0] for c in fig.data[0].customdata] == ["3家", "≥4家"]


def test_compare_chart_panels_have_their_own_units():
    df = pd.DataFrame({
        "panel": ["工会组织·新增", "工会组织·新增", "经费投入·新增"],
        "unit": ["家", "家", "元"], "region": ["宁波市", "湖州市", "湖州市"],
        "value": [1119.0, 300.0, 27000000.0], "label": ["1119家", "≥300家", "2700万元"],
    })
    fig = charts.compare_chart(df, title="宁波市 与 湖州市：各指标数字对比", region_order=["宁波市", "湖州市"])
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["工会组织·新增（家）", "经费投入·新增（万元）"]
    assert fig.layout.yaxis.title.text == "家" and fig.layout.yaxis2.title.text == "万元"
    bars = [(t.x[0], t.y[0], t.text[0]) for t in fig.data]
    assert bars == [("宁波市", 1119.0, "1119家"), ("湖州市", 300.0, "≥300家"), ("宁波市", None, "无"),
                    ("湖州市", 2700.0, "2700万元")]
    assert [t.showlegend for t in fig.data] == [True, True, False, False]
    with pytest.raises(ValueError):
        charts.compare_chart(df.iloc[0:0], title="t", region_order=[])
