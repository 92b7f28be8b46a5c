"""Messages -> TurnBatches, streaming, by (user_id, conversation_id).

A turn is one user message and the replies up to the next user message (anything before a
conversation's first user message joins its first turn). A batch is `batch_turns` turns. Only
the open batch of each conversation is held, so memory is bounded by the number of open
conversations, not the size of the file; past `max_open` the least recently touched
conversation is flushed early (its next messages start a new batch).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator

from memos_cli.models import Message, TurnBatch

# A run of replies with no user message in between (tool chains) is cut at this length.
MAX_BATCH_MESSAGES = 64

ConversationKey = tuple[str, str]


class _OpenBatch:
    __slots__ = ("messages", "turns")

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.turns = 0


class TurnGrouper:
    def __init__(self, batch_turns: int, max_open: int = 10_000) -> None:
        self.batch_turns = batch_turns
        self.max_open = max_open
        self._open: OrderedDict[ConversationKey, _OpenBatch] = OrderedDict()

    @property
    def open_conversations(self) -> int:
        return len(self._open)

    def add(self, message: Message) -> Iterator[TurnBatch]:
        """Take one message; yield the batches it completes."""
        key = (message.user_id, message.conversation_id)
        batch = self._open.get(key)
        if batch is None:
            batch = self._open[key] = _OpenBatch()
            if len(self._open) > self.max_open:
                oldest = next(iter(self._open))
                yield self._close(oldest)
        else:
            self._open.move_to_end(key)
        starts_turn = message.role == "user"
        full = starts_turn and batch.turns >= self.batch_turns
        if full or len(batch.messages) >= MAX_BATCH_MESSAGES:
            yield self._close(key)
            batch = self._open[key] = _OpenBatch()
        if starts_turn:
            batch.turns += 1
        batch.messages.append(message)

    def min_open_offset(self) -> int | None:
        """The earliest file offset of a message still waiting in an open batch."""
        offsets = [b.messages[0].source_offset for b in self._open.values() if b.messages]
        return min(offsets) if offsets else None

    def flush(self) -> Iterator[TurnBatch]:
        """Yield every open batch (at the end of a file)."""
        while self._open:
            yield self._close(next(iter(self._open)))

    def _close(self, key: ConversationKey) -> TurnBatch:
        batch = self._open.pop(key)
        return TurnBatch(user_id=key[0], conversation_id=key[1], messages=batch.messages)
