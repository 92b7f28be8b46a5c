"""Current state first: an episode that matches a query because of something the user said
then and has since changed ("I live in Oslo", before the move to Valencia) must not rank
above what holds now.

Each episode notes the facts and preferences said inside it (`carries`). When a shown episode
carries one that is superseded and the query is about it (they share a search term), the
active value of that subject is put just above the episode: moved up if it ranked lower,
fetched if it did not rank at all, and only if the search's filter admits it.
"""

from __future__ import annotations

import dataclasses
import functools
from collections import defaultdict

from memos_cli.store import MemoryFilter, MemoryStore, SearchHit
from memos_cli.store.sparse import SparseEncoder

# The words a question about a single-valued fact is asked in, when it shares none with the
# statement ("where do I live" / "I'm based in London").
_ASKED_AS = {
    "home": "live living lives reside based home city town country address where 住 住在 家 城市",
    "hometown": "from grew hometown born origin 老家 家乡 出生",
    "employer": "work works working employer company job boss 工作 公司 单位 上班",
    "job": "job work occupation profession career living 工作 职业 做什么",
    "studies": "study studying studies degree major course school university 学 专业 读",
    "age": "old age birthday born 岁 年龄 多大 生日",
    "relationship_status": "single married relationship partner boyfriend girlfriend husband "
                           "wife dating 单身 结婚 对象 男朋友 女朋友 老公 老婆",
    "name": "name called 名字 叫",
}


@functools.cache
def _encoder() -> SparseEncoder:
    return SparseEncoder("cjk")


def _terms(text: str, query: bool = False) -> set[int]:
    """BM25's terms (stemmed, stop words dropped): what "about the same thing" means here."""
    vector = _encoder().query(text) if query else _encoder().document(text)
    return set(vector.indices)


@functools.cache
def _asked_as(subject: str) -> frozenset[int]:
    slot = subject.rsplit("/", 1)[-1].removeprefix("slot:")
    return frozenset(_terms(_ASKED_AS[slot])) if slot in _ASKED_AS else frozenset()


def _about(wanted: set[int], payload: dict[str, object]) -> bool:
    """Whether a query is about the statement: a shared term, or a word its slot is asked in."""
    return bool(wanted & (_terms(str(payload["text"])) | _asked_as(str(payload.get("subject")))))


def current_first(store: MemoryStore, hits: list[SearchHit], where: MemoryFilter, query: str,
                  shown: int) -> list[SearchHit]:
    """`hits` with the active value of each superseded subject the first `shown` episodes
    carry put above the episode."""
    carried = {memory_id: hit.id for hit in reversed(hits[:shown])
               for memory_id in hit.payload.get("carries") or []}
    if not carried or where.include_superseded:
        return hits
    wanted = _terms(query, query=True)
    # episode id -> the active memories to show above it
    above: dict[str, list[str]] = defaultdict(list)
    for old in store.retrieve(sorted(carried)):
        newer = old.payload.get("superseded_by")
        if old.payload.get("status") == "superseded" and newer and _about(wanted, old.payload):
            above[carried[old.id]].append(str(newer))
    if not above:
        return hits
    ranked = {hit.id: hit for hit in hits}
    missing = sorted({i for ids in above.values() for i in ids} - ranked.keys())
    if missing:
        admitted = dataclasses.replace(where, ids=missing)
        for memory in store.scroll(admitted):
            ranked[memory.id] = SearchHit(memory.id, 0.0, memory.payload)
    placed: set[str] = set()
    reordered: list[SearchHit] = []
    for hit in hits:
        if hit.id in placed:
            continue  # moved above an episode already
        for memory_id in above.get(hit.id, []):
            current = ranked.get(memory_id)
            if current is not None and memory_id not in placed:
                reordered.append(SearchHit(current.id, max(current.score, hit.score),
                                           current.payload))
                placed.add(memory_id)
        reordered.append(hit)
        placed.add(hit.id)
    return reordered
