-- Version 1: conversations, conversation groups, messages, search indexes.
-- Conventions: STRICT tables, NOT NULL unless absence means something,
-- explicit column lists in every INSERT (see NOTES.md).

-- One row per conversation. `record` is the whole conversation (JSON, the
-- serde form of im_store::Conversation); the other columns are derived
-- from it for indexing and never disagree with it.
CREATE TABLE conversations (
    conv_type     INTEGER NOT NULL,
    peer          TEXT    NOT NULL,
    version       INTEGER NOT NULL,
    pinned        INTEGER NOT NULL,
    activity_time INTEGER NOT NULL,
    unread        INTEGER NOT NULL,
    counted       INTEGER NOT NULL,
    marks         INTEGER NOT NULL,
    hidden        INTEGER NOT NULL,
    in_group      INTEGER NOT NULL,
    has_at        INTEGER NOT NULL,
    record        TEXT    NOT NULL,
    PRIMARY KEY (conv_type, peer)
) STRICT, WITHOUT ROWID;

-- List order (pinned, activity, id; all descending) after the hidden flag,
-- covering every filter column so filtered pages never touch the table.
CREATE INDEX conversations_by_position ON conversations (
    hidden, pinned DESC, activity_time DESC, conv_type DESC, peer DESC,
    marks, unread, has_at, in_group, version, counted
);

CREATE TABLE conversation_groups (
    position INTEGER PRIMARY KEY,
    name     TEXT    NOT NULL UNIQUE
) STRICT;

-- Membership, with the member's list position copied so that a group's
-- page is read in list order from one index.
CREATE TABLE group_members (
    name          TEXT    NOT NULL,
    conv_type     INTEGER NOT NULL,
    peer          TEXT    NOT NULL,
    hidden        INTEGER NOT NULL,
    pinned        INTEGER NOT NULL,
    activity_time INTEGER NOT NULL,
    PRIMARY KEY (name, conv_type, peer)
) STRICT, WITHOUT ROWID;

CREATE INDEX group_members_by_position ON group_members (
    name, hidden, pinned DESC, activity_time DESC, conv_type DESC, peer DESC
);

-- Maintained aggregates (one row).
CREATE TABLE totals (
    id             INTEGER PRIMARY KEY CHECK (id = 1),
    counted_unread INTEGER NOT NULL
) STRICT;

INSERT INTO totals (id, counted_unread) VALUES (1, 0);

-- One row per message. `row_id` is time-ordered (time << 21 | n) so that
-- newest-first scans follow the primary key. `data` is the message JSON.
CREATE TABLE messages (
    row_id    INTEGER PRIMARY KEY,
    msg_id    TEXT    NOT NULL UNIQUE,
    conv_type INTEGER NOT NULL,
    peer      TEXT    NOT NULL,
    time      INTEGER NOT NULL,
    seq       INTEGER NOT NULL,
    status    INTEGER,
    sender    TEXT,
    elem_mask INTEGER NOT NULL,
    unique_id INTEGER,
    rand      INTEGER,
    counted   INTEGER NOT NULL,
    data      TEXT    NOT NULL
) STRICT;

CREATE INDEX messages_by_position ON messages (conv_type, peer, time, seq, msg_id);
CREATE INDEX messages_by_seq ON messages (conv_type, peer, seq, time, msg_id);
CREATE INDEX messages_by_unique_id ON messages (unique_id) WHERE unique_id IS NOT NULL;

-- Search: normalized searchable text (im_store::search) in a trigram index
-- for keywords of three or more characters (case-sensitive: the text is
-- already folded, so matching is exact on it) ...
CREATE VIRTUAL TABLE message_text USING fts5(
    body, tokenize = 'trigram case_sensitive 1', content = '', contentless_delete = 1
);

-- ... and each message's distinct normalized characters, for shorter ones.
CREATE TABLE message_chars (
    ch     TEXT    NOT NULL,
    row_id INTEGER NOT NULL,
    PRIMARY KEY (ch, row_id)
) STRICT, WITHOUT ROWID;
