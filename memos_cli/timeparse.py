"""chat_time parsing: ISO-8601, "YYYY-MM-DD HH:MM:SS", or epoch seconds; naive times are UTC."""

from __future__ import annotations

from datetime import UTC, datetime

# Epoch values above this are milliseconds (year 2286 in seconds).
_MAX_EPOCH_SECONDS = 10_000_000_000


def parse_chat_time(value: object) -> datetime | None:
    """Parse one chat_time value; raises ValueError with a readable message when it can't."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"chat_time must be a date or epoch seconds, not {value!r}")
    if isinstance(value, int | float):
        return _from_epoch(float(value), value)
    if isinstance(value, str):
        text = value.strip()
        try:
            number = float(text)
        except ValueError:
            number = None
        if number is not None:
            return _from_epoch(number, value)
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(
                f"chat_time {value!r} is not ISO-8601, 'YYYY-MM-DD HH:MM:SS' or epoch seconds"
            ) from None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError(f"chat_time must be a string or a number, not {type(value).__name__}")


def _from_epoch(seconds: float, given: object) -> datetime:
    if abs(seconds) >= _MAX_EPOCH_SECONDS:
        seconds /= 1000.0
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise ValueError(f"chat_time {given!r} is out of range (epoch seconds or milliseconds "
                         "before the year 10000)") from None


def iso(moment: datetime | None) -> str | None:
    """RFC 3339 in UTC, the form Qdrant's datetime index reads."""
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat()
