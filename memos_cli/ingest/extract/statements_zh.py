"""First-person statements in Chinese -> preference and fact candidates, with the same
attributes as the English rules (statements.py), so resolution treats both alike: a
preference's object, polarity and kind; a single-valued fact's slot and value. Slot names and
relationship values are the English ones, so "我结婚了" and "I got married" are one subject.

A sentence ends at 。！？；!?; or a line break and is read clause by clause (，,). A clause
speaks for the user when it says 我 before the verb, or opens the sentence's later clauses
after a clause that did ("我住在成都，很喜欢吃火锅"). Questions (？, 吗) state nothing.
"""

from __future__ import annotations

import re
from datetime import datetime

from memos_cli.ingest.extract.dates_zh import (
    annotate_dates_zh,
    chinese_number,
    has_relative_date_zh,
)
from memos_cli.ingest.extract.statements import Statement

_SENTENCE_END = re.compile(r"(?<=[。！？；!?;…])|\n+")
_CLAUSE = re.compile(r"[，,、：:]")
_HAN = re.compile(r"[\u4e00-\u9fff]")

# Words that may stand between 我 and the verb without changing who does what.
_ADV = (r"(?:现在|如今|已经|还是|一直|真的|其实|也|都|特别|非常|很|超级|超|挺|比较|越来越|开始|"
        r"渐渐|最近|从小就|从小|就|还|又|可|蛮|好|本来|原来|曾经|以前|平时|一向|向来|确实|实在|"
        r"十分|相当|尤其|更加|更|最|真|倒是|反而)")
_ADVS = _ADV + "*"
_ME = r"(?:我|^)"
_NEG = (r"(?:一点也不|一点都不|一点儿也不|再也不|并不|从来不|从不|根本不|已经不|不再|不太|不怎么|"
        r"没那么|不大|不)")
# Not "我最喜欢的照片": a noun phrase, not a statement of taste.
# Longer words first: 爱上了 is not 爱 + 上了.
_LIKE = r"(?:喜欢|爱上了|爱上|迷上了|迷上|爱吃|爱喝|热爱|偏好|偏爱|钟爱|喜爱|酷爱|享受|爱)(?!的)"
# Ending a habit: 戒掉咖啡, 不再打篮球, 放弃了钢琴.
_QUIT = r"(?:戒掉了|戒掉|戒了|放弃了|放弃|不再|再也不|停止了|停止|已经不)"
# The verb of doing that comes with an activity's object: 打篮球, 看恐怖片, 弹钢琴.
_DOING = r"(?:吃|喝|玩|打|看|听|踢|弹|做|去|练|跳|唱|逛)"
_DISLIKE = r"(?:讨厌|受不了|受够了|不能忍受|忍受不了|厌恶|反感|烦透了|恨|害怕|怕)"


def _p(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


# (pattern, polarity, kind): the object is group `obj`, a favourite's category `what`.
_NUMBER = r"[0-9]{1,3}|[一二两三四五六七八九十百]{1,4}"
_PREFERENCES: list[tuple[re.Pattern[str], str, str]] = [
    # The object said first: "奶茶我现在一口都不喝了", "足球比赛我早就不看了".
    (_p(r"^(?P<obj>[^，,。我]{1,10}?)我" + _ADVS + r"(?:一口都不|一点都不|早就不|再也不|不再|已经不"
        r"|都不|也不|不)" + _DOING + r"了"), "-", "likes"),
    (_p(_ME + _ADVS + r"对(?P<obj>[^，,。]{1,12}?)(?:没有?(?:什么)?兴趣|不(?:太|再)?感兴趣"
        r"|失去(?:了)?兴趣)"), "-", "likes"),
    (_p(_ME + _ADVS + r"对(?P<obj>[^，,。]{1,12}?)" + _ADVS + r"感兴趣"), "+", "likes"),
    (_p(r"我.{0,4}?(?:好几年|好久|很久|几年|多年|好几个月)(?:都)?没(?:再)?" + _DOING
        + r"(?P<obj>[^，,。]+?)了"), "-", "likes"),
    # A habit: "周末我总是去钓鱼".
    (_p(r"我" + _ADVS + r"(?:总是|经常|常常|每天|每周|天天|老是|一有空就)" + _DOING
        + r"(?P<obj>[^，,。]+)"), "+", "likes"),
    # "我是个游戏迷": a fan of it.
    (_p(r"我(?:是)?(?:个|一个|一名)?(?P<obj>[\u4e00-\u9fff]{1,6}?)(?:迷|粉丝|爱好者)"), "+",
     "likes"),
    (_p(_ME + _ADVS + r"最(?:喜欢|爱)的(?P<what>[^，,。是]{1,8}?)(?:就是|是|要数|当属)(?P<obj>.+)"),
     "+", "favourite"),
    (_p(_ME + _ADVS + r"(?:对|吃|喝)?(?P<obj>[^，,。对]{1,12}?)过敏"), "-", "allergy"),
    (_p(_ME + _ADVS + _NEG + _ADVS + _LIKE + r"(?P<obj>.+)"), "-", "likes"),
    (_p(_ME + _ADVS + _DISLIKE + r"(?P<obj>.+)"), "-", "likes"),
    (_p(_ME + _ADVS + r"(?:不再|从不|从来不|已经不|不)(?:吃|喝)(?P<obj>.+)"), "-", "likes"),
    (_p(_ME + _ADVS + _QUIT + _DOING + r"?(?P<obj>.+)"), "-", "likes"),
    # "现在能吃香菜了": what could not be eaten now can.
    (_p(_ME + _ADVS + r"(?:能|可以|敢|开始)(?:吃|喝)(?P<obj>[^，,。]+?)了"), "+", "likes"),
    (_p(_ME + r"(?:是|吃)(?P<obj>素食者|素食主义者|纯素食者|素)(?:的|了)?$"), "+", "diet"),
    (_p(_ME + _ADVS + _LIKE + r"(?P<obj>.+)"), "+", "likes"),
]

_NAME = r"(?P<v>[\u4e00-\u9fff]{2,4}|[A-Za-z][A-Za-z .'-]{0,30})"
_BEFORE_VERB = r"[^，,。不没想要]{0,8}?"  # time words and adverbs: 上个月, 去年刚
# (pattern, slot): single-valued facts a newer statement replaces; the value is group `v`.
_SLOTS: list[tuple[re.Pattern[str], str]] = [
    (_p(r"我(?:的名字|名字)?(?:叫|是)?(?:叫做|叫)" + _NAME + r"$"), "name"),
    (_p(r"我的名字是" + _NAME + r"$"), "name"),
    (_p(r"我" + _BEFORE_VERB + r"(?:搬家到|搬家去|搬到|搬去|搬来|迁到|迁居|移居)(?:了)?(?:到)?"
        r"(?P<v>.+)"), "home"),
    (_p(r"(?:我|^)" + _BEFORE_VERB + r"(?:住在|住|定居在|定居|生活在)(?P<v>.+)"), "home"),
    (_p(r"我家(?:住)?在(?P<v>.+)"), "home"),
    (_p(r"(?:我|^)" + _BEFORE_VERB + r"在(?P<v>[^，,。在]{1,20}?)(?:生活|居住|定居|安家)"), "home"),
    (_p(r"我来自(?P<v>.+)"), "home"),
    (_p(r"我是(?P<v>[\u4e00-\u9fff]{2,6}?)人$"), "home"),
    (_p(r"(?:我|^)" + _BEFORE_VERB + r"在(?P<v>[^，,。在]{1,20}?)(?:工作|上班|实习|任职)"),
     "employer"),
    (_p(r"我" + _BEFORE_VERB + r"(?:入职|加入|跳槽到|跳槽去|进了)(?:了)?(?P<v>.+?)(?:公司)?$"),
     "employer"),
    (_p(r"我的(?:工作|职业)是(?:一名|一个|一位|名|个)?(?P<v>.+)"), "job"),
    (_p(r"我(?:现在)?是(?:一名|一个|一位|名|位|个)(?P<v>.+)"), "job"),
    # "现在当老师": a job word (老师, 程序员, 医生, 律师, 护士, 作家...) after 当 or 做.
    (_p(r"(?:我|^)" + _BEFORE_VERB + r"(?:当上了|当上|当了|当|做了|成为了|成为|成了)"
        r"(?:一名|一个|一位|名|个)?(?P<v>[\u4e00-\u9fff]{1,5}(?:师|员|生|家|工|者|士|官|匠|手))"
        r"(?:了)?[。！!]?$"), "job"),
    (_p(r"我(?:今年|现在|已经)?(?P<v>[0-9]{1,3}|[一二两三四五六七八九十百]{1,4})(?:周)?岁"), "age"),
    (_p(r"我" + _BEFORE_VERB + r"满(?P<v>[0-9]{1,3}|[一二两三四五六七八九十百]{1,4})(?:周)?岁"),
     "age"),
    (_p(r"我" + _BEFORE_VERB + r"过(?:了)?(?P<v>" + _NUMBER + r")(?:周)?岁(?:的)?生日"), "age"),
]

# (pattern, value) for relationship status; a 没/不/想/要 before the verb says it did not
# happen (yet), which _negated catches.
_RELATIONSHIP: list[tuple[re.Pattern[str], str]] = [
    (_p(r"我.{0,10}?离婚"), "divorced"),
    (_p(r"我.{0,10}?订婚"), "engaged"),
    (_p(r"我.{0,10}?分手"), "single"),
    (_p(r"我.{0,10}?(?:结婚|成家|嫁给|娶了)"), "married"),
    (_p(r"我.{0,4}?(?:是)?单身"), "single"),

    (_p(r"我.{0,6}?(?:有|交了)(?:一个)?(?:女朋友|男朋友|对象)|我.{0,4}?(?:在谈恋爱|谈恋爱了"
        r"|谈了(?:个|一个)?(?:恋爱|对象|女朋友|男朋友)|脱单)"), "in a relationship"),
]
# Said with a negation, and meaning just that: "我没有对象".
_NO_PARTNER = _p(r"^我(?:还|目前|现在)?(?:没有|没)(?:对象|女朋友|男朋友|男友|女友)")
_NEGATED = re.compile(r"没|不|还未|未|想|要|打算|准备|计划|希望|如果|会不会")

# Other first-person facts: family, pets, possessions, health, plans, events, activities.
_FACT = _p(
    r"我(?:的|家)?(?:妻子|老婆|太太|丈夫|老公|先生|儿子|女儿|孩子|宝宝|妈妈|母亲|妈|爸爸|父亲|爸"
    r"|父母|爷爷|奶奶|外公|外婆|姥姥|哥哥|姐姐|弟弟|妹妹|男朋友|女朋友|对象|未婚妻|未婚夫|朋友"
    r"|闺蜜|同事|老板|室友|狗|猫|宠物|狗狗|猫咪|家人|生日|膝盖|腰|腿|背|医生|车|房子|公司|学校"
    r"|团队|项目|目标|梦想|计划|爱好)"
    r"|我.{0,6}?(?:打算|计划|准备|想要|要去|正在|开始|学会|参加|去了|买了|看了|读了|完成|加入"
    r"|领养|收养|养了|毕业|辞职|退休|生了|跑了|参观|旅行|旅游|学习|报名|丢了|失去|赢了|获得|拿到"
    r"|认识了|做了|画了|写了|拍了|搬|换了|找到|开了|创业|受伤|生病|住院|考上|考了|去过|回了)"
)

_OBJECT_END = re.compile(r"[，,。！!？?；;、（(]|因为|所以|但是|但|可是|不过|而且|而不是|然后|比如"
                         r"|例如|特别是|尤其是|还有|和我|跟我")
_OBJECT_LEAD = re.compile(r"^(?:吃|喝|去|的|这种|那种|这个|那个|这些|那些|这家|那家|一切|所有的?)+")
_OBJECT_TAIL = re.compile(r"(?:了|啦|的|呀|啊|哦|呢|吧|哈|嘛|喽|咯|呐|现在|这些天|最近|了现在"
                          r"|的东西|的食物|的菜|东西|一点|多了|极了|死了|得很|得要命)+$")
_VALUE_END = re.compile(r"[，,。！!？?；;、（(\s]|的|了|去|来|工作|上班|生活|住|因为|已经|快|有"
                        r"|附近")


def _clean_object(obj: str) -> str:
    obj = _OBJECT_END.split(obj, maxsplit=1)[0].strip()
    obj = _OBJECT_LEAD.sub("", obj)
    if len(obj) >= 3 and re.match(_DOING, obj):  # 打篮球 is 篮球; 看书 stays whole
        obj = obj[1:]
    obj = _OBJECT_TAIL.sub("", obj).strip(" \"'“”‘’「」")
    return obj if 0 < len(obj) <= 20 else ""


def _clean_value(value: str) -> str:
    value = _VALUE_END.split(value.strip(), maxsplit=1)[0].strip(" \"'“”")
    return value if 0 < len(value) <= 20 else ""


def _is_question(clause: str) -> bool:
    return clause.endswith(("？", "?", "吗", "么")) or clause.rstrip("？?").endswith(("吗", "呢"))


def _preference(clause: str) -> dict[str, str] | None:
    for pattern, polarity, kind in _PREFERENCES:
        match = pattern.search(clause)
        if match:
            obj = _clean_object(match["obj"])
            if kind == "diet":
                obj = "vegetarian"
            if obj:
                attributes = {"object": obj, "polarity": polarity, "kind": kind}
                if kind == "favourite":
                    attributes["category"] = _clean_object(match["what"]) or match["what"]
                return attributes
    return None


def _slot(clause: str) -> dict[str, str] | None:
    for pattern, slot in _SLOTS:
        match = pattern.search(clause)
        if not match:
            continue
        value = match["v"].strip() if slot == "name" else _clean_value(match["v"])
        if slot == "age":
            number = chinese_number(value)
            value = str(number) if number is not None and 0 < number < 130 else ""
        if slot == "job" and re.search(r"的|人$|很|不|个", value):
            value = ""  # "我是一个很喜欢运动的人" describes, it names no job
        if value:
            return {"slot": slot, "value": value}
    for pattern, status in _RELATIONSHIP:
        match = pattern.search(clause)
        if match and not _NEGATED.search(match.group()):
            return {"slot": "relationship_status", "value": status}
    if _NO_PARTNER.search(clause):
        return {"slot": "relationship_status", "value": "single"}
    return None


# "我妈妈住在南京" speaks of the mother: neither a preference nor a slot of the user's.
_SOMEONE_ELSE = re.compile(
    r"^我的?(?:妈妈|母亲|妈|爸爸|父亲|爸|父母|爷爷|奶奶|外公|外婆|姥姥|姥爷|哥哥|姐姐|弟弟|妹妹|男朋友"
    r"|女朋友|男友|女友|对象|老婆|老公|妻子|丈夫|太太|先生|儿子|女儿|孩子|朋友|同事|老板|室友|闺蜜"
    r"|家人|邻居|同学)")


def _classify(clause: str) -> tuple[str, dict[str, str]] | None:
    if _SOMEONE_ELSE.search(clause):
        return ("fact", {}) if _FACT.search(clause) else None
    preference = _preference(clause)
    if preference is not None:
        return "preference", preference
    slot = _slot(clause)
    if slot is not None:
        return "fact", slot
    if _FACT.search(clause) or (has_relative_date_zh(clause) and "我" in clause):
        return "fact", {}
    return None


def find_statements_zh(text: str, said: datetime | None) -> list[Statement]:
    """Every preference and fact the user states about themself in the Chinese sentences of
    one message."""
    found: list[Statement] = []
    for sentence in _SENTENCE_END.split(text):
        sentence = sentence.strip()
        if len(sentence) < 3 or not _HAN.search(sentence) or "我" not in sentence:
            continue
        found.extend(_sentence_statements(sentence, said))
    return found


def _sentence_statements(sentence: str, said: datetime | None) -> list[Statement]:
    clauses = [c.strip() for c in _CLAUSE.split(sentence) if c.strip()]
    keyed: list[tuple[int, tuple[str, dict[str, str]]]] = []
    speaking = False  # the sentence's subject so far is the user
    fact_anywhere = False
    for index, clause in enumerate(clauses):
        if "我" in clause:
            speaking = True
        elif re.match(r"^(?:[他她它你您]|[A-Za-z])", clause):
            speaking = False  # someone else is the subject from here on
        if not speaking or _is_question(clause):
            continue
        statement = _classify(clause)
        if statement is None:
            continue
        if statement[1]:
            keyed.append((index, statement))
        else:
            fact_anywhere = True
    if not keyed:
        if not fact_anywhere:
            return []
        return [Statement("fact", annotate_dates_zh(sentence, said), {})]
    found: list[Statement] = []
    for number, (index, (kind, attributes)) in enumerate(keyed):
        end = keyed[number + 1][0] if number + 1 < len(keyed) else len(clauses)
        start = 0 if number == 0 else index
        text = "，".join(clauses[start:end])
        found.append(Statement(kind, annotate_dates_zh(text, said), attributes))
    return found
