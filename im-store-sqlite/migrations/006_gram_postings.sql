-- Version 6 (run by write::index_grams_of_all_messages, which then fills
-- the new postings from every stored message): the character index moves
-- from one table row per message and character (message_chars) to FTS5
-- postings of grams, each indexed message's distinct characters and
-- adjacent character pairs within a field, each written as an ASCII token
-- ('u' and the code point in lowercase hex for a character; 'p', the
-- first, 'x', the second for a pair), so the ascii tokenizer keeps every
-- gram, punctuation and emoji included, as one token. FTS5 writes a
-- batch's postings as a few segment blobs instead of a B-tree row per
-- character, which was the largest cost of an import, and the pairs make
-- two-character keywords exact. No positions are needed (detail = none).
-- char_counts now counts the messages holding each gram (one or two
-- characters).
CREATE VIRTUAL TABLE message_grams USING fts5(
    chars, tokenize = 'ascii', detail = none, content = '', contentless_delete = 1
);

DROP TABLE message_chars;

DELETE FROM char_counts;
