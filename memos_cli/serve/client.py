"""The CLI's side of the handoff to a running `memos serve` (serve/local.py): found through
MEMOS_HOME/serve.json, spoken to with the standard library only, so that commands pay for no
HTTP package at start."""

from __future__ import annotations

import os
import time
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

import orjson

from memos_cli.config import Settings
from memos_cli.errors import ExitCode, MemosError
from memos_cli.ingest.options import ImportOptions
from memos_cli.ingest.progress import ProgressSink, ProgressSnapshot
from memos_cli.models import Failure, FileReport, LLMSummary, Memory, RunReport
from memos_cli.store import MemoryFilter, SearchHit

_LOCAL_PATH = "/api/memos/v1"


class HandoffError(MemosError):
    exit_code = ExitCode.STORE_BUSY


def running_server(settings: Settings, writes: bool = False) -> LocalServer | None:
    """The server that holds this MEMOS_HOME, when one runs and answers; for `writes`, only
    `memos serve` (a running import answers reads only: serve/reads.py)."""
    marker = settings.home / "serve.json"
    try:
        found = orjson.loads(marker.read_bytes())
        os.kill(int(found["pid"]), 0)
    except (OSError, ValueError, KeyError, TypeError, orjson.JSONDecodeError):
        return None  # none, or a stale file left by a killed server
    if writes and found.get("reads_only"):
        return None
    parts = urlsplit(str(found["url"]))
    host = parts.hostname or "127.0.0.1"
    if host in ("0.0.0.0", "::"):
        host = "127.0.0.1"
    server = LocalServer(f"http://{host}:{parts.port}{_LOCAL_PATH}", str(found["url"]))
    return server if server.alive() else None


class LocalServer:
    def __init__(self, base: str, api_url: str) -> None:
        self.base = base
        self.api_url = api_url
        key = os.environ.get("MEMOS_API_KEY")
        self._headers = {"Content-Type": "application/json",
                         **({"Authorization": f"Token {key}"} if key else {})}

    def alive(self) -> bool:
        try:
            with urllib.request.urlopen(self.api_url + "/health", timeout=2) as reply:
                return bool(reply.status == 200)
        except (OSError, urllib.error.URLError):
            return False

    def _call(self, path: str, body: Any = None, timeout: float = 600) -> dict[str, Any]:
        request = urllib.request.Request(
            self.base + path, data=None if body is None else orjson.dumps(body),
            headers=self._headers, method="GET" if body is None else "POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as reply:
                found: dict[str, Any] = orjson.loads(reply.read())
        except (OSError, urllib.error.URLError) as exc:
            raise HandoffError(f"memos serve at {self.api_url} did not answer: {exc}",
                               "check that it still runs, or stop it and run the command "
                               "again") from None
        error = found.get("error") or (found.get("data") if found.get("code") else None)
        if error:
            raise _error(error, found)
        return found

    def import_files(self, options: ImportOptions,
                     progress: ProgressSink | None = None) -> RunReport:
        job = self._call("/import", {
            "paths": [str(p.resolve()) for p in options.paths], "format": options.fmt,
            "user": options.reader.user, "column_map": options.reader.column_map,
            "all_branches": options.reader.all_branches, "dry_run": options.dry_run,
            "from_start": options.from_start,
            "failures_file": str(options.failures_file.resolve()) if options.failures_file
            else None})["job_id"]
        started = False
        while True:
            status = self._call(f"/import/{job}")
            if progress is not None and not started and status.get("bytes_total"):
                progress.start(int(status["bytes_total"]))
                started = True
            if status["state"] == "done":
                if progress is not None and started:
                    progress.finish()
                return report_from_json(status["report"])
            if status["state"] == "failed":
                raise _error(status["error"], status)
            if status["state"] == "unknown":
                raise HandoffError("memos serve lost track of the import (restarted?)",
                                   "run the import again: it resumes from its checkpoint")
            if progress is not None and started:
                done = int(status["bytes_done"])
                progress.update(ProgressSnapshot("", 0, 0, int(status["bytes_total"]), done,
                                                 int(status.get("records", 0)), 0, 0))
            time.sleep(0.5)

    def add(self, request: dict[str, Any]) -> RunReport:
        return report_from_json(self._call("/add", request)["report"])

    def search(self, user_id: str, query: str, top_k: int,
               where: MemoryFilter) -> list[SearchHit]:
        found = self._call("/search", {"user_id": user_id, "query": query, "top_k": top_k,
                                       "where": _filter_json(where)})
        return [SearchHit(h["id"], float(h["score"]), h["payload"]) for h in found["hits"]]

    def list(self, where: MemoryFilter, limit: int, offset: int = 0) -> list[Memory]:
        found = self._call("/list", {"where": _filter_json(where), "limit": limit,
                                     "offset": offset})
        return [Memory(m["id"], m["payload"]) for m in found["memories"]]

    def show(self, memory_id: str) -> Memory | None:
        found = self._call(f"/show/{memory_id}")["memory"]
        return Memory(found["id"], found["payload"]) if found else None


def _filter_json(where: MemoryFilter) -> dict[str, Any]:
    return {name: getattr(where, name) for name in MemoryFilter.__slots__}


def _error(error: Any, found: dict[str, Any]) -> MemosError:
    if isinstance(error, dict) and "exit_code" in error:
        failure = MemosError(str(error["message"]), str(error.get("hint") or ""))
        failure.exit_code = int(error["exit_code"])
        return failure
    return HandoffError(f"memos serve refused the request: {found.get('message', error)}",
                        "check MEMOS_API_KEY: the CLI sends the key the server was started "
                        "with")


def report_from_json(found: dict[str, Any]) -> RunReport:
    """The report of a run the server made, as the CLI prints its own."""
    report = RunReport(run_id=str(found["run_id"]))
    for name in ("records_read", "records_stored", "records_already_imported",
                 "records_failed", "memories_written", "memories_added", "memories_merged",
                 "memories_superseded", "batches", "texts_embedded", "tokens_embedded",
                 "bytes_read", "checkpoint_skipped_records", "checkpoint_skipped_bytes"):
        setattr(report, name, int(found.get(name) or 0))
    report.memories_by_type = dict(found.get("memories_by_type") or {})
    report.failures_file = found.get("failures_file")
    report.embedder = str(found.get("embedder") or "")
    report.elapsed_s = float(found.get("elapsed_s") or 0)
    report.dry_run = bool(found.get("dry_run"))
    report.llm = LLMSummary.from_json(found["llm"]) if found.get("llm") else None
    report.files = [FileReport(**f) for f in found.get("files") or []]
    report.failures = [Failure(f["file"], int(f["line"]), f["stage"], f["reason"],
                               str(f.get("raw", ""))) for f in found.get("failures") or []]
    report.written = list(found.get("written") or [])
    if found.get("exit_code") not in (0, 3, None):
        report.error_exit_code = int(found["exit_code"])
    return report


__all__ = ["HandoffError", "LocalServer", "running_server"]
