"""Tools the tests and the benchmarks share, not used by memos itself: a generated chat corpus
with realistic message lengths, a small OpenAI-protocol server on loopback, and the LoCoMo
evidence-recall scorer. They live in the package so that both import them by name."""
