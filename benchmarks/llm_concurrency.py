"""Is LLM extraction really concurrent? `memos import --extractor llm` of N one-turn
conversations against a local OpenAI-protocol server that takes DELAY seconds per request.

    python benchmarks/llm_concurrency.py                  # 160 batches, 200 ms, concurrency 16
    python benchmarks/llm_concurrency.py --batches 320 --concurrency 1,4,16,32 --json

Prints, per concurrency, the run's time (the summary's elapsed_s; wall time adds interpreter
start-up) against the serial time (batches x delay), and the largest number of requests the
server held at once.
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

from memos_cli.devtools.fake_openai import FakeOpenAI, Reply, chat_reply

ROOT = Path(__file__).resolve().parent.parent


def write_batches(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for c in range(count):
            for role, text in (("user", f"I moved to city number {c} last week"),
                               ("assistant", "Noted.")):
                handle.write(json.dumps({"user_id": "bench", "conversation_id": f"c{c}",
                                         "role": role, "content": text,
                                         "message_id": f"{c}-{role}",
                                         "chat_time": "2025-05-01T10:00:00Z"}) + "\n")
    return path


def script(delay_s: float) -> Any:
    def reply(endpoint: str, body: dict[str, Any], number: int) -> Reply:
        text = body["messages"][-1]["content"].split(": ", 1)[-1].splitlines()[0]
        answer = chat_reply(json.dumps({"memories": [
            {"type": "fact", "text": f"The user said: {text}", "sources": [1]}]}))
        answer.delay_s = delay_s
        return answer
    return reply


def run(batches: int, delay_s: float, concurrency: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp, FakeOpenAI(script(delay_s)) as server:
        data = write_batches(Path(tmp) / "chat.jsonl", batches)
        env = {**os.environ, "MEMOS_HOME": str(Path(tmp) / "home"), "MEMOS_EXTRACTOR": "llm",
               "MEMOS_LLM_BASE_URL": server.base_url, "MEMOS_LLM_MODEL": "bench",
               "MEMOS_LLM_MAX_CONCURRENCY": str(concurrency), "MEMOS_LLM_DECISIONS": "false",
               "MEMOS_EMBEDDER": "hash"}
        started = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "memos_cli", "import", str(data), "--json",
                               "--quiet"], env=env, capture_output=True, text=True, cwd=ROOT)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"import failed ({done.returncode}): {done.stderr[-2000:]}")
        summary = json.loads(done.stdout)
        serial = batches * delay_s
        run_s = float(summary["elapsed_s"])  # without interpreter start-up
        return {"concurrency": concurrency, "batches": summary["batches"],
                "requests": summary["llm"]["requests"], "wall_s": round(wall, 2),
                "run_s": round(run_s, 2), "serial_s": round(serial, 2),
                "ratio": round(run_s / serial, 3), "wall_ratio": round(wall / serial, 3),
                "speedup": round(serial / run_s, 1), "max_in_flight": server.max_in_flight}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=160)
    parser.add_argument("--delay", type=float, default=0.2, help="seconds per request")
    parser.add_argument("--concurrency", default="16", help="comma-separated, e.g. 1,4,16")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [run(args.batches, args.delay, int(c)) for c in args.concurrency.split(",")]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{args.batches} batches, {args.delay * 1000:.0f} ms per request "
          f"(serial: {args.batches * args.delay:.1f} s)")
    print(f"{'concurrency':>11} {'run s':>6} {'run/serial':>10} {'speedup':>8} {'wall s':>7} "
          f"{'max in flight':>13}")
    for row in rows:
        print(f"{row['concurrency']:>11} {row['run_s']:>6.2f} {row['ratio']:>10.3f} "
              f"{row['speedup']:>7.1f}x {row['wall_s']:>7.2f} {row['max_in_flight']:>13}")


if __name__ == "__main__":
    main()
