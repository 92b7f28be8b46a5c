"""LoCoMo retrieval benchmark: evidence recall of `memos search` after `memos import`.

    python benchmarks/locomo.py locomo10.json    # LoCoMo (snap-research/locomo), not in the repo
    python benchmarks/locomo.py FILE --json
    python benchmarks/locomo.py FILE --set batch_turns=2 --set embed_max_tokens=256

Each conversation of a file in the locomo10.json schema is one user; each session one
conversation_id, its turns stamped from the session's date, the speaker's name kept in the text
and image turns with their caption. The file is imported through the real CLI (a subprocess,
default settings unless --set), then every question of categories 1-4 is searched for that user
with the same code `memos search` runs, and scored by evidence recall: the share of the
question's evidence dia_ids found in the `sources` of the retrieved memories, at top k
(R@5/10/25) and within a context budget (R@1.5kc, R@3kc: memories in rank order while their
texts total at most 1,500 / 3,000 characters).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from memos_cli.config import load_settings
from memos_cli.devtools.locomo_score import (
    CATEGORIES,
    Retrieved,
    aggregate,
    conversation_records,
    dialogue_ids,
    normalise_evidence,
    score_question,
)
from memos_cli.search.searcher import SearchOptions, open_searcher

TOP_K = 25


def write_jsonl(samples: list[dict[str, Any]], path: Path, roles: str) -> int:
    count = 0
    with path.open("w", encoding="utf-8") as handle:
        for sample in samples:
            for record in conversation_records(sample, roles):
                handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
    return count


def import_file(path: Path, home: Path, overrides: dict[str, str]) -> tuple[dict[str, Any], float]:
    env = {**os.environ, "MEMOS_HOME": str(home)}
    env.update({f"MEMOS_{key.upper()}": value for key, value in overrides.items()})
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "memos_cli", "import", str(path), "--json",
                           "--quiet"], env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed ({done.returncode}): {done.stderr[-2000:]}")
    return json.loads(done.stdout), seconds


Rows = list[tuple[int, dict[str, float]]]


def evaluate(samples: list[dict[str, Any]], home: Path,
             overrides: dict[str, str]) -> tuple[dict[str, Rows], int]:
    """Scored questions (category, scores) per conversation, and how many had no evidence."""
    settings = load_settings({"home": home, **overrides})
    searcher = open_searcher(settings)
    assert searcher is not None, "nothing was imported"
    per_conversation: dict[str, Rows] = {}
    skipped = 0
    with searcher:
        for sample in samples:
            rows = per_conversation.setdefault(str(sample["sample_id"]), [])
            known = dialogue_ids(sample)
            for qa in sample["qa"]:
                category = int(qa.get("category", 0))
                if category not in CATEGORIES:
                    continue
                evidence = normalise_evidence(qa.get("evidence", []), known)
                if not evidence:
                    skipped += 1
                    continue
                hits = searcher.search(SearchOptions(user_id=str(sample["sample_id"]),
                                                     query=str(qa["question"]), top_k=TOP_K))
                ranked = [Retrieved(str(h.payload["text"]), list(h.payload.get("sources", [])))
                          for h in hits]
                rows.append((category, score_question(evidence, ranked)))
    return per_conversation, skipped


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("path", type=Path, help="a JSON file in the locomo10.json schema")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--roles", choices=["speakers", "user"], default="user",
                        help="user (default): both speakers are people, so both are `user` and "
                        "both get facts extracted; speakers: speaker_b is the `assistant`")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="a memos setting for the import and search (repeatable)")
    args = parser.parse_args()
    overrides = dict(item.split("=", 1) for item in args.set)

    samples = json.loads(args.path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory(prefix="memos-locomo-") as work:
        corpus = Path(work) / "locomo.jsonl"
        messages = write_jsonl(samples, corpus, args.roles)
        summary, import_s = import_file(corpus, Path(work) / "home", overrides)
        per_conversation, skipped = evaluate(samples, Path(work) / "home", overrides)

    result = aggregate([row for rows in per_conversation.values() for row in rows])
    # The spread between conversations says how far a figure may move on unseen ones.
    by_conversation = {sample: {k: v for k, v in aggregate(rows)["overall"].items()
                                if k in ("r10", "r3kc")} | {"questions": len(rows)}
                       for sample, rows in per_conversation.items()}
    overall = result["overall"]
    report = {
        **{k: overall[k] for k in ("r5", "r10", "r25", "r1_5kc", "r3kc", "chars10")},
        "per_category": result["per_category"],
        "per_conversation": by_conversation,
        "questions": result["questions"],
        "questions_without_valid_evidence": skipped,
        "conversations": len(samples),
        "messages": messages,
        "import_s": round(import_s, 1),
        "memories_by_type": summary["memories_by_type"],
        "memories": summary["memories_written"],
        "texts_per_message": round(summary["texts_embedded"] / max(messages, 1), 3),
        "tokens_per_message": round(summary["tokens_embedded"] / max(messages, 1), 2),
        "merged": summary.get("memories_merged", 0),
        "superseded": summary.get("memories_superseded", 0),
        "settings": overrides,
        "roles": args.roles,
    }
    if args.json:
        print(json.dumps(report))
        return
    print(f"{args.path.name}: {len(samples)} conversations, {messages:,} messages, "
          f"{report['questions']} questions (categories 1-4; {skipped} without valid evidence)")
    header = f"{'':14}{'R@5':>7}{'R@10':>7}{'R@25':>7}{'R@1.5kc':>9}{'R@3kc':>7}{'chars@10':>10}"
    print(header)
    lines = [("overall", overall)] + [(name, v) for name, v in result["per_category"].items()]
    for name, values in lines:
        count = f" ({values['questions']})" if "questions" in values else ""
        print(f"{name + count:14}{values['r5']:7.3f}{values['r10']:7.3f}{values['r25']:7.3f}"
              f"{values['r1_5kc']:9.3f}{values['r3kc']:7.3f}{values['chars10']:10,.0f}")
    print("per conversation: " + ", ".join(
        f"{sample} R@10 {v['r10']:.3f} R@3kc {v['r3kc']:.3f} ({v['questions']})"
        for sample, v in by_conversation.items()))
    print(f"import: {report['import_s']} s; memories: {report['memories']:,} "
          f"{report['memories_by_type']}; merged {report['merged']}, superseded "
          f"{report['superseded']}")
    print(f"embedded per message: {report['texts_per_message']} texts, "
          f"{report['tokens_per_message']} tokens")


if __name__ == "__main__":
    main()
