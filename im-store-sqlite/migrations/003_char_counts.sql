-- Version 3: how many messages hold each character, maintained with
-- message_chars, so the total of a one-character search is one lookup.
CREATE TABLE char_counts (
    ch TEXT    NOT NULL PRIMARY KEY,
    n  INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

INSERT INTO char_counts (ch, n) SELECT ch, COUNT(*) FROM message_chars GROUP BY ch;
