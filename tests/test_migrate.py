"""`memos migrate` between the embedded store and a qdrant-client store (local mode)."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from conftest import Cli
from memos_cli.config import load_settings
from memos_cli.devtools.corpus import write_corpus
from memos_cli.store import open_store, read_meta


def all_points(home: Path, url: str | None = None) -> dict[str, Any]:
    settings = load_settings({"home": home, "qdrant_url": url})
    meta = read_meta(settings)
    assert meta is not None
    store = open_store(settings, meta)
    try:
        points, offset = store.export_page(None, 100_000)
        assert offset is None
        return {p[0]: p for p in points}
    finally:
        store.close()


def results(cli: Cli, home: Path, *extra: str) -> list[list[tuple[str, float]]]:
    return [[(hit["id"], round(hit["score"], 6))
             for hit in cli.json("search", "--user", user, query, "--home", str(home),
                                 "--top-k", "10", *extra)]
            for user, query in (("alice", "where am I staying in Guangzhou"),
                                ("bob", "my knees hurt"), ("chen", "what do I eat"),
                                ("bob", "travel plans"))]


@pytest.mark.model
def test_round_trip_keeps_ids_payloads_vectors_and_results(cli: Cli, tmp_path: Path,
                                                           default_home: Path) -> None:
    source, back = default_home, tmp_path / "back"
    url = f"path:{tmp_path / 'server'}"
    before = results(cli, source)
    there = cli.json("migrate", "--to", url, "--home", str(source))
    assert there["copied"] == len(all_points(source)) and not there["resumed"]
    assert all_points(source) == all_points(tmp_path / "any", url)
    home_back = cli.json("migrate", "--from", url, "--home", str(back))
    assert home_back["users"] == there["users"]
    assert all_points(back) == all_points(source)
    # Whole result lists, order and scores: fusion ranks tied scores alike on any engine.
    assert results(cli, back) == before
    assert results(cli, source, "--qdrant-url", url) == before


def test_migrate_needs_one_direction_and_a_source(cli: Cli, tmp_path: Path) -> None:
    assert cli("migrate", "--home", str(tmp_path)).exit_code == 2
    result = cli("migrate", "--to", f"path:{tmp_path / 's'}", "--home", str(tmp_path / "h"))
    assert result.exit_code == 2 and "nothing to migrate" in result.stderr


def test_a_killed_migration_resumes_to_exactly_the_source(cli: Cli, tmp_path: Path) -> None:
    source = tmp_path / "source"
    corpus = write_corpus(tmp_path / "chat.jsonl", 6000, seed=8)
    cli.json("import", str(corpus), "--home", str(source), "--embedder", "hash")
    url = f"path:{tmp_path / 'server'}"
    env = {**os.environ, "MEMOS_HOME": str(source)}
    command = [sys.executable, "-m", "memos_cli", "migrate", "--to", url, "--page", "16",
               "--quiet"]
    rng = random.Random(5)
    kills = 0
    for _ in range(3):
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        time.sleep(rng.uniform(1.0, 2.0))
        if process.poll() is not None:
            break
        process.send_signal(signal.SIGKILL)
        process.wait()
        kills += 1
    assert kills >= 1
    done = subprocess.run([*command[:-1], "--json"], env=env, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr
    assert all_points(tmp_path / "any", url) == all_points(source)
