"""Cron-grade runs: killed runs resume to one clean store, appends, one writer, quiet output."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import qdrant_edge as qe
from typer.testing import CliRunner

from conftest import ROOT
from memos_cli.cli import app
from memos_cli.config import load_settings
from memos_cli.devtools.corpus import write_corpus
from memos_cli.opening import open_for_reading
from memos_cli.state import State
from memos_cli.store import edge


def memos(home: Path, *args: str, env: dict[str, str] | None = None,
          **kwargs: Any) -> subprocess.Popen[bytes]:
    full_env = {**os.environ, "MEMOS_HOME": str(home), **(env or {})}
    return subprocess.Popen([sys.executable, "-m", "memos_cli", *args], env=full_env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, **kwargs)


def finish(process: subprocess.Popen[bytes]) -> tuple[int, str, str]:
    out, err = process.communicate(timeout=300)
    return process.returncode, out.decode(), err.decode()


def store_snapshot(home: Path) -> dict[str, dict[str, Any]]:
    """Every point's payload, without the wall-clock fields; sources as sets."""
    opened = open_for_reading(load_settings({"home": home}))
    assert opened is not None
    _, store = opened
    try:
        snapshot = {}
        for memory in store.scroll():
            payload = {k: v for k, v in memory.payload.items()
                       if k not in ("created_at", "updated_at")}
            payload["sources"] = sorted(payload["sources"])
            snapshot[memory.id] = payload
        return snapshot
    finally:
        store.close()


FAST_FLUSH = {"MEMOS_FLUSH_MEMORIES": "8", "MEMOS_EMBEDDER": "hash"}
# Compacting every 300 points (segments of about 300) puts kills inside compactions too.
KILLABLE = {**FAST_FLUSH, "MEMOS_COMPACT_EVERY": "300"}


def _startup_seconds(tmp_path: Path) -> float:
    """How long an import takes before it reads anything (interpreter, imports, opening the
    store), measured rather than assumed: kills before it land where nothing happens, and on
    a slow or busy machine a guess would leave every run killed before it starts."""
    one = write_corpus(tmp_path / "one.jsonl", 1, seed=1)
    times = []
    for attempt in range(2):
        started = time.monotonic()
        code, _, err = finish(memos(tmp_path / f"startup-{attempt}", "import", str(one),
                                    "--quiet", env=FAST_FLUSH))
        assert code == 0, err
        times.append(time.monotonic() - started)
    return max(times)


def test_killed_imports_resume_to_the_store_of_one_clean_import(tmp_path: Path) -> None:
    messages = 4000
    corpus = write_corpus(tmp_path / "chat.jsonl", messages, seed=3)
    clean = tmp_path / "clean"
    startup = _startup_seconds(tmp_path)
    started = time.monotonic()
    code, _, err = finish(memos(clean, "import", str(corpus), "--quiet", env=KILLABLE))
    assert code == 0, err
    work = max(time.monotonic() - started - startup, 0.5)

    # Each killed run gets a random slice of about a tenth of the work, so the kills land at
    # many points of the file: mid-read, mid-embedding, mid-upsert, mid-commit.
    rng = random.Random(11)
    kills = 0
    rounds = 0
    expected = store_snapshot(clean)
    while kills < 10:  # a round ends when a run finishes before its kill; most need one
        rounds += 1
        home = tmp_path / f"killed-{rounds}"
        while True:
            process = memos(home, "import", str(corpus), "--quiet", env=KILLABLE)
            time.sleep(startup + rng.uniform(0.02, work / 8))
            if process.poll() is not None:
                break
            process.send_signal(rng.choice([signal.SIGKILL, signal.SIGINT]))
            process.wait()
            kills += 1
        code, out, err = finish(memos(home, "import", str(corpus), "--json", env=KILLABLE))
        assert code == 0, err
        assert json.loads(out)["records_read"] == messages

        assert store_snapshot(home) == expected
        state = State(home / "state.db")
        try:
            assert state.ledger_count() == messages
            distinct = state.db.execute(
                "SELECT COUNT(*) FROM (SELECT DISTINCT user_id, conversation_id, message_id "
                "FROM ledger)"
            ).fetchone()
            assert distinct[0] == messages
        finally:
            state.close()


def test_an_appended_file_reads_only_the_new_lines(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "all.jsonl", 3000, seed=5)
    lines = corpus.read_bytes().splitlines(keepends=True)
    growing = tmp_path / "growing.jsonl"
    growing.write_bytes(b"".join(lines[:2000]))
    home = tmp_path / "home"
    code, out, _ = finish(memos(home, "import", str(growing), "--json", env=FAST_FLUSH))
    assert code == 0 and json.loads(out)["records_stored"] == 2000
    old_size = growing.stat().st_size
    with growing.open("ab") as handle:
        handle.write(b"".join(lines[2000:]))
    code, out, _ = finish(memos(home, "import", str(growing), "--json", env=FAST_FLUSH))
    summary = json.loads(out)
    assert code == 0
    assert summary["checkpoint_skipped_records"] == 2000
    assert summary["checkpoint_skipped_bytes"] == old_size
    assert summary["bytes_read"] == growing.stat().st_size - old_size
    assert summary["records_stored"] == 1000
    assert summary["records_read"] == 3000 == (summary["records_stored"]
                                               + summary["records_already_imported"])


def test_a_file_imported_as_it_grew_is_the_store_of_one_import(tmp_path: Path) -> None:
    """Each conversation's open batch at the end of a run is kept and grown by the next run,
    so the batches, and so the whole store, are those of one import, even when the runs that
    read the growing file are killed on the way."""
    corpus = write_corpus(tmp_path / "all.jsonl", 3000, seed=7)
    lines = corpus.read_bytes().splitlines(keepends=True)
    clean = tmp_path / "clean"
    code, _, err = finish(memos(clean, "import", str(corpus), "--quiet", env=KILLABLE))
    assert code == 0, err
    expected = store_snapshot(clean)
    startup = _startup_seconds(tmp_path)
    rng = random.Random(5)
    growing = tmp_path / "growing.jsonl"
    home = tmp_path / "home"
    for cut in (1000, 1100, 2200, 3000):
        growing.write_bytes(b"".join(lines[:cut]))
        process = memos(home, "import", str(growing), "--quiet", env=KILLABLE)
        time.sleep(startup + rng.uniform(0.0, 0.6))
        process.send_signal(rng.choice([signal.SIGKILL, signal.SIGINT]))
        process.wait()
        code, _, err = finish(memos(home, "import", str(growing), "--quiet", env=KILLABLE))
        assert code == 0, err
    assert store_snapshot(home) == expected


def test_a_replaced_file_is_read_again_and_the_ledger_skips_what_is_stored(
        tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "a.jsonl", 400, seed=9)
    home = tmp_path / "home"
    finish(memos(home, "import", str(corpus), env=FAST_FLUSH))
    lines = corpus.read_bytes().splitlines(keepends=True)
    corpus.write_bytes(b"".join(reversed(lines)))  # same records, different head
    code, out, _ = finish(memos(home, "import", str(corpus), "--json", env=FAST_FLUSH))
    summary = json.loads(out)
    assert code == 0 and summary["checkpoint_skipped_records"] == 0
    assert summary["records_already_imported"] == 400 and summary["records_stored"] == 0


HOLD_LOCK = """
import sys, time
from pathlib import Path
from memos_cli.state import writer_lock
with writer_lock(Path(sys.argv[1]), "memos import nightly.jsonl"):
    print("locked", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def hold_lock(home: Path, seconds: float) -> subprocess.Popen[bytes]:
    holder = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(home), str(seconds)],
                              stdout=subprocess.PIPE)
    assert holder.stdout is not None and holder.stdout.readline().strip() == b"locked"
    return holder


def test_a_second_writer_exits_75_naming_the_holder_or_waits(tmp_path: Path) -> None:
    sample = ROOT / "sample_data" / "history.csv"
    home = tmp_path / "home"
    holder = hold_lock(home, 3)
    code, _, err = finish(memos(home, "import", str(sample), env=FAST_FLUSH))
    assert code == 75
    assert f"pid {holder.pid}" in err and "memos import nightly.jsonl" in err
    started = time.monotonic()
    code, _, err = finish(memos(home, "import", str(sample), "--wait", "30", env=FAST_FLUSH))
    assert code == 0, err and time.monotonic() - started > 0.5
    holder.wait()


def test_a_dead_holders_lock_is_taken_over(tmp_path: Path) -> None:
    home = tmp_path / "home"
    holder = hold_lock(home, 60)
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    code, _, err = finish(memos(home, "import", str(ROOT / "sample_data" / "history.csv"),
                                env=FAST_FLUSH))
    assert code == 0, err


def test_two_imports_at_once_leave_one_consistent_store(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "big.jsonl", 6000, seed=2)
    home = tmp_path / "home"
    first = memos(home, "import", str(corpus), "--json", env=FAST_FLUSH)
    second = memos(home, "import", str(corpus), "--json", env=FAST_FLUSH)
    results = [finish(first), finish(second)]
    codes = sorted(code for code, _, _ in results)
    assert codes in ([0, 0], [0, 75])
    if codes == [0, 75]:
        assert "in use by another memos run" in next(err for code, _, err in results if code == 75)
    again = finish(memos(home, "import", str(corpus), "--json", env=FAST_FLUSH))
    summary = json.loads(again[1])
    assert summary["records_already_imported"] == 6000 and summary["memories_written"] == 0
    clean = tmp_path / "clean"
    finish(memos(clean, "import", str(corpus), env=FAST_FLUSH))
    assert store_snapshot(home) == store_snapshot(clean)


@pytest.mark.parametrize("json_flag", [[], ["--json"]])
def test_cron_output_has_no_control_characters(tmp_path: Path, json_flag: list[str]) -> None:
    corpus = write_corpus(tmp_path / "c.jsonl", 2000, seed=4)
    env = {**FAST_FLUSH, "CI": "true", "MEMOS_PROGRESS_INTERVAL_S": "0.05", "TERM": "dumb"}
    log = tmp_path / "memos.log"
    code, out, err = finish(memos(tmp_path / "home", "import", str(corpus),
                                  str(ROOT / "sample_data" / "broken.jsonl"),
                                  "--log-file", str(log), *json_flag, env=env))
    assert code == 3
    for text in (out, err, log.read_text()):
        assert "\x1b" not in text and "\r" not in text
        assert all(ch == "\n" or ch >= " " for ch in text)
    assert "memos import:" in err  # plain progress lines
    assert err.count("failed: ") == 8
    if json_flag:
        assert json.loads(out)["records_failed"] == 8
        assert "records read" in err.strip().splitlines()[-1]
    else:
        assert len(out.strip().splitlines()) == 1 and "records read" in out
    assert "failed: " in log.read_text() and "records read" in log.read_text()


def test_embedding_workers_store_what_one_process_stores(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "w.jsonl", 600, seed=12)
    one, two = tmp_path / "one", tmp_path / "two"
    assert finish(memos(one, "import", str(corpus), "--quiet", env=FAST_FLUSH))[0] == 0
    code, _, err = finish(memos(two, "import", str(corpus), "--quiet", "--workers", "2",
                                env=FAST_FLUSH))
    assert code == 0, err
    assert store_snapshot(two) == store_snapshot(one)


class _ReopenFails:
    """qdrant_edge, except that loading a shard fails, as on a full disk."""

    def __getattr__(self, name: str) -> Any:
        return getattr(qe, name)

    class EdgeShard:
        create = staticmethod(qe.EdgeShard.create)

        @staticmethod
        def load(path: str, config: Any) -> Any:
            raise OSError(28, "No space left on device")


def test_a_store_that_cannot_reopen_stops_the_run_and_loses_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    corpus = write_corpus(tmp_path / "chat.jsonl", 1_000, seed=5)
    clean, broken = tmp_path / "clean", tmp_path / "broken"
    assert finish(memos(clean, "import", str(corpus), env=KILLABLE))[0] == 0

    monkeypatch.setattr(edge, "qe", _ReopenFails())
    result = CliRunner().invoke(app, ["import", str(corpus)],
                                env={"MEMOS_HOME": str(broken), **KILLABLE})
    monkeypatch.undo()
    assert result.exit_code == 74, result.output
    assert "could not reopen the store" in result.stderr and "run the import again" in result.stderr
    assert "Traceback" not in result.output
    assert not list((broken / "failures").glob("*.jsonl"))  # nothing blamed on the records
    status = CliRunner().invoke(app, ["status", "--json"], env={"MEMOS_HOME": str(broken)})
    assert json.loads(status.stdout)["runs"][0]["exit_code"] == 74

    code, _, err = finish(memos(broken, "import", str(corpus), env=KILLABLE))
    assert code == 0, err
    assert store_snapshot(broken) == store_snapshot(clean)


@pytest.mark.parametrize(("sent", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_closes_the_run_with_its_code_and_a_rerun_resumes(
        tmp_path: Path, sent: signal.Signals, code: int) -> None:
    corpus = write_corpus(tmp_path / "chat.jsonl", 6000, seed=4)
    clean = tmp_path / "clean"
    assert finish(memos(clean, "import", str(corpus), "--quiet", env=FAST_FLUSH))[0] == 0
    home = tmp_path / "home"
    process = memos(home, "import", str(corpus), "--json", env=FAST_FLUSH)
    deadline = time.monotonic() + 120
    while _ledger_rows(home) == 0:  # signalled once the run is storing
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(sent)
    exit_code, out, err = finish(process)
    assert exit_code == code, err
    summary = json.loads(out)
    assert summary["interrupted"] is True and summary["exit_code"] == code
    assert summary["records_stored"] < 6000
    [hint] = [line for line in err.splitlines() if line.startswith("interrupted")]
    assert "run the same command again to resume" in hint
    status = subprocess.run([sys.executable, "-m", "memos_cli", "status", "--json"],
                            env={**os.environ, "MEMOS_HOME": str(home)}, capture_output=True,
                            text=True, timeout=120)
    assert json.loads(status.stdout)["runs"][0]["exit_code"] == code
    again, out, err = finish(memos(home, "import", str(corpus), "--json", env=FAST_FLUSH))
    assert again == 0, err
    assert store_snapshot(home) == store_snapshot(clean)


def _ledger_rows(home: Path) -> int:
    if not (home / "state.db").exists():
        return 0
    state = State(home / "state.db")
    try:
        return state.ledger_count()
    except Exception:  # created but not yet initialised by the run
        return 0
    finally:
        state.close()


def test_a_store_moved_away_is_noticed_and_the_records_imported_again(tmp_path: Path) -> None:
    runner = CliRunner()
    history = str(ROOT / "sample_data" / "history.jsonl")
    home = tmp_path / "home"

    def run(*args: str) -> Any:
        result = runner.invoke(app, [*args, "--home", str(home)], catch_exceptions=False)
        return result

    first = json.loads(run("import", history, "--embedder", "hash", "--json").stdout)
    (home / "store").rename(tmp_path / "store-moved")
    again = run("import", history, "--json")
    summary = json.loads(again.stdout)
    assert summary["ledger_reset"] is True and "imported again" in again.stderr
    assert summary["records_stored"] == first["records_stored"] == 318
    assert summary["memories_written"] == first["memories_written"]
    assert json.loads(run("import", history, "--json").stdout)["records_stored"] == 0


def test_the_hint_for_a_damaged_store_record_works_when_followed(tmp_path: Path) -> None:
    runner = CliRunner()
    history = str(ROOT / "sample_data" / "history.jsonl")
    home = tmp_path / "home"

    def run(*args: str) -> Any:
        return runner.invoke(app, [*args, "--home", str(home)], catch_exceptions=False)

    first = json.loads(run("import", history, "--embedder", "hash", "--json").stdout)
    (home / "store.json").write_text("{ damaged")
    failed = run("import", history)
    assert failed.exit_code == 2
    [hint] = [line for line in failed.output.splitlines() if line.startswith("hint:")]
    assert "move" in hint
    for name in ("store.json", "store"):  # what the hint says to move aside
        assert str(home / name) in hint
        (home / name).rename(tmp_path / f"aside-{name}")
    again = json.loads(run("import", history, "--embedder", "hash", "--json").stdout)
    assert again["records_stored"] == 318 and again["exit_code"] == 0
    assert again["memories_written"] == first["memories_written"]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 100 MB tmpfs, where the kernel lets this process mount one."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=100m", "tmpfs", str(mount)],
                          capture_output=True)
    if done.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root or CAP_SYS_ADMIN: "
                    + done.stderr.decode().strip())
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_full_disk_stops_the_run_with_74_and_a_rerun_after_freeing_space_finishes(
        tmp_path: Path, small_disk: Path) -> None:
    corpus = write_corpus(tmp_path / "chat.jsonl", 30000, seed=2)
    clean = tmp_path / "clean"
    assert finish(memos(clean, "import", str(corpus), "--quiet", env=FAST_FLUSH))[0] == 0
    home = small_disk / "home"
    code, out, err = finish(memos(home, "import", str(corpus), "--json", env=FAST_FLUSH))
    assert code == 74, err  # not 135 (SIGBUS)
    assert json.loads(out)["exit_code"] == 74
    errors = [line for line in err.splitlines() if line.startswith(("error:", "hint:"))]
    assert len(errors) == 2 and "free space" in errors[0] and "run the same command" in errors[1]
    status = subprocess.run([sys.executable, "-m", "memos_cli", "status", "--json"],
                            env={**os.environ, "MEMOS_HOME": str(home)}, capture_output=True,
                            text=True, timeout=120)
    assert status.returncode in (0, 74), status.stderr
    subprocess.run(["mount", "-o", "remount,size=600m", str(small_disk)], check=True)
    code, _, err = finish(memos(home, "import", str(corpus), "--quiet", env=FAST_FLUSH))
    assert code == 0, err
    assert store_snapshot(home) == store_snapshot(clean)


def test_too_little_free_space_stops_before_writing_on_any_machine(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The guard itself, where no small filesystem can be mounted: free space as reported."""
    import shutil as real_shutil

    from memos_cli.store import space

    usage = real_shutil.disk_usage(tmp_path)
    monkeypatch.setattr(space.shutil, "disk_usage",
                        lambda path: usage._replace(free=10 * space.MB))
    result = CliRunner().invoke(app, ["import", str(ROOT / "sample_data" / "history.jsonl"),
                                      "--home", str(tmp_path / "home"), "--embedder", "hash"])
    assert result.exit_code == 74
    assert "not enough free space" in result.output and "run the same command" in result.output
