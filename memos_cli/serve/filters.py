"""The MemOS filter grammar as a test on a memory's payload, the same on both backends.

A root `{"and": [...]}` or `{"or": [...]}` (or a flat object, read as `and`) of leaves:
`{"agent_id": "x"}`, `{"app_id": "x"}`, `{"tags": {"contains": "x"}}`,
`{"create_time" | "update_time": {"gt|gte|lt|lte": "2025-12-10"}}`, and any other key an `info`
equality (`{"scene": "Payment"}`). `user_id` is not allowed inside: the subject is the request's.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from memos_cli.serve.errors import BAD_PARAMETERS, ApiError

Test = Callable[[dict[str, Any]], bool]
_TIMES = {"create_time": "created_at", "update_time": "updated_at"}
_COMPARE: dict[str, Callable[[str, str], bool]] = {
    "gt": lambda a, b: a > b, "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b, "lte": lambda a, b: a <= b}


def _instant(value: Any) -> str:
    """A comparable UTC ISO string from a date, a datetime or epoch milliseconds."""
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value / 1000, UTC).isoformat()
    text = str(value)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(BAD_PARAMETERS, f"filter: {text!r} is not a date (use YYYY-MM-DD or "
                       "ISO 8601)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat()


def _leaf(key: str, condition: Any) -> Test:
    if key == "user_id":
        raise ApiError(BAD_PARAMETERS, "filter: user_id is not allowed inside a filter; pass "
                       "it as the request's user_id")
    if key in _TIMES:
        if not isinstance(condition, dict) or not condition:
            raise ApiError(BAD_PARAMETERS, f"filter: {key} takes {{\"gt|gte|lt|lte\": DATE}}")
        bounds = []
        for op, value in condition.items():
            if op not in _COMPARE:
                raise ApiError(BAD_PARAMETERS, f"filter: {key} takes gt, gte, lt or lte, "
                               f"not {op!r}")
            bounds.append((_COMPARE[op], _instant(value)))
        field = _TIMES[key]
        return lambda p: bool(p.get(field)) and all(
            compare(_instant(p[field]), bound) for compare, bound in bounds)
    if key == "tags":
        if isinstance(condition, dict) and "contains" in condition:
            wanted = str(condition["contains"])
            return lambda p: wanted in (p.get("tags") or [])
        raise ApiError(BAD_PARAMETERS, 'filter: tags takes {"contains": TAG}')
    if isinstance(condition, dict | list):
        raise ApiError(BAD_PARAMETERS, f"filter: {key} takes a plain value")
    value = str(condition)
    if key in ("agent_id", "app_id", "conversation_id"):
        return lambda p: str(p.get(key) or "") == value
    return lambda p: str((p.get("info") or {}).get(key, "")) == value


def compile_filter(spec: dict[str, Any] | None) -> Test | None:
    if not spec:
        return None
    if not isinstance(spec, dict):
        raise ApiError(BAD_PARAMETERS, "filter must be an object")
    if set(spec) in ({"and"}, {"or"}):
        mode, items = next(iter(spec.items()))
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ApiError(BAD_PARAMETERS, f"filter: {mode} takes a list of conditions")
        leaves = [_leaf(k, v) for item in items for k, v in item.items()]
        if any(k in ("and", "or") for item in items for k in item):
            raise ApiError(BAD_PARAMETERS, "filter: and/or cannot be nested")
    else:
        mode, leaves = "and", [_leaf(k, v) for k, v in spec.items()]
    if mode == "and":
        return lambda p: all(test(p) for test in leaves)
    return lambda p: any(test(p) for test in leaves)
