"""`memos search`: find a user's memories again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from memos_cli.cli.options import (
    AgentOpt,
    AppOpt,
    ConfigOpt,
    ConversationOpt,
    EmbedderOpt,
    HomeOpt,
    InfoOpt,
    JsonOpt,
    KbOpt,
    PublicOpt,
    QdrantUrlOpt,
    SinceOpt,
    SupersededOpt,
    TagOpt,
    TypeOpt,
    UntilOpt,
    UserOpt,
    build_filter,
    settings_from,
)
from memos_cli.cli.output import handle_errors, print_json, stderr, stdout

if TYPE_CHECKING:
    from memos_cli.store import SearchHit

_TEXT_CHARS = 160


def search_command(
    query: Annotated[str, typer.Argument(help="What to look for, in plain words.")],
    user: UserOpt,
    top_k: Annotated[int, typer.Option("--top-k", "-k", min=1, max=1000,
                                       help="How many memories to return.")] = 10,
    memory_type: TypeOpt = None,
    tag: TagOpt = None,
    agent: AgentOpt = None,
    app: AppOpt = None,
    conversation: ConversationOpt = None,
    info: InfoOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    include_public: PublicOpt = False,
    kb: KbOpt = None,
    include_superseded: SupersededOpt = False,
    embedder: EmbedderOpt = None,
    qdrant_url: QdrantUrlOpt = None,
    home: HomeOpt = None,
    config: ConfigOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Search one user's memories: dense and BM25 results fused by rank (RRF).

    Scope: the user's own memories; --include-public adds every user's public memories and
    --kb ID a knowledge base's. Superseded memories are hidden unless --include-superseded.
    A hit whose source messages all came with better hits is left out (no repeats).
    Episodes are stored in parts of a few turns; parts of one episode that rank within two
    places of each other come back as that episode, once.
    """
    from memos_cli.search.searcher import SearchOptions, search

    with handle_errors():
        settings = settings_from(home, config, embedder=embedder, qdrant_url=qdrant_url)
        where = build_filter(memory_type, tag, agent, app, conversation, info, since, until,
                             include_public, kb, include_superseded)
        hits = search(settings, SearchOptions(user_id=user, query=query, top_k=top_k,
                                              where=where))
    if hits is None:
        if json_output:
            print_json([])
        else:
            stderr.print(f"no memories in {settings.home} yet; run `memos import FILE` first",
                         markup=False, highlight=False)
        return
    if json_output:
        print_json([hit_json(hit) for hit in hits])
        return
    _print_table(hits, user)


def hit_json(hit: SearchHit) -> dict[str, Any]:
    return {"id": hit.id, "score": round(hit.score, 6), **hit.payload}


def _print_table(hits: list[SearchHit], user: str) -> None:
    from rich.table import Table

    if not hits:
        stderr.print(f"no memories of user {user!r} match", markup=False, highlight=False)
        return
    table = Table(show_lines=False)
    for column in ("score", "type", "text", "chat_time", "sources"):
        table.add_column(column)
    for hit in hits:
        text = " ".join(str(hit.payload.get("text", "")).split())
        if len(text) > _TEXT_CHARS:
            text = text[:_TEXT_CHARS - 1] + "…"
        table.add_row(f"{hit.score:.3f}", str(hit.payload.get("memory_type")), text,
                      str(hit.payload.get("chat_time") or "")[:19],
                      str(len(hit.payload.get("sources", []))))
    stdout.print(table, markup=False, highlight=False)
