"""Pure figure builders: DataFrame in, Plotly figure out; no Streamlit calls, no database.

Every figure has a Chinese title and its unit on the value axis; empty input raises ValueError
because the pages say "no data" in words instead of drawing an empty chart. Figures are assembled
as plain dicts and made into a Figure once, unvalidated: Plotly's validation costs ~15 ms a figure,
which 地区对比's two dozen panels cannot afford on every filter change. The tests validate every
builder's output instead (test_dashboard_charts.py).
"""
from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
import plotly.graph_objects as go

from dashboard.formatting import axis_scale, combine_approx, format_fact_value, plotly_text

FONT = "Noto Sans CJK SC, Noto Sans SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, sans-serif"
BAR_COLOR = "#3b6fb6"
REGION_COLORS = ["#3b6fb6", "#e07b39", "#3a9a5b", "#a64ca6"]
EMPTY_FILL = "#eceff3"
TICKFORMAT = ",~f"  # d3: thousands separators, no SI suffix (k/M/G are foreign to Chinese readers)


def _require(df: pd.DataFrame, *cols: str) -> None:
    if df is None or df.empty:
        raise ValueError("nothing to draw")
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise ValueError(f"missing columns: {missing}")


def _layout(title: str, height: int, subtitle: str = "", **more) -> dict:
    # Titles carry names from the pages (initiatives, regions): never markup.
    head = {"text": plotly_text(title), "x": 0.0, "xanchor": "left", "font": {"size": 16}}
    if subtitle:
        head["subtitle"] = {"text": plotly_text(subtitle), "font": {"size": 12, "color": "#666"}}
    layout = {"title": head, "font": {"family": FONT, "size": 13}, "height": height,
              "margin": {"l": 10, "r": 20, "t": 76 if subtitle else 56, "b": 10}, "plot_bgcolor": "white",
              "hoverlabel": {"font": {"family": FONT}}}
    for k, v in more.items():
        layout[k] = {**layout[k], **v} if isinstance(v, dict) and isinstance(layout.get(k), dict) else v
    return layout


def _figure(traces: list[dict], layout: dict) -> go.Figure:
    return go.Figure(data=traces, layout=layout, _validate=False)


def _floats(values) -> list:
    return [None if pd.isna(v) else float(v) for v in values]


def value_labels(df: pd.DataFrame, unit: str, value_col: str = "value", compact: bool = True) -> list[str]:
    """Text for aggregated values: approximation of the sum, Chinese number form (compact, as on
    the cards: 3.47万家, so that one screen never mixes 34680家 with 4.19万家)."""
    approxes = df["approxes"] if "approxes" in df.columns else [None] * len(df)
    return [format_fact_value(v, unit, combine_approx(a if a is not None else []), compact=compact)
            for v, a in zip(df[value_col], approxes)]


def hover_labels(df: pd.DataFrame, unit: str, value_col: str = "value") -> list[str]:
    """Hover text: the compact value, the exact one when it differs, and the figure's period
    (column `when`, e.g. 截至2024年4月23日) when the frame has one."""
    short = value_labels(df, unit, value_col)
    exact = value_labels(df, unit, value_col, compact=False)
    when = df["when"].tolist() if "when" in df.columns else [""] * len(df)
    return [s + (f"（{e}）" if e != s else "") + (f"<br>{w}" if w else "") for s, e, w in zip(short, exact, when)]


def count_labels(df: pd.DataFrame) -> list[str]:
    """Hover text of how many facts a figure adds (`n`) and how many of them a person has reviewed
    (`n_reviewed`, when the frame has it): 3 条数字计入，已核对 1 条."""
    if "n" not in df.columns:
        return [""] * len(df)
    reviewed = df["n_reviewed"].tolist() if "n_reviewed" in df.columns else [None] * len(df)
    return [("" if pd.isna(n) else f"{int(n)} 条数字计入") + ("" if k is None or pd.isna(k) else f"，已核对 {int(k)} 条")
            for n, k in zip(df["n"], reviewed)]


def _geo_bounds(geo: dict) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for c in coords:
                walk(c)

    for f in geo["features"]:
        walk(f["geometry"]["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def _map_view(geo: dict, width_px: int = 360, height_px: int = 400) -> tuple[dict, float]:
    """Centre and zoom that fit the features (web-mercator, 512-px tiles) into a column as narrow as
    a phone's: the zoom cannot follow the browser's width, so a wider column gets margins instead
    of clipped edges (衢州 in the west, 舟山's islands in the east)."""
    x0, y0, x1, y1 = _geo_bounds(geo)
    lat_c = (y0 + y1) / 2
    span_x = max(x1 - x0, 0.05)
    span_y = max((y1 - y0) / math.cos(math.radians(lat_c)), 0.05)
    zx = math.log2(width_px * 360 / (512 * span_x))
    zy = math.log2(height_px * 360 / (512 * span_y))
    return {"lat": lat_c, "lon": (x0 + x1) / 2}, round(min(zx, zy) - 0.1, 2)


# From a visible light blue, so that the smallest value never reads as "no data" (grey).
MAP_COLORS = [[0.0, "#c6dbef"], [0.35, "#6baed6"], [0.7, "#2171b5"], [1.0, "#08306b"]]


def region_map(df: pd.DataFrame, geo: dict, *, title: str, unit: str, height: int = 500,
               subtitle: str = "") -> go.Figure:
    """Choropleth of regions (columns code, name, value[, approxes, n]) on our own GeoJSON with a
    blank basemap, so it works offline; regions without data stay grey."""
    _require(df, "code", "name", "value")
    codes = [f["id"] for f in geo["features"]]
    names = {f["id"]: plotly_text(f["properties"].get("name", f["id"])) for f in geo["features"]}
    df = df[df["code"].isin(codes)]
    if df.empty:
        raise ValueError("no region of the data is on this map")
    divisor, axis_unit = axis_scale(df["value"].max(), unit)
    labels = hover_labels(df, unit)
    n = count_labels(df)
    # Each feature's shape is sent once: grey ones in the first trace, coloured ones in the second.
    with_data = set(df["code"])
    blank = [c for c in codes if c not in with_data]
    traces: list[dict] = []
    if blank:
        traces.append({
            "type": "choroplethmap",
            "geojson": {"type": "FeatureCollection", "features": [f for f in geo["features"] if f["id"] in set(blank)]},
            "locations": blank, "z": [0] * len(blank), "showscale": False,
            "colorscale": [[0, EMPTY_FILL], [1, EMPTY_FILL]], "marker": {"line": {"color": "white", "width": 1}},
            "customdata": [[names[c]] for c in blank], "hovertemplate": "%{customdata[0]}：暂无数据<extra></extra>",
        })
    traces.append({
        "type": "choroplethmap",
        "geojson": {"type": "FeatureCollection", "features": [f for f in geo["features"] if f["id"] in with_data]},
        "locations": df["code"].tolist(), "z": [v / divisor for v in _floats(df["value"])], "colorscale": MAP_COLORS,
        # one region: its colour is the scale's top, from 0 (plotly ignores a zmin without a zmax)
        **({"zmin": 0, "zmax": (_floats(df["value"])[0] or divisor) / divisor} if len(df) == 1 else {}),
        "marker": {"line": {"color": "white", "width": 1}},
        # under the map, across: on a phone a colour bar at the side would take a quarter of the width
        "colorbar": {"title": {"text": axis_unit, "side": "right"}, "tickformat": TICKFORMAT, "thickness": 10,
                     "orientation": "h", "x": 0.5, "xanchor": "center", "y": -0.02, "yanchor": "top", "len": 0.8},
        "customdata": [list(x) for x in zip(df["name"].map(plotly_text), labels, n)],
        "hovertemplate": "%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
    })
    center, zoom = _map_view(geo)
    return _figure(traces, _layout(title, height, subtitle, map={"style": "white-bg", "center": center, "zoom": zoom}))


def bar_chart(df: pd.DataFrame, *, category: str, title: str, unit: str, category_title: str,
              value: str = "value", customdata: str | None = None, height: int | None = None,
              subtitle: str = "") -> go.Figure:
    """Horizontal bars, largest on top; value axis in 万/亿 where that reads better."""
    _require(df, category, value)
    df = df.sort_values(value, ascending=True, kind="stable")
    divisor, axis_unit = axis_scale(df[value].max(), unit)
    labels = hover_labels(df, unit, value)                       # exact and period, for the hover
    texts = value_labels(df, unit, value)                         # short, on the bar, like the axis
    n = count_labels(df)
    custom = df[customdata].tolist() if customdata else df[category].tolist()
    top = float(df[value].max()) / divisor
    trace = {
        "type": "bar", "x": [v / divisor for v in _floats(df[value])], "y": df[category].astype(str).map(plotly_text).tolist(),
        "orientation": "h", "marker": {"color": BAR_COLOR}, "text": texts, "textposition": "outside",
        "cliponaxis": False, "customdata": [list(x) for x in zip(custom, labels, n)],
        "hovertemplate": "%{y}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
    }
    layout = _layout(title, height or max(260, (90 if subtitle else 70) + 28 * len(df)), subtitle,
                     xaxis={"title": {"text": f"数值（{axis_unit}）"}, "tickformat": TICKFORMAT, "showgrid": True,
                            "gridcolor": "#e5e5e5", "range": [0, top * 1.3 if top > 0 else 1], "automargin": True},
                     yaxis={"title": {"text": category_title}, "automargin": True}, bargap=0.25, showlegend=False)
    return _figure([trace], layout)


def count_bar_chart(df: pd.DataFrame, *, category: str, count: str, title: str, count_title: str,
                    category_title: str, height: int | None = None) -> go.Figure:
    """Horizontal bars of counts (条、个), largest on top."""
    _require(df, category, count)
    df = df.sort_values(count, ascending=True, kind="stable")
    top = float(df[count].max())
    trace = {"type": "bar", "x": [int(c) for c in df[count]], "y": df[category].astype(str).map(plotly_text).tolist(),
             "orientation": "h", "marker": {"color": BAR_COLOR}, "text": [int(c) for c in df[count]],
             "textposition": "outside", "cliponaxis": False, "customdata": df[category].tolist(),
             "hovertemplate": "%{y}<br>%{x}<extra></extra>"}
    xaxis = {"title": {"text": count_title}, "tickformat": ",d", "gridcolor": "#e5e5e5",
             "range": [0, top * 1.15 if top > 0 else 1], "automargin": True}
    if top <= 8:
        xaxis["dtick"] = 1  # whole counts: no repeated "1" ticks
    layout = _layout(title, height or max(260, 70 + 28 * len(df)), xaxis=xaxis,
                     yaxis={"title": {"text": category_title}, "automargin": True}, bargap=0.25, showlegend=False)
    return _figure([trace], layout)


SELECTED_COLOR = BAR_COLOR
OTHER_COLOR = "#a9bcd6"
DAY_MS = 86_400_000


def year_chart(df: pd.DataFrame, *, title: str, unit: str, selected: tuple[int, int] | None = None,
               subtitle: str = "", height: int = 340) -> go.Figure:
    """Figures by calendar year on a true time axis: each bar spans its year (columns year, value
    [, approxes, n]); the years of the selected span in full colour, the others paler."""
    _require(df, "year", "value")
    d = df.sort_values("year").reset_index(drop=True)
    divisor, axis_unit = axis_scale(d["value"].max(), unit)
    labels = hover_labels(d, unit)
    n = count_labels(d)
    mids = [pd.Timestamp(year=int(y), month=7, day=2) for y in d["year"]]
    widths = [(pd.Timestamp(year=int(y) + 1, month=1, day=1) - pd.Timestamp(year=int(y), month=1, day=1)).days
              * DAY_MS * 0.8 for y in d["year"]]
    inside = [selected is None or selected[0] <= int(y) <= selected[1] for y in d["year"]]
    trace = {
        "type": "bar", "x": [m.strftime("%Y-%m-%d") for m in mids], "y": [v / divisor for v in _floats(d["value"])],
        "width": widths, "marker": {"color": [SELECTED_COLOR if i else OTHER_COLOR for i in inside]},
        "customdata": [[int(y), lab, k] for y, lab, k in zip(d["year"], labels, n)],
        "hovertemplate": "%{customdata[0]}年<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
    }
    lo = pd.Timestamp(year=int(d["year"].min()), month=1, day=1)
    hi = pd.Timestamp(year=int(d["year"].max()) + 1, month=1, day=1)
    years = hi.year - lo.year
    layout = _layout(title, height, subtitle,
                     xaxis={"type": "date", "range": [lo.strftime("%Y-%m-%d"), hi.strftime("%Y-%m-%d")],
                            "tickformat": "%Y年", "title": {"text": "时期（年）"}, "automargin": True, "tickangle": 0,
                            "dtick": "M12" if years <= 6 else "M24" if years <= 12 else "M60"},
                     yaxis={"title": {"text": f"数值（{axis_unit}）"}, "tickformat": TICKFORMAT, "rangemode": "tozero",
                            "gridcolor": "#e5e5e5", "automargin": True},
                     bargap=0.1, showlegend=False)
    return _figure([trace], layout)


def stock_chart(df: pd.DataFrame, *, title: str, unit: str, subtitle: str = "", height: int = 360,
                region_order: Sequence[str] | None = None) -> go.Figure:
    """Totals at the dates they were reported for (columns region, as_of, value[, approxes]): one
    line of markers per region on a true time axis; totals are stocks, never summed over time."""
    _require(df, "region", "as_of", "value")
    d = df.copy()
    d["as_of"] = pd.to_datetime(d["as_of"])
    divisor, axis_unit = axis_scale(d["value"].max(), unit)
    order = list(region_order) if region_order else list(dict.fromkeys(d.sort_values("value", ascending=False)["region"]))
    palette = REGION_COLORS + ["#8c6d31", "#17becf", "#7f7f7f", "#bcbd22", "#d62728", "#9467bd", "#1f77b4"]
    traces = []
    for i, reg in enumerate(order):
        part = d[d["region"] == reg].sort_values("as_of")
        if part.empty:
            continue
        labels = hover_labels(part, unit)
        color = palette[i % len(palette)]
        traces.append({
            "type": "scatter", "x": part["as_of"].dt.strftime("%Y-%m-%d").tolist(),
            "y": [v / divisor for v in _floats(part["value"])], "name": plotly_text(reg), "mode": "lines+markers",
            "line": {"color": color, "width": 1.5, "dash": "dot"}, "marker": {"size": 8, "color": color},
            "customdata": [[plotly_text(reg), lab, k] for lab, k in zip(labels, count_labels(part))],
            "hovertemplate": "%{customdata[0]}<br>截至%{x|%Y年%m月%d日}<br>%{customdata[1]}<br>%{customdata[2]}<extra></extra>",
        })
    layout = _layout(title, height, subtitle,
                     xaxis={"type": "date", "tickformat": "%Y年", "title": {"text": "截至日期"}, "automargin": True},
                     yaxis={"title": {"text": f"数值（{axis_unit}）"}, "tickformat": TICKFORMAT, "rangemode": "tozero",
                            "gridcolor": "#e5e5e5", "automargin": True},
                     showlegend=True, legend={"orientation": "h", "x": 0, "y": -0.25, "xanchor": "left", "yanchor": "top"})
    layout["margin"]["b"] = 40
    return _figure(traces, layout)


def short_label(label: object) -> str:
    """Bar text: drop a trailing （…） note so the label fits above a narrow bar."""
    text = "" if label is None or (isinstance(label, float) and math.isnan(label)) else str(label)
    return text.split("（")[0]


def compare_panel(df: pd.DataFrame, *, title: str, unit: str, region_order: Sequence[str],
                  subtitle: str = "", height: int = 280) -> go.Figure:
    """One metric and kind for 2–4 regions: a bar per region (columns region, value, label, text,
    when, key), each region's name under its bar; a region that reported nothing gets no bar and
    the words 未报告 instead. Small on purpose: the page lays panels out in columns, which stack on
    a phone, so no title, axis or legend ever overlaps another."""
    if df is None or df.empty or df["value"].notna().sum() == 0:
        raise ValueError("nothing to draw")
    # plain lists, no pandas reshaping: a page draws two dozen of these on every filter change
    rows = {r["region"]: r for r in df.to_dict("records")}
    order = list(region_order)

    def col(name: str, default: str = "") -> list[str]:
        out = []
        for r in order:
            v = rows.get(r, {}).get(name, default)
            out.append("" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v))
        return out

    values = [rows.get(r, {}).get("value") for r in order]
    ys = [None if v is None or pd.isna(v) else float(v) for v in values]
    divisor, axis_unit = axis_scale(max([y for y in ys if y is not None] or [0]), unit)
    ys = [None if y is None else y / divisor for y in ys]
    top = max([y for y in ys if y is not None] or [0])
    texts = col("text") if "text" in df.columns else ["" if y is None else str(y) for y in ys]
    whens, keys = col("when"), col("key")
    counts = dict(zip(df["region"], count_labels(df)))
    labels = col("label") if "label" in df.columns else texts
    colors = [REGION_COLORS[i % len(REGION_COLORS)] for i in range(len(order))]
    names = [plotly_text(r) for r in order]
    trace = {
        "type": "bar", "x": names, "y": ys, "marker": {"color": colors},
        "text": [t if y is not None else "" for t, y in zip(texts, ys)], "textposition": "outside", "cliponaxis": False,
        "customdata": [[k, lab, plotly_text(w).replace("\n", ""), counts.get(r, "")]
                       for k, lab, w, r in zip(keys, labels, whens, order)],
        "hovertemplate": "%{x}<br>%{customdata[1]}<br>%{customdata[2]}<br>%{customdata[3]}<extra></extra>",
    }
    # a region that reported nothing: the words, not an empty gap
    notes = [{"x": name, "y": 0, "yref": "y", "text": "未报告", "showarrow": False, "yanchor": "bottom",
              "font": {"color": "#888", "size": 12}} for name, y in zip(names, ys) if y is None]
    # every bar says when it is from, under the region's name (a total's date, an increment's period)
    ticks = [name + ("<br>" + plotly_text(w).replace("\n", "<br>") if w else "") for name, w in zip(names, whens)]
    layout = _layout(f"{title}（{axis_unit}）", height, subtitle,
                     yaxis={"title": {"text": None}, "tickformat": TICKFORMAT, "range": [0, top * 1.3 if top > 0 else 1],
                            "gridcolor": "#e5e5e5", "automargin": True},
                     xaxis={"tickfont": {"size": 11}, "automargin": True, "type": "category", "tickvals": names,
                            "ticktext": ticks},
                     annotations=notes, showlegend=False, bargap=0.35)
    return _figure([trace], layout)
