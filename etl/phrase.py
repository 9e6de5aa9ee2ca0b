"""What a quantity's words say: the noun phrase after its unit and its head noun, the noun and
verb before its number, and the predicate after the noun phrase, each classified by the open
word classes of data/rules/words.yaml (person, honour, site, contest …; join, receive, select …).

A class is a set of words and head suffixes. Words are found leftmost-longest, so a longer word
of another class wins where two overlap (服务站点 is a site, not the verb 服务; 工会会员 is a member,
not a union), and `not` words of a class block the shorter class words inside them.
"""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from .clauses import QUOTE_MARKS, plain, without_asides
from .rules import load_yaml

_CLAUSE_END = re.compile(r"[,;:。!?…]")


@dataclass(frozen=True)
class Word:
    start: int
    end: int
    text: str
    nouns: frozenset[str]      # noun classes of the word (补贴 is a money noun and a fund verb)
    verbs: frozenset[str]

    @property
    def classes(self) -> frozenset[str]:
        return self.nouns | self.verbs

    @property
    def verb(self) -> bool:
        return bool(self.verbs)

    @property
    def noun(self) -> bool:
        return bool(self.nouns)


@dataclass(frozen=True)
class Phrase:
    """The analysis of one quantity. Windows are plain text (no quotation marks)."""
    before: str                    # its clause from the start (or the previous number) to the number
    after: str                     # its clause from the unit to the end (or the next number)
    noun: str                      # the noun phrase after the unit (modifiers and 、-lists included)
    head: frozenset[str]           # classes of its head noun
    head_word: str
    noun_before: frozenset[str]    # classes of a noun right before the number (only gap words between)
    verb_before: frozenset[str]    # classes of the verbs shortly before the number
    predicate: str                 # what follows the noun phrase, up to the next number or the sentence end
    predicate_classes: frozenset[str] = field(default=frozenset())
    predicate_verb: frozenset[str] = field(default=frozenset())  # classes of the predicate's first verb
    predicate_object: frozenset[str] = field(default=frozenset())  # classes of that verb's object
    bare_before: bool = False      # only gap words before the number in its stretch of the clause


@functools.lru_cache(maxsize=1)
def _lexicon() -> tuple[re.Pattern, dict[str, tuple[frozenset[str], frozenset[str]]], dict[str, frozenset[str]],
                        re.Pattern, frozenset[str]]:
    data = load_yaml("rules/words.yaml")
    table: dict[str, tuple[set[str], set[str]]] = {}
    suffixes: dict[str, set[str]] = {}
    for kind, slot in (("nouns", 0), ("verbs", 1)):
        for name, cls in data[kind].items():
            for w in cls.get("words", []):
                table.setdefault(w, (set(), set()))[slot].add(name)
            for s in cls.get("suffixes", []):
                suffixes.setdefault(s, set()).add(name)
            for w in cls.get("not", []):
                table.setdefault(w, (set(), set()))
    # Function words that end a noun phrase without being a class verb (围绕, 在, 现场 …), and
    # light nouns that take the class of the noun before them (阵地资源).
    for w in data["boundary"]:
        table.setdefault(w, (set(), {"boundary"}))
    for w in data["light_heads"]:
        table.setdefault(w, ({"light"}, set()))
    frozen = {w: (frozenset(n), frozenset(v)) for w, (n, v) in table.items()}
    pattern = re.compile("|".join(re.escape(w) for w in sorted(frozen, key=len, reverse=True)))
    # between a noun and its number: gap words, and any verb or function word (改造建成, 将)
    gap_words = set(data["gap"]) | {w for w, (n, v) in frozen.items() if v and not n}
    gap = re.compile("^(?:" + "|".join(sorted(map(re.escape, gap_words), key=len, reverse=True)) + ")*$")
    return pattern, frozen, {s: frozenset(c) for s, c in suffixes.items()}, gap, frozenset(data["light_heads"])


def class_words(name: str) -> list[str]:
    """The words of one class (for rules that name a class inside a regex, %contest%)."""
    data = load_yaml("rules/words.yaml")
    if name == "gap":
        return list(data["gap"])
    cls = data["nouns"].get(name) or data["verbs"].get(name)
    if cls is None:
        raise KeyError(f"no word class {name!r} in data/rules/words.yaml")
    return list(cls.get("words", [])) + list(cls.get("suffixes", []))


@functools.lru_cache(maxsize=8192)
def words(text: str) -> tuple[Word, ...]:
    """Class words in `text`, leftmost-longest; blocked words (`not`) yield nothing. Cached: the
    windows of one sentence's numbers overlap."""
    pattern, table, _, _, _ = _lexicon()
    out = []
    for m in pattern.finditer(text):
        nouns, verbs = table[m.group(0)]
        if nouns or verbs:
            out.append(Word(m.start(), m.end(), m.group(0), nouns, verbs))
    return tuple(out)


@functools.lru_cache(maxsize=8192)
def classes_in(text: str) -> frozenset[str]:
    """Every class of every class word in `text`."""
    return frozenset().union(*(w.classes for w in words(text)))


def _last_noun(nouns: list[Word]) -> Word | None:
    """The head among a phrase's nouns: the last, unless it is a light noun (活动) right after a
    noun that says more (比武活动 is a contest, 培训活动 a training)."""
    if not nouns:
        return None
    last = nouns[-1]
    if last.text in _lexicon()[4] and len(nouns) > 1 and nouns[-2].end == last.start:
        return nouns[-2]
    return last


_TRAILING = "、和及与等们的上内中里 ”’\"'》"


def head_of(noun: str) -> tuple[frozenset[str], str]:
    """Classes of the head of a noun phrase: the longest class word that ends it, read from the
    end as Chinese heads stand last (网约送餐员工会 is a union, not 员工); a light noun (资源, 活动)
    defers to the word before it; else a head suffix it ends with (保全工, 送餐员). A phrase
    that ends in a word of no class has an unknown head (4个多小时的比赛时间: not a contest)."""
    _, table, suffixes, _, light = _lexicon()
    core = noun.rstrip(_TRAILING)
    if core:
        word = next((core[-n:] for n in range(min(len(core), _longest()), 1, -1) if core[-n:] in table), None)
        if word is None:
            return _suffix_head(core, suffixes)
        nouns, verbs = table[word]
        if word in light and len(core) > len(word):
            before = head_of(core[:-len(word)])
            if before[0] and before[0] != {"light"}:
                return before
        if nouns or not verbs:
            return nouns, word
    return frozenset(), ""  # empty, or a verb ends it: no head noun


def _suffix_head(core: str, suffixes: dict[str, frozenset[str]]) -> tuple[frozenset[str], str]:
    for n in (2, 1):
        if len(core) > n and core[-n:] in suffixes:
            return suffixes[core[-n:]], core[-n - 2:]
    return frozenset(), ""


@functools.lru_cache(maxsize=1)
def _longest() -> int:
    return max(map(len, _lexicon()[1]))


def _noun_end(after: str, found: list[Word], opaque: list[tuple[int, int]] = ()) -> int:
    """Where the noun phrase after a unit ends: at the first verb or function word that is not
    inside a modifier (覆盖…等领域的职业技能竞赛: a verb followed by …的 + noun in its clause
    modifies the noun). Verbs are the class verbs, and words jieba's dictionary tags as verbs
    (作品闯入总决赛) in the stretches no class word covers."""
    limit = next((m.start() for m in _CLAUSE_END.finditer(after)
                  if not any(a < m.start() < b for a, b in opaque)), len(after))
    end = limit
    for w in found:
        if w.start >= limit:
            break
        if not w.verb or w.noun and not _after_person(found, w):
            continue
        if not _modifier_verb(after, w, limit, found):
            end = w.start
            break
    covered = [(w.start, w.end) for w in found if w.start < end] + list(opaque)
    skip = [0] * (end + 1)  # skip[i]: where the class word or quotation covering i ends (0: none)
    for a, b in covered:
        for j in range(max(a, 0), min(b, end)):
            skip[j] = max(skip[j], b)
    i = 0
    tags = _tags()
    while i < end:
        if skip[i]:
            i = skip[i]
            continue
        # the longest dictionary word here, as a forward maximum match would cut it
        token = next((after[i:i + n] for n in (4, 3, 2) if i + n <= end and after[i:i + n] in tags), None)
        if token is None:
            i += 1
            continue
        tag = tags[token]
        if tag[:1] == "v" and tag != "vn" and not any(skip[j] for j in range(i, i + len(token))) \
                and not _modifier_verb(after, Word(i, i + len(token), token, frozenset(), frozenset({"v"})), limit, found):
            return i
        i += len(token)
    return end


def tag_of(word: str) -> str:
    """jieba's part-of-speech tag of a dictionary word (v, n, d, p …), or ''."""
    return _tags().get(word, "")


@functools.lru_cache(maxsize=1)
def _tags() -> dict[str, str]:
    """jieba's dictionary of words and their part of speech (loaded once, without its tokenizer)."""
    import logging
    import jieba
    jieba.setLogLevel(logging.WARNING)
    import jieba.posseg
    return jieba.posseg.dt.word_tag_tab


def _modifier_verb(after: str, w: Word, limit: int, found: list[Word]) -> bool:
    """A verb that opens a relative clause right after the unit (N项覆盖…等领域的职业技能竞赛):
    no noun before it in the phrase, and …的 + a noun after it."""
    if any(x.noun and x.end <= w.start for x in found):
        return False
    # …的 + a noun, or a list closed by 等 + a noun (涵盖体育竞技、文艺展演等多元化活动)
    for mark in ("的", "等"):
        at = after.find(mark, w.end, limit)
        if at >= 0 and any(x.noun for x in words(after[at + 1:limit])):
            return True
    return False


def _after_person(found: list[Word], w: Word) -> bool:
    """A word that is a noun and a verb (疗休养, 体检, 培训) right after a person noun is the
    person's verb (一线职工免费疗休养), not the head."""
    return any(x.end <= w.start and w.start - x.end <= 2 and x.nouns & _PERSONS for x in found)


_PERSONS = frozenset({"person", "member", "honour", "contestant"})


_QUOTE = re.compile(r"“[^“”]*”|‘[^‘’]*’|《[^《》]*》|\"[^\"]*\"")


def _noun_phrase(text: str) -> tuple[str, int]:
    """The noun phrase at the start of `text` (quotation marks kept: a quoted name is one opaque
    word), and where it ends."""
    found = words(text)
    # a quotation is one opaque word (a name), unless it only stresses a verb (成功“入库”)
    opaque = [m.span() for m in _QUOTE.finditer(text) if not _quoted_verb(m.group(0)[1:-1])]
    inside = lambda w: any(a < w.start and w.end <= b for a, b in opaque)
    end = _noun_end(text, [w for w in found if not inside(w) or w.noun], opaque)
    return text[:end], end


def _quoted_verb(inner: str) -> bool:
    ws = words(inner)
    return len(ws) == 1 and ws[0].verb and not ws[0].noun and ws[0].text == inner


def noun_window(sentence: str, q_end: int, limit: int) -> tuple[int, int]:
    """Where the noun phrase of the number ending at `q_end` may lie: up to `limit` (the next number
    or its clause's end); an item of a list of counts (杭州320家、宁波280家) has none, as what
    follows its 、 is the next item's."""
    return (q_end, q_end) if sentence[q_end:limit].lstrip("”’\"' ").startswith("、") else (q_end, limit)


def analyse(sentence: str, q_span: tuple[int, int], before_start: int, after_end: int,
            predicate_end: int, person_unit: bool = False) -> Phrase:
    """The phrase of the quantity at `q_span` in `sentence`: `before_start`/`after_end` bound its
    stretch of the clause, `predicate_end` where its predicate must stop (the next number).
    `person_unit`: the unit is a person classifier (人, 名, 位), which with no noun after it is
    the number's noun (32人获评…)."""
    _, _, _, gap, _ = _lexicon()
    before = plain(sentence[before_start:q_span[0]])
    raw_after = without_asides(sentence[q_span[1]:after_end]).rstrip("。!?…\n ")
    after = raw_after.translate(QUOTE_MARKS).lstrip("、和及与 ")
    if raw_after.lstrip("”’\"' ").startswith("、"):
        # an item of a list of counts (“甬江工匠”40名、“建筑工匠”10名): what follows is the next item
        noun_raw, end, after = "", 0, ""
    else:
        lead = len(raw_after) - len(raw_after.lstrip("、和及与 "))
        noun_raw, end = _noun_phrase(raw_after[lead:])
        end += lead
    noun = noun_raw.translate(QUOTE_MARKS)
    head, head_word = head_of(noun_raw)
    if not noun and person_unit:
        head, head_word = frozenset({"person"}), ""
    b_words = words(before)
    nouns_before = [w for w in b_words if w.noun]
    noun_before: frozenset[str] = frozenset()
    if nouns_before and gap.match(before[nouns_before[-1].end:]):
        noun_before = _last_noun(nouns_before).nouns
    # the verbs that govern the number: not those inside a modifier before 的 (核发…服务码的…家政员)
    de = before.rfind("的")
    if not before[de + 1:].strip():
        de = -1  # 的 right before the number marks the number's own modifier (拿到了被拖欠的8万元工资)
    verb_before = frozenset().union(*(w.verbs for w in b_words if w.start > de)) - {"boundary"}
    rest = raw_after[end:] + (sentence[after_end:predicate_end] if after_end < predicate_end else "")
    predicate = plain(rest)
    p_words = words(predicate)
    p_classes = classes_in(predicate)
    # the predicate's first verb: in the number's own clause, else (a clause of circumstances, 在…的
    # 带领下) in the next one, where the subject is still the number's noun
    ends = [m.start() for m in _CLAUSE_END.finditer(predicate)] + [len(predicate)]
    own_end = ends[0]
    verbs = [w for w in p_words if w.verb and w.verbs != {"boundary"} and w.end <= own_end]
    if not verbs and len(ends) > 1 and predicate[own_end:own_end + 1] == ",":
        # only when the next clause opens with its verb: one that opens with a noun has a subject
        # of its own (…约有11万人,职工入会率超过98%)
        nxt = [w for w in p_words if own_end < w.start and w.end <= ends[1]]
        if nxt and nxt[0].verb and not nxt[0].noun and nxt[0].start == own_end + 1:
            verbs = [w for w in nxt if w.verb and w.verbs != {"boundary"}]
            own_end = ends[1] if verbs else own_end
    first_verb = verbs[0].verbs if verbs else frozenset()
    # the object of the predicate's first verb (建设“海上工会”: a union; 设立了工会法律援助工作站: a site)
    obj: frozenset[str] = frozenset()
    if verbs:
        obj_text = predicate[verbs[0].end:own_end].lstrip("了起上")
        obj = head_of(_noun_phrase(obj_text)[0])[0]
    bare = gap.match(before.strip(" 、")) is not None  # nothing before the number but gap words (目前已新建)
    return Phrase(before, after, noun, head, head_word, noun_before, verb_before, predicate, p_classes, first_verb, obj, bare)
