//! Unread counts: totals, totals by filter, subscriptions and cleaning.
//!
//! Totals sum `conv_unread_num` over conversations whose receive option
//! counts ([`im_model::ReceiveMessageOpt::counts_toward_total_unread`]:
//! only `Receive`), hidden ones included. The store computes them; this
//! module decides when apps are told that they changed:
//!
//! * the total-changed event is raised only after the app asked for the
//!   total once (Tencent's rule), and only when the value changed;
//! * a by-filter event is raised only for subscribed filters, and only when
//!   that filter's value changed.

use im_model::{ConvSelector, ConvType, ImError, ImResult, ReceiveMessageOpt};
use im_store::{ConvFilter, ConversationStore};

use crate::events::ConvEvent;
use crate::service::{ConversationService, not_found};

/// The totals apps watch, with the value they were last told.
#[derive(Debug, Default)]
pub(crate) struct UnreadWatch {
    /// `Some` once the app asked for the total.
    total: Option<u64>,
    /// Subscribed filters, in subscription order.
    filters: Vec<(ConvFilter, u64)>,
}

impl UnreadWatch {
    /// Recomputes watched totals after a commit; returns events for those
    /// that changed.
    pub(crate) fn refresh(&mut self, store: &dyn ConversationStore) -> ImResult<Vec<ConvEvent>> {
        let mut events = Vec::new();
        if let Some(last) = self.total {
            let now = store.unread_total(&ConvFilter::all())?;
            if now != last {
                self.total = Some(now);
                events.push(ConvEvent::TotalUnreadChanged(now));
            }
        }
        for (filter, last) in &mut self.filters {
            let now = store.unread_total(filter)?;
            if now != *last {
                *last = now;
                events.push(ConvEvent::UnreadByFilterChanged {
                    filter: filter.to_wire(),
                    total: now,
                });
            }
        }
        Ok(events)
    }
}

impl ConversationService {
    /// Total unread count (`TIMConvGetTotalUnreadMessageCount`). From the
    /// first call on, [`ConvEvent::TotalUnreadChanged`] reports changes.
    ///
    /// # Errors
    /// A storage failure.
    pub fn total_unread(&self) -> ImResult<u64> {
        let mut writer = self.lock_writer();
        let total = self.store.unread_total(&ConvFilter::all())?;
        writer.unread.total = Some(total);
        Ok(total)
    }

    /// Unread total over conversations matching `filter`
    /// (`TIMConvGetUnreadMessageCountByFilter`).
    ///
    /// # Errors
    /// A storage failure.
    pub fn unread_by_filter(&self, filter: &ConvFilter) -> ImResult<u64> {
        Ok(self.store.unread_total(filter)?)
    }

    /// Subscribes to changes of `filter`'s unread total
    /// (`TIMConvSubscribeUnreadMessageCountByFilter`). Subscribing an equal
    /// filter again changes nothing.
    ///
    /// # Errors
    /// A storage failure.
    pub fn subscribe_unread_by_filter(&self, filter: &ConvFilter) -> ImResult<()> {
        let mut writer = self.lock_writer();
        if writer.unread.filters.iter().all(|(f, _)| f != filter) {
            let total = self.store.unread_total(filter)?;
            writer.unread.filters.push((filter.clone(), total));
        }
        Ok(())
    }

    /// Ends a subscription (`TIMConvUnsubscribeUnreadMessageCountByFilter`).
    /// Unsubscribing a filter that is not subscribed changes nothing.
    pub fn unsubscribe_unread_by_filter(&self, filter: &ConvFilter) {
        self.lock_writer()
            .unread
            .filters
            .retain(|(f, _)| f != filter);
    }

    /// Installs the message layer's unread recount, which lets
    /// [`ConversationService::clean_unread`] clean up to a point inside a
    /// conversation's history. Only a weak reference is kept (the message
    /// layer owns this service, not the other way round): the recount is
    /// used while its owner keeps it alive.
    pub fn set_unread_recount(&self, recount: &std::sync::Arc<dyn im_store::UnreadRecount>) {
        *self
            .recount
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) =
            Some(std::sync::Arc::downgrade(recount));
    }

    /// Cleans unread counts (`TIMConvCleanConversationUnreadMessageCount`).
    ///
    /// `clean_timestamp` (C2C) and `clean_sequence` (groups) mark the
    /// newest message read; 0 means everything. Mentions are cleared with
    /// the unread count. Returns how many conversations changed.
    ///
    /// # Errors
    /// `ERR_INVALID_CONVERSATION` (6004) when a single selected conversation
    /// does not exist; `ERR_INVALID_PARAMETERS` when a read position inside
    /// the history is given and no message layer is installed.
    pub fn clean_unread(
        &self,
        selector: &ConvSelector,
        clean_timestamp: u64,
        clean_sequence: u64,
    ) -> ImResult<usize> {
        let recount = self
            .recount
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .as_ref()
            .and_then(std::sync::Weak::upgrade);
        self.write(|txn| {
            let targets = match selector {
                ConvSelector::One(id) => vec![txn.get(id)?.ok_or_else(|| not_found(id))?],
                other => {
                    let conv_type = match other {
                        ConvSelector::AllC2C => Some(ConvType::C2C),
                        ConvSelector::AllGroups => Some(ConvType::Group),
                        _ => None,
                    };
                    let filter = ConvFilter {
                        conv_type,
                        ..ConvFilter::all()
                    };
                    self.snapshot(&filter)?
                        .into_iter()
                        .filter(|c| c.unread_count > 0 || !c.group_at_infos.is_empty())
                        .collect()
                }
            };
            let mut changed = 0;
            for mut conv in targets {
                let is_group = conv.id.conv_type() == ConvType::Group;
                // Where "everything" ends: from the stored messages when the
                // message layer is installed (the last message may be an
                // unsent one, without a sequence), else the last message.
                let (last_time, last_seq) = match &recount {
                    Some(recount) => recount.newest_position(&conv.id)?,
                    None => {
                        let last = conv.last_message.as_ref();
                        (
                            last.map_or(0, im_model::Message::timestamp),
                            last.and_then(|m| m.seq).unwrap_or(0),
                        )
                    }
                };
                let (position, newest) = if is_group {
                    (clean_sequence, last_seq)
                } else {
                    (clean_timestamp, last_time)
                };
                let remaining = if position == 0 || position >= newest {
                    0
                } else if let Some(recount) = &recount {
                    recount.unread_after(&conv.id, clean_timestamp, clean_sequence)?
                } else {
                    return Err(ImError::invalid_param(format!(
                        "cleaning {} up to a point inside its history needs the message store",
                        conv.id
                    )));
                };
                let before = conv.clone();
                // 0 means "everything": read up to the newest message.
                let read = match position {
                    0 if is_group => last_seq,
                    0 if last_time == 0 => txn.now(),
                    0 => last_time,
                    given => given,
                };
                // Mentions of messages now read go with them (as
                // `report_read` does).
                if is_group {
                    conv.read_up_to(0, read);
                } else {
                    conv.read_up_to(read, 0);
                }
                // Unread messages a snapshot counted but this device does
                // not store stay counted until the position reaches them.
                conv.recount_unread(remaining);
                conv.unread_count = conv.unread_count.min(before.unread_count);
                // Nothing unread: no mention either.
                if remaining == 0 {
                    conv.group_at_infos.clear();
                }
                if conv != before {
                    changed += 1;
                    txn.put(conv);
                }
            }
            Ok(changed)
        })
    }

    /// Records a conversation's receive option, which decides whether its
    /// unread count is part of totals. The option is remembered for the
    /// peer or group, so a conversation created later takes it too.
    ///
    /// # Errors
    /// A storage failure.
    pub fn set_receive_option(
        &self,
        id: &im_model::ConvId,
        opt: ReceiveMessageOpt,
    ) -> ImResult<()> {
        self.write(|txn| {
            txn.put_setting(im_store::remember_receive_option(id, opt));
            if let Some(mut conv) = txn.get(id)?
                && conv.recv_opt != opt
            {
                conv.recv_opt = opt;
                txn.put(conv);
            }
            Ok(())
        })
    }
}
