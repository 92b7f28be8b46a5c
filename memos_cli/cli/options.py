"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from memos_cli.errors import UsageError

if TYPE_CHECKING:
    from memos_cli.config import Settings
    from memos_cli.store import MemoryFilter

HomeOpt = Annotated[Path | None, typer.Option(
    "--home", help="Where memos keeps its store and state [env: MEMOS_HOME; default: "
    "~/.local/share/memos].", show_default=False)]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", help="A TOML config file (see config.example.toml).", show_default=False)]
EmbedderOpt = Annotated[str | None, typer.Option(
    "--embedder", help="A new store's model: 'auto' (the default: 'multilingual' when its "
    "first texts are Chinese, Japanese or Korean, else 'default'), 'default' "
    "(all-MiniLM-L6-v2, English), 'multilingual' (USE multilingual v3), 'e5' "
    "(multilingual-e5-small; the e5 extra), 'hash' (no model; for tests) or 'openai' (an "
    "OpenAI-compatible endpoint, [embedding] in config). A store keeps the embedder it was "
    "filled with.", show_default=False)]
ExtractorOpt = Annotated[str | None, typer.Option(
    "--extractor", help="'rules' (offline) or 'llm' (an OpenAI-compatible chat endpoint, "
    "[llm] in config; the key only from the variable its api_key_env names) "
    "[default: rules].", show_default=False)]
QdrantUrlOpt = Annotated[str | None, typer.Option(
    "--qdrant-url", help="A Qdrant server or cluster instead of the embedded store (API key "
    "from $QDRANT_API_KEY) [env: MEMOS_QDRANT_URL; config: [qdrant] url].", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]
UserOpt = Annotated[str, typer.Option("--user", "-u", help="The user whose memories to use.")]


def settings_from(home: Path | None = None, config: Path | None = None,
                  **flags: Any) -> Settings:
    """Settings from the flags actually given (None = not given), env and config files."""
    from memos_cli.config import load_settings

    given = {key: value for key, value in flags.items() if value is not None}
    if home is not None:
        given["home"] = home
    return load_settings(given, config)


# Filters shared by `search` and `memories list`.
TypeOpt = Annotated[list[str] | None, typer.Option(
    "--type", help="Only these memory types (repeatable): fact, preference, tool, episode, "
    "document.", show_default=False)]
TagOpt = Annotated[list[str] | None, typer.Option(
    "--tag", help="Only memories with any of these tags (repeatable).", show_default=False)]
AgentOpt = Annotated[str | None, typer.Option("--agent", help="Only this agent_id.",
                                              show_default=False)]
AppOpt = Annotated[str | None, typer.Option("--app", help="Only this app_id.",
                                            show_default=False)]
ConversationOpt = Annotated[str | None, typer.Option(
    "--conversation", help="Only this conversation_id.", show_default=False)]
InfoOpt = Annotated[list[str] | None, typer.Option(
    "--info", help="Only memories whose info has key=value (repeatable; all must hold).",
    show_default=False)]
SinceOpt = Annotated[str | None, typer.Option(
    "--since", help="Said at or after this time (ISO-8601, 'YYYY-MM-DD HH:MM:SS', epoch).",
    show_default=False)]
UntilOpt = Annotated[str | None, typer.Option(
    "--until", help="Said at or before this time.", show_default=False)]
PublicOpt = Annotated[bool, typer.Option(
    "--include-public", help="Also every user's public memories (added with allow_public).")]
KbOpt = Annotated[list[str] | None, typer.Option(
    "--kb", help="Also the memories of this knowledge base (repeatable).", show_default=False)]
SupersededOpt = Annotated[bool, typer.Option(
    "--include-superseded", help="Also memories a later statement superseded.")]


def key_values(pairs: list[str] | None, flag: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for pair in pairs or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{flag} expects key=value, got {pair!r}",
                             f"e.g. {flag} scene=chat")
        if '"' in key:
            raise UsageError(f"{flag}: a key cannot hold a double quote ({key!r})",
                             "rename the key")
        found[key.strip()] = value.strip()
    return found


def build_filter(types: list[str] | None = None, tags: list[str] | None = None,
                 agent: str | None = None, app: str | None = None,
                 conversation: str | None = None, info: list[str] | None = None,
                 since: str | None = None, until: str | None = None,
                 include_public: bool = False, kbs: list[str] | None = None,
                 include_superseded: bool = False) -> MemoryFilter:
    from memos_cli.models import MEMORY_TYPES
    from memos_cli.store import MemoryFilter

    unknown = sorted(set(types or []) - set(MEMORY_TYPES))
    if unknown:
        raise UsageError(f"--type: no memory type {', '.join(map(repr, unknown))}",
                         f"use one of: {', '.join(MEMORY_TYPES)}")
    match_any: dict[str, list[str]] = {}
    for key, values in (("memory_type", types), ("tags", tags), ("agent_id", [agent] if agent
                        else None), ("app_id", [app] if app else None),
                        ("conversation_id", [conversation] if conversation else None)):
        if values:
            match_any[key] = list(values)
    return MemoryFilter(match_any=match_any, info=key_values(info, "--info"),
                        since=_moment(since, "--since"), until=_moment(until, "--until"),
                        include_public=include_public, kb_ids=list(kbs or []),
                        include_superseded=include_superseded)


def _moment(value: str | None, flag: str) -> str | None:
    if value is None:
        return None
    from memos_cli.timeparse import iso, parse_chat_time

    try:
        return iso(parse_chat_time(value))
    except ValueError as exc:
        raise UsageError(f"{flag}: {exc}", "e.g. 2025-09-12 or 2025-09-12T08:00:00") from None
