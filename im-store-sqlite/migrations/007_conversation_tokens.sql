-- Version 7 (run by write::index_grams_with_conversations, which then
-- writes every indexed message's gram document again): each document also
-- holds its conversation's token ('k', the conversation type, 'x', the
-- peer's UTF-8 bytes in hex), so a one- or two-character search within one
-- conversation is an AND of two postings lists: its page and its exact
-- count come from the index alone, without reading a message row for
-- every match in a large conversation. The table is made again empty
-- (a contentless table cannot rewrite its documents in place); the gram
-- counts in char_counts do not change.
DROP TABLE message_grams;

CREATE VIRTUAL TABLE message_grams USING fts5(
    chars, tokenize = 'ascii', detail = none, content = '', contentless_delete = 1
);
