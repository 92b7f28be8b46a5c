"""Extractors: a registry name -> factory, so tests and the LLM extractor plug in the same way."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from memos_cli.models import MemoryCandidate, TurnBatch
from memos_cli.pipeline.extract.rules import RuleExtractor


class Extractor(Protocol):
    name: str

    def extract(self, batch: TurnBatch) -> list[MemoryCandidate]: ...


EXTRACTORS: dict[str, Callable[[], Extractor]] = {"rules": RuleExtractor}
