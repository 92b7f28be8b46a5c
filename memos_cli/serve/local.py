"""The routes memos' own CLI uses when a server holds the store (/api/memos/v1): the store
allows one process, so while `memos serve` runs, `memos import`, `add`, `search` and
`memories list|show` on the same MEMOS_HOME hand their work to it instead of exiting 75.
They read the caller's files, so they answer loopback clients only."""

from __future__ import annotations

import threading
import uuid
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Body, Request
from fastapi.responses import JSONResponse

from memos_cli.errors import MemosError
from memos_cli.ingest.options import ImportOptions
from memos_cli.models import RunReport
from memos_cli.readers import ReaderOptions
from memos_cli.search.searcher import SearchOptions
from memos_cli.serve.service import MemoryService
from memos_cli.serve.writer import ImportJob
from memos_cli.store import MemoryFilter

LOCAL = "/api/memos/v1"


def report_json(report: RunReport) -> dict[str, Any]:
    return {**report.summary(), "failures": [f.to_json() for f in report.failures],
            "written": report.written}


def error_json(exc: BaseException) -> dict[str, Any]:
    if isinstance(exc, MemosError):
        return {"message": exc.message, "hint": exc.hint, "exit_code": exc.exit_code}
    return {"message": f"unexpected error in memos serve: {exc!r}", "hint": "see its log",
            "exit_code": 1}


Json = Body(...)


def local_router(service: MemoryService) -> APIRouter:
    router = APIRouter(prefix=LOCAL)
    jobs: dict[str, ImportJob] = {}
    lock = threading.Lock()

    def refuse(request: Request) -> JSONResponse | None:
        host = request.client.host if request.client else ""
        if host not in ("127.0.0.1", "::1", "localhost", "testclient"):
            return JSONResponse({"error": {"message": "memos' local routes answer loopback "
                                           "clients only", "hint": "", "exit_code": 2}})
        return None

    @router.post("/import")
    def start_import(request: Request, body: dict[str, Any] = Json) -> Any:
        if (refused := refuse(request)) is not None:
            return refused
        options = ImportOptions(
            paths=[Path(p) for p in body["paths"]], fmt=body.get("format", "auto"),
            reader=ReaderOptions(user=body.get("user"), column_map=body.get("column_map", {}),
                                 all_branches=bool(body.get("all_branches"))),
            failures_file=Path(body["failures_file"]) if body.get("failures_file") else None,
            dry_run=bool(body.get("dry_run")), from_start=bool(body.get("from_start")))
        job_id = uuid.uuid4().hex
        with lock:
            jobs[job_id] = service.writer.submit_import(options)
        return {"job_id": job_id}

    @router.get("/import/{job_id}")
    def import_status(request: Request, job_id: str) -> Any:
        if (refused := refuse(request)) is not None:
            return refused
        with lock:
            job = jobs.get(job_id)
        if job is None:
            return {"state": "unknown"}
        snapshot = job.progress.latest
        found: dict[str, Any] = {"state": "running", "bytes_total": job.progress.bytes_total,
                                 "bytes_done": snapshot.bytes_done if snapshot else 0,
                                 "records": snapshot.records if snapshot else 0}
        if job.future.done():
            exc = job.future.exception()
            found["state"] = "failed" if exc else "done"
            found["error" if exc else "report"] = (error_json(exc) if exc else
                                                   report_json(job.future.result()))
            with lock:
                jobs.pop(job_id, None)
        return found

    @router.post("/add")
    def add(request: Request, body: dict[str, Any] = Json) -> Any:
        if (refused := refuse(request)) is not None:
            return refused
        outcome = service.writer.submit(body).result()
        assert outcome.report is not None
        return {"report": report_json(outcome.report)}

    @router.post("/search")
    def search(request: Request, body: dict[str, Any] = Json) -> Any:
        if (refused := refuse(request)) is not None:
            return refused
        searcher = service.searcher()
        if searcher is None:
            return {"hits": [], "empty": True}
        hits = searcher.search(SearchOptions(user_id=body["user_id"], query=body["query"],
                                             top_k=int(body.get("top_k", 10)),
                                             where=MemoryFilter(**body.get("where", {}))))
        return {"hits": [{"id": h.id, "score": h.score, "payload": h.payload} for h in hits]}

    @router.post("/list")
    def list_memories(request: Request, body: dict[str, Any] = Json) -> Any:
        if (refused := refuse(request)) is not None:
            return refused
        store = service.store
        if store is None:
            return {"memories": []}
        found = []
        offset, limit = int(body.get("offset", 0)), int(body.get("limit", 20))
        for index, memory in enumerate(store.scroll(MemoryFilter(**body.get("where", {})))):
            if index >= offset + limit:
                break
            if index >= offset:
                found.append({"id": memory.id, "payload": memory.payload})
        return {"memories": found}

    @router.get("/show/{memory_id}")
    def show(request: Request, memory_id: str) -> Any:
        if (refused := refuse(request)) is not None:
            return refused
        store = service.store
        found = store.retrieve([memory_id]) if store is not None else []
        return {"memory": {"id": found[0].id, "payload": found[0].payload} if found else None}

    return router


__all__ = ["LOCAL", "local_router"]
