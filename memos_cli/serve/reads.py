"""Searches while a CLI import runs. The embedded store allows one process, so a running
`memos import` answers the reads of other memos commands on the same MEMOS_HOME itself: a
small stdlib HTTP server on loopback, in a thread of the import, speaking the read routes of
serve/local.py (search, list, show) over the import's own store and model. It is announced in
MEMOS_HOME/serve.json as reads-only, so writes still wait for the lock as before."""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import orjson

from memos_cli.embedders import Embedder
from memos_cli.search.searcher import Searcher, SearchOptions
from memos_cli.store import MemoryFilter, MemoryStore

LOCAL = "/api/memos/v1"
HEALTH = "/api/openmem/v1/health"


def _handler(searcher: Searcher, store: MemoryStore) -> type[BaseHTTPRequestHandler]:
    class Reads(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass  # the import's own output stays as it was

        def _reply(self, body: Any) -> None:
            data = orjson.dumps(body)
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == HEALTH:
                self._reply({"code": 0, "message": "ok", "data": {"status": "ok"}})
            elif self.path.startswith(f"{LOCAL}/show/"):
                found = store.retrieve([self.path.rsplit("/", 1)[1]])
                self._reply({"memory": {"id": found[0].id, "payload": found[0].payload}
                             if found else None})
            else:
                self._reply({"error": {"message": "a running import answers reads only",
                                       "hint": "", "exit_code": 75}})

        def do_POST(self) -> None:
            body = orjson.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))))
            where = MemoryFilter(**body.get("where", {}))
            if self.path == f"{LOCAL}/search":
                hits = searcher.search(SearchOptions(user_id=body["user_id"],
                                                     query=body["query"],
                                                     top_k=int(body.get("top_k", 10)),
                                                     where=where))
                self._reply({"hits": [{"id": h.id, "score": h.score, "payload": h.payload}
                                      for h in hits]})
            elif self.path == f"{LOCAL}/list":
                offset, limit = int(body.get("offset", 0)), int(body.get("limit", 20))
                found = []
                for index, memory in enumerate(store.scroll(where)):
                    if index >= offset + limit:
                        break
                    if index >= offset:
                        found.append({"id": memory.id, "payload": memory.payload})
                self._reply({"memories": found})
            else:
                self._reply({"error": {"message": "a running import answers reads only",
                                       "hint": "", "exit_code": 75}})

    return Reads


def _held(marker: Path) -> bool:
    try:
        os.kill(int(orjson.loads(marker.read_bytes())["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        return False  # none, or left by a process that died
    return True


@contextlib.contextmanager
def answering_reads(home: Path, embedder: Embedder, store: MemoryStore,
                    settings: Any) -> Iterator[None]:
    """Serve reads for the duration of the block, announced in MEMOS_HOME/serve.json."""
    marker = home / "serve.json"
    if _held(marker):  # `memos serve` holds the home: it answers
        yield
        return
    server = ThreadingHTTPServer(("127.0.0.1", 0),
                                 _handler(Searcher(embedder, store, settings), store))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="memos-reads", daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{server.server_address[1]}/api/openmem/v1"
    marker.write_bytes(orjson.dumps({"url": url, "pid": os.getpid(), "reads_only": True}))
    try:
        yield
    finally:
        marker.unlink(missing_ok=True)
        server.shutdown()
        server.server_close()
