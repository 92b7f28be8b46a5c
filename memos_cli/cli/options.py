"""Options shared by several commands, declared once."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from memos_cli.config import Settings, load_settings

HomeOpt = Annotated[Path | None, typer.Option(
    "--home", help="Where memos keeps its store and state [env: MEMOS_HOME; default: "
    "~/.local/share/memos].", show_default=False)]
ConfigOpt = Annotated[Path | None, typer.Option(
    "--config", help="A TOML config file (see config.example.toml).", show_default=False)]
EmbedderOpt = Annotated[str | None, typer.Option(
    "--embedder", help="'default' (all-MiniLM-L6-v2, offline) or 'hash' (no model; for tests). "
    "A store keeps the embedder it was filled with.", show_default=False)]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON on stdout.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")]
UserOpt = Annotated[str, typer.Option("--user", "-u", help="The user whose memories to use.")]


def settings_from(home: Path | None = None, config: Path | None = None,
                  **flags: Any) -> Settings:
    """Settings from the flags actually given (None = not given), env and config files."""
    given = {key: value for key, value in flags.items() if value is not None}
    if home is not None:
        given["home"] = home
    return load_settings(given, config)
