"""`memos add`: store one add-message request now, or queue it."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from memos_cli.cli.options import (
    ConfigOpt,
    EmbedderOpt,
    ExtractorOpt,
    HomeOpt,
    JsonOpt,
    QdrantUrlOpt,
    key_values,
    settings_from,
)
from memos_cli.cli.output import handle_errors, print_json, stderr, stdout
from memos_cli.errors import InputError, UsageError

if TYPE_CHECKING:
    from memos_cli.ingest.requests import AddResult


def add_command(
    user: Annotated[str | None, typer.Option("--user", "-u", help="The user the messages are "
                                             "about (user_id).", show_default=False)] = None,
    msg: Annotated[list[str] | None, typer.Option(
        "--msg", "-m", help="A message (repeatable).", show_default=False)] = None,
    role: Annotated[list[str] | None, typer.Option(
        "--role", help="user, assistant, system or tool: one per --msg in order, or one for "
        "all [default: user].", show_default=False)] = None,
    conversation: Annotated[str | None, typer.Option(
        "--conversation", help="conversation_id [default: one per user and UTC day, "
        "USER-YYYY-MM-DD].", show_default=False)] = None,
    when: Annotated[str | None, typer.Option(
        "--time", help="chat_time of the messages [default: now].", show_default=False)] = None,
    info: Annotated[list[str] | None, typer.Option(
        "--info", help="key=value stored in info (repeatable).", show_default=False)] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", help="A tag (repeatable).",
                                                  show_default=False)] = None,
    agent: Annotated[str | None, typer.Option("--agent", help="agent_id.",
                                              show_default=False)] = None,
    app: Annotated[str | None, typer.Option("--app", help="app_id.", show_default=False)] = None,
    public: Annotated[bool, typer.Option(
        "--public", help="allow_public: every user's searches may see these memories "
        "with --include-public.")] = False,
    kb: Annotated[list[str] | None, typer.Option(
        "--kb", help="Also write the memories to this knowledge base (repeatable).",
        show_default=False)] = None,
    image: Annotated[list[str] | None, typer.Option(
        "--image", help="An image URL attached to the last user message (repeatable).",
        show_default=False)] = None,
    file: Annotated[list[Path] | None, typer.Option(
        "--file", help="A document attached to the last user message: txt, md, json, csv, "
        "html or pdf (repeatable).", show_default=False)] = None,
    request: Annotated[str | None, typer.Option(
        "--request", help="A whole add-message request body as JSON: a file, or - for stdin.",
        show_default=False)] = None,
    async_mode: Annotated[bool, typer.Option(
        "--async", help="Queue the request and return at once; `memos process` stores it.",
    )] = False,
    wait: Annotated[float, typer.Option(
        "--wait", help="Seconds to wait for a running import before queueing instead.")] = 5.0,
    embedder: EmbedderOpt = None,
    extractor: ExtractorOpt = None,
    qdrant_url: QdrantUrlOpt = None,
    home: HomeOpt = None,
    config: ConfigOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Add messages for a user, as the MemOS add-message API does, and print what was stored.

    Examples: memos add --user u1 --msg "I like spicy food"; memos add --user u1 --role user
    --msg "Any hotels?" --role assistant --msg "7 Days Inn or Hilton"; memos add --request
    body.json. While an import holds the store, the request is queued (exit 0) after --wait.
    """
    from memos_cli.ingest.requests import add

    with handle_errors():
        settings = settings_from(home, config, embedder=embedder, qdrant_url=qdrant_url,
                                 extractor=extractor)
        if request is not None:
            if msg or image or file:
                raise UsageError("--request carries the messages itself",
                                 "use either --request or --msg/--image/--file")
            body = _read_request(request)
        else:
            body = _build(user, msg or [], role or [], conversation, when, info, tag, agent, app,
                          public, kb or [], image or [], file or [])
        result = add(settings, body, wait, force_async=async_mode)
    _print(result, json_output)
    raise typer.Exit(result.report.exit_code if result.report else 0)


def _read_request(source: str) -> dict[str, Any]:
    import orjson

    try:
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
        body = orjson.loads(text)
    except OSError as exc:
        raise InputError(f"cannot read {source}: {exc.strerror}",
                         "check the --request path") from exc
    except orjson.JSONDecodeError as exc:
        raise InputError(f"the request is not valid JSON: {exc}",
                         "pass an add-message request body (a JSON object)") from exc
    if not isinstance(body, dict):
        raise InputError("the request must be a JSON object", "see FORMATS.md §1 a)")
    return body


def _build(user: str | None, msgs: list[str], roles: list[str], conversation: str | None,
           when: str | None, info: list[str] | None, tags: list[str] | None,
           agent: str | None, app: str | None, public: bool, kbs: list[str],
           images: list[str], files: list[Path]) -> dict[str, Any]:
    from memos_cli.ingest.requests import default_conversation, file_part
    from memos_cli.models import ROLES
    from memos_cli.timeparse import parse_chat_time

    if not user:
        raise UsageError("--user is required", "e.g. memos add --user u1 --msg \"...\"")
    if not (msgs or images or files):
        raise UsageError("nothing to add", "give --msg TEXT, --image URL or --file PATH")
    if len(roles) > 1 and len(roles) != len(msgs):
        raise UsageError(f"{len(roles)} --role for {len(msgs)} --msg",
                         "give one --role per --msg, or one for all")
    unknown = sorted(set(roles) - set(ROLES))
    if unknown:
        raise UsageError(f"--role: no role {', '.join(map(repr, unknown))}",
                         f"use one of: {', '.join(ROLES)}")
    try:
        moment = parse_chat_time(when) if when else datetime.now(UTC)
    except ValueError as exc:
        raise UsageError(f"--time: {exc}", "e.g. --time '2025-09-12 08:00:00'") from None
    assert moment is not None
    stamp = moment.isoformat()
    messages: list[dict[str, Any]] = [
        {"role": roles[i] if len(roles) > 1 else (roles[0] if roles else "user"),
         "content": text, "chat_time": stamp} for i, text in enumerate(msgs)]
    parts = [{"type": "image_url", "image_url": {"url": url}} for url in images]
    parts += [file_part(path) for path in files]
    if parts:
        users = [m for m in messages if m["role"] == "user"]
        if users:
            target = users[-1]
            target["content"] = [{"type": "text", "text": target["content"]}, *parts]
        else:
            messages.append({"role": "user", "content": parts, "chat_time": stamp})
    body: dict[str, Any] = {
        "user_id": user, "conversation_id": conversation or default_conversation(user, moment),
        "messages": messages, "info": key_values(info, "--info"), "tags": tags or [],
        "allow_public": public, "allow_knowledgebase_ids": kbs}
    if agent:
        body["agent_id"] = agent
    if app:
        body["app_id"] = app
    return body


def _print(result: AddResult, json_output: bool) -> None:
    from rich.table import Table

    report = result.report
    if json_output:
        print_json({
            "queued": result.queued, "queue_id": result.queue_id, "reason": result.reason,
            "stored": report.written if report else [],
            "records_stored": report.records_stored if report else 0,
            "records_already_imported": report.records_already_imported if report else 0,
            "records_failed": report.records_failed if report else 0,
            "failures": [f.to_json() for f in report.failures] if report else [],
        })
        return
    if result.queued:
        stderr.print(f"queued as request #{result.queue_id} ({result.reason}); "
                     "`memos process` will store it", markup=False, highlight=False)
        return
    assert report is not None
    for failure in report.failures:
        stderr.print(f"failed: [{failure.stage}] {failure.reason}", markup=False,
                     highlight=False)
    if report.records_already_imported and not report.written:
        stderr.print("already stored: nothing new", markup=False)
    if report.written:
        table = Table(title=f"stored {len(report.written)} memories")
        for column in ("id", "type", "text"):
            table.add_column(column)
        for memory in report.written:
            table.add_row(memory["id"], memory["memory_type"],
                          " ".join(memory["text"].split())[:160])
        stdout.print(table)
