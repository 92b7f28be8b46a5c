"""Peak memory of `memos import` at 100k and 1M messages (interleaved conversations, hash embedder).

    python benchmarks/import_memory.py              # 100k and 1M
    python benchmarks/import_memory.py --sizes 100000,300000 --json

Each size is a generated memos JSONL with 1,000 conversations open at any time, imported by
the real CLI in its own process and a fresh MEMOS_HOME; peak RSS is the import's own
figure (`peak_rss_mb` in its summary, VmHWM), not wait4's, which also counts this process.
Targets: under 1 GiB, and growing by less than 20% from 100k to 1M messages.
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path

from import_throughput import run_import

from memos_cli.devtools.corpus import messages


def write(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        for record in messages(count, seed=1, users=2000, open_conversations=1000):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    rows = []
    work = Path(tempfile.mkdtemp(prefix="memos-mem-"))
    try:
        for size in sizes:
            corpus = write(work / f"{size}.jsonl", size)
            summary = run_import(corpus, work / f"home-{size}", "hash")
            rows.append({"messages": size, "peak_rss_mb": round(summary["peak_rss_mb"], 1),
                         "wall_s": round(summary["wall_s"], 1),
                         "messages_per_s": round(size / summary["wall_s"]),
                         "memories": summary["memories_written"],
                         "file_mb": round(corpus.stat().st_size / 2**20, 1)})
            corpus.unlink()
            shutil.rmtree(work / f"home-{size}", ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    growth = rows[-1]["peak_rss_mb"] / rows[0]["peak_rss_mb"] - 1 if len(rows) > 1 else 0.0
    result = {"runs": rows, "growth": round(growth, 3)}
    if args.json:
        print(json.dumps(result))
        return
    for row in rows:
        print(f"{row['messages']:>9,} messages ({row['file_mb']} MB): peak RSS "
              f"{row['peak_rss_mb']} MB, {row['wall_s']} s, {row['messages_per_s']:,} messages/s, "
              f"{row['memories']:,} memories")
    print(f"growth from {rows[0]['messages']:,} to {rows[-1]['messages']:,}: {growth:.1%} "
          f"(target < 20%, and under 1,024 MB)")


if __name__ == "__main__":
    main()
