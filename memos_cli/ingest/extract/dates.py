"""Relative dates ("yesterday", "last week", "3 days ago") resolved against when it was said.

The expression stays as the user said it, followed by the absolute date in parentheses, so both
"yesterday" and "7 May 2023" find the memory again.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "a couple of": 2, "a few": 3}

_PATTERN = re.compile(
    r"\b(?P<expr>"
    r"the day before yesterday|the day after tomorrow|yesterday|today|tonight|tomorrow"
    r"|this (?:morning|afternoon|evening)|last night"
    r"|(?:last|this|next) (?:week|weekend|month|year|summer|winter|spring|fall|autumn)"
    r"|(?:last|this|next|on|by) (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
    r"|(?P<count>\d+|a couple of|a few|an?|one|two|three|four|five|six|seven|eight|nine|ten)"
    r" (?P<unit>day|week|month|year)s? ago"
    r")\b",
    re.IGNORECASE,
)


def day_text(moment: datetime) -> str:
    """'7 May 2023': the form people and questions use."""
    return f"{moment.day} {moment.strftime('%B %Y')}"


def _month_text(moment: datetime) -> str:
    return moment.strftime("%B %Y")


def shift_months(moment: datetime, months: int) -> datetime:
    index = moment.year * 12 + moment.month - 1 + months
    return moment.replace(year=index // 12, month=index % 12 + 1, day=1)


def _weekday(moment: datetime, name: str, direction: str, ahead: bool) -> datetime:
    target = _WEEKDAYS.index(name)
    delta = (moment.weekday() - target) % 7
    if direction == "next" or (ahead and direction in ("on", "by", "this")):
        return moment + timedelta(days=(target - moment.weekday()) % 7 or 7)
    if direction == "this":
        return moment + timedelta(days=target - moment.weekday())
    # Said of the past, "on Monday" is the last one; of what is to come (`ahead`), the next.
    return moment - timedelta(days=delta or 7)


def resolve_expression(expr: str, said: datetime, count: str | None = None,
                       unit: str | None = None, ahead: bool = False) -> str:
    """The absolute date an expression stands for, said at `said`; `ahead` when the
    statement speaks of what is to come (a plan, a reminder)."""
    words = expr.lower()
    if unit:
        n = int(count) if count and count.isdigit() else _NUMBERS.get((count or "a").lower(), 1)
        unit = unit.lower()
        if unit == "day":
            return day_text(said - timedelta(days=n))
        if unit == "week":
            return "the week of " + day_text(said - timedelta(weeks=n))
        if unit == "month":
            return _month_text(shift_months(said, -n))
        return str(said.year - n)
    fixed = {
        "the day before yesterday": -2, "yesterday": -1, "last night": -1, "today": 0,
        "tonight": 0, "this morning": 0, "this afternoon": 0, "this evening": 0, "tomorrow": 1,
        "the day after tomorrow": 2,
    }
    if words in fixed:
        return day_text(said + timedelta(days=fixed[words]))
    direction, _, what = words.partition(" ")
    if what in _WEEKDAYS:
        return day_text(_weekday(said, what, direction, ahead))
    step = {"last": -1, "this": 0, "next": 1, "by": 0}[direction]
    if what in ("week", "weekend"):
        start = said - timedelta(days=said.weekday()) + timedelta(weeks=step)
        if what == "weekend":
            return "the weekend of " + day_text(start + timedelta(days=5))
        return "the week of " + day_text(start)
    if what == "month":
        return _month_text(shift_months(said, step))
    if what == "year":
        return str(said.year + step)
    return f"{what} {said.year + step}"  # seasons


def annotate_dates(text: str, said: datetime | None, ahead: bool = False) -> str:
    """The text with each relative date followed by its absolute date in parentheses."""
    if said is None:
        return text

    def replace(match: re.Match[str]) -> str:
        resolved = resolve_expression(match["expr"], said, match["count"], match["unit"],
                                      ahead)
        return f"{match['expr']} ({resolved})"

    return _PATTERN.sub(replace, text)


def has_relative_date(text: str) -> bool:
    return _PATTERN.search(text) is not None
