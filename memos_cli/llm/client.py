"""Chat requests to an OpenAI-compatible endpoint that survive a bulk import.

Each request waits for the rate limiter, runs under a timeout, and on 429, 5xx, timeouts and
dropped connections is retried with exponential backoff and jitter (`Retry-After` honoured).
Structured outputs are asked for with the response's JSON schema; a server that rejects that
is asked for JSON mode, then for plain text, and the JSON is found in whatever comes back.
The API key is read from the environment variable the config names and is scrubbed from
every message this module produces.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
from typing import Any, TypeVar

import openai
from pydantic import BaseModel, ValidationError

from memos_cli.config import Settings
from memos_cli.errors import ConfigError, ExtractionFailed
from memos_cli.llm.limiter import RateLimiter
from memos_cli.models import LLMUsage
from memos_cli.retry import Backoff, transient

Answer = TypeVar("Answer", bound=BaseModel)

# Ways of asking for JSON, best first; a server that refuses one is asked the next way.
MODES = ("json_schema", "json_object", "text")
_BACKOFF = Backoff(base_s=0.5, cap_s=30.0, server_cap_s=120.0)
_FENCE = re.compile(r"```(?:json)?\s*(.*?)```", re.DOTALL)


class RequestFailed(ExtractionFailed):
    """A request that did not succeed within its retries; `answer` is the model's last raw
    answer when there was one."""


class InvalidAnswer(Exception):
    def __init__(self, reason: str, answer: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.answer = answer


def api_key(env_name: str) -> str | None:
    return os.environ.get(env_name) or None


class ChatClient:
    """One per run, used from one event loop."""

    def __init__(self, settings: Settings) -> None:
        if not settings.llm_model:
            raise ConfigError("the llm extractor needs a model",
                              "set [llm] model in the config, or MEMOS_LLM_MODEL")
        self.model = settings.llm_model
        self.temperature = settings.llm_temperature
        self.max_output_tokens = settings.llm_max_output_tokens
        self.timeout_s = settings.llm_timeout_s
        self.max_retries = settings.llm_max_retries
        self._key_env = settings.llm_api_key_env
        self._key = api_key(self._key_env)
        # Local servers (vLLM, Ollama, llama.cpp) take any key; the client insists on one.
        self._client = openai.AsyncOpenAI(base_url=settings.llm_base_url,
                                          api_key=self._key or "no-key",
                                          timeout=settings.llm_timeout_s, max_retries=0)
        self.limiter = RateLimiter(settings.llm_requests_per_minute,
                                   settings.llm_tokens_per_minute)
        self.usage = LLMUsage()
        self.mode = MODES[0]

    def redact(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key else text

    async def ask(self, messages: list[dict[str, str]], schema: type[Answer],
                  estimated_tokens: int) -> Answer:
        """The model's answer, validated against `schema`. An answer that doesn't validate is
        asked again once; raises RequestFailed when retries or that second chance run out."""
        last: InvalidAnswer | None = None
        for _ in range(2):
            text = await self._complete(messages, schema, estimated_tokens)
            try:
                return parse_answer(text, schema)
            except InvalidAnswer as exc:
                self.usage.invalid_answers += 1
                last = exc
        assert last is not None
        raise RequestFailed(self.redact(f"the model's answer is not valid: {last.reason}"),
                            self.redact(last.answer))

    async def _complete(self, messages: list[dict[str, str]], schema: type[BaseModel],
                        estimated_tokens: int) -> str:
        attempt = 0
        while True:
            await self._wait_for_limiter(estimated_tokens)
            self.usage.requests += 1
            mode = self.mode
            try:
                response = await asyncio.wait_for(
                    self._client.chat.completions.create(
                        model=self.model, messages=messages,  # type: ignore[arg-type]
                        temperature=self.temperature, max_tokens=self.max_output_tokens,
                        **_response_format(mode, schema)),
                    self.timeout_s)
            except (openai.BadRequestError, openai.UnprocessableEntityError) as exc:
                if mode != MODES[-1] and "response_format" in _body_text(exc):
                    if self.mode == mode:  # the server lacks it (concurrent requests agree)
                        self.mode = MODES[MODES.index(mode) + 1]
                    continue
                self._count_status(exc.status_code)
                raise self._failed(f"the server refused the request ({exc.status_code}): "
                                   f"{_message(exc)}") from None
            except (openai.AuthenticationError, openai.PermissionDeniedError,
                    openai.NotFoundError) as exc:
                raise ConfigError(self.redact(
                    f"the LLM endpoint refused the request ({exc.status_code}): "
                    f"{_message(exc)}"),
                    f"check [llm] base_url and model, and the key in ${self._key_env}") from None
            except openai.APIStatusError as exc:
                self._count_status(exc.status_code)
                if not transient(exc.status_code):
                    raise self._failed(f"the server answered {exc.status_code}: "
                                       f"{_message(exc)}") from None
                if attempt >= self.max_retries:
                    raise self._failed(f"the server answered {exc.status_code} "
                                       f"{attempt + 1} times: {_message(exc)}") from None
                await self._back_off(attempt, retry_after(exc.response.headers))
            except (TimeoutError, openai.APITimeoutError):
                self.usage.timeouts += 1
                if attempt >= self.max_retries:
                    raise self._failed(f"no answer within {self.timeout_s:g} s, "
                                       f"{attempt + 1} times") from None
                await self._back_off(attempt, None)
            except openai.APIConnectionError as exc:
                self.usage.connection_errors += 1
                if attempt >= self.max_retries:
                    raise self._failed(f"cannot reach the LLM endpoint: {exc}") from None
                await self._back_off(attempt, None)
            else:
                if response.usage is not None:
                    self.usage.prompt_tokens += response.usage.prompt_tokens
                    self.usage.completion_tokens += response.usage.completion_tokens
                choice = response.choices[0] if response.choices else None
                return (choice.message.content or "") if choice is not None else ""
            attempt += 1

    async def _wait_for_limiter(self, tokens: int) -> None:
        before = self.limiter.waited_s
        await self.limiter.acquire(tokens)
        self.usage.throttled_s += self.limiter.waited_s - before

    async def _back_off(self, attempt: int, server_says: float | None) -> None:
        self.usage.retries += 1
        await asyncio.sleep(_BACKOFF.delay(attempt, server_says))

    def _count_status(self, status: int) -> None:
        if status == 429:
            self.usage.rate_limited += 1
        elif status >= 500:
            self.usage.server_errors += 1
        self.usage.by_status[str(status)] = self.usage.by_status.get(str(status), 0) + 1

    def _failed(self, reason: str) -> RequestFailed:
        self.usage.failed_requests += 1
        return RequestFailed(self.redact(reason))

    async def close(self) -> None:
        await self._client.close()


def retry_after(headers: Any) -> float | None:
    """Seconds from a Retry-After (or retry-after-ms) header; None when absent or a date."""
    try:
        if headers.get("retry-after-ms"):
            return float(headers["retry-after-ms"]) / 1000
        value = headers.get("retry-after")
        return float(value) if value else None
    except (TypeError, ValueError):
        return None


def parse_answer(text: str, schema: type[Answer]) -> Answer:
    """The JSON object in a model's answer (bare, fenced or inside prose), validated."""
    candidate = text.strip()
    fenced = _FENCE.search(candidate)
    if fenced:
        candidate = fenced.group(1).strip()
    elif not candidate.startswith("{"):
        start, end = candidate.find("{"), candidate.rfind("}")
        candidate = candidate[start:end + 1] if 0 <= start < end else candidate
    try:
        return schema.model_validate(json.loads(candidate))
    except json.JSONDecodeError as exc:
        raise InvalidAnswer(f"not JSON ({exc.msg} at {exc.pos})", text) from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "answer"
        raise InvalidAnswer(f"{where}: {first['msg']}", text) from None


def _response_format(mode: str, schema: type[BaseModel]) -> dict[str, Any]:
    if mode == "json_schema":
        return {"response_format": {"type": "json_schema", "json_schema": {
            "name": schema.__name__, "schema": schema.model_json_schema()}}}
    if mode == "json_object":
        return {"response_format": {"type": "json_object"}}
    return {}


def _body_text(exc: openai.APIStatusError) -> str:
    return f"{exc.message} {exc.body}".lower()


def _message(exc: openai.APIStatusError) -> str:
    body = exc.body
    if isinstance(body, dict):
        inner = body.get("error", body)
        if isinstance(inner, dict) and inner.get("message"):
            return str(inner["message"])[:300]
    return str(exc.message)[:300]
