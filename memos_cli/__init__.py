"""memos: turn chat history into a searchable personal memory store."""

__version__ = "0.1.0"
