"""Messages -> TurnBatches, streaming, by (user_id, conversation_id).

A turn is one user message and the replies up to the next user message (anything before a
conversation's first user message joins its first turn). A batch is `batch_turns` turns. Only
the open batch of each conversation is held, so memory is bounded by the number of open
conversations, not the size of the file: a conversation that got no message in the last
`idle_messages` messages is taken as finished and its batch is closed, and past `max_open` the
least recently touched conversation is closed early (its next messages start a new batch).

A conversation's first batch in a run can start from the tail an earlier run left open (`seed`):
its messages come first, so appending to a file and importing it again makes the batches one
import of the whole file would have made.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator

from memos_cli.models import Message, Tail, TurnBatch

# A run of replies with no user message in between (tool chains) is cut at this length.
MAX_BATCH_MESSAGES = 64

ConversationKey = tuple[str, str]


class _OpenBatch:
    __slots__ = ("last_seen", "messages", "replaces", "seeded", "turns")

    def __init__(self, tail: Tail | None = None) -> None:
        self.messages: list[Message] = []
        self.turns = 0
        self.last_seen = 0
        self.seeded = 0
        self.replaces: list[str] = []
        if tail is not None:
            for message in tail.messages:
                self.turns += message.role == "user"
                self.messages.append(message)
            self.seeded = len(tail.messages)
            self.replaces = list(tail.memory_ids)


class TurnGrouper:
    def __init__(self, batch_turns: int, max_open: int = 10_000,
                 idle_messages: int = 50_000,
                 seed: Callable[[ConversationKey], Tail | None] | None = None) -> None:
        self.batch_turns = batch_turns
        self.max_open = max_open
        self.idle_messages = idle_messages
        self.seed = seed  # the tail to start a conversation's batch from, if any
        self._open: OrderedDict[ConversationKey, _OpenBatch] = OrderedDict()
        self._seen = 0

    @property
    def open_conversations(self) -> int:
        return len(self._open)

    def add(self, message: Message) -> Iterator[TurnBatch]:
        """Take one message; yield the batches it completes."""
        self._seen += 1
        key = (message.user_id, message.conversation_id)
        batch = self._open.get(key)
        if batch is None:
            batch = self._open[key] = _OpenBatch(self.seed(key) if self.seed else None)
        else:
            self._open.move_to_end(key)
        batch.last_seen = self._seen
        yield from self._close_stale()
        starts_turn = message.role == "user"
        full = starts_turn and batch.turns >= self.batch_turns
        if full or len(batch.messages) >= MAX_BATCH_MESSAGES:
            yield self._close(key)
            batch = self._open[key] = _OpenBatch()
        if starts_turn:
            batch.turns += 1
        batch.messages.append(message)

    def _close_stale(self) -> Iterator[TurnBatch]:
        """Close idle conversations and, past the cap, the least recently touched ones."""
        while self._open:
            oldest_key, oldest = next(iter(self._open.items()))
            idle = self._seen - oldest.last_seen > self.idle_messages
            if not (idle or len(self._open) > self.max_open):
                return
            yield self._close(oldest_key)

    def min_open_offset(self) -> int | None:
        """The earliest file offset of a message still waiting in an open batch."""
        offsets = [b.messages[b.seeded].source_offset for b in self._open.values()
                   if len(b.messages) > b.seeded]  # a seeded message is from an earlier run
        return min(offsets) if offsets else None

    def flush(self, tails: bool = False) -> Iterator[TurnBatch]:
        """Yield every open batch (at the end of the input), as tails a later run can grow."""
        while self._open:
            yield self._close(next(iter(self._open)), tails)

    def _close(self, key: ConversationKey, tail: bool = False) -> TurnBatch:
        batch = self._open.pop(key)
        return TurnBatch(user_id=key[0], conversation_id=key[1], messages=batch.messages,
                         seeded=batch.seeded, replaces=batch.replaces, tail=tail)
