"""A scripted OpenAI-protocol server on 127.0.0.1, for tests and the concurrency benchmark.

It speaks just enough of the API for the real `openai` client: POST /v1/chat/completions and
POST /v1/embeddings. A test gives it a `script`: a function from (endpoint, request JSON,
call number) to a `Reply` (status, JSON body or raw text, headers, delay). Every request is
recorded with its headers so that tests can count calls and look for leaked secrets.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import numpy as np


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # a JSON-able object, or str for a raw body
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0


@dataclass
class Call:
    endpoint: str  # "chat" or "embeddings"
    body: dict[str, Any]
    headers: dict[str, str]  # names in lower case


Script = Callable[[str, dict[str, Any], int], Reply]


def chat_reply(content: str, prompt_tokens: int = 100, completion_tokens: int = 20) -> Reply:
    """A successful chat completion whose message is `content`."""
    return Reply(body={
        "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()),
        "model": "test-model",
        "choices": [{"index": 0, "finish_reason": "stop",
                     "message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": completion_tokens,
                  "total_tokens": prompt_tokens + completion_tokens},
    })


def error_reply(status: int, message: str = "scripted error", retry_after: float | None = None,
                delay_s: float = 0.0) -> Reply:
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return Reply(status, {"error": {"message": message, "type": "test", "code": status}},
                 headers, delay_s)


def embedding_vector(text: str, dim: int) -> list[float]:
    """A deterministic vector per text, so a test can embed queries the same way."""
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
    return [float(x) for x in np.random.default_rng(seed).standard_normal(dim)]


def embeddings_reply(body: dict[str, Any], dim: int = 32) -> Reply:
    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
    dim = int(body.get("dimensions") or dim)
    return Reply(body={
        "object": "list", "model": body.get("model", "test-embed"),
        "data": [{"object": "embedding", "index": i, "embedding": embedding_vector(str(t), dim)}
                 for i, t in enumerate(inputs)],
        "usage": {"prompt_tokens": sum(len(str(t).split()) for t in inputs),
                  "total_tokens": sum(len(str(t).split()) for t in inputs)},
    })


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512  # the default 5 refuses connections under real concurrency


class FakeOpenAI:
    """`with FakeOpenAI(script) as server:` then point a client at `server.base_url`."""

    def __init__(self, script: Script) -> None:
        self.script = script
        self.calls: list[Call] = []
        self.in_flight = 0
        self.max_in_flight = 0  # the most requests the server held at once
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def count(self, endpoint: str = "chat") -> int:
        return sum(1 for call in self.calls if call.endpoint == endpoint)

    def _reply(self, endpoint: str, body: dict[str, Any], headers: dict[str, str]) -> Reply:
        with self._lock:
            number = sum(1 for call in self.calls if call.endpoint == endpoint)
            self.calls.append(Call(endpoint, body, headers))
        return self.script(endpoint, body, number)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go in two writes: no 40 ms stall

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            endpoint = ("embeddings" if self.path.endswith("/embeddings") else
                        "chat" if self.path.endswith("/chat/completions") else "other")
            with server._lock:
                server.in_flight += 1
                server.max_in_flight = max(server.max_in_flight, server.in_flight)
            try:
                reply = server._reply(endpoint, body,
                                      {k.lower(): v for k, v in self.headers.items()})
                if reply.delay_s:
                    time.sleep(reply.delay_s)
            finally:
                with server._lock:
                    server.in_flight -= 1
            payload = (reply.body if isinstance(reply.body, str)
                       else json.dumps(reply.body)).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(payload)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (a timeout test)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
