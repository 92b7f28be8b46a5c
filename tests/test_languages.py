"""Chinese histories: words for BM25, the store's model chosen by language, the Chinese rules
and dates, resolution in either import order, and what the terminal and --json show."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from conftest import HISTORY_ZH, Cli, write_jsonl
from memos_cli.ingest.extract.dates_zh import annotate_dates_zh, chinese_number
from memos_cli.ingest.extract.statements_zh import find_statements_zh
from memos_cli.opening import embedder_for
from memos_cli.text.scripts import cjk_share
from memos_cli.text.segment import bm25_text

SAID = datetime(2025, 5, 13, 10, 0)  # a Tuesday


def words(text: str) -> list[str]:
    return bm25_text(text).split()


def test_chinese_is_cut_into_words_and_characters() -> None:
    found = words("我喜欢吃辣，但是不要太油")
    assert {"喜欢", "吃", "辣", "不要"} <= set(found)
    assert "我" not in found and "但是" not in found  # stop words
    assert "太" in words("麻辣火锅太辣了") and "辣" in words("麻辣火锅太辣了")
    assert {"麻辣", "火锅", "麻辣火锅"} <= set(words("麻辣火锅"))  # search mode: inner words


def test_mixed_text_keeps_latin_words_and_folds_full_width() -> None:
    assert {"Google", "工作", "Python"} <= set(words("我在Google工作，主要写Python"))
    assert words("Ｇｏｏｇｌｅ ２０２５年")[:2] == ["Google", "2025"]
    english = "I like spicy food, don't I?"
    assert bm25_text(english) == english  # English reaches BM25 untouched


def test_kana_and_hangul_become_character_pairs() -> None:
    assert {"東京", "住", "んで", "でい", "いま", "ます"} <= set(words("私は東京に住んでいます"))
    assert {"서울", "울에", "에서"} <= set(words("저는 서울에서 일해요"))


def test_a_new_store_gets_the_model_of_its_language() -> None:
    assert embedder_for(["我喜欢吃辣", "我在 Google 工作，主要写 Python"]) == "multilingual"
    assert embedder_for(["東京に住んでいます", "서울에서 일해요"]) == "multilingual"
    english = ["I like spicy food", "I love 火锅 and dim sum a lot, honestly"]
    assert embedder_for(english) == "default"
    assert embedder_for([]) == "default"
    spanish = ["Hola, me llamo Ana y vivo en Madrid con mi familia desde hace cinco años.",
               "Me encanta la comida picante pero no soporto el aceite de oliva."]
    assert embedder_for(spanish) == "multilingual"  # MiniLM reads English only
    assert cjk_share(["abc"]) == 0.0


@pytest.mark.parametrize(("text", "kind", "attributes"), [
    ("我住在成都", "fact", {"slot": "home", "value": "成都"}),
    ("我上个月搬到了杭州", "fact", {"slot": "home", "value": "杭州"}),
    ("我是四川人", "fact", {"slot": "home", "value": "四川"}),
    ("我在 Google 工作，主要写 Python", "fact", {"slot": "employer", "value": "Google"}),
    ("我是一名医生", "fact", {"slot": "job", "value": "医生"}),
    ("我叫李明", "fact", {"slot": "name", "value": "李明"}),
    ("我今年三十岁", "fact", {"slot": "age", "value": "30"}),
    ("我结婚了", "fact", {"slot": "relationship_status", "value": "married"}),
    ("我是单身", "fact", {"slot": "relationship_status", "value": "single"}),
    ("我和女朋友分手了", "fact", {"slot": "relationship_status", "value": "single"}),
    ("我最喜欢吃寿司了", "preference", {"object": "寿司", "polarity": "+", "kind": "likes"}),
    ("我现在一点也不喜欢吃寿司了", "preference",
     {"object": "寿司", "polarity": "-", "kind": "likes"}),
    ("我讨厌下雨天", "preference", {"object": "下雨天", "polarity": "-", "kind": "likes"}),
    ("我受不了香菜", "preference", {"object": "香菜", "polarity": "-", "kind": "likes"}),
    ("我不吃辣", "preference", {"object": "辣", "polarity": "-", "kind": "likes"}),
    ("我对花生过敏", "preference", {"object": "花生", "polarity": "-", "kind": "allergy"}),
    ("我更喜欢茶而不是咖啡", "preference", {"object": "茶", "polarity": "+", "kind": "likes"}),
    ("我偏好靠窗的座位", "preference", {"object": "靠窗的座位", "polarity": "+", "kind": "likes"}),
    ("我最喜欢的电影是星际穿越", "preference",
     {"object": "星际穿越", "polarity": "+", "kind": "favourite", "category": "电影"}),
    ("我养了一只狗，叫旺财", "fact", {}),
    ("我已经戒掉咖啡了", "preference", {"object": "咖啡", "polarity": "-", "kind": "likes"}),
    ("最近我爱上了跑步", "preference", {"object": "跑步", "polarity": "+", "kind": "likes"}),
    ("我不再打篮球了", "preference", {"object": "篮球", "polarity": "-", "kind": "likes"}),
    ("奶茶我现在一口都不喝了", "preference", {"object": "奶茶", "polarity": "-", "kind": "likes"}),
    ("我对爬山没兴趣了", "preference", {"object": "爬山", "polarity": "-", "kind": "likes"}),
    ("我对爬山很感兴趣", "preference", {"object": "爬山", "polarity": "+", "kind": "likes"}),
    ("周末我总是去钓鱼", "preference", {"object": "钓鱼", "polarity": "+", "kind": "likes"}),
    ("我是个游戏迷", "preference", {"object": "游戏", "polarity": "+", "kind": "likes"}),
    ("我现在能吃香菜了", "preference", {"object": "香菜", "polarity": "+", "kind": "likes"}),
    ("我在深圳生活", "fact", {"slot": "home", "value": "深圳"}),
    ("我家在杭州", "fact", {"slot": "home", "value": "杭州"}),
    ("上周我搬家到了成都", "fact", {"slot": "home", "value": "成都"}),
    ("我是个医生", "fact", {"slot": "job", "value": "医生"}),
    ("我刚过了三十一岁生日", "fact", {"slot": "age", "value": "31"}),
    ("我没有对象", "fact", {"slot": "relationship_status", "value": "single"}),
    ("我最近谈恋爱了", "fact", {"slot": "relationship_status", "value": "in a relationship"}),
])
def test_chinese_statements_have_subjects(text: str, kind: str,
                                          attributes: dict[str, str]) -> None:
    [statement] = find_statements_zh(text, SAID)
    assert (statement.kind, statement.attributes) == (kind, attributes)


@pytest.mark.parametrize("text", [
    "你喜欢寿司吗？", "他住在北京，喜欢寿司", "我还没结婚", "我想结婚", "我是一个很喜欢运动的人",
    "我妈妈住在南京",
    "看看这张我最喜欢的照片！", "嘿 Gina！见到你真高兴。",
])
def test_questions_others_and_wishes_state_nothing_keyed(text: str) -> None:
    assert all(not s.attributes for s in find_statements_zh(text, SAID))


def test_a_later_clause_without_a_subject_still_speaks_for_the_user() -> None:
    found = find_statements_zh("我住在成都，很喜欢吃火锅", SAID)
    assert [s.attributes.get("value") or s.attributes.get("object") for s in found] == [
        "成都", "火锅"]


@pytest.mark.parametrize(("text", "expected"), [
    ("我昨天去了医院", "我昨天（2025年5月12日）去了医院"),
    ("前天下雨了，我没出门", "前天（2025年5月11日）下雨了，我没出门"),
    ("上周五我们见面了", "上周五（2025年5月9日）我们见面了"),
    ("下周五提醒我给妈妈打电话", "下周五（2025年5月23日）提醒我给妈妈打电话"),
    ("下个月我要搬家", "下个月（2025年6月）我要搬家"),
    ("我三天前买了车", "我三天前（2025年5月10日）买了车"),
    ("去年春节我回了老家", "去年春节（2024年2月10日）我回了老家"),
    ("我两年前辞职了", "我两年前（2023年）辞职了"),
])
def test_relative_dates_resolve_against_chat_time(text: str, expected: str) -> None:
    assert annotate_dates_zh(text, SAID) == expected


def test_chinese_numbers() -> None:
    assert [chinese_number(t) for t in ("三十", "二十五", "一百零三", "十", "两", "42", "好")] == [
        30, 25, 103, 10, 2, 42, None]


def say(text: str, when: str, n: int, conversation: str) -> dict[str, Any]:
    return {"user_id": "zh", "conversation_id": conversation, "role": "user", "content": text,
            "chat_time": when, "message_id": f"{conversation}-{n}"}


@pytest.mark.parametrize("newer_first", [False, True], ids=["older-first", "newer-first"])
def test_the_later_chinese_statement_wins_in_either_order(cli: Cli, tmp_path: Path,
                                                          newer_first: bool) -> None:
    older = write_jsonl(tmp_path / "2024.jsonl", [
        say("我住在成都。", "2024-03-01 10:00:00", 1, "c2024"),
        say("我最喜欢吃寿司了！", "2024-03-01 10:05:00", 2, "c2024")])
    newer = write_jsonl(tmp_path / "2025.jsonl", [
        say("我上个月搬到了杭州。", "2025-04-01 10:00:00", 1, "c2025"),
        say("我现在一点也不喜欢吃寿司了。", "2025-04-01 10:05:00", 2, "c2025")])
    for path in ((newer, older) if newer_first else (older, newer)):
        cli.json("import", str(path), "--embedder", "hash")
    everything = cli.json("memories", "list", "--user", "zh", "--include-superseded",
                          "--limit", "100")
    keyed = {m["text"]: m for m in everything if m["memory_type"] in ("fact", "preference")}
    assert keyed["我上个月（2025年3月）搬到了杭州。"]["status"] == "active"
    assert keyed["我现在一点也不喜欢吃寿司了。"]["status"] == "active"
    moved, hated = keyed["我上个月（2025年3月）搬到了杭州。"], keyed["我现在一点也不喜欢吃寿司了。"]
    assert keyed["我住在成都。"]["superseded_by"] == moved["id"]
    assert keyed["我最喜欢吃寿司了！"]["superseded_by"] == hated["id"]
    history = cli.json("memories", "history", hated["id"])
    assert {h["text"] for h in history} == {"我最喜欢吃寿司了！", "我现在一点也不喜欢吃寿司了。"}
    shown = cli("memories", "history", keyed["我住在成都。"]["id"], env={"COLUMNS": "200"})
    assert shown.exit_code == 0 and "我住在成都" in shown.stdout and "杭州" in shown.stdout


def test_json_is_utf8_and_failures_name_chinese_files(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "聊天记录.jsonl"
    path.write_text(json.dumps({"user_id": "zh", "conversation_id": "c", "role": "user",
                                "content": "我喜欢吃辣"}, ensure_ascii=False)
                    + "\n{坏的一行\n", encoding="utf-8")
    result = cli("import", str(path), "--embedder", "hash", "--json")
    assert result.exit_code == 3
    assert "聊天记录.jsonl" in result.stdout and "\\u" not in result.stdout
    assert "聊天记录.jsonl:2" in result.stderr
    failures = Path(json.loads(result.stdout)["failures_file"]).read_text(encoding="utf-8")
    assert "{坏的一行" in failures and "聊天记录.jsonl" in failures
    listed = cli("memories", "list", "--user", "zh", "--json")
    assert "我喜欢吃辣" in listed.stdout


def test_tables_line_up_wide_characters(cli: Cli) -> None:
    cli.json("import", str(HISTORY_ZH), "--embedder", "hash")
    shown = cli("search", "--user", "zh", "猫", env={"COLUMNS": "100"})
    assert shown.exit_code == 0 and "团子" in shown.stdout
    from rich.cells import cell_len

    rows = [line for line in shown.stdout.splitlines() if line.strip()]
    assert len({cell_len(line) for line in rows}) == 1, rows  # every row as wide on screen


@pytest.mark.model
def test_a_chinese_history_is_searchable_by_default(cli: Cli, home: Path) -> None:
    summary = cli.json("import", str(HISTORY_ZH))  # no flag: `auto` reads the language
    assert summary["embedder"] == "multilingual"
    assert json.loads((home / "store.json").read_text())["segmenter"] == "cjk"
    [first, *_] = cli.json("search", "--user", "zh", "辣")
    assert "辣" in first["text"]
    for query in ("Google", "工作"):
        found = cli.json("search", "--user", "zh", query, "--top-k", "3")
        assert any("我在 Google 工作" in hit["text"] for hit in found), query


@pytest.mark.model
def test_e5_is_a_choice_for_a_new_store(cli: Cli, home: Path) -> None:
    summary = cli.json("import", str(HISTORY_ZH), "--embedder", "e5")
    assert summary["embedder"] == "e5"
    [first, *_] = cli.json("search", "--user", "zh", "宠物猫叫什么名字")
    assert "团子" in first["text"]
    refused = cli("search", "--user", "zh", "猫", "--embedder", "multilingual")
    assert refused.exit_code == 2 and "e5" in refused.stderr


def test_json_is_utf8_under_a_c_locale(tmp_path: Path) -> None:
    import os
    import subprocess
    import sys

    path = write_jsonl(tmp_path / "zh.jsonl", [say("我喜欢吃辣", "2025-01-01 10:00:00", 1, "c")])
    env = {**os.environ, "LANG": "C", "LC_ALL": "C", "PYTHONIOENCODING": "ascii",
           "MEMOS_HOME": str(tmp_path / "home")}
    done = subprocess.run([sys.executable, "-m", "memos_cli", "import", str(path), "--json",
                           "--embedder", "hash", "--quiet"], env=env, capture_output=True)
    assert done.returncode == 0, done.stderr
    listed = subprocess.run([sys.executable, "-m", "memos_cli", "memories", "list", "--user",
                             "zh", "--json"], env=env, capture_output=True)
    assert "我喜欢吃辣" in listed.stdout.decode("utf-8")
