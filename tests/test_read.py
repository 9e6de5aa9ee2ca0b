"""Reading files: encodings, formats (page, e-paper, HTML, JSON Lines), issue dates, and the
same facts from a page whatever its encoding or script."""
import datetime as dt
import json

import opencc
import pytest

from etl.pipeline import process_file
from etl.read import ReadError, decode, infer_date, read_file, read_manifest, url_date
from tests.conftest import RAW

PAGE = RAW / "000_64fa456c5d228954.txt"


def facts(path, manifest=None):
    outcome = process_file(str(path), manifest)
    assert outcome.error is None, outcome.error
    return sorted((f.metric, f.kind, f.value, f.place.name if f.place else None, f.initiative)
                  for r in outcome.results for a in r.articles for f in a.facts)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gbk", "gb18030"])
def test_encodings_give_the_same_facts(tmp_path, encoding):
    text = PAGE.read_text(encoding="utf-8")
    path = tmp_path / PAGE.name
    path.write_bytes(text.encode(encoding, errors="strict" if encoding != "gbk" else "replace"))
    docs, warnings = read_file(path)
    assert docs[0].encoding == ("utf-8" if encoding == "utf-8-sig" else "gb18030")
    assert warnings == []
    assert facts(path) == facts(PAGE)


def test_traditional_chinese_gives_the_same_facts(tmp_path):
    path = tmp_path / PAGE.name
    path.write_text(opencc.OpenCC("s2t").convert(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    assert "寧波" in path.read_text(encoding="utf-8")
    assert facts(path) == facts(PAGE)


def test_utf8_is_tried_before_gb18030():
    text = "宁波全市新建工会1059家"
    assert decode(text.encode("utf-8")) == (text, "utf-8", None)
    assert decode(text.encode("gb18030")) == (text, "gb18030", None)


def test_a_file_cut_mid_character_keeps_the_rest():
    data = "宁波全市新建工会1059家".encode("utf-8")[:-1]
    text, encoding, warning = decode(data)
    assert (text, encoding) == ("宁波全市新建工会1059", "utf-8")
    assert "mid-character" in warning


@pytest.mark.parametrize("data, reason", [
    (b"", "empty file"), (b"   \n", "empty file"),
    (b"%PDF-1.7\n%\xe2\xe3", "binary file"), (b"\x89PNG\r\n\x1a\n\x00\x00", "binary file"),
])
def test_unreadable_bytes_say_why(data, reason):
    with pytest.raises(ReadError, match=reason):
        decode(data)


def test_masthead_date_and_inferred_date():
    docs, _ = read_file(PAGE)
    assert (docs[0].issue_date, docs[0].date_source) == (dt.date(2021, 8, 2), "masthead")
    docs, _ = read_file(RAW / "001_828d341653809b48.txt")
    assert (docs[0].issue_date.year, docs[0].date_source) == (2024, "inferred")
    assert infer_date("2023年以来,宁波新增工会4730家;到2026年累计达3.3万家。4月23日召开") == dt.date(2024, 4, 23)
    assert infer_date("没有年份的文字") is None


def test_a_page_bar_dates_its_page(tmp_path):
    page = tmp_path / "p.txt"
    page.write_text("浙江工人日报 2024年3月15日 第02版\n\n衢州小哥驿站揭牌\n本报讯 柯城区今年建成小哥驿站6家。\n", encoding="utf-8")
    docs, _ = read_file(page)
    assert (docs[0].issue_date, docs[0].date_source) == (dt.date(2024, 3, 15), "masthead")


def test_manifest_date_wins(tmp_path):
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,date,source,url\n000_64fa456c5d228954.txt,2021-08-03,浙江工人日报,http://x/1\n", encoding="utf-8")
    docs, _ = read_file(PAGE, read_manifest(manifest))
    assert (docs[0].issue_date, docs[0].date_source, docs[0].url) == (dt.date(2021, 8, 3), "manifest", "http://x/1")


def test_html_page_title_body_and_no_scripts(tmp_path):
    path = tmp_path / "a.html"
    path.write_text("""<html><head><title>站点 - 吴兴新闻</title><meta name="date" content="2021-08-18">
        <script>var x = "新建工会999家";</script></head><body><nav>首页 | 新闻</nav>
        <h1>吴兴用“三朵云”提升产业工人获得感</h1><div><p>本报讯 记者程雪报道 今年春天,吴兴区总工会开展了5场直播活动<b>,参加招聘活动10万余人次。</p>
        <p>未闭合的段落<div>更多</body></html>""", encoding="utf-8")
    docs, _ = read_file(path)
    assert docs[0].title == "吴兴用“三朵云”提升产业工人获得感"
    assert docs[0].issue_date == dt.date(2021, 8, 18)
    assert "999" not in docs[0].text and "首页" not in docs[0].text
    got = facts(path)
    assert [(m, int(v), p) for m, _, v, p, _ in got] == [("activities", 5, "吴兴区"), ("people_served", 100000, "吴兴区")]
    assert {i for *_, i in got} == {"三朵云"}


def test_jsonl_records_and_a_broken_line(tmp_path):
    path = tmp_path / "feed.jsonl"
    good = {"id": "a1", "date": "2021-08-02", "title": "宁波工会“两基”工作跑出加速度", "text": "今年1—6月,宁波全市新建工会1059家,发展会员10万人。", "url": "http://x/a1"}
    other = {"id": "a2", "date": "2024-05-06", "title": "安吉幸福驿站", "text": "截至目前,安吉县总工会共建103家幸福驿站。"}
    path.write_text(json.dumps(good, ensure_ascii=False) + "\n{broken json\n" + json.dumps(other, ensure_ascii=False) + "\n", encoding="utf-8")
    docs, warnings = read_file(path)
    assert [d.doc for d in docs] == ["feed#a1", "feed#a2"]
    assert [d.issue_date for d in docs] == [dt.date(2021, 8, 2), dt.date(2024, 5, 6)]
    assert len(warnings) == 1 and warnings[0].startswith("line 2:")
    got = facts(path)
    assert [(m, k, int(v), p, i) for m, k, v, p, i in got] == [
        ("service_sites", "total", 103, "安吉县", "幸福驿站"),
        ("union_members", "increment", 100000, "宁波市", "两基"),
        ("union_orgs", "increment", 1059, "宁波市", "两基")]


def test_epaper_file_date_from_its_trailing_line(tmp_path):
    path = tmp_path / "epaper.txt"
    path.write_text("\n".join([
        "浙江工人日报 数字报纸", "00001版:一版要闻", "“产改”进行时", "吴兴用“三朵云”提升产业工人获得感",
        "本报讯 通讯员王一 记者程雪报道 今年春天,吴兴区总工会开展了5场直播活动。(下转第4版)",
        "浙江工人日报 一版要闻 00001 吴兴用“三朵云”提升产业工人获得感 2021-08-18 2 2021年8月18日 星期三"]), encoding="utf-8")
    docs, _ = read_file(path)
    assert (docs[0].source_format, docs[0].issue_date) == ("epaper", dt.date(2021, 8, 18))
    assert [(m, int(v), p, i) for m, _, v, p, i in facts(path)] == [("activities", 5, "吴兴区", "产改")]  # the kicker


@pytest.mark.parametrize("url, date", [
    ("https://epaper.zjgrrb.com/html/2016-02/02/content_2536575.htm?div=-1", dt.date(2016, 2, 2)),
    ("http://x.cn/paper/20230412/page_01.htm", dt.date(2023, 4, 12)),
    ("http://fengrenji.yjxww.com/jujiao/2023/0412/2204.html", dt.date(2023, 4, 12)),
    ("https://zjftu.org/page/zj_xwzx/2025-12-26/43714840085028954.html", dt.date(2025, 12, 26)),
    ("http://news.cnnb.com.cn/system/2007/02/06/005245328.shtml", dt.date(2007, 2, 6)),
    ("http://x.cn/html/202304/12/c.htm", dt.date(2023, 4, 12)),
    ("https://hy960.com/article/2333", None),                    # an id, not a date
    ("http://x.cn/2023-13-45/a.html", None),                     # no such day
    ("http://x.cn/2099-01-01/a.html", None),                     # not a plausible issue date
    ("http://x.cn/a.html?d=2023-04-12", None),                   # the path only
    (None, None),
])
def test_issue_date_from_a_url(url, date):
    assert url_date(url) == date


def test_manifest_url_dates_an_undated_row(tmp_path):
    page = tmp_path / "p.txt"
    page.write_text("本报讯 今年以来,宁波市新建工会12家。\n", encoding="utf-8")
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,date,source,url\np.txt,,钱江晚报,http://x.cn/jujiao/2023/0412/2204.html\n", encoding="utf-8")
    docs, _ = read_file(page, read_manifest(manifest))
    assert (docs[0].issue_date, docs[0].date_source, docs[0].paper) == (dt.date(2023, 4, 12), "url", "钱江晚报")


def test_a_page_with_numbers_but_no_facts_says_so(tmp_path):
    page = tmp_path / "p.txt"
    page.write_text("本报讯 记者张三报道 近日，杭州市总工会举行第3届职工运动会，2位领导出席。\n", encoding="utf-8")
    assert process_file(str(page)).warnings == ["no facts: 1 number found in its 1 article, and no metric rule matched it"]


@pytest.mark.parametrize("head, body_line, paper", [
    ("<title>海上工会覆盖远洋渔船_舟山新闻网</title>", "发布时间：2023-06-18 来源：舟山日报", "舟山日报"),
    ("<title>海上工会覆盖远洋渔船_舟山新闻网</title>", "发布时间：2023-06-18", "舟山新闻网"),
    ('<meta property="og:site_name" content="中国宁波网"><title>海上工会覆盖远洋渔船</title>', "", "中国宁波网"),
    ("<title>海上工会覆盖远洋渔船</title>", "资金来源：市总工会", "浙江工人日报"),  # not a 来源 line of its own
])
def test_a_web_page_names_its_publisher(tmp_path, head, body_line, paper):
    page = tmp_path / "news.html"
    page.write_text(f"<html><head>{head}</head><body><h1>海上工会覆盖远洋渔船</h1><div>{body_line}</div>"
                    "<p>全市已在126艘远洋渔船上建立“海上工会”。</p></body></html>", encoding="utf-8")
    docs, _ = read_file(page)
    assert docs[0].paper == paper
