-- Version 6: the character index moves from one table row per message
-- and character (message_chars) to FTS5 postings: each indexed message's
-- distinct normalized characters, each written as the token 'u' followed
-- by its code point in lowercase hex (ASCII, so the ascii tokenizer keeps
-- every character, punctuation and emoji included, as one token). FTS5
-- writes a batch's postings as a few segment blobs instead of a B-tree row
-- per character, which was the largest cost of an import. No positions are
-- needed (detail = none): a one-character keyword is one token, a
-- two-character keyword's candidates hold both.
CREATE VIRTUAL TABLE message_grams USING fts5(
    chars, tokenize = 'ascii', detail = none, content = '',
    contentless_delete = 1
);

INSERT INTO message_grams (rowid, chars)
SELECT row_id, group_concat('u' || printf('%x', unicode(ch)), ' ')
FROM message_chars GROUP BY row_id;

DROP TABLE message_chars;
