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


def test_region_map_of_one_region_colours_it_from_zero():
    fig = charts.region_map(regions().head(1), ROOT_GEO, title="t", unit="元")
    coloured = fig.data[-1]
    assert (coloured.zmin, coloured.zmax) == (0, 2700.0)   # 万元: the one region at the top, not mid-scale


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
    assert [c[2] for c in bar.customdata] == ["1 条数字计入", "3 条数字计入"]
    assert fig.data[0].hovertemplate == "%{y}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>"


def test_bar_chart_hover_says_how_many_facts_are_reviewed():
    fig = charts.bar_chart(regions().assign(n_reviewed=[2, 0]), category="name", title="t", unit="元", category_title="地市")
    assert [c[2] for c in fig.data[0].customdata] == ["1 条数字计入，已核对 0 条", "3 条数字计入，已核对 2 条"]


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


def test_year_chart_is_a_true_time_axis():
    df = pd.DataFrame({"year": [2024, 2021, 2006], "value": [4730.0, 1059.0, 1474.0], "n": [1, 1, 1],
                       "approxes": [["exact"], ["exact"], ["over"]], "when": ["2024年", "2021年1—6月", "2006年"]})
    fig = charts.year_chart(df, title="全省工会组织新增，按年份", unit="家", selected=(2021, 2021))
    bar = fig.data[0]
    assert fig.layout.xaxis.type == "date"                  # years placed by time, 2006 far from 2021
    assert [str(x)[:10] for x in bar.x] == ["2006-07-02", "2021-07-02", "2024-07-02"]
    assert list(bar.y) == [1474.0, 1059.0, 4730.0]
    assert bar.width[0] > 250 * 86_400_000                   # a bar spans most of its year
    assert list(bar.marker.color) == [charts.OTHER_COLOR, charts.SELECTED_COLOR, charts.OTHER_COLOR]
    assert [c[0] for c in bar.customdata] == [2006, 2021, 2024]
    assert bar.customdata[1][1] == "1059家<br>2021年1—6月"
    assert fig.layout.yaxis.title.text == "数值（家）"
    with pytest.raises(ValueError):
        charts.year_chart(df.iloc[0:0], title="t", unit="家")


def test_stock_chart_puts_each_total_at_its_date():
    df = pd.DataFrame({"region": ["宁波市", "宁波市", "湖州市"], "as_of": pd.to_datetime(["2007-02-06", "2024-04-23",
                                                                                        "2021-08-16"]),
                       "value": [200.0, 24900.0, 300.0], "approxes": [["over"], ["over"], ["exact"]]})
    fig = charts.stock_chart(df, title="累计数", unit="家")
    assert [t.name for t in fig.data] == ["宁波市", "湖州市"]
    assert [str(x)[:10] for x in fig.data[0].x] == ["2007-02-06", "2024-04-23"]
    assert list(fig.data[0].y) == [0.02, 2.49] and fig.layout.yaxis.title.text == "数值（万家）"
    assert fig.data[0].mode == "lines+markers" and fig.layout.xaxis.type == "date"


def test_compare_panel_says_who_did_not_report():
    df = pd.DataFrame({"region": ["宁波市"], "value": [24900.0], "label": ["≥24900家"], "text": ["≥2.49万家"],
                       "when": ["截至2024年4月23日"], "key": ["工会组织·累计"], "n": [1], "n_reviewed": [0]})
    fig = charts.compare_panel(df, title="工会组织·累计", unit="家", region_order=["宁波市", "湖州市", "衢州市"])
    bar, = fig.data
    assert list(bar.x) == ["宁波市", "湖州市", "衢州市"]
    assert list(bar.y) == [2.49, None, None]
    assert list(bar.text) == ["≥2.49万家", "", ""]
    assert [(a.x, a.text) for a in fig.layout.annotations] == [("湖州市", "未报告"), ("衢州市", "未报告")]
    assert fig.layout.title.text == "工会组织·累计（万家）"
    assert list(bar.customdata[0]) == ["工会组织·累计", "≥24900家", "截至2024年4月23日", "1 条数字计入，已核对 0 条"]
    assert list(bar.customdata[1]) == ["", "", "", ""]  # 湖州市 reported nothing
    assert not fig.layout.showlegend
    with pytest.raises(ValueError):
        charts.compare_panel(df.assign(value=[None]), title="t", unit="家", region_order=["宁波市"])


def test_names_from_the_pages_are_never_plotly_markup():
    df = pd.DataFrame({"initiative": ["<a href=x>y</a>", "两基"], "value": [3.0, 2.0], "n": [1, 1]})
    fig = charts.bar_chart(df, category="initiative", title="“<b>x</b>”的数字", unit="家", category_title="倡议",
                           subtitle="<a href=//e.co>z</a>")
    assert "<a" not in fig.layout.title.text and "&lt;b&gt;" in fig.layout.title.text
    assert "<a" not in fig.layout.title.subtitle.text
    assert list(fig.data[0].y) == ["两基", "&lt;a href=x&gt;y&lt;/a&gt;"]
    assert fig.data[0].customdata[1][0] == "<a href=x>y</a>"      # the raw name, for the click


def test_map_colours_never_start_at_white():
    fig = charts.region_map(regions(), ROOT_GEO, title="t", unit="元")
    first = fig.data[-1].colorscale[0][1]
    assert first.lower() not in ("#ffffff", "#f7fbff", "white") and first != charts.EMPTY_FILL


def test_every_builder_makes_a_valid_figure():
    """The builders skip Plotly's validation for speed; here it runs on each of them."""
    ini = pd.DataFrame({"initiative": ["两基", "八大群体"], "value": [1059.0, 62.0], "n": [1, 1], "n_facts": [3, 1]})
    figs = [
        charts.region_map(regions(), ROOT_GEO, title="t", unit="元", subtitle="s"),
        charts.region_map(regions().iloc[:1], ROOT_GEO, title="t", unit="元"),
        charts.bar_chart(regions(), category="name", title="t", unit="元", category_title="地市", customdata="code",
                         subtitle="s"),
        charts.count_bar_chart(ini, category="initiative", count="n_facts", title="t", count_title="c",
                               category_title="倡议"),
        charts.year_chart(pd.DataFrame({"year": [2021, 2024], "value": [3.0, 4.0]}), title="t", unit="家",
                          selected=(2024, 2024)),
        charts.stock_chart(pd.DataFrame({"region": ["宁波市"], "as_of": pd.to_datetime(["2024-04-23"]),
                                         "value": [24900.0]}), title="t", unit="家"),
        charts.compare_panel(pd.DataFrame({"region": ["宁波市"], "value": [3.0], "when": ["截至2024年4月23日\n（早于所选时期）"]}),
                             title="t", unit="家", region_order=["宁波市", "湖州市"], subtitle="s"),
    ]
    for fig in figs:
        go.Figure(fig.to_dict())          # raises on any property Plotly does not know
