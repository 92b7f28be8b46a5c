"""Settings: flags > MEMOS_* environment > --config FILE > the XDG config file > defaults.

Every source is read into a plain dict first; the merged dict is validated once, so a bad value
is reported with the place it came from.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from memos_cli.errors import ConfigError

EmbedderName = Literal["auto", "default", "multilingual", "e5", "hash", "openai"]
ExtractorName = Literal["rules", "llm"]

ENV_PREFIX = "MEMOS_"


def default_home() -> Path:
    data_home = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(data_home) / "memos"


def default_config_file() -> Path:
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config_home) / "memos" / "config.toml"


class Settings(BaseModel):
    """Everything a command may be configured with; config.example.toml documents each key."""

    model_config = ConfigDict(extra="forbid")

    home: Path = Field(default_factory=default_home)
    # A new store's model: "auto" picks "multilingual" for a CJK history, else "default".
    embedder: EmbedderName = "auto"
    batch_turns: int = Field(default=4, ge=1, le=256)
    # An episode is stored as parts of this many turns, each ranked with the whole episode as
    # context; 0 stores it whole.
    episode_part_turns: int = Field(default=2, ge=0, le=256)
    embed_batch_size: int = Field(default=8, ge=1, le=1024)
    embed_max_tokens: int = Field(default=128, ge=16, le=512)
    # Embedding processes: the reader, grouping and the store stay in one process.
    workers: int = Field(default=1, ge=1, le=64)
    flush_memories: int = Field(default=512, ge=1)
    max_open_conversations: int = Field(default=10_000, ge=1)
    # Embedded store: points written between compactions (bounds its memory; store/edge.py).
    compact_every: int = Field(default=25_000, ge=1)
    idle_messages: int = Field(default=20_000, ge=1)
    progress_interval_s: float = Field(default=5.0, gt=0)
    # Merge repeated statements and supersede contradicted ones by chat_time.
    resolution: bool = True
    rrf_k: int = Field(default=5, ge=1)
    # A Qdrant server or cluster instead of the embedded store ([qdrant] in TOML). `:memory:`
    # and `path:DIR` use qdrant-client's local mode (tests, small setups).
    qdrant_url: str | None = None
    qdrant_api_key_env: str = "QDRANT_API_KEY"
    qdrant_collection: str = "memos"
    qdrant_prefer_grpc: bool = False
    qdrant_timeout_s: float = Field(default=30.0, gt=0)
    qdrant_shard_number: int = Field(default=1, ge=1)
    qdrant_replication_factor: int = Field(default=1, ge=1)
    qdrant_on_disk: bool = False
    # RRF weight of the dense list (BM25's is 1).
    dense_weight: float = Field(default=1.0, ge=0)
    # "rules" (offline) or "llm": an OpenAI-compatible chat endpoint ([llm] in TOML).
    extractor: ExtractorName = "rules"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key_env: str = "OPENAI_API_KEY"  # the key itself is only read from this variable
    llm_max_concurrency: int = Field(default=8, ge=1, le=512)
    llm_requests_per_minute: float = Field(default=0, ge=0)  # 0: no client-side limit
    llm_tokens_per_minute: float = Field(default=0, ge=0)
    llm_timeout_s: float = Field(default=60.0, gt=0)
    llm_max_retries: int = Field(default=5, ge=0, le=100)
    llm_temperature: float = Field(default=0.0, ge=0, le=2)
    llm_max_output_tokens: int = Field(default=1024, ge=16)
    llm_price_per_1k_input: float | None = Field(default=None, ge=0)
    llm_price_per_1k_output: float | None = Field(default=None, ge=0)
    # Ask the model ADD/UPDATE/DELETE/NONE against the user's nearest stored memories.
    llm_decisions: bool = True
    # Also keep the rule extractor's episode of each batch (the text search works best on).
    llm_episodes: bool = False
    # `--embedder openai`: an OpenAI-compatible embeddings endpoint ([embedding] in TOML).
    embedding_base_url: str | None = None
    embedding_model: str = "text-embedding-3-small"
    embedding_dimensions: int | None = Field(default=None, ge=1)
    embedding_api_key_env: str = "OPENAI_API_KEY"
    embedding_batch_size: int = Field(default=64, ge=1, le=2048)
    # Keys the user chose explicitly (any source but the defaults); not a config key itself.
    explicit: frozenset[str] = Field(default=frozenset(), exclude=True)

    @property
    def store_dir(self) -> Path:
        return self.home / "store"

    @property
    def state_db(self) -> Path:
        return self.home / "state.db"

    @property
    def failures_dir(self) -> Path:
        return self.home / "failures"


_ENV_KEYS = [name for name in Settings.model_fields if name != "explicit"]


def _from_env() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key in _ENV_KEYS:
        value = os.environ.get(ENV_PREFIX + key.upper())
        if value not in (None, ""):
            found[key] = value
    return found


def _from_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return _flatten(tomllib.load(handle))
    except OSError as exc:
        raise ConfigError(f"cannot read config file {path}: {exc.strerror}",
                          "check the path given to --config") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}",
                          "fix the file; config.example.toml shows every key") from exc


def _flatten(table: dict[str, Any]) -> dict[str, Any]:
    """`[qdrant] url = ...` is the key `qdrant_url`."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        if isinstance(value, dict):
            flat.update({f"{key}_{inner}": v for inner, v in value.items()})
        else:
            flat[key] = value
    return flat


def load_settings(flags: dict[str, Any] | None = None, config_file: Path | None = None) -> Settings:
    """Merge every source and validate once; `flags` holds only the options actually given."""
    layers: list[tuple[str, dict[str, Any]]] = []
    user_file = default_config_file()
    if user_file.is_file():
        layers.append((str(user_file), _from_toml(user_file)))
    if config_file is not None:
        layers.append((str(config_file), _from_toml(config_file)))
    layers.append(("environment (MEMOS_*)", _from_env()))
    layers.append(("command-line flags", {k: v for k, v in (flags or {}).items() if v is not None}))

    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for place, values in layers:
        for key, value in values.items():
            merged[key] = value
            origin[key] = place
    try:
        settings = Settings.model_validate(merged)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = str(err["loc"][0]) if err["loc"] else "?"
            problems.append(f"{key} ({origin.get(key, 'defaults')}): {err['msg']}")
        looked = ", ".join(place for place, _ in layers) or "defaults"
        raise ConfigError("invalid settings: " + "; ".join(problems),
                          f"looked in: {looked}; config.example.toml documents every key") from exc
    return settings.model_copy(update={"explicit": frozenset(merged)})
