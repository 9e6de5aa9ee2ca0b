"""Initiatives (shared spec, Initiatives): the lexicon of data/initiatives.yaml, the programmes an
article names itself (data/rules/discovery.yaml), and for each number the one it belongs to."""
from __future__ import annotations

import bisect
import functools
import re
from collections.abc import Container, Iterator
from dataclasses import dataclass

from .clauses import sentences
from .model import Quantity
from .rules import load_yaml

# Quotation marks of every style read alike when names are matched (暖‘新’ = 暖“新”); offsets
# stay, as each mark maps to one mark.
_UNIFY_QUOTES = str.maketrans("‘’「」『』", "“”“”“”")


def _unify_quotes(text: str) -> str:
    """text.translate(_UNIFY_QUOTES), faster on long texts."""
    for a, b in (("‘", "“"), ("’", "”"), ("「", "“"), ("」", "”"), ("『", "“"), ("』", "”")):
        if a in text:
            text = text.replace(a, b)
    return text
_NO_QUOTES = str.maketrans("", "", "“”‘’「」『』\"'")
_QUOTED = re.compile(r"“([^“”\n]{2,16})”|‘([^‘’“”\n]{2,16})’")
_DOCUMENT = re.compile(r"《([^《》\n]{4,40})》")
# Quoted words with no Chinese are no names by themselves (“4321”, “1+3+N”).
_NO_CHINESE = re.compile(r"^[^\u4e00-\u9fa5]+$")
# Sentence punctuation inside quotation marks: direct speech, not a name.
_SPEECH = re.compile(r"[。!?;:！？；：…]")
_YEAR_OPENING = re.compile(r"(?:(?:19|20)\d\d年?度?|第[\d一二三四五六七八九十百]+届|首届)")
_ORDINAL_YEAR = r"第[\d一二三四五六七八九十百]+届|首届|(?:19|20)\d\d年度?|[〇零一二三四五六七八九]{4}年度?"


@dataclass(frozen=True)
class InitiativeMention:
    start: int
    end: int
    name: str
    kind: str = "lexicon"  # lexicon | generic (a kind of contest or facility) | found (named by the article) | title


# -- the lexicon ---------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def lexicon() -> tuple[dict[str, str], re.Pattern]:
    """alias → canonical name, and one regex of all aliases (the longest at each place). Aliases are matched
    with quotation marks unified, and an alias quoting part of itself (暖“新”) also bare (暖新)."""
    alias_of: dict[str, str] = {}
    for entry in load_yaml("initiatives.yaml"):
        for alias in [entry["name"], *entry.get("aliases", [])]:
            alias = alias.translate(_UNIFY_QUOTES)
            alias_of.setdefault(alias, entry["name"])
            bare = alias.translate(_NO_QUOTES)
            if bare != alias and not (alias.startswith("“") and alias.endswith("”")):
                alias_of.setdefault(bare, entry["name"])
    return alias_of, re.compile(_trie_pattern(alias_of))


def _trie_pattern(words) -> str:
    """One regex of `words` as a trie (a shared prefix is matched once: faster than an
    alternation of every word); at each position it matches the longest word."""
    trie: dict = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(trie)


@functools.lru_cache(maxsize=1)
def _entries() -> tuple[frozenset[str], frozenset[str]]:
    """The lexicon's canonical names, and those of its generic entries."""
    entries = load_yaml("initiatives.yaml")
    return frozenset(e["name"] for e in entries), frozenset(e["name"] for e in entries if e.get("generic"))


def find_initiatives(text: str) -> list[InitiativeMention]:
    """Lexicon names in `text`."""
    alias_of, pattern = lexicon()
    generic = _entries()[1]
    out = []
    for m in pattern.finditer(_unify_quotes(text)):
        name = alias_of[m.group(0)]
        out.append(InitiativeMention(m.start(), m.end(), name, "generic" if name in generic else "lexicon"))
    return out


@functools.lru_cache(maxsize=4096)
def canonical(name: str) -> str:
    """One name per programme: the lexicon's for an alias, else the name without quotation marks
    inside it (暖‘新’工会 → 暖新工会) and without the year or edition it opens with."""
    alias_of, _ = lexicon()
    unified = name.strip().translate(_UNIFY_QUOTES)
    bare = unified.translate(_NO_QUOTES)
    if not (alias_of.get(unified) or alias_of.get(bare)):
        # the edition or year a name opens with is not the programme's (2020职工健康休养年)
        m = _YEAR_OPENING.match(bare)
        if m and len(bare) - m.end() >= 2:
            bare = bare[m.end():]
    return alias_of.get(unified) or alias_of.get(bare) or bare


def _kind(name: str) -> str:
    names, generic = _entries()
    return ("generic" if name in generic else "lexicon") if name in names else "found"


# -- discovery rules -----------------------------------------------------------------------------

@dataclass(frozen=True)
class _Rules:
    kicker: re.Pattern
    name_suffixes: tuple[str, ...]
    followed_by: tuple[str, ...]
    body_programme: re.Pattern      # matched right after a quoted name's closing mark
    headline_repeat: re.Pattern     # likewise, for a headline's name the body repeats
    occasion_before: tuple[str, ...]
    document_ends: re.Pattern
    document_drop_end: re.Pattern
    document_drop_start: re.Pattern
    event: re.Pattern
    ordinal_year: re.Pattern        # 第三届, 2018年, 2014年度
    event_anchor: re.Pattern        # where an unquoted event name starts: after one of those or a boundary word
    scope_words: tuple[str, ...]
    title_quoted: tuple[str, ...]
    title_words: re.Pattern


def _noun_phrase_to(words: list[str], gap: int) -> re.Pattern:
    """After a closing quotation mark: other quoted names of a list (“A”“B”等活动), then a short
    noun phrase with no clause punctuation, quotation, 为 or 的, up to one of `words`."""
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(r"(?:[、和及与]?[“‘][^“”‘’\n]{1,16}[”’])*([^,，。;；:：!?！？“”‘’《》\n为的]{0,%d}?(?:%s))" % (gap, alternatives))


@functools.lru_cache(maxsize=1)
def _rules() -> _Rules:
    d = load_yaml("rules/discovery.yaml")
    bp, doc, ev, ti = d["body_programme"], d["document_title"], d["event_name"], d["honour_titles"]
    return _Rules(
        kicker=re.compile(d["kicker"]),
        name_suffixes=tuple(d["name_suffixes"]),
        followed_by=tuple(d["followed_by"]),
        body_programme=_noun_phrase_to(bp["words"], bp["gap"]),
        headline_repeat=_noun_phrase_to(d["headline_repeat_words"], bp["gap"]),
        occasion_before=tuple(d["occasion_before"]),
        document_ends=re.compile(doc["ends"] + "$"),
        document_drop_end=re.compile(doc["drop_end"]),
        document_drop_start=re.compile(doc["drop_start"]),
        event=re.compile("|".join(map(re.escape, ev["words"]))),
        ordinal_year=re.compile(_ORDINAL_YEAR),
        event_anchor=re.compile(_ORDINAL_YEAR + "|" + "|".join(map(re.escape, ev["boundaries"]))),
        scope_words=tuple(ev["scope_words"]),
        title_quoted=tuple(ti["quoted_suffixes"]),
        title_words=re.compile("|".join(map(re.escape, ti["words"]))),
    )


def quoted_names(text: str) -> Iterator[tuple[int, int, str]]:
    """(start, end, name) of each quoted name: “…” or, outside them, ‘…’; a cup's name keeps its
    杯 (“华生”杯 → 华生杯)."""
    for m in _QUOTED.finditer(text):
        name = m.group(1) or m.group(2)
        if text.startswith("杯", m.end()):
            yield m.start(), m.end() + 1, name + "杯"
        else:
            yield m.start(), m.end(), name


def programme_name(text: str, start: int, end: int, name: str) -> tuple[str, int] | None:
    """When the quoted `name` at [start, end) of `text` is called a programme, its canonical name
    and where its mention ends: its noun phrase goes on to a programme word (开展“组建攻坚季”行动;
    a name of digits is named with that noun phrase: “4321”高温期间劳动保护集中行动), or it ends
    like one (“老杨调解工作室”) and is no list of words (“奉献、有爱、互助”)."""
    r = _rules()
    if _SPEECH.search(name) or text[max(0, start - 2):start].endswith(r.occasion_before):
        return None
    m = r.body_programme.match(text, end)
    if _NO_CHINESE.match(name):
        in_list = m is not None and m.group(0).startswith(("“", "‘", "、"))
        return (name + m.group(1).translate(_NO_QUOTES), m.end()) if m and not in_list else None
    if m:  # in a list (“A”“B”等活动) each name's mention is its own quotation
        return canonical(name), end if m.group(0).startswith(("“", "‘", "、")) else m.end()
    if name.translate(_NO_QUOTES).endswith(r.name_suffixes) and not re.search("[、,，]", name):
        return canonical(name), end
    return None


def _strip_prefixes(name: str, place_names: Container[str]) -> str:
    """`name` without the places, scope words, years and ordinals it opens with
    (舟山市职业技能 → 职业技能). A name that is only a place stays, in its short form when the
    gazetteer knows one (宁波市 → 宁波): it is all that tells the event apart (宁波技能大赛)."""
    r = _rules()
    while True:
        before = name
        m = r.ordinal_year.match(name)
        if m and m.end() < len(name):
            name = name[m.end():]
        for w in r.scope_words:
            if name.startswith(w) and len(name) > len(w):
                name = name[len(w):]
        for n in range(min(8, len(name)), 1, -1):
            if name[:n] in place_names:
                if n < len(name):
                    name = name[n:]
                elif name[-1] in "省市区县" and name[:-1] in place_names:
                    name = name[:-1]
                break
        if name == before:
            return name


def document_name(title: str, place_names: Container[str] = ()) -> str:
    """The programme a document title names (《宁波工会大抓基层三年行动实施方案》 → 工会大抓基层三年行动): the
    title without its place, opening verb phrase and document word; '' for other documents."""
    r = _rules()
    if not r.document_ends.search(title) or _SPEECH.search(title):
        return ""
    name = r.document_drop_end.sub("", title)
    while True:
        before = name
        name = _strip_prefixes(name, place_names)
        name = r.document_drop_start.sub("", name) or name
        if name == before:
            break
    return canonical(name) if len(name) >= 4 else ""


def event_names(text: str, place_names: Container[str] = ()) -> list[str]:
    """Unquoted event names: (第N届)(年份)(地名)X技能大赛 … → X技能大赛. An edition, a year, a place
    or a scope word must open it (a bare 在技能大比武中 names no one event); 4+ characters."""
    r = _rules()
    out = []
    for m in r.event.finditer(text):
        run = re.split(r"[^\u4e00-\u9fa5\d〇]", text[max(0, m.start() - 24):m.start()])[-1]
        anchors = list(r.event_anchor.finditer(run))
        head = run[anchors[-1].end():] if anchors else run
        marked = bool(anchors) and r.ordinal_year.fullmatch(anchors[-1].group(0)) is not None
        stripped = _strip_prefixes(head, place_names)
        name = stripped + m.group(0)
        marked = marked or stripped != head or (stripped in place_names)
        if marked and len(name) >= 4 and not re.search(r"[\d〇]", stripped):
            out.append(canonical(name))
    return out


def honour_titles(text: str, quoted: list[tuple[int, int, str]] | None = None) -> list[InitiativeMention]:
    """Honour titles: quoted names ending in a title (“浙江工匠”), title words (首席工人). A title
    word is named without the place or level before it (“宁波市首席工人” → 首席工人).
    `quoted`: the quoted names of `text`, when already found."""
    r = _rules()
    out = []
    for s, e, n in (quoted if quoted is not None else quoted_names(text)):
        if n.translate(_NO_QUOTES).endswith(r.title_quoted) and not _SPEECH.search(n):
            word = r.title_words.search(n)
            out.append(InitiativeMention(s, e, word.group(0) if word else canonical(n), "title"))
    out += [InitiativeMention(m.start(), m.end(), m.group(0), "title") for m in r.title_words.finditer(text)
            if not any(t.start <= m.start() < t.end for t in out)]
    return sorted(out, key=lambda t: t.start)


def is_title(name: str) -> bool:
    r = _rules()
    return name.endswith(r.title_quoted) or r.title_words.fullmatch(name) is not None


def _resolve_overlaps(mentions: list[InitiativeMention]) -> list[InitiativeMention]:
    """Where names overlap, the longest stands (“技能之星”职业技能竞赛 is one mention, of 技能之星)."""
    kept: list[InitiativeMention] = []
    cluster: list[InitiativeMention] = []
    cluster_end = -1
    for m in sorted(mentions, key=lambda m: m.start) + [InitiativeMention(1 << 62, 1 << 62, "")]:
        if m.start >= cluster_end and cluster:  # a run of overlapping mentions ends
            chosen: list[InitiativeMention] = []
            for c in sorted(cluster, key=lambda c: (c.start - c.end, c.start)):
                if all(c.end <= k.start or c.start >= k.end for k in chosen):
                    chosen.append(c)
            kept += sorted(chosen, key=lambda c: c.start)
            cluster = []
        cluster.append(m)
        cluster_end = max(cluster_end, m.end) if len(cluster) > 1 else m.end
    return kept


def _gap(m: InitiativeMention, q_start: int, q_end: int) -> int:
    if m.end <= q_start:
        return q_start - m.end
    if m.start >= q_end:
        return m.start - q_end
    return 0


# -- one article ---------------------------------------------------------------------------------

class ArticleInitiatives:
    """The initiative decisions of one article: the programmes it names (lexicon names, quoted
    names it calls programmes, document titles, event names, honour titles), found once, and for
    each number the one it belongs to (`initiative_of`).

    `strong`: the programme of the headings; `weak`, without one: the one the lead names or the
    body names twice or more; `initiative`: the article's. `candidates`: names not in the lexicon,
    for a person to promote. `place_names`: the gazetteer's surfaces, stripped from names."""

    def __init__(self, headings: tuple[str, ...], text: str, spans: list[tuple[int, int]] | None = None,
                 place_names: Container[str] = ()):
        self.headings = headings
        self.text = text
        self._spans = spans if spans is not None else sentences(text)
        self._places = place_names
        self._quoted = list(quoted_names(text))
        found = self._discover()
        heading_text = "\n".join(headings)
        lead = text[:self._spans[0][1]] if self._spans else ""
        events: dict[str, str] = {}  # event name → where it is named first: heading or lead
        for where, part in (("heading", heading_text), ("lead", lead)):
            for name in event_names(part, place_names):
                events.setdefault(name, where)
        for name in events:
            found += [InitiativeMention(m.start(), m.end(), name, _kind(name)) for m in re.finditer(re.escape(name), text)]
        self.mentions = _resolve_overlaps(self._lexicon_mentions() + found)
        self._mention_starts = [m.start for m in self.mentions]
        self.titles = honour_titles(text, self._quoted)
        self._title_starts = [t.start for t in self.titles]
        self.heading_title = next((t.name for t in honour_titles(heading_text)), "")

        self.strong = self._from_headings() or next((n for n, w in events.items() if w == "heading"), "")
        # A headline programme outranks the honour titles a clause names; a headline title does not.
        self.strong_is_programme = bool(self.strong) and not is_title(self.strong)
        self.weak = "" if self.strong else self._from_body()
        self.initiative = self.strong or self.weak

        names = [canonical(n) for h in headings for _, _, n in quoted_names(h) if not _NO_CHINESE.match(n)]
        names += [m.name for m in found] + [t.name for t in self.titles] + [self.heading_title]
        lexicon_names = _entries()[0]
        self.candidates = list(dict.fromkeys(n for n in names if n and n not in lexicon_names))

    def _discover(self) -> list[InitiativeMention]:
        """Mentions of the programmes the body calls so: quoted names (once one is called a
        programme, its other quotations are mentions too) and document titles."""
        text = self.text
        quoted = self._quoted
        spans: list[tuple[int, int, str]] = []
        for start, end, name in quoted:
            hit = programme_name(text, start, end, name)
            if hit:
                spans.append((start, hit[1], hit[0]))
        called = {n for _, _, n in spans}
        for start, end, name in quoted:
            if canonical(name) in called and not any(a <= start < b for a, b, _ in spans):
                spans.append((start, end, canonical(name)))
        for m in _DOCUMENT.finditer(text):
            if text.startswith("》", m.start() - 1) or text.startswith("《", m.end()):
                continue  # 《A》《B》: a list of works
            name = document_name(m.group(1), self._places)
            if name:
                spans.append((m.start(), m.end(), name))
        return [InitiativeMention(a, b, n, _kind(n)) for a, b, n in spans]

    def _lexicon_mentions(self) -> list[InitiativeMention]:
        """Lexicon names in the text, but for a generic one inside a longer quoted name, which is
        then that name's word, not the programme (获评“最美工会户外劳动者服务站点”)."""
        starts = [a for a, _, _ in self._quoted]

        def in_longer_quote(m: InitiativeMention) -> bool:
            i = bisect.bisect_right(starts, m.start) - 1
            if i < 0:
                return False
            a, b, _ = self._quoted[i]
            return m.end <= b and b - a > m.end - m.start + 2

        return [m for m in find_initiatives(self.text) if m.kind != "generic" or not in_longer_quote(m)]

    # -- the article's initiative --------------------------------------------------------------

    def _from_headings(self) -> str:
        """A lexicon name in the headings (a generic one gives way to the brand the body names
        it with: “X”劳动竞赛); else a column kicker (“X”进行时); else a quoted headline name that
        reads as a programme in the headline or the body."""
        r = _rules()
        for h in self.headings:
            hits = find_initiatives(h)
            if hits:
                return (hits[0].kind == "generic" and self._brand_of(hits[0].name)) or hits[0].name
        for h in self.headings:
            m = r.kicker.match(h)
            if m:
                return canonical(m.group(1))
        for h in self.headings:
            for _, end, name in quoted_names(h):
                if not _NO_CHINESE.match(name) and self._heading_programme(h, end, name):
                    return canonical(name)
        return ""

    def _brand_of(self, generic: str) -> str:
        """A specific name the body gives the generic entry `generic` (“技能之星”职业技能竞赛)."""
        for m in self.mentions:
            if m.kind == "found" and any(h.name == generic for h in find_initiatives(self.text[m.start:m.end])):
                return m.name
        return ""

    def _heading_programme(self, heading: str, end: int, name: str) -> bool:
        """A quoted headline name is a programme when it ends like one (“春风行动”), the headline
        goes on with a programme word (“夏送清凉”活动), or the body repeats it in quotes next to an
        event, facility or programme noun (“技展两山”技能大比武); not the occasion of one (迎“五一”)."""
        r = _rules()
        occasion = lambda text, start: text[max(0, start - 2):start].endswith(r.occasion_before)
        if occasion(heading, heading.rfind("“", 0, end)):
            return False
        if name.translate(_NO_QUOTES).endswith(r.name_suffixes) or heading[end:].startswith(r.followed_by):
            return True
        return any(body_name == name and not occasion(self.text, start) and r.headline_repeat.match(self.text, q_end)
                   for start, q_end, body_name in self._quoted)

    def _from_body(self) -> str:
        """With none in the headings: the programme the lead names, else the one the most
        sentences name, if two or more do."""
        lead_end = self._spans[0][1] if self._spans else 0
        lead = [m for m in self.mentions if m.start < lead_end]
        if lead:
            return next((m.name for m in lead if m.kind != "generic"), lead[0].name)
        starts = [s for s, _ in self._spans]
        sentences_of: dict[str, set[int]] = {}
        for m in self.mentions:
            sentences_of.setdefault(m.name, set()).add(bisect.bisect_right(starts, m.start))
        ranked = sorted(sentences_of.items(), key=lambda kv: (-len(kv[1]), min(kv[1])))
        return ranked[0][0] if ranked and len(ranked[0][1]) >= 2 else ""

    # -- each number's initiative --------------------------------------------------------------

    @staticmethod
    def _within(starts: list[int], items: list[InitiativeMention], a: int, b: int) -> list[InitiativeMention]:
        return items[bisect.bisect_left(starts, a):bisect.bisect_left(starts, b)]

    def initiative_of(self, sentence: str, offset: int | None, q: Quantity, clause: tuple[int, int], metric: str = "") -> str:
        """The initiative of quantity `q` of `sentence` (which starts at `offset` in the text; None
        for a heading), in clause `clause` (offsets in the sentence), read as `metric`.

        A lexicon programme in the number's clause comes first, then a specific one earlier in its
        sentence (unless the clause names a programme of its own), then the programme of the headings. The names an article coins itself come after
        that, as they are often parts of the headline's programme (劳模“三进”活动 in an article on
        the “536”工作体系). So without a programme in the headings: a name the clause calls a
        programme (before a generic lexicon entry: “技能之星”职业技能竞赛 → 技能之星), then the
        nearest one its sentence names (a specific before a generic one), then the last one earlier
        in its paragraph, then the article's (lead, or named twice).

        A count of people named or selected (craftsmen) takes an honour title, unless the headings
        name a programme: the title right before the number in its clause (“浙江工匠”200名), else
        the first after it (命名…9名同志为“温州工匠”), else the nearest before it; else the last one
        earlier in its sentence; else the headings' title.

        A number of a heading takes the lexicon programme of its clause (a generic one the brand
        the body gives it), the title of its clause (as above), else the article's."""
        if offset is None:
            return self._heading_initiative(sentence, q, clause, metric)
        q_start, q_end = offset + q.span[0], offset + q.span[1]
        c_start, c_end = offset + clause[0], offset + clause[1]
        s_end = offset + len(sentence)
        mentions = self._within(self._mention_starts, self.mentions, offset, s_end)
        in_clause = [m for m in mentions if c_start <= m.start < c_end]
        nearest = lambda ms: min(ms, key=lambda m: _gap(m, q_start, q_end)).name
        of_kind = lambda ms, kind: [m for m in ms if m.kind == kind]

        if of_kind(in_clause, "lexicon"):
            return nearest(of_kind(in_clause, "lexicon"))
        if metric == "craftsmen" and not self.strong_is_programme:
            title = self._title_of(offset, s_end, q_start, q_end, c_start, c_end)
            if title:
                return title
        if of_kind(in_clause, "found") and not self.strong:
            return nearest(of_kind(in_clause, "found"))
        if of_kind(in_clause, "generic"):
            return nearest(of_kind(in_clause, "generic"))
        earlier = [m for m in of_kind(mentions, "lexicon") if m.end <= q_start]
        if earlier and not of_kind(in_clause, "found"):  # an earlier clause's does not outrank the clause's own
            return earlier[-1].name
        if self.strong:
            return self.strong
        if mentions:
            return nearest([m for m in mentions if m.kind != "generic"] or mentions)
        paragraph = self.text.rfind("\n", 0, offset) + 1
        before = self._within(self._mention_starts, self.mentions, paragraph, offset)
        return before[-1].name if before else self.weak

    def _heading_initiative(self, heading: str, q: Quantity, clause: tuple[int, int], metric: str) -> str:
        c_start, c_end = clause
        known = [m for m in find_initiatives(heading) if c_start <= m.start < c_end]
        if known:
            m = min([m for m in known if m.kind != "generic"] or known, key=lambda m: _gap(m, *q.span))
            return (m.kind == "generic" and self._brand_of(m.name)) or m.name
        if metric == "craftsmen" and not self.strong_is_programme:
            titles = [t for t in honour_titles(heading) if c_start <= t.start < c_end]
            if titles:
                return min(titles, key=lambda t: _gap(t, *q.span)).name
        return self.initiative

    def _title_of(self, s_start: int, s_end: int, q_start: int, q_end: int, c_start: int, c_end: int) -> str:
        titles = self._within(self._title_starts, self.titles, s_start, s_end)
        in_clause = [t for t in titles if c_start <= t.start < c_end]
        adjacent = [t for t in in_clause if 0 <= q_start - t.end <= 1]
        after = [t for t in in_clause if t.start >= q_end]
        before = [t for t in in_clause if t.end <= q_start]
        earlier = [t for t in titles if t.end <= c_start]
        title = (adjacent or after[:1] or before[-1:] or earlier[-1:] or [None])[0]
        if title is not None:
            return title.name
        return self.heading_title if not self.strong else ""


def discover(headings: tuple[str, ...]) -> list[str]:
    """Candidate initiative names in an article's headings, kicker patterns first."""
    kicker = _rules().kicker
    found: list[str] = []
    for h in headings:
        m = kicker.match(h)
        if m:
            found.append(canonical(m.group(1)))
    for h in headings:
        for _, _, name in quoted_names(h):
            if not _NO_CHINESE.match(name) and canonical(name) not in found:
                found.append(canonical(name))
    return found


def article_initiative(headings: tuple[str, ...], body: str = "") -> tuple[str, list[str]]:
    """The initiative an article is about and the candidate names it brings (ArticleInitiatives)."""
    a = ArticleInitiatives(headings, body)
    return a.initiative, a.candidates
