"""`memos memories list|show|delete` and `memos forget`."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from memos_cli.cli.options import (
    AgentOpt,
    AppOpt,
    ConfigOpt,
    ConversationOpt,
    HomeOpt,
    InfoOpt,
    JsonOpt,
    KbOpt,
    PublicOpt,
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
from memos_cli.errors import ExitCode, MemosError, UsageError

if TYPE_CHECKING:
    from memos_cli.models import Memory

memories_app = typer.Typer(help="List, show and delete stored memories.", no_args_is_help=True)


def as_json(memory: Memory) -> dict[str, object]:
    return {"id": memory.id, **memory.payload}


def _confirmed(question: str) -> bool:
    """Ask on a terminal; anywhere else (cron, pipes) the answer is no."""
    if not sys.stdin.isatty():
        return False
    try:
        return typer.confirm(question, default=False, err=True)
    except typer.Abort:
        return False


class NotFoundError(MemosError):
    exit_code = ExitCode.NOT_FOUND


@memories_app.command("list")
def list_command(
    user: UserOpt,
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
    limit: Annotated[int, typer.Option("--limit", min=1, help="Memories per page.")] = 50,
    offset: Annotated[int, typer.Option("--offset", min=0, help="Skip this many first "
                                        "(next page: --offset LIMIT).")] = 0,
    home: HomeOpt = None,
    config: ConfigOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """A user's memories in id order, with the same filters and scopes as search."""
    from rich.table import Table

    from memos_cli.admin.memories import list_page

    with handle_errors():
        where = build_filter(memory_type, tag, agent, app, conversation, info, since, until,
                             include_public, kb, include_superseded)
        where.user_id = user
        found, total = list_page(settings_from(home, config), where, limit, offset)
    shown = f"{offset + 1}-{offset + len(found)}" if found else "none"
    counted = f"{shown} of {total:,}" if total is not None else shown
    more = total is not None and offset + len(found) < total
    if json_output:
        print_json([as_json(m) for m in found])
        if more:
            stderr.print(f"{counted}; next page: --offset {offset + len(found)}")
        return
    table = Table(title=f"memories of {user} ({counted})")
    for column in ("id", "type", "status", "chat_time", "text"):
        table.add_column(column)
    for m in found:
        table.add_row(m.id, str(m.payload.get("memory_type")), str(m.payload.get("status")),
                      str(m.payload.get("chat_time") or "")[:19], " ".join(m.text.split())[:120])
    stdout.print(table, markup=False, highlight=False)
    if more:
        stdout.print(f"next page: --offset {offset + len(found)}")


@memories_app.command("show")
def show_command(memory_id: Annotated[str, typer.Argument(help="The memory's id.")],
                 home: HomeOpt = None, config: ConfigOpt = None,
                 json_output: JsonOpt = False) -> None:
    """Every stored field of one memory."""
    from memos_cli.admin.memories import show_memory

    with handle_errors():
        memory = show_memory(settings_from(home, config), memory_id)
        if memory is None:
            raise NotFoundError(f"no memory {memory_id}", "find ids with `memos memories list`")
    if json_output:
        print_json(as_json(memory))
        return
    for key, value in as_json(memory).items():
        stdout.print(f"{key}: {value}", markup=False, highlight=False)


@memories_app.command("history")
def history_command(memory_id: Annotated[str, typer.Argument(help="The memory's id.")],
                    home: HomeOpt = None, config: ConfigOpt = None,
                    json_output: JsonOpt = False) -> None:
    """What a memory said over time: when it was added, merged with a repeated statement,
    superseded by a later one (or active again), with chat_time and source messages, together
    with the other values of the same subject."""
    from rich.table import Table

    from memos_cli.admin.memories import memory_history

    with handle_errors():
        entries = memory_history(settings_from(home, config), memory_id)
        if not entries:
            raise NotFoundError(f"no history for memory {memory_id}",
                                "find ids with `memos memories list --include-superseded`")
    if json_output:
        print_json(entries)
        return
    table = Table(title=f"history of {memory_id}")
    for column in ("memory", "event", "status", "chat_time", "last said", "sources", "text"):
        table.add_column(column)
    for e in entries:
        table.add_row(e["memory_id"][:8] + ("*" if e["memory_id"] == memory_id else ""),
                      e["event"], e["status"], e["chat_time"][:19], e["last_said_at"][:19],
                      str(len(e["sources"])), " ".join(e["text"].split())[:100])
    stdout.print(table, markup=False, highlight=False)


@memories_app.command("delete")
def delete_command(memory_id: Annotated[str, typer.Argument(help="The memory's id.")],
                   wait: Annotated[float, typer.Option("--wait")] = 0.0,
                   home: HomeOpt = None, config: ConfigOpt = None,
                   json_output: JsonOpt = False) -> None:
    """Delete one memory (its messages stay imported: a re-import does not bring it back)."""
    from memos_cli.admin.memories import delete_memory

    with handle_errors():
        if not delete_memory(settings_from(home, config), memory_id, wait):
            raise NotFoundError(f"no memory {memory_id}", "find ids with `memos memories list`")
    if json_output:
        print_json({"deleted": memory_id})
    else:
        stdout.print(f"deleted {memory_id}", markup=False)


def forget_command(
    user: UserOpt,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    wait: Annotated[float, typer.Option("--wait")] = 0.0,
    home: HomeOpt = None,
    config: ConfigOpt = None,
    json_output: JsonOpt = False,
) -> None:
    """Remove everything memos holds about a user: memories, ledger rows, queued requests, and
    the checkpoints of files that held the user (so that a re-import reads them again)."""
    from memos_cli.admin.memories import forget_user

    with handle_errors():
        if not yes and not _confirmed(f"Forget everything about user {user!r}?"):
            raise UsageError("not confirmed; nothing was removed",
                             "pass --yes to skip the question")
        done = forget_user(settings_from(home, config), user, wait)
    counts = {"user_id": user, "memories": done.memories, "ledger_rows": done.ledger_rows,
              "queued_requests": done.queued_requests, "checkpoints": done.checkpoints}
    if json_output:
        print_json(counts)
    else:
        stderr.print(f"forgot {user}: {done.memories:,} memories, {done.ledger_rows:,} ledger "
                     f"rows, {done.queued_requests:,} queued requests, {done.checkpoints:,} "
                     "checkpoints", markup=False, highlight=False)
