"""Text normalisation: Traditional → Simplified, full-width ASCII → half-width, pinyin glosses
out, OCR line repair."""
from __future__ import annotations

import functools
import re

# Full-width digits, Latin letters and the punctuation our rules read as ASCII. Chinese
# quotation marks, 、 and 。 stay: they carry meaning for clause splitting.
_WIDTH = {ord(c): ord(c) - 0xFEE0 for c in "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ％＋．"}
_WIDTH.update({ord("，"): ",", ord("；"): ";", ord("："): ":", ord("（"): "(", ord("）"): ")",
               ord("！"): "!", ord("？"): "?", ord("\u3000"): " ", ord("\xa0"): " ",
               ord("－"): "-", ord("～"): "~", ord("\ufeff"): None, ord("\r"): None})
# Control characters are no text (and \x00 marks a photo credit inside segment): dropped, or a
# line break where they once separated pages or lines.
_WIDTH.update({c: None for c in [*range(0x00, 0x09), *range(0x0e, 0x20), 0x7f]})
_WIDTH.update({0x0b: "\n", 0x0c: "\n"})

_SENTENCE_END = re.compile(r"[。!?…;:][”\"』」)]*$")


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


# A pinyin gloss after a character or word (记者(jìzhě), 发(fā)放, 数(shù)): reading help some sites
# add, which breaks the words it sits in. Tone-marked syllables only, so (GDP) and (ICU) stay.
_PINYIN_GLOSS = re.compile(r"(?<=[\u4e00-\u9fa5])\((?=[a-zü]*[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ])[a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü' ]{1,30}\)")


def normalise_chars(text: str) -> str:
    return _PINYIN_GLOSS.sub("", to_simplified(text.translate(_WIDTH)))


def ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END.search(line))


def looks_like_heading(line: str) -> bool:
    """Short, unpunctuated: a headline, kicker or section heading rather than running text."""
    bare = line.strip("#* ")
    return line.startswith("#") or (0 < len(bare) <= 60 and not ends_sentence(bare) and "," not in bare and "。" not in bare)


def breaks_mid_sentence(line: str) -> bool:
    """Running text cut before its sentence ended: clause punctuation or length, no final stop."""
    return not ends_sentence(line) and ("," in line or ";" in line or len(line) >= 30) and not line.startswith("#")


def repair_lines(lines: list[str]) -> list[str]:
    """Join paragraphs that OCR or layout broke mid-sentence.

    A line of running text that stops mid-sentence continues in the next non-empty line when
    that line is running text too (not a heading, not a new article's 本报讯).
    """
    out: list[str] = []
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if out and breaks_mid_sentence(out[-1]) and not looks_like_heading(line) and not line.startswith("本报讯"):
            out[-1] += line
        else:
            out.append(line)
    return out
