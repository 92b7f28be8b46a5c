"""A real `memos serve` app on 127.0.0.1 for tests: uvicorn in a thread, requests as the client."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import requests
import uvicorn

from memos_cli.config import load_settings
from memos_cli.serve.app import BASE, create_app


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """One uvicorn server in a thread; `post` returns the reply's JSON after checking that it
    is the MemOS envelope with HTTP 200."""

    def __init__(self, home: Path, api_key: str | None = None, **settings: Any) -> None:
        self.home = home
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}{BASE}"
        app = create_app(load_settings({"home": home, "embedder": "hash", **settings}), api_key)
        self._server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                     log_level="warning"))
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not self._server.started:
            assert time.monotonic() < deadline, "the server did not start"
            time.sleep(0.02)

    def post(self, path: str, body: Any = None, **kwargs: Any) -> dict[str, Any]:
        reply = requests.post(f"{self.base}/{path}", json=body, timeout=30, **kwargs)
        assert reply.status_code == 200, reply.text
        found: dict[str, Any] = reply.json()
        assert set(found) == {"code", "message", "data"}, found
        return found

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=30)
