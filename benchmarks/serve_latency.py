"""`memos serve` latency and throughput: the real server in its own process, a real HTTP client
(requests), the default embedder (all-MiniLM-L6-v2) answering every query and add.

    python benchmarks/serve_latency.py                     # stores of 10k and 100k memories
    python benchmarks/serve_latency.py --sizes 10000,100000,1000000
    python benchmarks/serve_latency.py --json

The big stores are filled directly through the embedded store (EdgeStore.upsert) with
generated memories of realistic text and random 384-dimension unit vectors, recorded as the
default embedder's: embedding 1M texts with MiniLM would take over an hour, and a search's cost
does not depend on what the stored vectors say. Targets (2 cores): add/message with
async_mode false p50 <= 50 ms and p99 <= 200 ms at 10k memories; search/memory p50 <= 20 ms at
100k and <= 50 ms at 1M; 8 clients >= 100 synchronous adds/s; search p99 <= 500 ms while an
import runs on the same home.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import requests

from memos_cli.devtools.corpus import write_corpus
from memos_cli.embedders.minilm import MiniLMEmbedder
from memos_cli.models import Memory
from memos_cli.store.edge import EdgeStore
from memos_cli.text.segment import DEFAULT_SEGMENTER

BASE = "/api/openmem/v1"
USERS = 1_000
_WORDS = ("spicy food green tea jazz hiking board games sushi running peanuts coffee piano "
          "painting yoga pottery novels cycling chocolate gardening photography chess Lisbon "
          "Osaka Berlin Toronto bakery hospital studio startup library hotel trip knees "
          "marathon thesis concert sister brother dog cat apartment weekend").split()


def fill(home: Path, count: int) -> None:
    """`count` memories over USERS users, written straight into a new embedded store."""
    rng = np.random.default_rng(7)
    words = random.Random(7)
    store = EdgeStore(home / "store", MiniLMEmbedder.dim)
    (home / "store.json").write_bytes(orjson.dumps({
        "embedder": "default", "model_id": MiniLMEmbedder.model_id, "dim": MiniLMEmbedder.dim,
        "segmenter": DEFAULT_SEGMENTER}))
    kinds = ["episode", "episode", "fact", "preference", "fact"]
    try:
        for start in range(0, count, 2_000):
            batch = []
            vectors = rng.normal(size=(min(2_000, count - start), MiniLMEmbedder.dim))
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            for offset, vector in enumerate(vectors):
                n = start + offset
                text = "I " + " ".join(words.choice(_WORDS) for _ in range(words.randint(6, 40)))
                batch.append(Memory(str(uuid.uuid5(uuid.NAMESPACE_URL, f"m{n}")), {
                    "user_id": f"user{n % USERS:04d}", "conversation_id": f"c{n % 50_000}",
                    "memory_type": kinds[n % len(kinds)], "text": text,
                    "sources": [f"m{n}"], "chat_time": "2025-01-01T10:00:00+00:00",
                    "created_at": "2025-01-01T10:00:00+00:00",
                    "updated_at": "2025-01-01T10:00:00+00:00", "status": "active",
                    "scope": "private", "extractor": "rules"}, vector.tolist()))
            store.upsert(batch)
    finally:
        store.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Serve:
    def __init__(self, home: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}{BASE}"
        env = {**os.environ, "MEMOS_HOME": str(home)}
        env.pop("MEMOS_API_KEY", None)
        self.process = subprocess.Popen(
            [sys.executable, "-m", "memos_cli", "serve", "--port", str(self.port),
             "--no-access-log"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        while True:
            try:
                requests.get(f"{self.url}/health", timeout=1)
                break
            except requests.ConnectionError:
                if self.process.poll() is not None:
                    raise SystemExit(self.process.stderr.read().decode()  # type: ignore[union-attr]
                                     ) from None
                time.sleep(0.1)
        self.session = requests.Session()

    def post(self, path: str, body: dict[str, Any]) -> float:
        started = time.perf_counter()
        reply = self.session.post(f"{self.url}/{path}", json=body, timeout=60).json()
        elapsed = time.perf_counter() - started
        if reply["code"] != 0:
            raise SystemExit(f"{path}: {reply}")
        return elapsed

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=60)


def percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {"p50_ms": round(1000 * statistics.median(ordered), 1),
            "p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 1),
            "n": len(ordered)}


def query(n: int) -> dict[str, Any]:
    rng = random.Random(n)
    return {"user_id": f"user{rng.randrange(USERS):04d}",
            "query": " ".join(rng.choice(_WORDS) for _ in range(4))}


def searches(serve: Serve, count: int) -> dict[str, float]:
    for n in range(10):  # warm the page cache and the model
        serve.post("search/memory", query(n))
    return percentiles([serve.post("search/memory", query(n)) for n in range(count)])


def one_add(serve: Serve, n: int, user: str) -> float:
    return serve.post("add/message", {
        "user_id": user, "conversation_id": f"bench-{user}", "async_mode": False,
        "messages": [{"role": "user", "content": f"I tried dish number {n} today and liked it",
                      "chat_time": f"2025-02-01 10:{n % 60:02d}:00"}]})


def concurrent_adds(url: str, clients: int, each: int) -> float:
    def client(number: int) -> None:
        with requests.Session() as session:
            for n in range(each):
                reply = session.post(f"{url}/add/message", timeout=60, json={
                    "user_id": f"client{number}", "conversation_id": f"cc{number}",
                    "async_mode": False, "messages": [{"role": "user", "content":
                                                       f"I like thing {number}-{n}"}]}).json()
                assert reply["code"] == 0, reply

    started = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    return clients * each / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000", help="store sizes, comma-separated")
    parser.add_argument("--import-messages", type=int, default=20_000,
                        help="size of the import that runs while searches are timed")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    result: dict[str, Any] = {"embedder": "default (all-MiniLM-L6-v2)", "stores": {}}
    with tempfile.TemporaryDirectory(prefix="memos-serve-bench-") as work:
        for size in sizes:
            home = Path(work) / f"home-{size}"
            started = time.perf_counter()
            fill(home, size)
            figures: dict[str, Any] = {"fill_s": round(time.perf_counter() - started, 1)}
            serve = Serve(home)
            try:
                figures["search"] = searches(serve, 300)
                if size == sizes[0]:
                    for n in range(5):
                        one_add(serve, n, "warm")
                    figures["sync_add"] = percentiles([one_add(serve, n, f"user{n % 50:04d}")
                                                       for n in range(200)])
                    figures["adds_per_s_8_clients"] = round(concurrent_adds(serve.url, 8, 50), 1)
                if size == max(sizes[:2]):
                    corpus = write_corpus(Path(work) / "import.jsonl", args.import_messages)
                    env = {**os.environ, "MEMOS_HOME": str(home)}
                    importing = subprocess.Popen(
                        [sys.executable, "-m", "memos_cli", "import", str(corpus), "--quiet",
                         "--json"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                    time.sleep(2)
                    during: list[float] = []
                    n = 0
                    while importing.poll() is None:
                        during.append(serve.post("search/memory", query(n)))
                        n += 1
                    out, err = importing.communicate()
                    if importing.returncode != 0:
                        raise SystemExit(f"import failed: {err.decode()[-1000:]}")
                    summary = json.loads(out)
                    figures["search_during_import"] = percentiles(during)
                    figures["import_messages_per_s"] = round(
                        summary["records_read"] / summary["elapsed_s"], 1)
            finally:
                serve.stop()
            result["stores"][str(size)] = figures
    if args.json:
        print(json.dumps(result))
        return
    print(f"memos serve, {result['embedder']}; stores filled with generated memories")
    for size, figures in result["stores"].items():
        search = figures["search"]
        print(f"{int(size):>9,} memories: search/memory p50 {search['p50_ms']} ms, p99 "
              f"{search['p99_ms']} ms ({search['n']} queries; filled in {figures['fill_s']} s)")
        if "sync_add" in figures:
            add = figures["sync_add"]
            print(f"{'':>20} add/message (sync, one message) p50 {add['p50_ms']} ms, p99 "
                  f"{add['p99_ms']} ms; 8 clients: {figures['adds_per_s_8_clients']} adds/s")
        if "search_during_import" in figures:
            during = figures["search_during_import"]
            print(f"{'':>20} during an import of {args.import_messages:,} messages "
                  f"({figures['import_messages_per_s']} messages/s): search p50 "
                  f"{during['p50_ms']} ms, p99 {during['p99_ms']} ms ({during['n']} queries)")


if __name__ == "__main__":
    main()
