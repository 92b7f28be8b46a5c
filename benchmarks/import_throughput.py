"""Import throughput through the real CLI: messages/s, where the time goes, and memory.

    python benchmarks/import_throughput.py            # a generated 10k-message corpus
    python benchmarks/import_throughput.py FILE.jsonl # any memos JSONL
    python benchmarks/import_throughput.py --json     # one JSON object

Runs, each in a fresh MEMOS_HOME and its own process: the default embedder, a re-import of the
same file into the same store (embeds nothing), and the hash embedder. Targets (on
2 cores): >= 200 messages/s with the default embedder, >= 85% of the wall time inside the
embedder, >= 5,000 messages/s with the hash embedder, re-import >= 10x faster.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from memos_cli.devtools.corpus import write_corpus


def run_import(path: Path, home: Path, embedder: str, extra: list[str] | None = None
               ) -> dict[str, Any]:
    """One `memos import` in its own process; its summary, wall seconds and peak RSS."""
    env = {**os.environ, "MEMOS_HOME": str(home)}
    command = [sys.executable, "-m", "memos_cli", "import", str(path), "--json", "--quiet",
               "--embedder", embedder, *(extra or [])]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    out = process.stdout.read() if process.stdout else b""
    err = process.stderr.read() if process.stderr else b""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        raise SystemExit(f"memos import failed with exit {code}: {err.decode()[-2000:]}")
    summary = json.loads(out)
    summary["wall_s"] = wall
    # The import's own figure (VmHWM); wait4's maxrss also counts this process from before exec.
    if summary.get("peak_rss_mb") is None:
        summary["peak_rss_mb"] = usage.ru_maxrss / 1024  # Linux reports KiB
    return summary


def figures(first: dict[str, Any]) -> dict[str, Any]:
    messages = first["records_read"]
    stages = first["stage_seconds"]
    return {
        "messages": messages,
        "wall_s": round(first["wall_s"], 2),
        "messages_per_s": round(messages / first["wall_s"], 1),
        "embed_share": round(stages["embed"] / first["wall_s"], 3),
        "stage_seconds": stages,
        "texts_per_message": round(first["texts_embedded"] / max(messages, 1), 3),
        "tokens_per_message": round(first["tokens_embedded"] / max(messages, 1), 2),
        "memories": first["memories_written"],
        "peak_rss_mb": round(first["peak_rss_mb"], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", nargs="?", type=Path, help="a memos JSONL file to import")
    parser.add_argument("--messages", type=int, default=10_000, help="size of the generated corpus")
    parser.add_argument("--language", choices=["en", "zh"], default="en",
                        help="of the generated corpus; zh gets the embedder `auto` picks for it")
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--workers", default="1",
                        help="comma-separated embedding process counts to compare, e.g. 1,2")
    args = parser.parse_args()
    worker_counts = [int(w) for w in args.workers.split(",")]

    work = Path(tempfile.mkdtemp(prefix="memos-bench-"))
    try:
        corpus = args.file or write_corpus(work / "corpus.jsonl", args.messages,
                                           language=args.language)
        first = run_import(corpus, work / "home-default", "auto")
        again = run_import(corpus, work / "home-default", "auto")
        hashed = run_import(corpus, work / "home-hash", "hash")
        by_workers = {1: first}
        for count in worker_counts:
            if count != 1:
                by_workers[count] = run_import(corpus, work / f"home-w{count}", "auto",
                                               ["--workers", str(count)])
    finally:
        shutil.rmtree(work, ignore_errors=True)

    result = figures(first)
    result.update({
        "corpus": str(args.file or f"generated ({args.messages:,} messages, {args.language})"),
        "embedder": first["embedder"],
        # The hash run is short enough for start-up (interpreter, imports, creating the store's
        # indexes: about 0.7 s, whatever the file's size) to weigh; both figures are printed.
        "hash_messages_per_s": round(hashed["records_read"] / hashed["elapsed_s"], 1),
        "hash_wall_messages_per_s": round(hashed["records_read"] / hashed["wall_s"], 1),
        "hash_stage_seconds": hashed["stage_seconds"],
        "reimport_wall_s": round(again["wall_s"], 2),
        "reimport_speedup": round(first["wall_s"] / again["wall_s"], 1),
        "reimport_already_imported": again["records_already_imported"],
        "workers": {str(count): round(run["records_read"] / run["wall_s"], 1)
                    for count, run in sorted(by_workers.items()) if count in worker_counts},
    })
    if args.json:
        print(json.dumps(result))
        return
    print(f"corpus: {result['corpus']}")
    target = 150 if args.language == "zh" else 200
    print(f"{result['embedder']} embedder: {result['messages']:,} messages in "
          f"{result['wall_s']} s = {result['messages_per_s']} messages/s (target >= {target})")
    print(f"  embed share of wall time: {result['embed_share']:.1%} (target >= 85%)")
    print(f"  embedded per message: {result['texts_per_message']} texts, "
          f"{result['tokens_per_message']} tokens; memories written: {result['memories']:,}")
    print("  stage seconds: " + ", ".join(f"{k} {v:.2f}" for k, v in
                                          result["stage_seconds"].items()))
    print(f"  peak RSS: {result['peak_rss_mb']} MB")
    print(f"re-import: {result['reimport_wall_s']} s, {result['reimport_speedup']}x faster "
          f"(target >= 10x), {result['reimport_already_imported']:,} already imported")
    for count, rate in result["workers"].items():
        print(f"--workers {count}: {rate} messages/s")
    print(f"hash embedder: {result['hash_messages_per_s']} messages/s inside the run "
          f"(target >= 5,000); {result['hash_wall_messages_per_s']} messages/s counting "
          "process start-up")


if __name__ == "__main__":
    main()
