"""Pure figure builders: DataFrame in, Plotly figure out; no Streamlit calls, no database.

Every figure has a Chinese title and its unit on the value axis; empty input raises ValueError
because the pages say "no data" in words instead of drawing an empty chart.
"""
from __future__ import annotations

import html
import math
from collections.abc import Sequence

import numpy as np
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


def _layout(fig: go.Figure, title: str, height: int) -> go.Figure:
    _literal_text(fig)
    fig.update_layout(
        title={"text": plotly_text(title), "x": 0.0, "xanchor": "left", "font": {"size": 16}},
        font={"family": FONT, "size": 13},
        height=height,
        margin={"l": 10, "r": 20, "t": 56, "b": 10},
        plot_bgcolor="white",
        hoverlabel={"font": {"family": FONT}},
    )
    return fig


_TEXT_FIELDS = ("x", "y", "text", "hovertext", "name", "customdata")


def _literal_text(fig: go.Figure) -> None:
    """Every string from the data shows as itself: Plotly renders <a href>, <b> and <br> in tick
    labels, hover text, bar text, legends and annotations, so they are HTML-escaped here (a click
    on a bar therefore reports its escaped label: see clicked_label). Hover templates are ours."""
    def esc(v):
        if isinstance(v, str):
            return plotly_text(v)
        if isinstance(v, np.ndarray):  # numbers and dates stay arrays; only text is rewritten
            return [esc(x) for x in v.tolist()] if v.dtype.kind in "OU" else v
        if isinstance(v, (list, tuple)):
            return [esc(x) for x in v]
        return v

    for trace in fig.data:
        for field in _TEXT_FIELDS:
            value = getattr(trace, field, None)
            if value is not None:
                setattr(trace, field, esc(value))
    fig.for_each_xaxis(lambda ax: ax.update(title_text=esc(ax.title.text)) if ax.title.text else None)
    fig.for_each_yaxis(lambda ax: ax.update(title_text=esc(ax.title.text)) if ax.title.text else None)
    for a in fig.layout.annotations:
        a.text = esc(a.text)


def clicked_label(points: list) -> str | None:
    """The category of the bar a selection event names, as the data has it (not HTML-escaped)."""
    y = points[0].get("y") if points else None
    return html.unescape(y) if isinstance(y, str) else y


def value_labels(df: pd.DataFrame, unit: str, value_col: str = "value", compact: bool = False) -> list[str]:
    """Text for aggregated values: approximation of the sum, Chinese number form."""
    approxes = df["approxes"] if "approxes" in df.columns else [None] * len(df)
    return [format_fact_value(v, unit, combine_approx(a if a is not None else []), compact=compact)
            for v, a in zip(df[value_col], approxes)]


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


def _map_view(geo: dict, width_px: int = 640, height_px: int = 480) -> tuple[dict, float]:
    """Centre and zoom that fit the features (web-mercator, 512-px tiles)."""
    x0, y0, x1, y1 = _geo_bounds(geo)
    lat_c = (y0 + y1) / 2
    span_x = max(x1 - x0, 0.05)
    span_y = max((y1 - y0) / math.cos(math.radians(lat_c)), 0.05)
    zx = math.log2(width_px * 360 / (512 * span_x))
    zy = math.log2(height_px * 360 / (512 * span_y))
    return {"lat": lat_c, "lon": (x0 + x1) / 2}, round(min(zx, zy) - 0.15, 2)


def region_map(df: pd.DataFrame, geo: dict, *, title: str, unit: str, height: int = 500) -> go.Figure:
    """Choropleth of regions (columns code, name, value[, approxes, n]) on our own GeoJSON with a
    blank basemap, so it works offline; regions without data stay grey."""
    _require(df, "code", "name", "value")
    codes = [f["id"] for f in geo["features"]]
    names = {f["id"]: f["properties"].get("name", f["id"]) for f in geo["features"]}
    df = df[df["code"].isin(codes)]
    if df.empty:
        raise ValueError("no region of the data is on this map")
    divisor, axis_unit = axis_scale(df["value"].max(), unit)
    labels = value_labels(df, unit)
    n = df["n"].tolist() if "n" in df.columns else [""] * len(df)
    # Each feature's shape is sent once: grey ones in the first trace, coloured ones in the second.
    with_data = set(df["code"])
    blank = [c for c in codes if c not in with_data]
    fig = go.Figure()
    if blank:
        fig.add_trace(go.Choroplethmap(
            geojson={"type": "FeatureCollection", "features": [f for f in geo["features"] if f["id"] in set(blank)]},
            locations=blank, z=[0] * len(blank), showscale=False,
            colorscale=[[0, EMPTY_FILL], [1, EMPTY_FILL]], marker={"line": {"color": "white", "width": 1}},
            customdata=[[names[c]] for c in blank], hovertemplate="%{customdata[0]}：暂无数据<extra></extra>",
        ))
    fig.add_trace(go.Choroplethmap(
        geojson={"type": "FeatureCollection", "features": [f for f in geo["features"] if f["id"] in with_data]},
        locations=df["code"], z=df["value"].astype(float) / divisor, colorscale="Blues",
        marker={"line": {"color": "white", "width": 1}},
        colorbar={"title": {"text": axis_unit}, "tickformat": TICKFORMAT, "thickness": 14},
        customdata=list(zip(df["name"], labels, n)),
        hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]} 条事实<extra></extra>",
    ))
    center, zoom = _map_view(geo)
    fig.update_layout(map={"style": "white-bg", "center": center, "zoom": zoom})
    return _layout(fig, title, height)


def bar_chart(df: pd.DataFrame, *, category: str, title: str, unit: str, category_title: str,
              value: str = "value", customdata: str | None = None, height: int | None = None) -> go.Figure:
    """Horizontal bars, largest on top; value axis in 万/亿 where that reads better."""
    _require(df, category, value)
    df = df.sort_values(value, ascending=True, kind="stable")
    divisor, axis_unit = axis_scale(df[value].max(), unit)
    labels = value_labels(df, unit, value)                       # exact, for the hover
    texts = value_labels(df, unit, value, compact=True)           # short, on the bar, like the axis
    n = df["n"].tolist() if "n" in df.columns else [""] * len(df)
    custom = df[customdata].tolist() if customdata else df[category].tolist()
    fig = go.Figure(go.Bar(
        x=df[value].astype(float) / divisor, y=df[category].astype(str), orientation="h",
        marker_color=BAR_COLOR, text=texts, textposition="outside", cliponaxis=False,
        customdata=list(zip(custom, labels, n)),
        hovertemplate="%{y}<br>%{customdata[1]}<br>%{customdata[2]} 条事实<extra></extra>",
    ))
    top = float(df[value].max()) / divisor
    fig.update_xaxes(title_text=f"数值（{axis_unit}）", tickformat=TICKFORMAT, showgrid=True,
                     gridcolor="#e5e5e5", range=[0, top * 1.22 if top > 0 else 1], automargin=True)
    fig.update_yaxes(title_text=category_title, automargin=True)
    fig.update_layout(bargap=0.25, showlegend=False)
    return _layout(fig, title, height or max(260, 70 + 28 * len(df)))


def count_bar_chart(df: pd.DataFrame, *, category: str, count: str, title: str, count_title: str,
                    category_title: str, height: int | None = None) -> go.Figure:
    """Horizontal bars of counts (条、个), largest on top."""
    _require(df, category, count)
    df = df.sort_values(count, ascending=True, kind="stable")
    fig = go.Figure(go.Bar(
        x=df[count], y=df[category].astype(str), orientation="h", marker_color=BAR_COLOR,
        text=df[count], textposition="outside", cliponaxis=False, customdata=df[category],
        hovertemplate="%{y}<br>%{x}<extra></extra>",
    ))
    top = float(df[count].max())
    fig.update_xaxes(title_text=count_title, tickformat=",d", gridcolor="#e5e5e5",
                     range=[0, top * 1.15 if top > 0 else 1], automargin=True,
                     dtick=1 if top <= 8 else None)  # whole counts: no repeated "1" ticks
    fig.update_yaxes(title_text=category_title, automargin=True)
    fig.update_layout(bargap=0.25, showlegend=False)
    return _layout(fig, title, height or max(260, 70 + 28 * len(df)))


def timeline_chart(df: pd.DataFrame, *, title: str, unit: str, max_categories: int = 40,
                   height: int = 340, by_month: bool = False) -> go.Figure:
    """Sums by issue date; with many dates, by month (on a date axis). `by_month` says the rows
    are months already (grouped by the query)."""
    _require(df, "issue_date", "value")
    d = df.copy()
    d["issue_date"] = pd.to_datetime(d["issue_date"])
    if by_month:
        d = d.rename(columns={"issue_date": "period"})
        x = d["period"]
        x_title, hover_x = "出版月份", "%{x|%Y年%m月}"
    elif len(d) > max_categories:
        d["period"] = d["issue_date"].dt.to_period("M").dt.to_timestamp()
        agg = {"value": "sum"}
        if "n" in d.columns:
            agg["n"] = "sum"
        if "approxes" in d.columns:
            d["approxes"] = d["approxes"].map(list)
            agg["approxes"] = lambda s: sorted({a for lst in s for a in lst})
        d = d.groupby("period", as_index=False).agg(agg)
        x = d["period"]
        x_title, hover_x = "出版月份", "%{x|%Y年%m月}"
    else:
        x = d["issue_date"].dt.strftime("%Y-%m-%d")
        x_title, hover_x = "出版日期", "%{x}"
    divisor, axis_unit = axis_scale(d["value"].max(), unit)
    labels = value_labels(d, unit)
    n = d["n"].tolist() if "n" in d.columns else [""] * len(d)
    fig = go.Figure(go.Bar(
        x=x, y=d["value"].astype(float) / divisor, marker_color=BAR_COLOR, customdata=list(zip(labels, n)),
        hovertemplate=hover_x + "<br>%{customdata[0]}<br>%{customdata[1]} 条事实<extra></extra>",
    ))
    fig.update_yaxes(title_text=f"数值（{axis_unit}）", tickformat=TICKFORMAT, rangemode="tozero",
                     gridcolor="#e5e5e5", automargin=True)
    xaxis = {"title_text": x_title, "automargin": True}
    if not by_month and len(df) <= max_categories:
        xaxis["type"] = "category"
    else:
        xaxis["tickformat"] = "%Y年%m月"
    fig.update_xaxes(**xaxis)
    fig.update_layout(bargap=0.3, showlegend=False)
    return _layout(fig, title, height)


def short_label(label: object) -> str:
    """Bar text: drop a trailing （…） note so the label fits above a narrow bar."""
    text = "" if label is None or (isinstance(label, float) and math.isnan(label)) else str(label)
    return text.split("（")[0]


def _unit(x: float) -> float:
    """A paper coordinate inside [0, 1] despite float rounding."""
    return min(1.0, max(0.0, round(x, 6)))


def compare_chart(df: pd.DataFrame, *, title: str, region_order: Sequence[str], cols: int = 3,
                  value_title: str = "") -> go.Figure:
    """Grouped bars of regions per panel (one panel per metric and kind, its own axis and unit).

    df columns: panel (e.g. 工会组织·新增), unit, region (name), value, label (hover text) and
    optionally text (the short label drawn above the bar).
    The grid is laid out by hand: make_subplots with per-panel updates is quadratic in panels.
    """
    _require(df, "panel", "unit", "region", "value")
    panels = list(dict.fromkeys(df["panel"]))
    cols = max(1, min(cols, len(panels)))
    rows = math.ceil(len(panels) / cols)
    h_gap, v_gap = 0.09, min(0.5 / rows, 0.16) if rows > 1 else 0.0
    col_w = (1 - h_gap * (cols - 1)) / cols
    row_h = (1 - v_gap * (rows - 1)) / rows
    colors = {r: REGION_COLORS[i % len(REGION_COLORS)] for i, r in enumerate(region_order)}
    traces: list[dict] = []
    layout: dict = {"annotations": []}
    shown: set[str] = set()
    for i, p in enumerate(panels):
        r, c = divmod(i, cols)
        n = i + 1
        sub = df[df["panel"] == p].set_index("region").reindex(list(region_order)).reset_index()
        divisor, axis_unit = axis_scale(sub["value"].max(), df.loc[df["panel"] == p, "unit"].iloc[0])
        labels = sub["label"].fillna("无").tolist() if "label" in sub.columns else [""] * len(sub)
        texts = (sub["text"].fillna("").tolist() if "text" in sub.columns else [short_label(x) for x in labels])
        top = 0.0
        for reg, val, lab, txt in zip(sub["region"], sub["value"], labels, texts):
            y = None if pd.isna(val) else float(val) / divisor
            top = max(top, y or 0.0)
            traces.append({
                "type": "bar", "x": [reg], "y": [y], "name": reg, "xaxis": f"x{n}", "yaxis": f"y{n}",
                "marker": {"color": colors[reg]}, "legendgroup": reg, "showlegend": reg not in shown,
                "text": [txt], "textposition": "outside", "cliponaxis": False,
                "customdata": [[p, lab]], "hovertemplate": "%{x}<br>%{customdata[0]}：%{customdata[1]}<extra></extra>",
            })
            shown.add(reg)
        x0 = c * (col_w + h_gap)
        y1 = 1 - r * (row_h + v_gap)
        suffix = "" if n == 1 else str(n)
        layout[f"xaxis{suffix}"] = {"domain": [_unit(x0), _unit(x0 + col_w)], "anchor": f"y{n}",
                                    "tickfont": {"size": 11}}
        layout[f"yaxis{suffix}"] = {"domain": [_unit(y1 - row_h), _unit(y1)], "anchor": f"x{n}", "title": {"text": f"{value_title}{axis_unit}"},
                                    "tickformat": TICKFORMAT, "range": [0, top * 1.25 if top > 0 else 1],
                                    "gridcolor": "#e5e5e5"}
        layout["annotations"].append({
            "text": f"{p}（{axis_unit}）", "x": x0 + col_w / 2, "y": y1, "xref": "paper", "yref": "paper",
            "xanchor": "center", "yanchor": "bottom", "showarrow": False, "font": {"size": 13, "family": FONT}})
    layout.update(barmode="group", legend={"x": 1.01, "y": 1, "xanchor": "left", "yanchor": "top",
                                           "title": {"text": "地区"}})
    fig = go.Figure(data=traces, layout=layout)
    fig = _layout(fig, title, 120 + 250 * rows)
    fig.update_layout(margin={"t": 90, "r": 130})
    return fig
