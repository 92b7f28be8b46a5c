"""`memos serve`: the MemOS Cloud API on this machine, offline, over the same MEMOS_HOME."""

from __future__ import annotations

import ipaddress
import os
from typing import Annotated

import typer

from memos_cli.cli.options import ConfigOpt, EmbedderOpt, HomeOpt, QdrantUrlOpt, settings_from
from memos_cli.cli.output import handle_errors, stderr
from memos_cli.errors import UsageError


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def serve_command(
    host: Annotated[str, typer.Option("--host", help="Address to listen on; anything but "
                                      "loopback needs MEMOS_API_KEY.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    access_log: Annotated[bool, typer.Option(
        "--access-log/--no-access-log", help="One line per request: method, path, status "
        "(never a key or message text).")] = True,
    embedder: EmbedderOpt = None,
    qdrant_url: QdrantUrlOpt = None,
    home: HomeOpt = None,
    config: ConfigOpt = None,
) -> None:
    """Serve the MemOS Cloud API at http://HOST:PORT/api/openmem/v1, as apps and the official
    Python SDK (MemoryOS) call it: add/message, get/status, search/memory, get/memory,
    delete/memory, get/message, add/feedback, knowledge bases, chat (with an LLM configured).

    With MEMOS_API_KEY set, every request must carry 'Authorization: Token KEY' (or Bearer);
    without it the server listens on loopback only. The model loads once; async adds are kept
    in state.db, so a restart finishes what was queued. Stop with Ctrl-C or SIGTERM."""
    import orjson

    from memos_cli.state import command_line, writer_lock

    with handle_errors():
        settings = settings_from(home, config, embedder=embedder, qdrant_url=qdrant_url)
        api_key = os.environ.get("MEMOS_API_KEY") or None
        if api_key is None and not _loopback(host):
            raise UsageError(f"refusing to serve on {host} without a key",
                             "set MEMOS_API_KEY, or serve on --host 127.0.0.1")
        import uvicorn

        from memos_cli.serve.app import BASE, create_app

        app = create_app(settings, api_key)
        url = f"http://{host}:{port}{BASE}"
        with writer_lock(settings.home, command_line()):
            marker = settings.home / "serve.json"
            marker.write_bytes(orjson.dumps({"url": url, "pid": os.getpid()}))
            try:
                stderr.print(f"memos serve: {url} on {settings.home}", markup=False,
                             highlight=False)
                if api_key is None:
                    stderr.print("no MEMOS_API_KEY: serving without a key, on loopback only",
                                 markup=False, highlight=False)
                uvicorn.run(app, host=host, port=port, access_log=access_log,
                            log_level="info", server_header=False)
            finally:
                marker.unlink(missing_ok=True)
