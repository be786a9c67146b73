-- Version 8: both FTS5 indexes merge their segments eight at a time
-- instead of FTS5's default four ('automerge'). Every posting is rewritten
-- once per merge level, so the wider merge rewrites it about a third less
-- often: merging was a fifth of an import's time, the largest single cost.
-- A search reads at most seven segments per level instead of three, which
-- measured no slower at 100,000 messages (see BENCHMARKS.md). The setting
-- is stored in each table's own configuration, so it holds for every
-- connection from now on; nothing else changes.
INSERT INTO message_text (message_text, rank) VALUES ('automerge', 8);
INSERT INTO message_grams (message_grams, rank) VALUES ('automerge', 8);
