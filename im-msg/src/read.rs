//! Read state: reporting conversations read, and the unread recount the
//! conversation layer uses to clean unread up to a point.

use im_model::message::Message;
use im_model::{ConvId, ConvType, ImResult, MsgStatus};
use im_store::{ConvFilter, Direction, HistoryQuery, UnreadQuery, UnreadRecount};
use im_transport::{ReadPosition, ReadReport};

use crate::service::MessageService;

impl MessageService {
    /// Reports one conversation read (`TIMMsgReportReaded` with a
    /// conversation): up to `anchor` when given, else up to everything it
    /// holds (or now when it holds nothing). Unread is recounted from the
    /// messages after that position, and mentions up to it are cleared.
    ///
    /// # Errors
    /// 6004 when the conversation does not exist; the transport's error
    /// (nothing changed locally then).
    pub async fn report_read(&self, conv: &ConvId, anchor: Option<&Message>) -> ImResult<()> {
        let stored = self.store.conversation(conv)?.ok_or_else(|| {
            im_model::ImError::new(
                im_model::ErrorCode::InvalidConversation,
                format!("conversation {conv} does not exist"),
            )
        })?;
        let position = match anchor {
            Some(m) => ReadPosition {
                conv: conv.clone(),
                read_time: m.timestamp(),
                read_seq: m.seq.unwrap_or(0),
            },
            None => self.newest_position(&stored.id)?,
        };
        self.report_positions(vec![position]).await
    }

    /// Reports every conversation of a type read (`TIMMsgReportReaded`
    /// with an empty conversation id), or every conversation when `None`
    /// (`TIMMsgMarkAllMessageAsRead`). Only conversations with unread
    /// messages or mentions are reported.
    ///
    /// # Errors
    /// The transport's error (nothing changed locally then).
    pub async fn report_all_read(&self, conv_type: Option<ConvType>) -> ImResult<()> {
        let filter = ConvFilter {
            conv_type,
            ..ConvFilter::all()
        };
        let mut positions = Vec::new();
        for c in self.store.matching_conversations(&filter)? {
            if c.unread_count > 0 || !c.group_at_infos.is_empty() {
                positions.push(self.newest_position(&c.id)?);
            }
        }
        if positions.is_empty() {
            return Ok(());
        }
        self.report_positions(positions).await
    }

    /// The position of everything stored in `conv` (see
    /// [`UnreadRecount::newest_position`]); now when it is empty.
    fn newest_position(&self, conv: &ConvId) -> ImResult<ReadPosition> {
        let (time, seq) = UnreadRecount::newest_position(self, conv)?;
        Ok(ReadPosition {
            conv: conv.clone(),
            read_time: if time == 0 { self.now() } else { time },
            read_seq: seq,
        })
    }

    /// Sends read positions to the server, then applies them locally in
    /// one write.
    async fn report_positions(&self, positions: Vec<ReadPosition>) -> ImResult<()> {
        self.transport
            .report_read(ReadReport {
                items: positions.clone(),
            })
            .await?;
        self.commit(|batch, _| {
            for p in &positions {
                let Some(mut c) = self.store.conversation(&p.conv)? else {
                    continue;
                };
                let before = c.clone();
                // Each kind of conversation reads by its own position.
                if p.conv.conv_type() == ConvType::Group {
                    c.read_up_to(0, p.read_seq);
                } else {
                    c.read_up_to(p.read_time, 0);
                }
                c.recount_unread(self.store.count_unread(&UnreadQuery {
                    conv: c.id.clone(),
                    after_time: c.c2c_read_timestamp,
                    after_seq: c.group_read_seq,
                })?);
                if c != before {
                    batch.put(c);
                }
            }
            Ok(())
        })?;
        Ok(())
    }
}

impl UnreadRecount for MessageService {
    fn unread_after(&self, id: &ConvId, read_time: u64, read_seq: u64) -> ImResult<u64> {
        Ok(self.store.count_unread(&UnreadQuery {
            conv: id.clone(),
            after_time: read_time,
            after_seq: read_seq,
        })?)
    }

    fn newest_position(&self, id: &ConvId) -> ImResult<(u64, u64)> {
        // Deleted messages stay stored (status 4) but are not "everything
        // the conversation holds".
        let time = self
            .store
            .history(&HistoryQuery {
                exclude_status: [MsgStatus::Deleted].into(),
                ..HistoryQuery::latest(id.clone(), 1)
            })?
            .first()
            .map_or(0, Message::timestamp);
        // The message with the highest sequence; sequences past i64::MAX
        // are not ordered by every backend, so the search starts there.
        let seq = self
            .store
            .nearest_by_seq(id, i64::MAX.unsigned_abs(), Direction::Older)?
            .and_then(|m| m.seq)
            .unwrap_or(0);
        Ok((time, seq))
    }
}
