"""Peak memory of reading a large ChatGPT export (streamed with ijson), through the real CLI.

    python benchmarks/export_memory.py            # a generated 200 MB conversations.json
    python benchmarks/export_memory.py --mb 500 --store   # also embed (hash) and store

By default the import is a --dry-run (read, validate, group, extract: the reader's and the
pipeline's memory, not the store's). Target: under 300 MB for 200 MB.
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

BODY = "word " * 400


def write_export(path: Path, target_bytes: int) -> int:
    """ChatGPT-shaped conversations of 20 turns each until the file reaches the target size."""
    written = count = 0
    with path.open("w", encoding="utf-8") as out:
        out.write("[")
        while written < target_bytes:
            mapping: dict[str, object] = {
                "root": {"id": "root", "parent": None, "children": ["n0"], "message": None}}
            previous = "root"
            for k in range(20):
                node_id = f"n{k}"
                mapping[node_id] = {
                    "id": node_id, "parent": previous,
                    "children": [f"n{k + 1}"] if k < 19 else [],
                    "message": {"id": f"c{count}-{k}", "author": {
                        "role": "user" if k % 2 == 0 else "assistant"},
                        "create_time": 1.7e9 + k, "recipient": "all",
                        "content": {"content_type": "text", "parts": [f"{k} {BODY}"]}}}
                previous = node_id
            chunk = ("," if count else "") + json.dumps(
                {"id": f"c{count}", "current_node": "n19", "mapping": mapping})
            out.write(chunk)
            written += len(chunk)
            count += 1
        out.write("]")
    return count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=200)
    parser.add_argument("--store", action="store_true", help="embed (hash) and store too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="memos-export-") as work:
        export = Path(work) / "conversations.json"
        conversations = write_export(export, args.mb * 2**20)
        command = [sys.executable, "-m", "memos_cli", "import", str(export), "--user", "me",
                   "--embedder", "hash", "--json", "--quiet"]
        if not args.store:
            command.append("--dry-run")
        started = time.perf_counter()
        process = subprocess.Popen(command, env={**os.environ, "MEMOS_HOME": f"{work}/home"},
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        summary = json.loads(process.stdout.read() if process.stdout else b"{}")
        size_mb = export.stat().st_size / 2**20
    print(f"{size_mb:.0f} MB ChatGPT export, {conversations:,} conversations, "
          f"{summary.get('records_read', 0):,} messages, {'stored' if args.store else 'dry run'}: "
          f"peak RSS {usage.ru_maxrss / 1024:.0f} MB, {seconds:.1f} s "
          f"(exit {os.waitstatus_to_exitcode(status)}; target < 300 MB)")


if __name__ == "__main__":
    main()
