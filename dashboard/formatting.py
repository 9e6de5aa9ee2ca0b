"""Pure text helpers: Chinese number forms (1.2万人, 2700万元), approximation marks, safe highlighting.

Nothing here touches Streamlit or DuckDB, so every function is testable on its own.
"""
from __future__ import annotations

import html
import math
import re
from datetime import date as _date, datetime as _datetime, timedelta as _timedelta
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# Cells a spreadsheet would run as formulas (CSV injection): one rule for the ETL's export and every download.
from etl.export import FORMULA_PREFIXES, neutralise_formula  # noqa: F401

KIND_LABELS = {"increment": "新增", "total": "累计", "target": "目标"}
KIND_ORDER = ("increment", "total", "target")

APPROX_MARKS = {"exact": "", "over": "≥", "under": "<", "about": "≈"}
APPROX_LABELS = {"exact": "精确", "over": "不少于（≥，余/多/超）", "under": "不足（<，近/不足）",
                 "about": "约（≈）"}
APPROX_ORDER = ("exact", "over", "under", "about")

LEVEL_LABELS = {"province": "省级", "city": "市级", "county": "区县级", "town": "乡镇级", "outside": "省外或未定位"}

# Chinese large-number units, largest first.
_SCALES = ((Decimal(10) ** 8, "亿"), (Decimal(10) ** 4, "万"))
_CENT = Decimal("0.01")


def to_decimal(value: object) -> Decimal | None:
    """Decimal for int/float/Decimal/str; None for None, NaN and anything unparsable."""
    if value is None:
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):  # numpy scalar → Python number
        value = value.item()
    if isinstance(value, Decimal):
        return None if value.is_nan() else value
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return Decimal(repr(value))
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _plain(d: Decimal) -> str:
    """Decimal without exponent or trailing zeros: 2700.00 → 2700, 1.50 → 1.5."""
    s = f"{d:f}"
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def format_number(value: object, unit: str = "", *, compact: bool = False) -> str:
    """Chinese form of a number with its unit.

    Exact form (default, for tables): use 亿/万 only when that loses nothing at two decimals
    (12000人 → 1.2万人, 27000000元 → 2700万元, 150000000元 → 1.5亿元, 18236人 → 18236人).
    Compact form (cards, hover): round to two decimals of the largest unit (18236人 → 1.82万人).
    """
    d = to_decimal(value)
    if d is None:
        return "—"
    sign = "-" if d < 0 else ""
    a = abs(d)
    for scale, name in _SCALES:
        if a >= scale:
            q = a / scale
            if compact:
                return f"{sign}{_plain(q.quantize(_CENT, rounding=ROUND_HALF_UP))}{name}{unit}"
            if q == q.quantize(_CENT):
                return f"{sign}{_plain(q)}{name}{unit}"
    if compact:
        a = a.quantize(_CENT, rounding=ROUND_HALF_UP)
    return f"{sign}{_plain(a)}{unit}"


def format_fact_value(value: object, unit: str, approx: str | None, *, compact: bool = False) -> str:
    """A fact's value as the reader should see it: the approximation mark, then the number (≥2300人)."""
    return APPROX_MARKS.get(approx or "exact", "") + format_number(value, unit, compact=compact)


def combine_approx(approxes: Iterable[str | None]) -> str:
    """Approximation of a sum: exact only if all parts are; ≥ if parts are exact or lower bounds;
    < if exact or upper bounds; ≈ otherwise (bounds in both directions, or 'about')."""
    kinds = {a or "exact" for a in approxes} - {"exact"}
    if not kinds:
        return "exact"
    if kinds == {"over"}:
        return "over"
    if kinds == {"under"}:
        return "under"
    return "about"


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def approx_label(approx: str) -> str:
    return APPROX_LABELS.get(approx, approx)


def per_10k(value: object, population: object) -> Decimal | None:
    """Value per 10,000 residents, two decimals; None when the population is unknown or zero."""
    v, p = to_decimal(value), to_decimal(population)
    if v is None or p is None or p <= 0:
        return None
    return (v * Decimal(10000) / p).quantize(_CENT, rounding=ROUND_HALF_UP)


# Every ASCII punctuation mark: CommonMark lets each be backslash-escaped, and between them they
# make links, images, emphasis, headings, lists, tables, HTML, Streamlit's :colour[…] and
# :material/…: directives and $formulas$.
_MARKDOWN_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")


# Bare URLs and e-mail addresses become links after parsing, escapes or not (GFM's autolink
# literals): an invisible word joiner after the scheme or www, and before @, breaks them.
_AUTOLINK = re.compile(r"(?i)(?<![a-z])(https?|mailto|xmpp|www)(?=\\[:.])|(?=\\@)")
WORD_JOINER = "\u2060"


def md_text(value: object) -> str:
    """`value` as literal text inside Streamlit markdown (titles, labels, captions, alerts): data
    from a page or a URL parameter can add no link, image, emphasis, formula or icon. Line breaks
    become spaces (a label is one line)."""
    text = _MARKDOWN_SPECIAL.sub(r"\\\1", "" if value is None else str(value))
    return _AUTOLINK.sub(lambda m: (m.group(1) or "") + WORD_JOINER, text).replace("\r", " ").replace("\n", " ")


def plotly_text(value: object) -> object:
    """A string as literal text in a Plotly figure (titles, tick labels, hover, bar text and legend
    render a subset of HTML, <a href> included); other values as they are."""
    return html.escape(value, quote=False) if isinstance(value, str) else value


def safe_url(url: object) -> str | None:
    """`url` when it is an absolute http(s) URL (the source of an article), else None: a
    javascript: or data: URL from a page is never offered as a link."""
    text = str(url or "").strip()
    return text if re.match(r"https?://[^\s/]", text, re.IGNORECASE) and not re.search(r"[\s<>\"']", text) else None


def highlight_segments(text: str, spans: Iterable[tuple[int | None, int | None]]) -> list[tuple[str, int | None]]:
    """Split `text` into (piece, index-of-span-or-None). Spans out of range, empty or overlapping an
    earlier kept span are dropped, so offsets from the ETL can never break the text."""
    n = len(text)
    indexed = []
    for i, (s, e) in enumerate(spans):
        if s is None or e is None:
            continue
        s, e = int(s), int(e)
        if 0 <= s < e <= n:
            indexed.append((s, e, i))
    indexed.sort()
    out: list[tuple[str, int | None]] = []
    pos = 0
    for s, e, i in indexed:
        if s < pos:
            continue
        if s > pos:
            out.append((text[pos:s], None))
        out.append((text[s:e], i))
        pos = e
    if pos < n:
        out.append((text[pos:], None))
    return out


def highlight_html(text: str, spans: Sequence[tuple[int | None, int | None]],
                   labels: Sequence[str] | None = None, current: Iterable[int] = ()) -> str:
    """Article text as HTML with each span in <mark> followed by its number (1-based, as in the fact
    list); spans in `current` get the class "current". Every piece of text is escaped, so the
    article can never inject markup; `labels` become the marks' tooltips (escaped too)."""
    current = set(current)
    parts = []
    for piece, idx in highlight_segments(text, spans):
        esc = html.escape(piece).replace("\n", "<br>")
        if idx is None:
            parts.append(esc)
        else:
            title = html.escape(labels[idx]) if labels and idx < len(labels) else ""
            cls = "fact current" if idx in current else "fact"
            parts.append(f'<mark class="{cls}" title="{title}">{esc}</mark><sup>{idx + 1}</sup>')
    return "".join(parts)


def axis_scale(max_value: object, unit: str) -> tuple[int, str]:
    """Divisor and Chinese unit for a chart axis, so ticks read 2700 (万元) rather than 27M."""
    d = to_decimal(max_value)
    a = abs(d) if d is not None else Decimal(0)
    if a >= Decimal(10) ** 8:
        return 10 ** 8, f"亿{unit}"
    if a >= Decimal(10) ** 4:  # same threshold as format_number, so axis and bar labels agree
        return 10 ** 4, f"万{unit}"
    return 1, unit


# ---- periods and dates ---------------------------------------------------------------------------

TARGET_TYPE_LABELS = {"new": "新增目标", "stock": "累计目标"}
DATE_SOURCE_INFERRED = "inferred"
INFERRED_MARK = "（推断）"


def _as_date(value: object) -> _date | None:
    """A date from a date, datetime, Timestamp or ISO string; None for None, NaT and NA."""
    import pandas as pd

    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):  # NaT is a datetime
        return None
    if isinstance(value, _datetime):      # also pandas.Timestamp
        return value.date()
    if isinstance(value, _date):
        return value
    try:
        return pd.Timestamp(value).date()
    except (TypeError, ValueError):
        return None


def _month_end(d: _date) -> bool:
    return (d + _timedelta(days=1)).day == 1


def period_text(start: object, end: object) -> str:
    """A period as a reader says it: 2021年, 2021—2024年, 2021年1—6月, 2021年6月, 2021年8月2日,
    else 2023年1月1日至2024年4月23日. Empty when both ends are unknown."""
    s, e = _as_date(start), _as_date(end)
    if s is None and e is None:
        return ""
    if s is None or e is None:
        return date_text(s or e)
    if s > e:
        s, e = e, s
    if s == e:
        return date_text(s)
    if s.day == 1 and _month_end(e):
        if s.month == 1 and e.month == 12:
            return f"{s.year}年" if s.year == e.year else f"{s.year}—{e.year}年"
        if s.year == e.year:
            return f"{s.year}年{s.month}月" if s.month == e.month else f"{s.year}年{s.month}—{e.month}月"
        return f"{s.year}年{s.month}月—{e.year}年{e.month}月"
    return f"{date_text(s)}至{date_text(e)}"


def date_text(value: object, inferred: bool = False) -> str:
    """2024年4月23日, with （推断） when the issue date was inferred."""
    d = _as_date(value)
    if d is None:
        return "日期不详"
    return f"{d.year}年{d.month}月{d.day}日" + (INFERRED_MARK if inferred else "")


def iso_date_text(value: object, inferred: bool = False) -> str:
    """2024-04-23 (tables, where dates sort), with （推断） when inferred."""
    d = _as_date(value)
    if d is None:
        return ""
    return d.isoformat() + (INFERRED_MARK if inferred else "")


def span_text(span: Sequence[object]) -> str:
    """The selected period of a page: 2024年, 2021—2024年."""
    return period_text(span[0], span[1])


def year_span(lo: int, hi: int) -> tuple[str, str]:
    """ISO dates of whole years lo..hi (inclusive)."""
    lo, hi = min(lo, hi), max(lo, hi)
    return (f"{lo:04d}-01-01", f"{hi:04d}-12-31")


def target_label(target_type: object) -> str:
    return TARGET_TYPE_LABELS.get(target_type, "目标") if isinstance(target_type, str) else "目标"


# ---- the article's own punctuation -------------------------------------------------------------

# The ETL stores article text normalised (full-width → half-width) so that offsets match its rules.
# Between Chinese characters these half-width marks were full-width in the paper; restoring them
# one character for one keeps every offset valid.
_FULL = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}


def _cjk(ch: str) -> bool:
    if len(ch) != 1:
        return False
    return "\u3400" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f" or "\uff00" <= ch <= "\uffef" or ch in "“”‘’—…"


def chinese_punctuation(text: str) -> str:
    """Half-width , : ; ! ? ( ) back to full-width where Chinese text is on either side; same length."""
    if not text:
        return text
    out = list(text)
    n = len(text)
    for i, ch in enumerate(text):
        full = _FULL.get(ch)
        if full is None:
            continue
        before = text[i - 1] if i > 0 else ""
        after = text[i + 1] if i + 1 < n else ""
        if ch == "(":
            near = _cjk(before) or _cjk(after)
        elif ch == ")":
            near = _cjk(after) or _cjk(before)
        else:
            # 1,059 and 10:30 stay as they are
            near = (_cjk(before) or _cjk(after)) and not (before.isdigit() and after.isdigit())
        if near:
            out[i] = full
    return "".join(out)



# ---- review (issue 10): what a person has vouched for -------------------------------------------

REVIEW_LABELS = {"unreviewed": "未核对", "confirmed": "已确认", "corrected": "已更正", "added": "已补充",
                 "rejected": "已否决"}
REVIEWED_STATES = ("confirmed", "corrected", "added")
FIELD_LABELS = {"metric": "指标", "kind": "类型", "value": "数值", "approx": "约数", "region": "地区",
                "region_code": "地区代码", "period_start": "时期开始", "period_end": "时期结束",
                "period_label": "时期", "initiative": "倡议", "part_of": "属于"}


def review_label(review: object) -> str:
    """未核对 / 已确认 / 已更正 / 已补充; a fact without the column is 未核对."""
    if review is None or (isinstance(review, float) and math.isnan(review)):
        return REVIEW_LABELS["unreviewed"]
    return REVIEW_LABELS.get(str(review), str(review))


def reviewed_share_text(reviewed: object, total: object, unit: str = "条") -> str:
    """已核对 3/12 条 — of the facts a figure or table rests on; empty when it rests on none."""
    n = int(total or 0)
    if n <= 0:
        return ""
    return f"已核对 {int(reviewed or 0)}/{n} {unit}"


def corrected_fields_text(fields: object) -> str:
    """'value|region' → 数值、地区."""
    if fields is None or (isinstance(fields, float) and math.isnan(fields)):
        return ""
    return "、".join(FIELD_LABELS.get(f, f) for f in str(fields).split("|") if f)


def percent_text(share: float | None) -> str:
    """A share as a percentage that never rounds a few to nothing: 0 → 0%, 0.002 → 不到1%, 0.256 → 26%."""
    if share is None:
        return "—"
    if 0 < share < 0.01:
        return "不到1%"
    if 0.99 < share < 1:
        return "99%"
    return f"{share:.0%}"
