"""One retry policy for every call memos makes to another service (an LLM or embeddings
endpoint, a Qdrant server): which failures are worth another try, and how long to wait."""

from __future__ import annotations

import random
from dataclasses import dataclass


def transient(status: int | None) -> bool:
    """Worth another try: no answer at all (None: a timeout, a dropped connection), a rate
    limit (429) or a server error (5xx). Any other refusal will be refused again."""
    return status is None or status == 429 or status >= 500


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with jitter, so that many clients refused together do not all come
    back together."""

    base_s: float
    cap_s: float
    server_cap_s: float = 120.0  # the longest Retry-After a server may ask for

    def delay(self, attempt: int, server_says: float | None = None) -> float:
        """Seconds to wait before try `attempt + 1`: half to all of base x 2^attempt, capped;
        a server's Retry-After is honoured (capped) but never cuts the wait below a quarter."""
        delay = min(self.cap_s, self.base_s * 2 ** attempt) * random.uniform(0.5, 1.0)
        if server_says is not None:
            delay = max(delay * 0.25, min(server_says, self.server_cap_s))
        return delay
