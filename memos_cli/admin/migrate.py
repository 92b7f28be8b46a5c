"""`memos migrate`: copy every point (payload and both vectors, nothing embedded again) between
the embedded store and a Qdrant server, in pages, resumable, and verify counts per user.

Progress is kept in state.db after each page: a killed migration restarts where it stopped,
and since point ids are content-derived, a page copied twice is the same points overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from memos_cli.config import Settings
from memos_cli.errors import EmbedderMismatchError, ExitCode, MemosError, UsageError
from memos_cli.state import State, command_line, writer_lock
from memos_cli.store import open_store, read_meta


class MigrationMismatchError(MemosError):
    exit_code = ExitCode.MIGRATION_MISMATCH


@dataclass(slots=True)
class Migrated:
    source: str
    target: str
    copied: int = 0
    resumed: bool = False
    users: dict[str, int] = field(default_factory=dict)


def _where(settings: Settings) -> str:
    if settings.qdrant_url is None:
        return f"embedded store in {settings.home}"
    return f"{settings.qdrant_url} (collection {settings.qdrant_collection})"


def migrate(settings: Settings, to_url: str | None = None, from_url: str | None = None,
            page: int = 256, progress: Callable[[int], None] | None = None,
            wait_s: float = 0.0) -> Migrated:
    if (to_url is None) == (from_url is None):
        raise UsageError("give exactly one of --to URL and --from URL",
                         "--to copies the embedded store to a server, --from back")
    source = settings.model_copy(update={"qdrant_url": from_url})
    target = settings.model_copy(update={"qdrant_url": to_url})
    meta = read_meta(source)
    if meta is None:
        raise UsageError(f"nothing to migrate: no store at {_where(source)}",
                         "import into it first, or check --from / MEMOS_HOME")
    existing = read_meta(target)
    if existing is not None and existing != meta:
        raise EmbedderMismatchError(
            f"{_where(target)} holds {existing.embedder} vectors, the source {meta.embedder}",
            "migrate into an empty collection (set [qdrant] collection) or another MEMOS_HOME")
    result = Migrated(_where(source), _where(target))
    key = f"{result.source} -> {result.target}"
    with writer_lock(settings.home, command_line(), wait_s):
        state = State(settings.state_db)
        src = open_store(source, meta)
        dst = open_store(target, meta)
        try:
            offset, result.copied, result.resumed = state.migration(key)
            while True:
                points, offset = src.export_page(offset, page)
                dst.import_points(points)
                result.copied += len(points)
                state.save_migration(key, offset, result.copied)
                if progress is not None:
                    progress(result.copied)
                if offset is None:
                    break
            result.users = src.counts_by("user_id")
            copied = dst.counts_by("user_id")
            if copied != result.users:
                wrong = sorted(u for u in set(copied) | set(result.users)
                               if copied.get(u) != result.users.get(u))
                raise MigrationMismatchError(
                    f"counts per user differ after the copy for {len(wrong)} users "
                    f"(e.g. {wrong[:3]})", "the target holds other points too? migrate into an "
                    "empty collection, or run again")
            state.clear_migration(key)
        finally:
            src.close()
            dst.close()
            state.close()
    return result
