"""The ASGI app: FastAPI routes in the MemOS Cloud API's shape over MemoryService.

FastAPI because MemOS's own server is FastAPI on uvicorn, so its request and reply models are
pydantic as here and a reader of one reads the other; it also gives /docs for free. Every
reply is the envelope `{code, message, data}` with HTTP 200, errors included: the SDK retries
anything else three times.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response

from memos_cli.config import Settings
from memos_cli.serve import errors as codes
from memos_cli.serve import models
from memos_cli.serve.errors import ApiError
from memos_cli.serve.local import LOCAL, local_router
from memos_cli.serve.service import MemoryService

BASE = "/api/openmem/v1"
MAX_BODY_BYTES = 20 * 2**20
log = logging.getLogger("memos.serve")


def ok(data: Any) -> dict[str, Any]:
    return {"code": 0, "message": "ok", "data": data}


def failed(code: int, message: str) -> JSONResponse:
    return JSONResponse({"code": code, "message": message, "data": None})


def create_app(settings: Settings, api_key: str | None = None) -> FastAPI:
    """The app for one MEMOS_HOME. With `api_key` (MEMOS_API_KEY when the server starts),
    only `Token <key>` or `Bearer <key>` is served."""
    memories = MemoryService(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        memories.start()
        try:
            yield
        finally:
            memories.stop()

    app = FastAPI(title="memos: the MemOS Cloud API, local", lifespan=lifespan,
                  openapi_url=f"{BASE}/openapi.json", docs_url=f"{BASE}/docs", redoc_url=None)
    app.state.memories = memories

    @app.middleware("http")
    async def guard(request: Request,
                    call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_BODY_BYTES:
            return failed(codes.BAD_PARAMETERS, f"the body is larger than "
                          f"{MAX_BODY_BYTES // 2**20} MB; send fewer messages per request")
        guarded = request.url.path.startswith((BASE, LOCAL))
        if api_key and guarded and request.url.path != f"{BASE}/health":
            given = request.headers.get("authorization", "")
            scheme, _, token = given.partition(" ")
            if not given:
                return failed(codes.KEY_REQUIRED, "an API key is required: send the header "
                              "'Authorization: Token <key>'")
            if scheme.lower() not in ("token", "bearer") or not hmac.compare_digest(
                    token.strip().encode(), api_key.encode()):
                return failed(codes.KEY_INVALID, "the API key is not valid for this server")
        try:
            return await call_next(request)
        except Exception:
            log.exception("internal error on %s", request.url.path)
            return failed(codes.INTERNAL, "internal error; the server log has the details")

    @app.exception_handler(ApiError)
    async def api_error(_: Request, exc: ApiError) -> JSONResponse:
        return failed(exc.code, exc.message)

    @app.exception_handler(RequestValidationError)
    async def bad_body(_: Request, exc: RequestValidationError) -> JSONResponse:
        return failed(*_describe(exc.errors()))

    def service() -> MemoryService:
        return memories

    Service = Depends(service)

    @app.get(f"{BASE}/health")
    def health() -> dict[str, Any]:
        return ok({"status": "ok", "store_open": memories.writer.store is not None})

    @app.post(f"{BASE}/add/message")
    def add_message(body: models.AddMessage, s: MemoryService = Service) -> dict[str, Any]:
        added = s.add_message(body)
        return ok({"success": True, "task_id": added.task_id, "status": added.status})

    @app.post(f"{BASE}/get/status")
    def get_status(body: models.GetStatus, s: MemoryService = Service) -> dict[str, Any]:
        return ok({"task_id": body.task_id, "status": s.task_status(body.task_id)})

    @app.post(f"{BASE}/search/memory")
    def search_memory(body: models.SearchMemory, s: MemoryService = Service) -> dict[str, Any]:
        return ok(s.search(body))

    @app.post(f"{BASE}/get/memory")
    def get_memory(body: models.GetMemory, s: MemoryService = Service) -> dict[str, Any]:
        return ok(s.get_memories(body))

    @app.get(f"{BASE}/get/memory/{{memory_id}}")
    def get_memory_by_id(memory_id: str, s: MemoryService = Service) -> dict[str, Any]:
        return ok(s.get_memory(memory_id))

    @app.post(f"{BASE}/delete/memory")
    def delete_memory(body: models.DeleteMemory, s: MemoryService = Service) -> dict[str, Any]:
        deleted = s.delete(body)
        return ok({"success": True, "deleted": deleted})

    @app.post(f"{BASE}/get/message")
    def get_message(body: models.GetMessage, s: MemoryService = Service) -> dict[str, Any]:
        return ok({"message_detail_list": s.messages(body)})

    @app.post(f"{BASE}/add/feedback")
    def add_feedback(body: models.AddFeedback, s: MemoryService = Service) -> dict[str, Any]:
        added = s.add_feedback(body)
        return ok({"success": True, "task_id": added.task_id, "status": added.status})

    @app.post(f"{BASE}/create/knowledgebase")
    def create_knowledgebase(body: models.CreateKnowledgebase,
                             s: MemoryService = Service) -> dict[str, Any]:
        return ok({"id": s.create_knowledgebase(body.knowledgebase_name,
                                                body.knowledgebase_description)})

    @app.post(f"{BASE}/delete/knowledgebase")
    def delete_knowledgebase(body: models.KnowledgebaseId,
                             s: MemoryService = Service) -> dict[str, Any]:
        return ok({"success": s.delete_knowledgebase(body.knowledgebase_id)})

    @app.post(f"{BASE}/add/knowledgebase-file")
    def add_knowledgebase_file(body: models.AddKnowledgebaseFile,
                               s: MemoryService = Service) -> dict[str, Any]:
        return ok(s.add_knowledgebase_files(body))

    @app.post(f"{BASE}/get/knowledgebase-file")
    def get_knowledgebase_file(body: models.GetKnowledgebaseFile,
                               s: MemoryService = Service) -> dict[str, Any]:
        return ok(s.knowledgebase_files(body))

    @app.post(f"{BASE}/delete/knowledgebase-file")
    def delete_knowledgebase_file(body: models.DeleteKnowledgebaseFile,
                                  s: MemoryService = Service) -> dict[str, Any]:
        return ok({"success": s.delete_knowledgebase_files(body.file_ids)})

    @app.post(f"{BASE}/chat")
    def chat(body: models.Chat, s: MemoryService = Service) -> dict[str, Any]:
        from memos_cli.serve.chat import answer

        return ok({"response": answer(s, body)})

    app.include_router(local_router(memories))

    @app.api_route(BASE + "/{path:path}", methods=["GET", "POST", "PUT", "DELETE", "PATCH"])
    def unknown(path: str) -> JSONResponse:
        return failed(codes.NOT_FOUND, f"no endpoint {path!r} here; see {BASE}/docs")

    return app


def _describe(errors: Sequence[Any]) -> tuple[int, str]:
    """A body FastAPI could not read, as one MemOS code and a line that says what to fix."""
    if not errors:
        return codes.BAD_PARAMETERS, "the request body is not valid"
    first = errors[0]
    kind = str(first.get("type", ""))
    where = ".".join(str(part) for part in first.get("loc", ()) if part != "body") or "body"
    if kind in ("json_invalid", "json_type") or where == "body":
        return codes.BAD_PARAMETERS, "the body must be a JSON object (Content-Type: " \
            "application/json)"
    if kind == "missing":
        return codes.REQUIRED_EMPTY, f"{where} is required"
    if kind.endswith("_type") or kind.endswith("_parsing"):
        return codes.WRONG_TYPE, f"{where} has the wrong type: {first.get('msg', '')}"
    return codes.BAD_PARAMETERS, f"{where}: {first.get('msg', 'not valid')}"


def key_from_environment() -> str | None:
    return os.environ.get("MEMOS_API_KEY") or None
