"""Text normalisation: Traditional → Simplified, full-width ASCII → half-width, OCR line repair."""
from __future__ import annotations

import functools
import re

# Full-width digits, Latin letters and the punctuation our rules read as ASCII. Chinese
# quotation marks, 、 and 。 stay: they carry meaning for clause splitting.
_WIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ％＋．"}
_WIDTH.update({ord("，"): ",", ord("；"): ";", ord("："): ":", ord("（"): "(", ord("）"): ")",
               ord("！"): "!", ord("？"): "?", ord("\u3000"): " ", ord("\xa0"): " ",
               ord("－"): "-", ord("～"): "~", ord("\ufeff"): None, ord("\r"): None})

_SENTENCE_END = tuple("。!?…”\"』」:;)")


@functools.lru_cache(maxsize=1)
def _t2s():
    import opencc  # imported lazily: only pages with Traditional characters need it
    return opencc.OpenCC("t2s")


# Characters frequent in Traditional text and absent from Simplified: a cheap test before OpenCC.
_TRADITIONAL_HINT = re.compile("[們這個會國來對發時說當經與實區縣鎮設產業員萬場處項補貼資總織參賽職聯團寧驛讀點際鄉選務類]")


def to_simplified(text: str) -> str:
    if _TRADITIONAL_HINT.search(text):
        return _t2s().convert(text)
    return text


def normalise_chars(text: str) -> str:
    return to_simplified(text.translate(_WIDTH))


def is_prose(line: str) -> bool:
    """A line that reads as running text: long, with clause punctuation inside."""
    return len(line) >= 30 and any(c in line for c in ",、;")


def repair_lines(lines: list[str]) -> list[str]:
    """Join paragraphs that OCR or layout broke mid-sentence.

    A long prose line that does not end a sentence continues in the next non-empty line, unless
    that line opens a new article (a byline) or is a markdown heading.
    """
    out: list[str] = []
    joining = False
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if joining and out and not line.startswith("#") and not line.startswith("本报讯"):
            out[-1] += line
        else:
            out.append(line)
        last = out[-1]
        joining = is_prose(last) and not last.endswith(_SENTENCE_END)
    return out
