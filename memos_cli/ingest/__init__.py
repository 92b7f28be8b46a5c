"""An import, stage by stage: validate, group, extract, embed (memos_cli.embedders), build,
settle (resolution against the store) and write, run by the engine under the writer lock."""
