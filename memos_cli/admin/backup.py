"""`memos export` and reading an export back: a backup of the store as JSON lines.

The first line names the format and the store (embedder, model, dimension, segmenter); each
further line is one memory: id, payload, and unless left out its dense and sparse vectors.
With vectors, `memos import` of the file gives the same store, point for point; without,
the texts are embedded again by the store's embedder (smaller files, same payloads). The
ledger of the home it is read into is rebuilt from the episodes' sources, so importing the
original chat files afterwards adds nothing twice.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from memos_cli.admin.doctor import rebuild_ledger
from memos_cli.config import Settings
from memos_cli.embedders import Embedder
from memos_cli.errors import EmbedderMismatchError, InputError, UsageError
from memos_cli.models import Memory
from memos_cli.opening import choose_embedder
from memos_cli.readers.source import open_input
from memos_cli.state import State, command_line, writer_lock
from memos_cli.store import StoreMeta, open_store, read_meta
from memos_cli.store.base import RawPoint

FORMAT = "memos-export"
VERSION = 1
_PAGE = 256


@dataclass(slots=True)
class Exported:
    memories: int = 0
    vectors: bool = True


def export_store(settings: Settings, out: IO[bytes], vectors: bool = True,
                 user: str | None = None) -> Exported:
    meta = read_meta(settings)
    if meta is None:
        raise UsageError(f"nothing to export: no store in {settings.home}",
                         "import into it first, or check MEMOS_HOME / --home")
    result = Exported(vectors=vectors)
    header = {"format": FORMAT, "version": VERSION, "store": asdict(meta), "vectors": vectors}
    out.write(orjson.dumps(header) + b"\n")
    store = open_store(settings, meta)
    try:
        offset: Any = None
        while True:
            points, offset = store.export_page(offset, _PAGE)
            for point_id, payload, dense, sparse in points:
                if user is not None and payload.get("user_id") != user:
                    continue
                line: dict[str, Any] = {"id": point_id, "payload": payload}
                if vectors:
                    line["dense"], line["sparse"] = dense, [list(sparse[0]), list(sparse[1])]
                out.write(orjson.dumps(line, option=orjson.OPT_SERIALIZE_NUMPY) + b"\n")
                result.memories += 1
            if offset is None:
                return result
    finally:
        store.close()


def is_export(path: Path) -> bool:
    try:
        with open_input(path) as handle:
            first = handle.readline(4096)
    except OSError:
        return False  # unreadable: the import's own checks say so, with a hint
    try:
        header = orjson.loads(first)
    except orjson.JSONDecodeError:
        return False
    return isinstance(header, dict) and header.get("format") == FORMAT


@dataclass(slots=True)
class Restored:
    path: str
    memories: int = 0
    embedded: int = 0
    ledger_rows: int = 0


def restore(settings: Settings, path: Path, wait_s: float = 0.0) -> Restored:
    """Read an export into the store of `settings` (a fresh home, or one whose store has
    the same embedder)."""
    lines = _lines(path)
    header = next(lines, None)
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise InputError(f"{path} is not a memos export", "make one with `memos export`")
    if int(header.get("version", 0)) > VERSION:
        raise InputError(f"{path} was written by a newer memos", "upgrade memos")
    theirs = StoreMeta(**header["store"])
    result = Restored(str(path))
    with writer_lock(settings.home, command_line(), wait_s):
        ours = read_meta(settings)
        if ours is not None and (ours.embedder, ours.model_id, ours.dim) != (
                theirs.embedder, theirs.model_id, theirs.dim):
            raise EmbedderMismatchError(
                f"this store holds {ours.embedder} vectors, the export {theirs.embedder}",
                "read it into an empty MEMOS_HOME (--home DIR)")
        meta = ours or dataclasses.replace(theirs, store_id=uuid.uuid4().hex)
        store = open_store(settings, meta)
        state = State(settings.state_db)
        try:
            state.bind_store(meta.store_id, created=ours is None)
            embedder: Embedder | None = None  # loaded only for lines without vectors
            for page in _pages(lines):
                raw = [p for p in page if "dense" in p]
                store.import_points([_raw_point(p) for p in raw])
                plain = [Memory(str(p["id"]), p["payload"]) for p in page if "dense" not in p]
                if plain:
                    if embedder is None:
                        embedder = choose_embedder(settings)
                    vectors, _ = embedder.embed([m.text for m in plain])
                    for memory, vector in zip(plain, vectors, strict=True):
                        memory.vector = vector.tolist()
                    store.upsert(plain)
                    result.embedded += len(plain)
                result.memories += len(page)
            result.ledger_rows = rebuild_ledger(state, store)
        finally:
            state.close()
            store.close()
    return result


def _lines(path: Path) -> Iterator[Any]:
    with open_input(path) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                yield orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                raise InputError(f"{path}:{number} is not valid JSON ({exc})",
                                 "the export is damaged: make it again with `memos export`"
                                 ) from exc


def _pages(lines: Iterator[Any]) -> Iterator[list[dict[str, Any]]]:
    page: list[dict[str, Any]] = []
    for line in lines:
        page.append(line)
        if len(page) >= _PAGE:
            yield page
            page = []
    if page:
        yield page


def _raw_point(line: dict[str, Any]) -> RawPoint:
    indices, values = line.get("sparse") or [[], []]
    return (str(line["id"]), line["payload"], list(line["dense"]),
            ([int(i) for i in indices], [float(v) for v in values]))

