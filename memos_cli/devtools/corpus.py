"""A generated memos JSONL chat corpus with realistic message lengths, for the benchmarks.

Lengths follow LoCoMo's dialogue turns (mean about 23 words, 3 to 80): users write short
messages with first-person statements now and then; assistants answer at more length.
Conversations are interleaved in the file, as in a real export sorted by time.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

_SUBJECTS = ["the project", "my sister", "the new job", "our trip", "the garden", "my dog",
             "the apartment", "dinner tonight", "the marathon", "my thesis", "the concert",
             "the kids", "work", "the weekend", "the car", "my knee", "the book club", "rent"]
_STATEMENTS = [
    "I like {x}", "I really love {x}", "I don't like {x}", "I'm allergic to {x}",
    "my favourite food is {x}", "I live in {place}", "I work at {org}", "I went to {place} "
    "yesterday", "I'm planning to visit {place} next month", "my brother moved to {place} "
    "last week", "I started learning {x} this morning", "I have a cat named {name}",
    "I'll choose {org}", "I hate {x}", "I prefer {x} over {y}",
]
_THINGS = ["spicy food", "green tea", "jazz", "hiking", "board games", "sushi", "running",
           "peanuts", "coffee", "the piano", "oil painting", "yoga", "cold weather", "pottery",
           "sci-fi novels", "cycling", "dark chocolate", "gardening", "photography", "chess"]
_PLACES = ["Lisbon", "Osaka", "Berlin", "Toronto", "Nairobi", "Lima", "Hanoi", "Oslo", "Austin",
           "Kraków", "Seoul", "Denver", "Porto", "Melbourne", "Accra", "Quito"]
_ORGS = ["a bakery", "the city hospital", "a design studio", "a startup", "the library",
         "7 Days Inn", "a law firm", "the museum", "a school", "Hilton"]
_NAMES = ["Mochi", "Pixel", "Luna", "Biscuit", "Otto", "Nova", "Pepper", "Ziggy"]
_FILLER = ("so anyway it has been a pretty busy week with lots going on and I keep thinking "
           "about how to balance everything better maybe with a bit more planning and some "
           "rest in between because honestly the last few days felt really long and tiring "
           "but also kind of good in a way since a few things finally worked out after all "
           "that effort we put in together over the past months").split()
_ANSWER = ("that sounds like a good plan and it might help to write down the next steps so "
           "you can see progress each day also remember to take breaks and ask for help when "
           "you need it because small steps add up over time and it is completely normal to "
           "feel that way when so many things happen at once let me know how it goes and if "
           "you want I can suggest a few ideas or a simple schedule to make it easier").split()


# The same shapes in Chinese: LoCoMo's Chinese turns average about 42 characters (2 per word).
_STATEMENTS_ZH = [
    "我喜欢{x}", "我特别爱{x}", "我不喜欢{x}", "我对{x}过敏", "我最喜欢的食物是{x}",
    "我住在{place}", "我在{org}工作", "我昨天去了{place}", "我打算下个月去{place}",
    "我哥哥上周搬到了{place}", "我今天早上开始学{x}", "我养了一只猫，叫{name}", "我选{org}",
    "我讨厌{x}", "比起{y}我更喜欢{x}",
]
_THINGS_ZH = ["吃辣", "绿茶", "爵士乐", "徒步", "桌游", "寿司", "跑步", "花生", "咖啡", "钢琴",
              "油画", "瑜伽", "冷天", "陶艺", "科幻小说", "骑行", "黑巧克力", "园艺", "摄影",
              "下棋"]
_PLACES_ZH = ["成都", "杭州", "广州", "北京", "上海", "西安", "重庆", "厦门", "昆明", "大连",
              "青岛", "苏州", "南京", "武汉", "长沙", "哈尔滨"]
_ORGS_ZH = ["一家面包店", "市医院", "一家设计工作室", "一家创业公司", "图书馆", "7天酒店",
            "一家律所", "博物馆", "一所学校", "希尔顿"]
_FILLER_ZH = list("这周真的挺忙的事情一件接一件我一直在想怎么把时间安排得更好一点也许多做点计划中间"
                  "再留些休息因为说实话最近几天过得特别漫长也很累不过某种程度上也还不错毕竟我们一起"
                  "努力了好几个月之后有几件事终于有了结果")
_ANSWER_ZH = list("听起来是个好计划把接下来的步骤写下来可能会有帮助这样你每天都能看到进展也记得适当"
                  "休息需要的时候就开口求助因为一小步一小步积累起来就会很可观同时发生这么多事情有这种"
                  "感觉完全正常告诉我进展如何如果你愿意我可以给你一些建议或者一个简单的日程安排")


def _chars(rng: random.Random, source: list[str], low: int, high: int) -> str:
    count = rng.randint(low, high)
    start = rng.randrange(len(source))
    return "".join(source[(start + i) % len(source)] for i in range(count))


def _user_text_zh(rng: random.Random) -> str:
    if rng.random() < 0.3:
        statement = rng.choice(_STATEMENTS_ZH).format(
            x=rng.choice(_THINGS_ZH), y=rng.choice(_THINGS_ZH), place=rng.choice(_PLACES_ZH),
            org=rng.choice(_ORGS_ZH), name=rng.choice(_NAMES))
        return f"{statement}。{_chars(rng, _FILLER_ZH, 4, 28)}。"
    return f"说到{rng.choice(_PLACES_ZH)}，{_chars(rng, _FILLER_ZH, 8, 56)}。"


def _assistant_text_zh(rng: random.Random) -> str:
    return f"{_chars(rng, _ANSWER_ZH, 12, 100)}。"


def _words(rng: random.Random, source: list[str], low: int, high: int) -> str:
    count = rng.randint(low, high)
    start = rng.randrange(len(source))
    return " ".join(source[(start + i) % len(source)] for i in range(count))


def _user_text(rng: random.Random) -> str:
    subject = rng.choice(_SUBJECTS)
    if rng.random() < 0.3:
        statement = rng.choice(_STATEMENTS).format(
            x=rng.choice(_THINGS), y=rng.choice(_THINGS), place=rng.choice(_PLACES),
            org=rng.choice(_ORGS), name=rng.choice(_NAMES))
        return f"{statement[0].upper()}{statement[1:]}. {_words(rng, _FILLER, 2, 14)}."
    return f"About {subject}, {_words(rng, _FILLER, 4, 28)}."


def _assistant_text(rng: random.Random) -> str:
    return f"{_words(rng, _ANSWER, 6, 52).capitalize()}."


def messages(count: int, seed: int = 7, users: int = 50, open_conversations: int = 40,
             language: str = "en") -> Iterator[dict[str, object]]:
    """`count` one-message-per-line records, conversations interleaved; `language` en or zh."""
    rng = random.Random(seed)
    user_text, assistant_text = ((_user_text_zh, _assistant_text_zh) if language == "zh"
                                 else (_user_text, _assistant_text))
    start = datetime(2024, 1, 1, 8, 0, 0)
    live: list[list[Any]] = []  # [user, conversation, next role index, time]
    made = 0
    conversation_no = 0
    while made < count:
        while len(live) < open_conversations:
            conversation_no += 1
            user = f"user{rng.randrange(users):04d}"
            live.append([user, f"{user}-c{conversation_no:06d}", 0,
                         start + timedelta(hours=conversation_no)])
        slot = rng.randrange(len(live))
        user, conversation, turn, when = live[slot]
        role = "user" if turn % 2 == 0 else "assistant"
        text = user_text(rng) if role == "user" else assistant_text(rng)
        yield {"user_id": user, "conversation_id": conversation, "role": role, "content": text,
               "chat_time": when.strftime("%Y-%m-%d %H:%M:%S"),
               "message_id": f"{conversation}-m{turn}"}
        made += 1
        live[slot][2] = turn + 1
        live[slot][3] = when + timedelta(minutes=rng.randint(1, 9))
        if turn >= rng.randint(6, 40):
            live.pop(slot)


def write_corpus(path: Path, count: int, seed: int = 7, language: str = "en") -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for record in messages(count, seed, language=language):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
