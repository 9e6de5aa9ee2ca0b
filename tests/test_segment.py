import pytest
"""Page → articles on the real bundled pages: boundaries, headings, bylines, boilerplate, repairs."""
from etl.normalise import normalise_chars, repair_lines
from etl.segment import segment


def articles(seed_pages, doc):
    return segment(normalise_chars(seed_pages[doc]))


def test_page_000_articles_and_titles(seed_pages):
    arts = articles(seed_pages, "000_64fa456c5d228954")
    assert [a.title for a in arts] == [
        "开创“基层组建、基层改革”工作新局面",
        "鄞州姜山杨家弄村“冠军墙”火了",
        "衢州努力打造数字机关、数字企业、数字生活",
        "打造一支与“重要窗口”相匹配的高素质产业工人队伍",
        "不一样的技能大赛",  # a photo-news item: no byline, closed by a photographer's credit
    ]
    assert arts[0].headings == ("开创“基层组建、基层改革”工作新局面", "坚持系统观念 强化精准服务", "宁波工会“两基”工作跑出加速度")
    assert arts[0].byline == "记者张浩呈报道"
    assert arts[1].byline == "本报讯 通讯员薛曹盛、余璐报道"
    assert arts[2].byline == "毛朝阳 姚磊报道"


def test_boilerplate_is_dropped(seed_pages):
    text = "\n".join(a.text for a in articles(seed_pages, "000_64fa456c5d228954"))
    for junk in ("ICBC", "95588", "总第11881号", "邮发代号", "新闻服务热线", "辛丑年六月廿四", "杨辉摄", "通讯员王姝芬 摄"):
        assert junk not in text


def test_ocr_line_breaks_are_repaired(seed_pages):
    text = "\n".join(a.text for a in articles(seed_pages, "000_64fa456c5d228954"))
    assert "今年4月,宁波市医养护行业工会联合会成立大会" in text
    assert "等9大类数十项特色服务" in text


def test_a_paragraph_printed_twice_is_kept_once(seed_pages):
    text = "\n".join(a.text for a in articles(seed_pages, "002_65fef8d606b6ab5d"))
    assert text.count("他表示更要高质量完成“琮琤”“莲莲”“宸宸”的玉雕作品为亚运助兴") == 1


def test_markdown_headings_and_caption_between_headline_and_byline(seed_pages):
    arts = articles(seed_pages, "002_65fef8d606b6ab5d")
    assert arts[0].headings == ("“甬”当先锋 举措实在", "宁波江北甬江街道“产改”工作成效显著", "“产改”进行时")
    arts = articles(seed_pages, "001_828d341653809b48")
    assert arts[1].headings == ("设施更完善", "服务更精准安吉幸福驿站", "为新就业形态劳动者", "撑起“健康伞”")
    assert arts[1].byline == "本报讯 记者曹慧桢报道"


def test_repair_keeps_headings_apart():
    lines = ["抓组建", "从“多领域”到“全领域”", "今年4月,宁波市医养护", "", "行业工会联合会成立大会举行。"]
    assert repair_lines(lines) == ["抓组建", "从“多领域”到“全领域”", "今年4月,宁波市医养护行业工会联合会成立大会举行。"]


def test_epaper_article():
    text = "\n".join([
        "浙江工人日报 数字报纸", "00001版:一版要闻", "“产改”进行时",
        "吴兴用“三朵云”提升产业工人获得感",
        "本报讯 通讯员王一 记者程雪报道 今年春天,吴兴区总工会开展了5场直播活动。(下转第4版)",
        "浙江工人日报 一版要闻 00001 吴兴用“三朵云”提升产业工人获得感 2021-08-18 2 2021年8月18日 星期三",
    ])
    [art] = segment(normalise_chars(text))
    assert art.headings == ("“产改”进行时", "吴兴用“三朵云”提升产业工人获得感")
    assert art.byline == "本报讯 通讯员王一 记者程雪报道"
    assert art.text == "今年春天,吴兴区总工会开展了5场直播活动。"


def test_related_news_tail_is_an_article_of_its_own():
    page = ("本报讯 记者王海霞报道 近日,市总工会为750位困难职工送去慰问金。\n"
            "-相关新闻\n"
            "市残联慰问贫困残疾人\n"
            "春节前夕,市残联筹集481万元慰问6321名贫困残疾人。")
    arts = segment(page)
    assert [a.text for a in arts] == ["近日,市总工会为750位困难职工送去慰问金。", "春节前夕,市残联筹集481万元慰问6321名贫困残疾人。"]
    assert arts[1].title == "市残联慰问贫困残疾人"


def test_pinyin_glosses_are_dropped_and_initialisms_kept():
    assert normalise_chars("记者(jìzhě)报道,市总工会发(fā)放慰问金,GDP(国内生产总值)与(ICU)病房") == \
        "记者报道,市总工会发放慰问金,GDP(国内生产总值)与(ICU)病房"


@pytest.mark.parametrize("chrome", [
    "当前位置: 首页> 新闻中心> 工会新闻", "您当前的位置 : 中国宁波网  >  新闻中心  >  宁波",
    "第A7版:宁波新闻·综合 上一版3  4下一版", "发布时间:2021年05月13日", "来源: 2018-11-26 15:22",
    "2018-08-13 08:39:00来源:浙江在线", "《工人日报》(2023年09月22日 02版)", "浙江日报 数字报纸",
    "■撰稿 祝 琳 范裕婷", "发布时间:2024-12-24浏览次数:信息来源:市总工会", "图片由南湖区总工会提供",
    "2021-02-08 07:32:00 稿源: 中国宁波网", "工人日报 2023年09月22日 星期一", "杭州网  发布时间:2014-01-17 07:35",
    "浙江工人日报 2024年3月15日 第02版", "2024年3月15日 星期五 第3版:综合新闻",
])
def test_site_chrome_is_no_headline(chrome):
    [art] = segment(chrome + "\n宁波工会送外来职工平安返乡\n近日,市总工会为130名职工送上返乡补贴。")
    assert (art.title, art.headings) == ("宁波工会送外来职工平安返乡", ("宁波工会送外来职工平安返乡",))
