"""A client-side rate limiter for requests and tokens per minute (token buckets).

Requests wait here rather than being sent to collect a 429: a bulk import at the account's
limit then runs at that limit instead of oscillating between bursts and back-offs.
"""

from __future__ import annotations

import asyncio
import time

# A bucket holds this many seconds' worth of its rate: bursts stay short.
_BURST_SECONDS = 5.0


class Bucket:
    def __init__(self, per_minute: float) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(self.rate * _BURST_SECONDS, 1.0)
        self.level = self.capacity
        self.stamp = time.monotonic()

    def shortfall_s(self, amount: float) -> float:
        """Seconds until `amount` is in the bucket (0: now). A request larger than the bucket
        waits for a full bucket and then goes, rather than never."""
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.stamp) * self.rate)
        self.stamp = now
        return max(0.0, min(amount, self.capacity) - self.level) / self.rate

    def take(self, amount: float) -> None:
        self.level -= amount


class RateLimiter:
    """`await limiter.acquire(tokens)` before each request; 0 per minute means no limit."""

    def __init__(self, requests_per_minute: float = 0, tokens_per_minute: float = 0) -> None:
        self._buckets = [(Bucket(per_minute), unit) for per_minute, unit in (
            (requests_per_minute, "request"), (tokens_per_minute, "token")) if per_minute > 0]
        self.waited_s = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self, tokens: int) -> None:
        async with self._lock:  # first come, first served: no request starves
            while True:
                amounts = [(bucket, 1 if unit == "request" else tokens)
                           for bucket, unit in self._buckets]
                delay = max((bucket.shortfall_s(amount) for bucket, amount in amounts),
                            default=0.0)
                if delay <= 0:
                    for bucket, amount in amounts:
                        bucket.take(amount)
                    return
                self.waited_s += delay
                await asyncio.sleep(delay)
