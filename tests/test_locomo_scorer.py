"""The LoCoMo scorer on a tiny hand-made conversation, so the benchmark can't score wrong."""

from __future__ import annotations

from datetime import datetime

import pytest

from memos_cli.devtools.locomo_score import (
    Retrieved,
    aggregate,
    conversation_records,
    dialogue_ids,
    normalise_evidence,
    score_question,
    session_time,
    within_budget,
)

SAMPLE = {
    "sample_id": "tiny",
    "conversation": {
        "speaker_a": "Ann", "speaker_b": "Bo",
        "session_1_date_time": "1:56 pm on 8 May, 2023",
        "session_1": [
            {"speaker": "Ann", "dia_id": "D1:1", "text": "I adopted a cat."},
            {"speaker": "Bo", "dia_id": "D1:2", "text": "Cute!", "img_url": ["x"],
             "blip_caption": "a photo of a cat"},
        ],
        "session_2_date_time": "9:00 am on 1 June, 2023",
        "session_2": [{"speaker": "Bo", "dia_id": "D2:1", "text": "I ran a marathon."}],
    },
    "qa": [],
}


def test_conversion_keeps_speaker_session_time_and_caption() -> None:
    records = list(conversation_records(SAMPLE))
    assert [r["message_id"] for r in records] == ["D1:1", "D1:2", "D2:1"]
    assert [r["conversation_id"] for r in records] == ["tiny-session-1"] * 2 + ["tiny-session-2"]
    assert records[1]["name"] == "Bo" and "a photo of a cat" in records[1]["content"]
    assert records[0]["chat_time"].startswith("2023-05-08T13:56")
    assert {r["role"] for r in records} == {"user"}
    speakers = list(conversation_records(SAMPLE, roles="speakers"))
    assert [r["role"] for r in speakers] == ["user", "assistant", "assistant"]
    assert session_time("10:04 am on 19 January, 2024") == datetime(2024, 1, 19, 10, 4)


@pytest.mark.parametrize("evidence, expected", [
    (["D1:1"], ["D1:1"]),
    (["D1:1; D2:1"], ["D1:1", "D2:1"]),
    (["D:1:2"], ["D1:2"]),
    (["D9:9", "D1:1", "D1:1"], ["D1:1"]),
    (["nonsense"], []),
])
def test_evidence_normalisation(evidence: list[str], expected: list[str]) -> None:
    assert normalise_evidence(evidence, dialogue_ids(SAMPLE)) == expected


def test_recall_arithmetic() -> None:
    ranked = [Retrieved("x" * 1000, ["D1:2"]), Retrieved("y" * 1000, ["D2:1"]),
              Retrieved("z" * 2000, ["D1:1"])] + [Retrieved("w", [])] * 7
    scores = score_question(["D1:1", "D2:1"], ranked)
    assert scores["r5"] == scores["r10"] == scores["r25"] == 1.0
    assert scores["r1_5kc"] == 0.0  # only the first 1,000 chars fit, covering neither
    assert scores["r3kc"] == 0.5  # 2,000 chars fit; the third would make 4,000
    assert scores["chars10"] == 4007
    assert within_budget(ranked, 999) == []
    top1 = score_question(["D1:1", "D2:1"], ranked[1:2])
    assert top1["r5"] == 0.5


def test_aggregate_means_per_category() -> None:
    rows = [(1, {"r10": 1.0}), (1, {"r10": 0.0}), (4, {"r10": 0.5})]
    result = aggregate(rows)
    assert result["overall"]["r10"] == 0.5
    assert result["per_category"]["multi-hop"] == {"r10": 0.5, "questions": 2}
    assert result["per_category"]["single-hop"]["r10"] == 0.5
