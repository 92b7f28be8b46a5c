"""Chinese relative dates (昨天, 前天, 上周五, 下个月, 三天前, 去年春节) resolved against when
they were said, as dates.py does for English: the expression stays, followed by the date in
full-width parentheses, "昨天（2023年5月7日）", so both the words and the date find it again.
Future expressions (明天, 下周五) resolve forward, past ones back.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from memos_cli.ingest.extract.dates import shift_months

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6,
           "七": 7, "八": 8, "九": 9}
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_DAY_OFFSETS = {"大前天": -3, "前天": -2, "昨天": -1, "昨晚": -1, "昨日": -1, "今天": 0,
                "今晚": 0, "今早": 0, "今日": 0, "明天": 1, "明晚": 1, "后天": 2, "大后天": 3}
_YEAR_OFFSETS = {"前年": -2, "去年": -1, "今年": 0, "明年": 1, "后年": 2}
_SEASONS = {"春天": "春天", "夏天": "夏天", "秋天": "秋天", "冬天": "冬天", "春节": "春节"}

# The first day of the lunar year (春节), from the Chinese calendar; outside this table the
# expression is resolved to its year only.
_SPRING_FESTIVAL = {
    1990: (1, 27), 1991: (2, 15), 1992: (2, 4), 1993: (1, 23), 1994: (2, 10), 1995: (1, 
    31), 1996: (2, 19), 1997: (2, 7), 1998: (1, 28), 1999: (2, 16), 2000: (2, 5), 2001: (1, 
    24), 2002: (2, 12), 2003: (2, 1), 2004: (1, 22), 2005: (2, 9), 2006: (1, 29), 2007: (2, 
    18), 2008: (2, 7), 2009: (1, 26), 2010: (2, 14), 2011: (2, 3), 2012: (1, 23), 2013: (2, 
    10), 2014: (1, 31), 2015: (2, 19), 2016: (2, 8), 2017: (1, 28), 2018: (2, 16), 2019: 
    (2, 5), 2020: (1, 25), 2021: (2, 12), 2022: (2, 1), 2023: (1, 22), 2024: (2, 10), 2025: 
    (1, 29), 2026: (2, 17), 2027: (2, 6), 2028: (1, 26), 2029: (2, 13), 2030: (2, 3), 2031: 
    (1, 23), 2032: (2, 11), 2033: (1, 31), 2034: (2, 19), 2035: (2, 8), 2036: (1, 28), 
    2037: (2, 15), 2038: (2, 4), 2039: (1, 24), 2040: (2, 12), 2041: (2, 1), 2042: (1, 22), 
    2043: (2, 10), 2044: (1, 30), 2045: (2, 17), 2046: (2, 6), 2047: (1, 26), 2048: (2, 
    14), 2049: (2, 2), 2050: (1, 23)
}

_NUMBER = r"[0-9]+|[零〇一二两三四五六七八九十百]+|几"
_PATTERN = re.compile(
    r"(?P<expr>"
    r"(?P<week>上上|上|这|本|下下|下)(?:个)?(?:周|星期|礼拜)(?P<weekday>[一二三四五六日天])?"
    r"|(?P<month>上上|上|这|本|下下|下)个?月"
    r"|(?P<year>前年|去年|今年|明年|后年)(?P<season>春天|夏天|秋天|冬天|春节)?"
    r"|(?P<count>" + _NUMBER + r")(?:个)?(?P<unit>天|日|周|星期|礼拜|月|年)(?:前|以前|之前)"
    r"|大前天|前天|昨天|昨晚|昨日|今天|今晚|今早|今日|明天|明晚|大后天|后天"
    r")"
)


def chinese_number(text: str) -> int | None:
    """'30', '三十', '二十五', '一百零三', '两' -> int; None for what is not a number."""
    if text.isdigit():
        return int(text)
    if not text or any(ch not in _DIGITS and ch not in "十百" for ch in text):
        return None
    total, current = 0, 0
    for ch in text:
        if ch == "百":
            total += (current or 1) * 100
            current = 0
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        else:
            current = current * 10 + _DIGITS[ch]
    return total + current


def day_text_zh(moment: date) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


_STEPS = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1, "下下": 2}


def _resolve(match: re.Match[str], said: datetime) -> str | None:
    expr = match["expr"]
    if expr in _DAY_OFFSETS:
        return day_text_zh(said + timedelta(days=_DAY_OFFSETS[expr]))
    if match["week"]:
        monday = (said - timedelta(days=said.weekday())) + timedelta(weeks=_STEPS[match["week"]])
        if match["weekday"]:
            return day_text_zh(monday + timedelta(days=_WEEKDAY[match["weekday"]]))
        return f"{day_text_zh(monday)}那一周"
    if match["month"]:
        moment = shift_months(said, _STEPS[match["month"]])
        return f"{moment.year}年{moment.month}月"
    if match["year"]:
        year = said.year + _YEAR_OFFSETS[match["year"]]
        season = match["season"]
        if season == "春节" and year in _SPRING_FESTIVAL:
            month, day = _SPRING_FESTIVAL[year]
            return day_text_zh(date(year, month, day))
        return f"{year}年" + (_SEASONS[season] if season and season != "春节" else "")
    count = 3 if match["count"] == "几" else chinese_number(match["count"])
    if count is None:
        return None
    unit = match["unit"]
    if unit in ("天", "日"):
        return day_text_zh(said - timedelta(days=count))
    if unit in ("周", "星期", "礼拜"):
        return f"{day_text_zh(said - timedelta(weeks=count))}那一周"
    if unit == "月":
        moment = shift_months(said, -count)
        return f"{moment.year}年{moment.month}月"
    return f"{said.year - count}年"


def annotate_dates_zh(text: str, said: datetime | None) -> str:
    if said is None:
        return text

    def replace(match: re.Match[str]) -> str:
        resolved = _resolve(match, said)
        return f"{match['expr']}（{resolved}）" if resolved else match["expr"]

    return _PATTERN.sub(replace, text)


def has_relative_date_zh(text: str) -> bool:
    return _PATTERN.search(text) is not None
