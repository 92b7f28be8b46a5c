"""`memos search`: dense and BM25 candidates fused with RRF, episode parts joined, the
subject's current value ranked first."""
