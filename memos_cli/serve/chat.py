"""`chat`: an answer from the configured LLM with the user's memories as context. memos runs
offline by default, so without an LLM the endpoint says so with a code."""

from __future__ import annotations

from typing import TYPE_CHECKING

from memos_cli.serve import errors as codes
from memos_cli.serve.errors import ApiError, required
from memos_cli.serve.models import Chat

if TYPE_CHECKING:
    from memos_cli.serve.service import MemoryService

_SYSTEM = ("You are a helpful assistant. Use what you know about the user, below, where it "
           "helps; never invent memories.\n\nWhat you know about the user:\n{memories}")


def answer(service: MemoryService, body: Chat) -> str:
    settings = service.settings
    if not settings.llm_base_url or not settings.llm_model:
        raise ApiError(codes.BAD_PARAMETERS, "chat needs an LLM and none is configured: set "
                       "[llm] base_url and model in the config (any OpenAI-compatible "
                       "endpoint) and restart memos serve")
    required("user_id", body.user_id)
    required("query", body.query)
    import openai

    from memos_cli.llm.client import api_key

    found = service.search_context(str(body.user_id), str(body.query),
                                   min(body.memory_limit_number or 6, 25))
    context = "\n".join(f"- {m.payload.get('text')}" for m in found) or "(nothing yet)"
    client = openai.OpenAI(base_url=settings.llm_base_url,
                           api_key=api_key(settings.llm_api_key_env) or "no-key",
                           timeout=settings.llm_timeout_s, max_retries=settings.llm_max_retries)
    try:
        reply = client.chat.completions.create(
            model=settings.llm_model,
            messages=[{"role": "system", "content": (body.system_prompt or "") + "\n"
                       + _SYSTEM.format(memories=context)},
                      {"role": "user", "content": str(body.query)}],
            temperature=body.temperature if body.temperature is not None else 0.7,
            max_tokens=body.max_tokens or 1024)
    except openai.OpenAIError as exc:
        raise ApiError(codes.INTERNAL, f"the LLM endpoint failed: {type(exc).__name__}") from None
    return reply.choices[0].message.content or ""
