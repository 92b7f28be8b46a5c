"""Writes the sample files from the conversations below; deterministic, run it to regenerate.

history.jsonl  memos JSONL, both shapes (add-message requests and one message per line)
history.csv    the same kind of data as CSV, for two other users
broken.jsonl   good lines mixed with deliberately broken ones (see the comments there)
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).parent

Turn = tuple[str, str]

# The MemOS add-message examples, then everyday chats. (user, conversation, start, info, tags,
# turns); "I:" marks an image part, "T:" a tool round trip.
CONVERSATIONS: list[tuple[str, str, str, dict[str, object], list[str], list[Turn]]] = [
    ("alice", "alice-trip-guangzhou", "2025-06-03 09:12:00", {"scene": "travel", "biz_id": 1001},
     ["travel"], [
        ("user", "I'm planning a trip to Guangzhou this summer, what chain hotels are available "
                 "for accommodation?"),
        ("assistant", "You can consider 7 Days Inn, Ji Hotel, Hilton, etc."),
        ("user", "I'll choose 7 Days Inn"),
        ("assistant", "Okay, feel free to ask me if you have any other questions."),
        ("user", "How long does the train from Shenzhen to Guangzhou take?"),
        ("assistant", "The high-speed train takes about 30 minutes; regular trains about 1.5 "
                      "hours."),
        ("user", "Great, I prefer the high-speed train."),
        ("assistant", "Noted. Book a few days ahead in summer, as seats sell out."),
        ("user", "What's the weather like there in July?"),
        ("T:get_weather", '{"city": "Guangzhou", "month": "July"}|{"avg_high_c": 33, '
                          '"rain_days": 17, "summary": "hot and humid, frequent showers"}'),
        ("assistant", "Guangzhou in July is hot and humid, around 33°C with frequent showers. "
                      "Pack an umbrella."),
        ("user", "Thanks. My sister is coming with me, she lives in Hong Kong."),
        ("assistant", "Nice! Hong Kong to Guangzhou is about an hour by high-speed train."),
        ("user", "We're going to visit the Canton Tower on the first evening."),
        ("assistant", "The tower's observation deck is best around sunset."),
        ("user", "Perfect. I'll also try the dim sum at a local tea house."),
        ("assistant", "Guangzhou is famous for morning tea; try har gow and char siu bao."),
    ]),
    ("alice", "alice-food", "2025-03-14 19:40:00", {"scene": "chat", "business_type": "food"},
     ["food"], [
        ("user", "I like spicy food"),
        ("assistant", "Got it. Sichuan and Hunan dishes could be a good fit."),
        ("user", "But I don't really like heavy oil, such as spicy hot pot"),
        ("assistant", "Understood: spicy but not greasy. Try steamed fish with chopped chili."),
        ("user", "That sounds good. My favourite vegetable is eggplant."),
        ("assistant", "Yu xiang eggplant could work if it's made with less oil."),
        ("user", "I'm allergic to peanuts, so please keep that in mind."),
        ("assistant", "I'll avoid suggesting dishes with peanuts, like kung pao chicken."),
        ("user", "Can you suggest a dinner for four people?"),
        ("assistant", "Steamed fish, stir-fried greens with garlic, mapo tofu made light, and "
                      "hot and sour soup."),
        ("user", "I cooked mapo tofu yesterday and it was too oily."),
        ("assistant", "Use less oil and a non-stick pan; add the chili oil at the end."),
        ("user", "I love cooking on weekends with my husband."),
        ("assistant", "That's a lovely routine. Want a weekend recipe list?"),
        ("user", "Yes please, something Cantonese."),
        ("assistant", "White cut chicken, steamed scallops with garlic, and clay pot rice."),
    ]),
    ("alice", "alice-work", "2025-09-12 08:00:00", {"scene": "work", "custom_status": "open"},
     ["work"], [
        ("user", "I work at a design studio in Shenzhen as a product designer."),
        ("assistant", "Nice. What are you working on these days?"),
        ("user", "I'm preparing a portfolio review for next Friday."),
        ("assistant", "Start with your strongest case study and keep each one to five slides."),
        ("I:https://example.com/alice/moodboard.png", "Here is my moodboard, what do you think?"),
        ("assistant", "The palette is calm and consistent; the typography could use more "
                      "contrast."),
        ("user", "My boss wants the review in English, which makes me a bit nervous."),
        ("assistant", "Rehearse out loud twice; short sentences help."),
        ("user", "I started taking English classes last month."),
        ("assistant", "That will help. Practise the opening line until it feels natural."),
        ("user", "I prefer presenting in the morning when I'm fresh."),
        ("assistant", "Ask for a 10am slot then."),
    ]),
    ("bob", "bob-running", "2025-08-02 07:30:00", {"scene": "health"}, ["fitness"], [
        ("user", "I ran 5 km this morning and my knees are sore"),
        ("assistant", "Sore knees after a run are common. Did you warm up and stretch?"),
        ("user", "Not really, I just started running last week."),
        ("assistant", "Build up slowly: run three times a week and add 10% distance each week."),
        ("user", "My goal is to run a half marathon next spring."),
        ("assistant", "That's realistic with a 16-week plan. Do you have good running shoes?"),
        ("user", "I bought new running shoes yesterday."),
        ("assistant", "Great. Ice the knees for 15 minutes after runs this week."),
        ("user", "Should I run again tomorrow?"),
        ("assistant", "Rest tomorrow; try an easy 3 km the day after if the pain is gone."),
        ("user", "I hate running on treadmills though."),
        ("assistant", "Outdoor routes on soft surfaces like park paths are easier on knees."),
        ("user", "There's a park near my home with a 2 km loop."),
        ("assistant", "Perfect for easy runs. Two loops at a conversational pace."),
        ("user", "I'm 34 years old, is it too late to get fast?"),
        ("assistant", "Not at all; many runners set personal bests in their late thirties."),
    ]),
    ("bob", "bob-home", "2025-05-20 21:05:00", {"scene": "chat"}, ["home"], [
        ("user", "My name is Bob and I live in Berlin."),
        ("assistant", "Hi Bob! How can I help tonight?"),
        ("user", "I have a dog named Pixel, she is a border collie."),
        ("assistant", "Border collies are clever and need lots of exercise."),
        ("user", "She needs a new harness, what size should I get for 18 kg?"),
        ("T:search_products", '{"query": "dog harness 18 kg", "max_results": 3}|{"error": '
                              '"upstream timeout"}'),
        ("assistant", "The product search timed out. For 18 kg, size M usually fits; measure "
                      "her chest girth to be sure."),
        ("user", "Thanks. I work from home as a software engineer, so I walk her at lunch."),
        ("assistant", "A midday walk is great for both of you."),
        ("user", "I don't like walking in the rain though."),
        ("assistant", "A good rain jacket for you and a towel at the door help."),
        ("user", "My partner Lena usually takes the evening walk."),
        ("assistant", "Sharing the walks keeps everyone happy."),
    ]),
    ("bob", "bob-music", "2025-10-11 18:30:00", {"scene": "hobby", "biz_id": "77"},
     ["music", "hobby"], [
        ("user", "I've been learning the guitar for two years."),
        ("assistant", "Nice! What style do you play?"),
        ("user", "Mostly blues. My favourite guitarist is B.B. King."),
        ("assistant", "His phrasing is a great model. Have you tried his vibrato technique?"),
        ("user", "Yes, it's hard. I practise every evening for thirty minutes."),
        ("assistant", "Consistency matters more than length. Record yourself weekly."),
        ("user", "I went to a blues concert last Saturday with my brother."),
        ("assistant", "Live music is inspiring. Who played?"),
        ("user", "A local band, they were amazing."),
        ("assistant", "Local scenes are underrated."),
        ("user", "I'm thinking of buying a tube amp."),
        ("assistant", "A small 15-watt tube amp is plenty for home."),
    ]),
    ("chen", "chen-study", "2025-02-10 14:00:00", {"scene": "study"}, ["study"], [
        ("user", "I'm a graduate student studying marine biology in Qingdao."),
        ("assistant", "Fascinating field. What's your research on?"),
        ("user", "Coral bleaching. I'm writing my thesis this semester."),
        ("assistant", "How far along are you?"),
        ("user", "I finished the literature review two weeks ago."),
        ("assistant", "Good progress. Methods next?"),
        ("user", "Yes. I need to analyse temperature data in Python."),
        ("assistant", "pandas and xarray handle time series of ocean temperatures well."),
        ("user", "I prefer R for statistics but Python for data cleaning."),
        ("assistant", "Mixing them is common; use feather or parquet to pass data between them."),
        ("user", "My advisor wants a draft by the end of next month."),
        ("assistant", "Plan weekly milestones and send partial drafts early."),
        ("user", "I usually write best late at night."),
        ("assistant", "Protect those hours and keep mornings for analysis."),
    ]),
    ("chen", "chen-diet", "2025-04-01 12:15:00", {"scene": "health", "business_type": "food"},
     ["food", "health"], [
        ("user", "I'm vegetarian, can you suggest a quick lunch?"),
        ("assistant", "A chickpea salad with cucumber, tomato and feta takes ten minutes."),
        ("user", "I don't eat cheese actually, I'm lactose intolerant."),
        ("assistant", "Swap the feta for avocado and add a lemon tahini dressing."),
        ("user", "Sounds great. I love tahini."),
        ("assistant", "Tahini noodles are another quick option."),
        ("user", "I have a cat named Mochi who keeps stealing my food."),
        ("assistant", "Cats are curious! Keep lunch on a covered plate."),
        ("user", "I moved to a new apartment near the university last month."),
        ("assistant", "Congratulations! Is the kitchen better?"),
        ("user", "Yes, it has a gas stove, which I prefer."),
        ("assistant", "Gas stoves are great for stir-fries."),
    ]),
    ("chen", "chen-travel", "2025-11-02 10:00:00", {"scene": "travel"}, ["travel"], [
        ("user", "I want to visit Japan next April for the cherry blossoms."),
        ("assistant", "Early April is peak season in Kyoto and Tokyo. Book early."),
        ("user", "Which is better, Kyoto or Osaka, for a base?"),
        ("assistant", "Kyoto for temples and gardens; Osaka for food and day trips."),
        ("user", "I'll go with Kyoto."),
        ("assistant", "Good choice. Stay near a subway line for easy day trips."),
        ("user", "I'm afraid of flying, so I'd like a short flight."),
        ("assistant", "Qingdao to Osaka Kansai is about two and a half hours."),
        ("user", "I've never been abroad before."),
        ("assistant", "Check your passport validity and apply for the visa early."),
        ("user", "My roommate Yuki is Japanese and will help me plan."),
        ("assistant", "Having a local guide makes it much easier."),
    ]),
]

# Plain daily check-ins that make up the bulk (one message per line), per user.
DAILY = {
    "alice": [
        ("Had a long day at the studio today.", "Sounds tiring. Anything good happen?"),
        ("I finished the mobile app mockups.", "Well done! That's a milestone."),
        ("I went to the gym after work.", "Nice way to unwind."),
        ("I'm reading a book about typography.", "Which one? Some are classics."),
        ("My sister called me this evening.", "Good to keep in touch."),
        ("I feel a bit stressed about the review.", "Try breaking the prep into small tasks."),
    ],
    "bob": [
        ("Pixel chewed my headphones today.", "Oh no! Maybe more chew toys?"),
        ("I ran 3 km easy this morning, knees fine.", "Great sign that recovery worked."),
        ("I played guitar for an hour tonight.", "Nice practice session."),
        ("Work was busy, lots of code reviews.", "Reviews take energy; take a break."),
        ("Lena and I cooked pasta tonight.", "Sounds cosy."),
        ("I'm tired, going to bed early.", "Rest well."),
    ],
    "chen": [
        ("I spent the day in the lab.", "How did the experiments go?"),
        ("The temperature sensors failed again.", "Frustrating. Any spare sensors?"),
        ("Mochi slept on my keyboard all afternoon.", "Cats love warm keyboards."),
        ("I wrote two pages of my thesis tonight.", "Steady progress."),
        ("I had tofu noodles for dinner.", "Healthy choice."),
        ("I'm going hiking with classmates on Sunday.", "Enjoy the fresh air."),
    ],
}


def _time(start: str, minutes: int) -> str:
    moment = datetime.strptime(start, "%Y-%m-%d %H:%M:%S") + timedelta(minutes=minutes)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _messages(conversation: str, start: str, turns: list[Turn]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for i, (role, text) in enumerate(turns):
        when = _time(start, 2 * i)
        if role.startswith("I:"):
            out.append({"role": "user", "chat_time": when, "content": [
                {"type": "text", "text": text},
                {"type": "image_url", "image_url": {"url": role[2:]}}]})
        elif role.startswith("T:"):
            arguments, result = text.split("|", 1)
            call_id = f"call_{conversation}_{i}"
            out.append({"role": "assistant", "content": "", "chat_time": when, "tool_calls": [
                {"id": call_id, "type": "function",
                 "function": {"name": role[2:], "arguments": arguments}}]})
            out.append({"role": "tool", "tool_call_id": call_id, "name": role[2:],
                        "content": result, "chat_time": when})
        else:
            out.append({"role": role, "content": text, "chat_time": when})
    return out


def write_history(path: Path) -> int:
    lines: list[dict[str, object]] = []
    for index, (user, conversation, start, info, tags, turns) in enumerate(CONVERSATIONS):
        messages = _messages(conversation, start, turns)
        common = {"user_id": user, "conversation_id": conversation, "info": info, "tags": tags,
                  "agent_id": "assistant-web", "app_id": "memos-demo"}
        if index % 3 == 2:  # one message per line
            lines.extend({**common, **message} for message in messages)
        else:  # add-message requests of a few messages each, as an app would send them
            for first in range(0, len(messages), 4):
                lines.append({**common, "messages": messages[first:first + 4],
                              "async_mode": False, "allow_public": False})
    for user, chats in DAILY.items():
        for day in range(16):
            start = _time("2025-07-01 21:00:00", day * 24 * 60)
            exchanges = chats[day % len(chats)] + chats[(day + 3) % len(chats)]
            for i, text in enumerate(exchanges):
                lines.append({"user_id": user, "conversation_id": f"{user}-daily-{day:02d}",
                              "role": "user" if i % 2 == 0 else "assistant", "content": text,
                              "chat_time": _time(start, 5 * i), "tags": ["daily"],
                              "info": {"scene": "daily"}})
    with path.open("w", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")
    return sum(len(line.get("messages", [line])) for line in lines)  # type: ignore[arg-type]


CSV_CHATS = [
    ("dana", "dana-support-1", "2025-01-15 10:00:00", "support", [
        ("user", "Hi, I ordered a standing desk last week and it hasn't arrived."),
        ("assistant", "Sorry about that! Could you share the order number?"),
        ("user", "It's 88231. I live in Lyon, France."),
        ("assistant", "Thanks. It's in transit and should arrive Thursday."),
        ("user", "I prefer deliveries in the afternoon, I work mornings at the hospital."),
        ("assistant", "I've added an afternoon delivery note."),
        ("user", "Great.\nAlso, can I change the colour to white?"),
        ("assistant", "The order has shipped, but you can exchange it within 30 days."),
    ]),
    ("dana", "dana-support-2", "2025-02-03 16:20:00", "support", [
        ("user", "The desk arrived, I love it."),
        ("assistant", "Wonderful! Enjoy the new setup."),
        ("user", "My back feels better already."),
        ("assistant", "Alternate sitting and standing every 30 to 45 minutes."),
    ]),
    ("eli", "eli-chat-1", "2025-06-09 08:45:00", "chat", [
        ("user", "I'm learning to bake sourdough bread."),
        ("assistant", "Fun! How is your starter?"),
        ("user", "It's a week old, I named it Bubbles."),
        ("assistant", "Feed it twice a day until it doubles reliably."),
        ("user", "I don't like very sour bread, though."),
        ("assistant", "Use a younger starter and a shorter cold proof."),
        ("user", "My kids love the crust."),
        ("assistant", "Bake in a Dutch oven for a crisp crust."),
    ]),
]


def write_csv(path: Path) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["user_id", "conversation_id", "role", "content", "chat_time",
                         "message_id", "tags", "channel", "business_type"])
        for user, conversation, start, business, turns in CSV_CHATS:
            for i, (role, text) in enumerate(turns):
                writer.writerow([user, conversation, role, text, _time(start, 3 * i),
                                 f"{conversation}-m{i}", "csv;" + business, "web", business])
                count += 1
    return count


def write_broken(path: Path) -> None:
    good = {"user_id": "gina", "conversation_id": "gina-1", "role": "user",
            "chat_time": "2025-05-05 10:00:00"}
    lines: list[bytes] = [
        json.dumps({**good, "content": "I like green tea."}).encode(),
        b'{"user_id": "gina", "conversation_id": "gina-1", "role": "user", "content": "unclosed',
        json.dumps({**good, "content": "I live in Oslo.", "role": "narrator"}).encode(),
        json.dumps({"conversation_id": "gina-1", "role": "user", "content": "no user"}).encode(),
        json.dumps({**good, "content": "nested", "info": {"a": {"b": 1}}}).encode(),
        json.dumps({**good, "content": "bad time", "chat_time": "yesterday-ish"}).encode(),
        b"",
        b'["an", "array", "not", "an", "object"]',
        json.dumps({**good, "content": ""}).encode(),
        b'{"user_id": "gina", "conversation_id": "gina-1", "role": "user", "content": "bad \xff"}',
        json.dumps({**good, "role": "assistant", "content": "Green tea is lovely."}).encode(),
        json.dumps({**good, "content": "I work at a bakery.",
                    "chat_time": "2025-05-05 10:05:00"}).encode(),
    ]
    path.write_bytes(b"\n".join(lines) + b"\n")


if __name__ == "__main__":
    print("history.jsonl:", write_history(HERE / "history.jsonl"), "messages")
    print("history.csv:", write_csv(HERE / "history.csv"), "messages")
    write_broken(HERE / "broken.jsonl")
    print("broken.jsonl: written")
