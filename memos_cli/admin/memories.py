"""Listing, showing and deleting memories, and forgetting a user."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from memos_cli.config import Settings
from memos_cli.models import Memory
from memos_cli.opening import open_store_for_reading
from memos_cli.state import State, command_line, writer_lock
from memos_cli.store import MemoryFilter


def list_page(settings: Settings, where: MemoryFilter, limit: int,
              offset: int = 0) -> tuple[list[Memory], int | None]:
    """One page of memories, and how many match in all (None when `memos serve` answered)."""
    from memos_cli.serve.client import running_server

    server = running_server(settings)
    if server is not None:  # it holds the store
        return server.list(where, limit, offset), None
    store = open_store_for_reading(settings)
    if store is None:
        return [], 0
    try:
        page: list[Memory] = []
        total = 0
        for memory in store.scroll(where):
            if offset <= total < offset + limit:
                page.append(memory)
            total += 1
        return page, total
    finally:
        store.close()


def show_memory(settings: Settings, memory_id: str) -> Memory | None:
    from memos_cli.serve.client import running_server

    server = running_server(settings)
    if server is not None:
        return server.show(memory_id)
    store = open_store_for_reading(settings)
    if store is None:
        return None
    try:
        found = store.retrieve([memory_id])
        return found[0] if found else None
    finally:
        store.close()


def memory_history(settings: Settings, memory_id: str) -> list[dict[str, Any]]:
    state = State(settings.state_db)
    try:
        return list(state.history(memory_id))
    finally:
        state.close()


def delete_memory(settings: Settings, memory_id: str, wait_s: float = 0.0) -> bool:
    with writer_lock(settings.home, command_line(), wait_s):
        store = open_store_for_reading(settings)
        if store is None:
            return False
        try:
            if not store.retrieve([memory_id]):
                return False
            store.delete([memory_id])
            return True
        finally:
            store.close()


@dataclass(slots=True)
class Forgotten:
    memories: int
    ledger_rows: int
    queued_requests: int
    checkpoints: int


def forget_user(settings: Settings, user_id: str, wait_s: float = 0.0) -> Forgotten:
    """Every memory, ledger row, checkpoint of a file that held the user, and queued request."""
    with writer_lock(settings.home, command_line(), wait_s):
        store = open_store_for_reading(settings)
        memories = 0
        if store is not None:
            try:
                memories = store.delete_matching(MemoryFilter(user_id=user_id,
                                                              include_superseded=True))
            finally:
                store.close()
        state = State(settings.state_db)
        try:
            counts = state.forget(user_id)
        finally:
            state.close()
    return Forgotten(memories, counts["ledger_rows"], counts["queued_requests"],
                     counts["checkpoints"])
