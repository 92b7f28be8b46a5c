"""Extractors: a registry name -> factory, so tests and the LLM extractor plug in the same way.

An extractor either answers at once (`extract`, the rules) or takes batches to work on
concurrently (`submit`, the LLM) and may then revise a flush against the store (`decide`).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from typing import Protocol, runtime_checkable

from memos_cli.config import Settings
from memos_cli.ingest.extract.rules import RuleExtractor
from memos_cli.models import LLMSummary, Memory, MemoryCandidate, TurnBatch
from memos_cli.store import MemoryStore


class Extractor(Protocol):
    name: str

    def extract(self, batch: TurnBatch) -> list[MemoryCandidate]: ...


@runtime_checkable
class ConcurrentExtractor(Protocol):
    name: str
    window: int  # batches in flight before the importer waits for the oldest

    def submit(self, batch: TurnBatch) -> Future[list[MemoryCandidate]]:
        """The batch's candidates, later; the future raises ExtractionFailed."""
        ...

    def decide(self, store: MemoryStore, memories: list[Memory]) -> list[Memory]: ...

    def summary(self) -> LLMSummary: ...

    def close(self) -> None: ...


def _rules(settings: Settings, dry_run: bool) -> Extractor:
    return RuleExtractor(settings.episode_part_turns)


def _llm(settings: Settings, dry_run: bool) -> ConcurrentExtractor:
    from memos_cli.llm.extractor import LLMExtractor  # the openai client: only when asked for

    # The rules' episode of each batch, kept beside the model's memories when asked for.
    episodes = RuleExtractor(settings.episode_part_turns) if settings.llm_episodes else None
    return LLMExtractor(settings, dry_run, episodes)


EXTRACTORS: dict[str, Callable[[Settings, bool], Extractor | ConcurrentExtractor]] = {
    "rules": _rules, "llm": _llm}
