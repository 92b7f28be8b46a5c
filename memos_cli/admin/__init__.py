"""Looking after a store: status, listing and deleting memories, doctor, export and restore,
migration between backends."""
