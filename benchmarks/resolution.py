"""Resolution on everyday phrasing: does a newer statement replace the older one it changes?

    python benchmarks/resolution.py
    python benchmarks/resolution.py --embedder hash --json
    python benchmarks/resolution.py --pairs my_pairs.jsonl

Each line of the pairs file (tests/data/resolution_pairs.jsonl by default) is one user's
older statement (said 10 March 2023), a newer one (13 May 2025) and what should stay active:
`new` (the newer replaces the older) or `both` (a control: two different subjects). The pairs
are imported through the real CLI twice, older first and newer first, since chat_time and not
import order must decide.

A pair is resolved when, in both orders:
- `new`: a fact or preference from the newer message is active, and every fact and preference
  that came from the older message alone is superseded;
- `both`: each message gave a fact or preference, and all of them are active.

Current state first: for a `new` pair with a `query` ("where do I live"), the first hit that
comes from the newer message must rank above every hit that carries the older one (its
episode included), with the same search `memos search` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path
from typing import Any

from memos_cli.config import load_settings
from memos_cli.search.searcher import SearchOptions, open_searcher
from memos_cli.store import MemoryFilter

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "data" / "resolution_pairs.jsonl"
OLD_TIME = "2023-03-10T10:00:00"
NEW_TIME = "2025-05-13T10:00:00"
STATEMENTS = ("fact", "preference")


def records(pairs: list[dict[str, Any]], newer_first: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for number, pair in enumerate(pairs):
        user = f"pair{number:03d}"
        said = [{"user_id": user, "conversation_id": f"{user}-{age}", "message_id": age,
                 "role": "user", "content": pair[age], "chat_time": when}
                for age, when in (("old", OLD_TIME), ("new", NEW_TIME))]
        rows.extend(reversed(said) if newer_first else said)
    return rows


def import_pairs(pairs: list[dict[str, Any]], home: Path, newer_first: bool,
                 embedder: str) -> None:
    corpus = home.parent / f"pairs-{'new' if newer_first else 'old'}-first.jsonl"
    corpus.write_text("".join(json.dumps(r) + "\n" for r in records(pairs, newer_first)),
                      encoding="utf-8")
    env = {**os.environ, "MEMOS_HOME": str(home)}
    done = subprocess.run([sys.executable, "-m", "memos_cli", "import", str(corpus),
                           "--embedder", embedder, "--quiet", "--json"],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"import failed ({done.returncode}): {done.stderr[-2000:]}")


def _from(memory: dict[str, Any], message: str) -> bool:
    return set(memory.get("sources") or []) == {message}


def resolved(memories: list[dict[str, Any]], expect: str) -> bool:
    statements = [m for m in memories if m["memory_type"] in STATEMENTS]
    old = [m for m in statements if _from(m, "old")]
    new = [m for m in statements if _from(m, "new")]
    if expect == "both":
        return bool(old) and bool(new) and all(m["status"] == "active" for m in statements)
    return (any(m["status"] == "active" for m in new) and bool(old)
            and all(m["status"] == "superseded" for m in old))


def current_first(hits: list[dict[str, Any]]) -> bool:
    for hit in hits:
        sources = set(hit.get("sources") or [])
        if "old" in sources:
            return False
        if "new" in sources:
            return True
    return False


def evaluate(pairs: list[dict[str, Any]], home: Path, embedder: str) -> list[dict[str, Any]]:
    settings = load_settings({"home": home, "embedder": embedder})
    searcher = open_searcher(settings)
    assert searcher is not None, "nothing was imported"
    outcomes: list[dict[str, Any]] = []
    with searcher:
        for number, pair in enumerate(pairs):
            user = f"pair{number:03d}"
            memories = [m.payload for m in searcher.store.scroll(
                MemoryFilter(user_id=user, include_superseded=True))]
            outcome: dict[str, Any] = {"resolved": resolved(memories, pair["expect"])}
            if pair["expect"] == "new" and pair.get("query"):
                hits = searcher.search(SearchOptions(user_id=user, query=pair["query"]))
                outcome["current_first"] = current_first([h.payload for h in hits])
            outcomes.append(outcome)
    return outcomes


def summarise(pairs: list[dict[str, Any]], runs: dict[str, list[dict[str, Any]]]
              ) -> dict[str, Any]:
    by_kind: dict[str, dict[str, list[bool]]] = defaultdict(lambda: defaultdict(list))
    failed: list[dict[str, Any]] = []
    for number, pair in enumerate(pairs):
        both_orders = all(runs[order][number]["resolved"] for order in runs)
        by_kind[pair["kind"]]["resolved"].append(both_orders)
        if not both_orders:
            failed.append({"old": pair["old"], "new": pair["new"], "expect": pair["expect"],
                           "orders": [o for o in runs if not runs[o][number]["resolved"]]})
        firsts = [runs[order][number].get("current_first") for order in runs]
        if firsts[0] is not None:
            by_kind[pair["kind"]]["current_first"].append(all(firsts))
    def share(values: list[bool]) -> float | None:
        return round(sum(values) / len(values), 3) if values else None  # None: nothing asked
    everything = [v for kind in by_kind.values() for v in kind["resolved"]]
    firsts = [v for kind in by_kind.values() for v in kind["current_first"]]
    return {
        "pairs": len(pairs),
        "resolved": share(everything),
        "current_first": share(firsts),
        "per_kind": {kind: {"pairs": len(v["resolved"]), "resolved": share(v["resolved"]),
                            "current_first": share(v["current_first"])}
                     for kind, v in sorted(by_kind.items())},
        "failed": failed,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=Path, default=PAIRS, help="a JSONL file of pairs")
    parser.add_argument("--embedder", default="default",
                        help="the embedder to import and search with (default: default)")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    args = parser.parse_args()
    pairs = [json.loads(line) for line in args.pairs.read_text(encoding="utf-8").splitlines()
             if line.strip()]
    runs: dict[str, list[dict[str, Any]]] = {}
    with tempfile.TemporaryDirectory(prefix="memos-resolution-") as work:
        for order, newer_first in (("older first", False), ("newer first", True)):
            home = Path(work) / order.replace(" ", "-")
            import_pairs(pairs, home, newer_first, args.embedder)
            runs[order] = evaluate(pairs, home, args.embedder)
    report = summarise(pairs, runs)
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    print(f"{report['pairs']} pairs, both import orders: resolved {report['resolved']:.3f}, "
          f"current state first {report['current_first']:.3f}")
    print(f"{'kind':<14}{'pairs':>6}{'resolved':>10}{'current first':>15}")
    for kind, row in report["per_kind"].items():
        first = "-" if row["current_first"] is None else f"{row['current_first']:.3f}"
        print(f"{kind:<14}{row['pairs']:>6}{row['resolved']:>10.3f}{first:>15}")
    for miss in report["failed"]:
        print(f"  not resolved ({', '.join(miss['orders'])}; expect {miss['expect']}): "
              f"{miss['old']!r} -> {miss['new']!r}")


if __name__ == "__main__":
    main()
