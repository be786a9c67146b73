-- Version 5: the send queue. Outgoing messages still sending (status 1,
-- kTIMMsg_Sending) are found through a partial index that holds only them,
-- so resuming sends after a restart never scans the messages table.
CREATE INDEX messages_sending ON messages (time, seq, msg_id) WHERE status = 1;
