"""The names `--format` takes, without loading the readers: `memos --help` must start fast.
`memos_cli.readers.READERS` maps each to its reader (a test keeps the two equal)."""

from __future__ import annotations

FORMATS = ("memos-jsonl", "csv", "openai-chat", "sharegpt", "chatgpt", "claude", "telegram",
           "whatsapp")
