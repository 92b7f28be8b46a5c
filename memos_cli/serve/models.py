"""Request bodies of the MemOS Cloud API. The official SDK sends every optional key, with null
when unset, and keys the docs don't list: every field is optional here, unknown keys are
ignored, and a null means the default (service.py applies them)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict


class Body(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AddMessage(Body):
    user_id: str | list[str] | None = None
    agent_id: str | list[str] | None = None
    conversation_id: str | None = None
    messages: list[dict[str, Any]] | None = None
    info: dict[str, Any] | None = None
    tags: list[str] | None = None
    app_id: str | None = None
    async_mode: bool | None = None
    allow_public: bool | None = None
    allow_knowledgebase_ids: list[str] | None = None


class GetStatus(Body):
    task_id: str | None = None


class Subject(Body):
    user_id: str | None = None
    agent_id: str | None = None
    filter: dict[str, Any] | None = None


class SearchMemory(Subject):
    query: str | None = None
    conversation_id: str | None = None
    knowledgebase_ids: list[str] | None = None
    memory_limit_number: int | None = None
    include_preference: bool | None = None
    preference_limit_number: int | None = None
    include_tool_memory: bool | None = None
    tool_memory_limit_number: int | None = None
    relativity: float | None = None


class GetMemory(Subject):
    page: int | None = None
    size: int | None = None
    include_preference: bool | None = None
    include_tool_memory: bool | None = None


class DeleteMemory(Subject):
    memory_ids: list[str] | None = None
    memory_type: str | None = None


class GetMessage(Body):
    user_id: str | None = None
    conversation_id: str | None = None
    message_limit_number: int | None = None


class AddFeedback(Body):
    user_id: str | None = None
    conversation_id: str | None = None
    feedback_content: str | None = None
    feedback_time: str | None = None
    agent_id: str | None = None
    app_id: str | None = None
    allow_public: bool | None = None
    allow_knowledgebase_ids: list[str] | None = None


class CreateKnowledgebase(Body):
    knowledgebase_name: str | None = None
    knowledgebase_description: str | None = None


class KnowledgebaseId(Body):
    knowledgebase_id: str | None = None


class AddKnowledgebaseFile(Body):
    knowledgebase_id: str | None = None
    file: list[dict[str, Any]] | None = None


class GetKnowledgebaseFile(Body):
    knowledgebase_id: str | None = None
    file_ids: list[str] | None = None
    page: int | None = None
    page_size: int | None = None


class DeleteKnowledgebaseFile(Body):
    file_ids: list[str] | None = None


class Chat(Body):
    user_id: str | None = None
    conversation_id: str | None = None
    query: str | None = None
    system_prompt: str | None = None
    filter: dict[str, Any] | None = None
    knowledgebase_ids: list[str] | None = None
    memory_limit_number: int | None = None
    temperature: float | None = None
    max_tokens: int | None = None
