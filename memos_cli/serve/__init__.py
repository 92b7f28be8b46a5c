"""`memos serve`: the MemOS Cloud API (base path /api/openmem/v1) in front of the same pipeline
and store as the CLI, with the model loaded once and one writing thread."""
