"""The MemOS API's operations on one MEMOS_HOME: reads in the request threads (the store
allows them while the writer writes), writes through the writer thread."""

from __future__ import annotations

import base64
import binascii
import math
import uuid
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from memos_cli.config import Settings
from memos_cli.embedders import Embedder
from memos_cli.embedders.cached import RunEmbedder
from memos_cli.models import Memory
from memos_cli.search.searcher import Searcher, SearchOptions
from memos_cli.serve import errors as codes
from memos_cli.serve.errors import ApiError, required
from memos_cli.serve.filters import compile_filter
from memos_cli.serve.models import (
    AddFeedback,
    AddKnowledgebaseFile,
    AddMessage,
    DeleteMemory,
    GetKnowledgebaseFile,
    GetMemory,
    GetMessage,
    SearchMemory,
)
from memos_cli.serve.records import COMPLETED, FAILED, RUNNING, Records
from memos_cli.serve.replies import MEMORY_TYPES, list_name, memory_item
from memos_cli.serve.writer import Outcome, Writer
from memos_cli.store import MemoryFilter, MemoryStore

MAX_ID_CHARS = 100
SYNC_TIMEOUT_S = 25.0  # under the SDK's 30 s, so a slow add answers with a code, not a retry
ROLES = {"user", "assistant", "system", "tool"}


@dataclass(slots=True)
class Added:
    task_id: str
    status: str


class MemoryService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._embedder: Embedder | None = None
        self._store: MemoryStore | None = None
        self.writer = Writer(settings, self._opened)

    def start(self) -> None:
        self.writer.start()
        self.writer.ready.wait()
        if self.writer.error is not None:
            raise self.writer.error

    def stop(self) -> None:
        self.writer.stop()
        self.writer.join(timeout=30)
        if self._store is not None:
            self._store.close()

    def _opened(self, embedder: RunEmbedder, store: MemoryStore) -> None:
        self._embedder, self._store = embedder.embedder, store

    def _records(self) -> Records:
        return Records(self.settings.state_db)

    # writes
    def add_message(self, body: AddMessage) -> Added:
        request = _request(body)
        if body.async_mode is False:
            outcome = self._wait(self.writer.submit(request))
            if outcome.failed:
                raise ApiError(codes.BAD_PARAMETERS, "; ".join(outcome.failed)[:500])
            return Added(_task_id(), COMPLETED)
        return self._queue(request)

    def _queue(self, request: dict[str, Any]) -> Added:
        task_id = _task_id()
        records = self._records()
        try:
            records.queue_task(task_id, request)
        finally:
            records.close()
        self.writer.wake()
        return Added(task_id, RUNNING)

    def _wait(self, future: Any) -> Outcome:
        try:
            outcome: Outcome = future.result(timeout=SYNC_TIMEOUT_S)
        except FutureTimeout:
            raise ApiError(codes.INTERNAL, f"storing took longer than {SYNC_TIMEOUT_S:.0f} s; "
                           "send it again with async_mode true and poll get/status") from None
        return outcome

    def add_feedback(self, body: AddFeedback) -> Added:
        """A correction in the user's words, taken as a new statement said at feedback_time:
        resolution then supersedes what it corrects, as any later statement does."""
        required("user_id", body.user_id)
        required("feedback_content", body.feedback_content)
        user_id = _checked_id(str(body.user_id), "user_id", codes.USER_ID_TOO_LONG)
        when = body.feedback_time or datetime.now(UTC).isoformat(timespec="seconds")
        request = {"user_id": user_id,
                   "conversation_id": body.conversation_id or f"{user_id}-feedback",
                   "messages": [{"role": "user", "content": body.feedback_content,
                                 "chat_time": when}],
                   "agent_id": body.agent_id, "app_id": body.app_id,
                   "allow_public": bool(body.allow_public),
                   "allow_knowledgebase_ids": body.allow_knowledgebase_ids or [],
                   "tags": ["feedback"]}
        return self._queue(request)

    def task_status(self, task_id: str | None) -> str:
        required("task_id", task_id)
        records = self._records()
        try:
            found = records.task(str(task_id))
        finally:
            records.close()
        if found is None:
            raise ApiError(codes.TASK_NOT_FOUND, f"no task {task_id!r}: task ids come from "
                           "add/message or add/feedback")
        return found[0]

    # reads
    @property
    def store(self) -> MemoryStore | None:
        return self._store

    def searcher(self) -> Searcher | None:
        if self._embedder is None or self._store is None:
            return None
        return Searcher(self._embedder, self._store, self.settings)

    def search(self, body: SearchMemory) -> dict[str, Any]:
        required("query", body.query)
        subject = _subject(body.user_id, body.agent_id)
        test = compile_filter(body.filter)
        result: dict[str, Any] = {"memory_detail_list": [], "preference_detail_list": [],
                                  "tool_memory_detail_list": [], "preference_note": ""}
        searcher = self.searcher()
        if searcher is None:
            return result
        vector = searcher.embedder.embed_query(str(body.query)).tolist()
        wanted = [("memory_detail_list", list(MEMORY_TYPES),
                   _limit(body.memory_limit_number, 6, 25))]
        if body.include_preference is not False:
            wanted.append(("preference_detail_list", ["preference"],
                           _limit(body.preference_limit_number, 6, 25)))
        if body.include_tool_memory:
            wanted.append(("tool_memory_detail_list", ["tool"],
                           _limit(body.tool_memory_limit_number, 6, 25)))
        kb_ids = body.knowledgebase_ids or []
        for name, types, limit in wanted:
            where = subject.filter(types, kb_ids)
            hits = searcher.search(SearchOptions(user_id=subject.user_id, query=str(body.query),
                                                 top_k=limit * 3 if test else limit,
                                                 where=where, vector=vector))
            if test is not None:
                hits = [h for h in hits if test(h.payload)]
            if body.conversation_id:  # a boost, not a filter
                hits.sort(key=lambda h: -h.score * (
                    1.25 if h.payload.get("conversation_id") == body.conversation_id else 1.0))
            if body.relativity:
                hits = [h for h in hits if h.score >= body.relativity]
            result[name] = [memory_item(h.id, h.payload, h.score) for h in hits[:limit]]
        if result["preference_detail_list"]:
            result["preference_note"] = "Preferences the user stated, most relevant first."
        return result

    def get_memories(self, body: GetMemory) -> dict[str, Any]:
        subject = _subject(body.user_id, body.agent_id)
        test = compile_filter(body.filter)
        page, size = max(1, body.page or 1), _limit(body.size, 10, 50)
        types = list(MEMORY_TYPES)
        if body.include_preference is not False:
            types.append("preference")
        if body.include_tool_memory is not False:
            types.append("tool")
        lists: dict[str, list[dict[str, Any]]] = {"memory_detail_list": [],
                                                  "preference_detail_list": [],
                                                  "tool_memory_detail_list": []}
        total = 0
        if self._store is not None:
            start = (page - 1) * size
            for memory in self._store.scroll(subject.filter(types, [])):
                if test is not None and not test(memory.payload):
                    continue
                if start <= total < start + size:
                    kind = str(memory.payload.get("memory_type"))
                    lists[list_name(kind)].append(memory_item(memory.id, memory.payload,
                                                              detail=True))
                total += 1
        return {**lists, "total": total, "size": size, "current": page,
                "pages": math.ceil(total / size) if total else 0}

    def get_memory(self, memory_id: str) -> dict[str, Any]:
        ids = _memory_ids([memory_id])
        found = self._store.retrieve(ids) if self._store is not None and ids else []
        if not found:
            raise ApiError(codes.MEMORY_NOT_FOUND, f"no memory {memory_id!r}")
        return memory_item(found[0].id, found[0].payload, detail=True)

    def delete(self, body: DeleteMemory) -> int:
        modes = [bool(body.memory_ids), bool(body.user_id), bool(body.agent_id),
                 body.filter is not None]
        if sum(modes) != 1:
            raise ApiError(codes.BAD_PARAMETERS, "give exactly one of memory_ids, user_id, "
                           "agent_id or filter")
        if self._store is None:
            return 0
        if body.memory_ids:
            found = self._store.retrieve(_memory_ids(body.memory_ids))
            self._store.delete([m.id for m in found])
            return len(found)
        types = [body.memory_type] if body.memory_type else []
        if body.filter is not None:
            test = compile_filter(body.filter)
            doomed = [m.id for m in self._store.scroll(MemoryFilter(include_superseded=True))
                      if test is None or test(m.payload)]
            self._store.delete(doomed)
            return len(doomed)
        where = MemoryFilter(user_id=body.user_id, include_superseded=True,
                             match_any={"memory_type": types} if types else {})
        if body.agent_id:
            where = MemoryFilter(include_superseded=True, match_any={
                "agent_id": [body.agent_id], **({"memory_type": types} if types else {})})
        return self._store.delete_matching(where)

    def messages(self, body: GetMessage) -> list[dict[str, Any]]:
        required("user_id", body.user_id)
        required("conversation_id", body.conversation_id)
        records = self._records()
        try:
            return records.messages(str(body.user_id), str(body.conversation_id),
                                    _limit(body.message_limit_number, 6, 50))
        finally:
            records.close()

    # knowledge bases
    def create_knowledgebase(self, name: str | None, description: str | None) -> str:
        required("knowledgebase_name", name)
        kb_id = f"kb-{uuid.uuid4().hex[:16]}"
        records = self._records()
        try:
            records.create_knowledgebase(kb_id, str(name), description or "")
        finally:
            records.close()
        return kb_id

    def delete_knowledgebase(self, kb_id: str | None) -> bool:
        required("knowledgebase_id", kb_id)
        records = self._records()
        try:
            deleted = records.delete_knowledgebase(str(kb_id))
        finally:
            records.close()
        if not deleted:
            raise ApiError(codes.NOT_FOUND, f"no knowledge base {kb_id!r}")
        if self._store is not None:
            self._store.delete_matching(MemoryFilter(user_id=_kb_owner(str(kb_id)),
                                                     include_superseded=True))
        return True

    def add_knowledgebase_files(self, body: AddKnowledgebaseFile) -> list[dict[str, Any]]:
        required("knowledgebase_id", body.knowledgebase_id)
        required("file", body.file)
        kb_id = str(body.knowledgebase_id)
        records = self._records()
        try:
            if not records.knowledgebase_exists(kb_id):
                raise ApiError(codes.NOT_FOUND, f"no knowledge base {kb_id!r}: create it with "
                               "create/knowledgebase")
            added = []
            for index, spec in enumerate(body.file or []):
                name, data = _file_content(spec, index)
                file_id = f"file-{uuid.uuid4().hex[:16]}"
                request = {"user_id": _kb_owner(kb_id), "conversation_id": file_id,
                           "allow_knowledgebase_ids": [kb_id],
                           "messages": [{"role": "user", "content": [{"type": "file", "file": {
                               "filename": name, "file_data": base64.b64encode(data).decode()}}]}]}
                outcome = self._wait(self.writer.submit(request))
                status = "failed" if outcome.failed else "completed"
                records.add_kb_file(file_id, kb_id, name, len(data), status)
                added.append({"id": file_id, "name": name,
                              "sizeMB": round(len(data) / 2**20, 4), "status": status})
            return added
        finally:
            records.close()

    def knowledgebase_files(self, body: GetKnowledgebaseFile) -> dict[str, Any]:
        if not body.knowledgebase_id and not body.file_ids:
            raise ApiError(codes.REQUIRED_EMPTY, "give knowledgebase_id or file_ids")
        page, size = max(1, body.page or 1), _limit(body.page_size, 10, 100)
        records = self._records()
        try:
            files, total = records.kb_files(body.knowledgebase_id, body.file_ids,
                                            (page - 1) * size, size)
        finally:
            records.close()
        return {"file_detail_list": files, "total": total, "page": page, "page_size": size}

    def delete_knowledgebase_files(self, file_ids: list[str] | None) -> bool:
        required("file_ids", file_ids)
        records = self._records()
        try:
            deleted = records.delete_kb_files(list(file_ids or []))
        finally:
            records.close()
        if self._store is not None:
            for file_id, kb_id in deleted:
                self._store.delete_matching(MemoryFilter(
                    user_id=_kb_owner(kb_id), include_superseded=True,
                    match_any={"conversation_id": [file_id]}))
        return True

    def search_context(self, user_id: str, query: str, limit: int) -> list[Memory]:
        searcher = self.searcher()
        if searcher is None:
            return []
        hits = searcher.search(SearchOptions(user_id=user_id, query=query, top_k=limit))
        return [Memory(h.id, h.payload) for h in hits]


@dataclass(slots=True)
class _Subject:
    user_id: str
    agent_id: str | None

    def filter(self, types: list[str], kb_ids: list[str]) -> MemoryFilter:
        match: dict[str, list[str]] = {"memory_type": types}
        if self.agent_id and not self.user_id:
            match["agent_id"] = [self.agent_id]
        every_kb = kb_ids == ["all"]
        return MemoryFilter(user_id=self.user_id or None, match_any=match,
                            kb_ids=[] if every_kb else kb_ids)


def _subject(user_id: str | None, agent_id: str | None) -> _Subject:
    if not user_id and not agent_id:
        raise ApiError(codes.REQUIRED_EMPTY, "user_id (or agent_id) is required")
    return _Subject(_checked_id(user_id or "", "user_id", codes.USER_ID_TOO_LONG), agent_id)


def _checked_id(value: str, name: str, code: int) -> str:
    if len(value) > MAX_ID_CHARS:
        raise ApiError(code, f"{name} is longer than {MAX_ID_CHARS} characters")
    return value


def _limit(value: int | None, default: int, most: int) -> int:
    if value is None:
        return default
    if value < 1:
        raise ApiError(codes.BAD_PARAMETERS, f"a limit must be at least 1, not {value}")
    return min(value, most)


def _memory_ids(ids: list[str]) -> list[str]:
    """The ids that can be memos memory ids (UUIDs); others name no memory."""
    valid = []
    for memory_id in ids:
        try:
            valid.append(str(uuid.UUID(str(memory_id))))
        except ValueError:
            continue
    return valid


def _task_id() -> str:
    return uuid.uuid4().hex


def _kb_owner(kb_id: str) -> str:
    """Knowledge-base files are stored as the memories of a user of their own."""
    return f"kb:{kb_id}"


def _request(body: AddMessage) -> dict[str, Any]:
    """The add-message body as memos reads a request line, checked enough to answer at once
    (async adds are validated again, message by message, when stored)."""
    user = body.user_id[0] if isinstance(body.user_id, list) and body.user_id else body.user_id
    agent = body.agent_id[0] if isinstance(body.agent_id, list) and body.agent_id else (
        body.agent_id)
    if not user and not agent:
        raise ApiError(codes.REQUIRED_EMPTY, "user_id (or agent_id) is required")
    required("conversation_id", body.conversation_id)
    required("messages", body.messages)
    user_id = _checked_id(str(user or f"agent:{agent}"), "user_id", codes.USER_ID_TOO_LONG)
    conversation = _checked_id(str(body.conversation_id), "conversation_id",
                               codes.CONVERSATION_ID_TOO_LONG)
    for index, message in enumerate(body.messages or []):
        role = message.get("role")
        if role not in ROLES:
            raise ApiError(codes.BAD_PARAMETERS, f"messages[{index}].role must be one of "
                           f"user, assistant, system, tool, not {role!r}")
        content = message.get("content")
        if not isinstance(content, str | list) and not message.get("tool_calls"):
            raise ApiError(codes.WRONG_TYPE, f"messages[{index}].content must be a string or "
                           "a list of parts")
    return {"user_id": user_id, "conversation_id": conversation, "messages": body.messages,
            "info": {k: str(v) for k, v in (body.info or {}).items()}, "tags": body.tags or [],
            "agent_id": agent, "app_id": body.app_id,
            "allow_public": bool(body.allow_public),
            "allow_knowledgebase_ids": body.allow_knowledgebase_ids or []}


_TEXT_TYPES = {"txt", "md", "markdown", "json", "csv", "html", "htm", "pdf", "text/plain",
               "text/markdown", "application/json", "text/csv", "text/html", "application/pdf"}


def _file_content(spec: dict[str, Any], index: int) -> tuple[str, bytes]:
    content = spec.get("content")
    if not isinstance(content, str) or not content:
        raise ApiError(codes.REQUIRED_EMPTY, f"file[{index}].content is required")
    if content.startswith(("http://", "https://")):
        raise ApiError(codes.BAD_PARAMETERS, f"file[{index}]: memos serve runs offline and "
                       "cannot fetch a URL; send the file's content as base64 or a data URI")
    name = str(spec.get("name") or f"file-{index + 1}.txt")
    kind = str(spec.get("type") or name.rsplit(".", 1)[-1]).lower()
    if content.startswith("data:"):
        header, _, content = content.partition(",")
        kind = header[5:].split(";")[0] or kind
    if kind not in _TEXT_TYPES:
        raise ApiError(codes.BAD_FILE_TYPE, f"file[{index}]: {kind!r} is not a supported type "
                       "(txt, md, json, csv, html, pdf)")
    try:
        return name, base64.b64decode(content, validate=True)
    except (binascii.Error, ValueError):
        raise ApiError(codes.BAD_PARAMETERS, f"file[{index}].content is not valid base64") from None


__all__ = ["FAILED", "Added", "MemoryService"]
