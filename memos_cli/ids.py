"""Content-derived ids: the same content always gets the same id, so a re-run overwrites."""

from __future__ import annotations

import re
import uuid

# Fixed forever: changing it would change every id ever stored.
MEMOS_NAMESPACE = uuid.UUID("6f1b2c4e-8d3a-5b7c-9e0f-1a2b3c4d5e6f")
_SEP = "\x1f"


def stable_id(*parts: object) -> str:
    """A UUIDv5 over the parts; None and "" are distinct from each other on purpose."""
    key = _SEP.join("\x00" if part is None else str(part) for part in parts)
    return str(uuid.uuid5(MEMOS_NAMESPACE, key))


_SPACE = re.compile(r"\s+")


def normalised(text: str) -> str:
    """Text as a statement's id and value see it: case and spacing do not make it new."""
    return _SPACE.sub(" ", text.strip().lower())
