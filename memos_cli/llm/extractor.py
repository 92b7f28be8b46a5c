"""The LLM extractor: turn batches to memory candidates through the chat endpoint, many at once.

The importer stays synchronous: it submits each batch as it completes and collects results in
submission order, with up to `window` batches in flight; the requests themselves run on an
asyncio loop in a background thread, at most `max_concurrency` at a time.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future
from typing import Any, Protocol, TypeVar

from memos_cli.config import Settings
from memos_cli.llm.client import ChatClient, RequestFailed
from memos_cli.llm.decisions import DecisionStats, Question, apply_decisions, questions
from memos_cli.llm.prompts import (
    EXPECTED_COMPLETION_TOKENS,
    Decisions,
    Extraction,
    decision_messages,
    estimate_tokens,
    extraction_messages,
)
from memos_cli.models import LLMSummary, LLMUsage, Memory, MemoryCandidate, TurnBatch
from memos_cli.store import MemoryStore

T = TypeVar("T")


class EpisodeExtractor(Protocol):
    """What gives each batch its episode beside the model's memories (the rules)."""

    def extract(self, batch: TurnBatch) -> list[MemoryCandidate]: ...


class LoopThread:
    """An asyncio event loop in a daemon thread, fed from synchronous code."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="memos-llm",
                                        daemon=True)
        self._thread.start()

    def submit(self, work: Coroutine[Any, Any, T]) -> Future[T]:
        return asyncio.run_coroutine_threadsafe(work, self.loop)

    def close(self) -> None:
        """Cancel what is still running (a run that ends early), then stop."""
        self.submit(_cancel_others()).result(timeout=10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


async def _cancel_others() -> None:
    others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
    for task in others:
        task.cancel()
    await asyncio.gather(*others, return_exceptions=True)


class LLMExtractor:
    name = "llm"

    def __init__(self, settings: Settings, dry_run: bool = False,
                 episodes: EpisodeExtractor | None = None) -> None:
        self.settings = settings
        self.dry_run = dry_run
        self.window = settings.llm_max_concurrency * 2
        self.episodes = episodes
        self.estimate = LLMUsage()  # a dry run's count of the requests it would make
        self.unknown_sources = 0
        self.decisions = DecisionStats()
        self.client: ChatClient | None = None
        self._loop: LoopThread | None = None
        self._slots: asyncio.Semaphore | None = None
        if not dry_run:
            self.client = ChatClient(settings)
            self._loop = LoopThread()

    def submit(self, batch: TurnBatch) -> Future[list[MemoryCandidate]]:
        """The batch's candidates, later; the future raises ExtractionFailed."""
        messages = extraction_messages(batch)
        tokens = estimate_tokens(messages)
        if self._loop is None:
            self.estimate.requests += 1
            self.estimate.prompt_tokens += tokens
            self.estimate.completion_tokens += EXPECTED_COMPLETION_TOKENS
            done: Future[list[MemoryCandidate]] = Future()
            done.set_result(self._episode(batch))
            return done
        return self._loop.submit(self._extract(batch, messages, tokens))

    async def _extract(self, batch: TurnBatch, messages: list[dict[str, str]],
                       tokens: int) -> list[MemoryCandidate]:
        assert self.client is not None
        async with self._semaphore():  # a RequestFailed is the batch's ExtractionFailed
            answer = await self.client.ask(messages, Extraction,
                                           tokens + self.settings.llm_max_output_tokens)
        return [*self._episode(batch), *self._candidates(batch, answer)]

    def _candidates(self, batch: TurnBatch, answer: Extraction) -> list[MemoryCandidate]:
        """Map message numbers back to ids; numbers the batch doesn't have are dropped (and
        counted), and a memory left with none rests on the whole batch."""
        found: list[MemoryCandidate] = []
        for memory in answer.memories:
            known = [n for n in dict.fromkeys(memory.sources) if 1 <= n <= len(batch.messages)]
            self.unknown_sources += len(set(memory.sources)) - len(known)
            messages = [batch.messages[n - 1] for n in known] or batch.messages
            times = [m.chat_time for m in messages if m.chat_time is not None]
            found.append(MemoryCandidate(
                memory.type, " ".join(memory.text.split()), [m.message_id for m in messages],
                max(times) if times else None, {"confidence": f"{memory.confidence:g}"}))
        return found

    def _episode(self, batch: TurnBatch) -> list[MemoryCandidate]:
        if self.episodes is None:
            return []
        return [c for c in self.episodes.extract(batch) if c.memory_type == "episode"]

    def decide(self, store: MemoryStore, memories: list[Memory]) -> list[Memory]:
        """Update decisions for a flush's embedded memories against what the store holds;
        the memories to write, with stored ones whose subject a DELETE set."""
        if self._loop is None or not self.settings.llm_decisions:
            return memories
        asked = questions(store, memories)
        futures = [self._loop.submit(self._ask_decisions(q)) for q in asked]
        answers = [future.result() for future in futures]
        return apply_decisions(store, memories, list(zip(asked, answers, strict=True)),
                               self.decisions)

    async def _ask_decisions(self, question: Question) -> Decisions | None:
        assert self.client is not None
        messages = decision_messages([m.text for m in question.candidates],
                                     [m.text for m in question.existing])
        try:
            async with self._semaphore():
                return await self.client.ask(messages, Decisions, estimate_tokens(messages)
                                             + self.settings.llm_max_output_tokens)
        except RequestFailed:
            return None  # the candidates are added as they are; rule resolution still applies

    def _semaphore(self) -> asyncio.Semaphore:
        if self._slots is None:  # made on the loop's thread, where it is used
            self._slots = asyncio.Semaphore(self.settings.llm_max_concurrency)
        return self._slots

    def summary(self) -> LLMSummary:
        """The `llm` block of the run summary."""
        if self.client is None:
            estimate = self.estimate
            return LLMSummary(self.settings.llm_model, True, estimate,
                              cost=_cost(self.settings, estimate.prompt_tokens,
                                         estimate.completion_tokens))
        usage = self.client.usage
        return LLMSummary(self.settings.llm_model, False, usage,
                          unknown_source_ids=self.unknown_sources,
                          response_mode=self.client.mode, decisions=self.decisions.as_dict(),
                          cost=_cost(self.settings, usage.prompt_tokens,
                                     usage.completion_tokens))

    def close(self) -> None:
        if self._loop is not None:
            if self.client is not None:
                self._loop.submit(self.client.close()).result(timeout=10)
            self._loop.close()
            self._loop = None


def _cost(settings: Settings, prompt_tokens: int, completion_tokens: int) -> float | None:
    if settings.llm_price_per_1k_input is None or settings.llm_price_per_1k_output is None:
        return None
    return round(prompt_tokens / 1000 * settings.llm_price_per_1k_input
                 + completion_tokens / 1000 * settings.llm_price_per_1k_output, 6)
