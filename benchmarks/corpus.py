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


def messages(count: int, seed: int = 7, users: int = 50,
             open_conversations: int = 40) -> Iterator[dict[str, object]]:
    """`count` one-message-per-line records, conversations interleaved."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, 8, 0, 0)
    live: list[list[object]] = []  # [user, conversation, next role index, time]
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
        role = "user" if turn % 2 == 0 else "assistant"  # type: ignore[operator]
        text = _user_text(rng) if role == "user" else _assistant_text(rng)
        yield {"user_id": user, "conversation_id": conversation, "role": role, "content": text,
               "chat_time": when.strftime("%Y-%m-%d %H:%M:%S"),  # type: ignore[attr-defined]
               "message_id": f"{conversation}-m{turn}"}
        made += 1
        live[slot][2] = turn + 1  # type: ignore[operator]
        live[slot][3] = when + timedelta(minutes=rng.randint(1, 9))  # type: ignore[operator]
        if turn >= rng.randint(6, 40):  # type: ignore[operator]
            live.pop(slot)


def write_corpus(path: Path, count: int, seed: int = 7) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for record in messages(count, seed):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path
