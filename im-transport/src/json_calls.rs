//! The transport contract over the server's HTTP routes, written once for
//! every HTTP backend: [`json_transport!`] implements [`crate::Transport`]
//! for a backend from its own methods (files) plus the session (login,
//! logout, the event pull answered from the push buffer, the push wake-up)
//! and every call that is one JSON `POST`. The backend module provides:
//! * `async fn post<Q: Serialize + ?Sized, A: DeserializeOwned>(&self, path: &str, body: &Q) -> ImResult<A>`
//!   (a JSON body in, the JSON answer parsed, the server's refusal as its error);
//! * `self.inner.config.platform`, `self.inner.token` (a `Mutex<Option<String>>`)
//!   and `self.inner.push` (a `crate::push_stream::Push`);
//! * `push::start(transport)`, which starts the push stream's task, and
//!   `fn stop_push(&self)`, which ends it.

/// The error of a refused request: the server's code from its error body;
/// else a transient network error for a 5xx answer (a proxy's, say) and a
/// parse error for any other.
pub(crate) fn refusal(status: u16, body: &[u8]) -> im_model::ImError {
    match serde_json::from_slice::<im_model::wire::http::ErrorBody>(body) {
        Ok(body) => im_model::ImError::from(body),
        Err(_) if status >= 500 => crate::push_stream::net(format!("server answered {status}")),
        Err(_) => im_model::ImError::new(
            im_model::ErrorCode::ParseResponseFailed,
            format!("server answered {status}"),
        ),
    }
}

/// Implements [`crate::Transport`] for `$ty`: the methods given, and every
/// call that is one JSON `POST` to the route `im_model::wire::http::path`
/// names for it.
macro_rules! json_transport {
    (impl Transport for $ty:ty { $($own:tt)* }) => {
        #[async_trait::async_trait]
        impl crate::Transport for $ty {
            $($own)*

            async fn login(&self, request: crate::LoginRequest) -> im_model::ImResult<()> {
                let body = im_model::wire::http::LoginBody {
                    user_id: request.user_id,
                    user_sig: request.user_sig,
                    platform: self.inner.config.platform,
                };
                let answer: im_model::wire::http::LoginAnswer =
                    self.post(im_model::wire::http::path::LOGIN, &body).await?;
                *self
                    .inner
                    .token
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(answer.token);
                push::start(self.clone());
                Ok(())
            }

            async fn logout(&self) -> im_model::ImResult<()> {
                let outcome: im_model::ImResult<()> =
                    self.post(im_model::wire::http::path::LOGOUT, &()).await;
                self.stop_push();
                *self
                    .inner
                    .token
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
                outcome
            }

            async fn pull_events(
                &self,
                request: crate::PullRequest,
            ) -> im_model::ImResult<crate::EventPage> {
                if let Some(page) = self.inner.push.take(request.cursor, request.limit) {
                    return page;
                }
                let page: crate::EventPage =
                    self.post(im_model::wire::http::path::EVENTS, &request).await?;
                if let crate::EventPage::Events(batch) = &page {
                    self.inner.push.pulled_to(batch.next_cursor);
                }
                Ok(page)
            }

            async fn pushed(&self) {
                self.inner.push.pushed().await;
            }

            async fn update_conversations(
                &self,
                change: crate::ConvStateChange,
            ) -> im_model::ImResult<u64> {
                let answer: im_model::wire::http::CursorAnswer = self
                    .post(im_model::wire::http::path::UPDATE_CONVERSATIONS, &change)
                    .await?;
                Ok(answer.cursor)
            }

            async fn send_message(
                &self,
                request: crate::SendRequest,
            ) -> im_model::ImResult<crate::SendAck> {
                self.post(im_model::wire::http::path::SEND, &request).await
            }

            async fn revoke_message(&self, request: crate::RevokeRequest) -> im_model::ImResult<()> {
                self.post(im_model::wire::http::path::REVOKE, &request).await
            }

            async fn report_read(&self, request: crate::ReadReport) -> im_model::ImResult<()> {
                self.post(im_model::wire::http::path::REPORT_READ, &request).await
            }

            async fn pull_history(
                &self,
                request: crate::HistoryRequest,
            ) -> im_model::ImResult<Vec<im_model::message::Message>> {
                self.post(im_model::wire::http::path::HISTORY, &request).await
            }

            async fn conversation_snapshot(
                &self,
            ) -> im_model::ImResult<crate::ConversationSnapshot> {
                self.post(im_model::wire::http::path::SNAPSHOT, &()).await
            }

            async fn batch_send(
                &self,
                request: crate::BatchSendRequest,
            ) -> im_model::ImResult<Vec<crate::BatchSendOutcome>> {
                self.post(im_model::wire::http::path::BATCH_SEND, &request).await
            }

            async fn delete_messages(&self, request: crate::DeleteRequest) -> im_model::ImResult<()> {
                self.post(im_model::wire::http::path::DELETE, &request).await
            }

            async fn clear_history(&self, conv: im_model::ConvId) -> im_model::ImResult<()> {
                self.post(im_model::wire::http::path::CLEAR_HISTORY, &conv).await
            }

            async fn set_receive_option(
                &self,
                request: crate::ReceiveOptionRequest,
            ) -> im_model::ImResult<u64> {
                let answer: im_model::wire::http::CursorAnswer = self
                    .post(im_model::wire::http::path::SET_RECEIVE_OPTION, &request)
                    .await?;
                Ok(answer.cursor)
            }

            async fn c2c_receive_options(
                &self,
                users: Vec<String>,
            ) -> im_model::ImResult<Vec<crate::ReceiveOption>> {
                self.post(im_model::wire::http::path::C2C_RECEIVE_OPTIONS, &users).await
            }

            async fn merged_messages(
                &self,
                request: crate::MergedRequest,
            ) -> im_model::ImResult<Vec<im_model::message::Message>> {
                let answer: im_model::wire::http::MergedAnswer =
                    self.post(im_model::wire::http::path::MERGED, &request).await?;
                Ok(answer.messages)
            }

            async fn modify_message(
                &self,
                request: crate::SendRequest,
            ) -> im_model::ImResult<crate::ModifyOutcome> {
                self.post(im_model::wire::http::path::MODIFY, &request).await
            }

            async fn send_receipts(&self, request: crate::ReceiptRequest) -> im_model::ImResult<()> {
                self.post(im_model::wire::http::path::SEND_RECEIPTS, &request).await
            }

            async fn message_receipts(
                &self,
                request: crate::ReceiptRequest,
            ) -> im_model::ImResult<Vec<im_model::message::MessageReceipt>> {
                self.post(im_model::wire::http::path::MESSAGE_RECEIPTS, &request).await
            }

            async fn set_all_receive_option(
                &self,
                option: crate::AllReceiveOption,
            ) -> im_model::ImResult<()> {
                self.post(im_model::wire::http::path::SET_ALL_RECEIVE_OPTION, &option).await
            }

            async fn all_receive_option(&self) -> im_model::ImResult<crate::AllReceiveOption> {
                self.post(im_model::wire::http::path::ALL_RECEIVE_OPTION, &()).await
            }

            async fn create_group(
                &self,
                request: crate::CreateGroupRequest,
            ) -> im_model::ImResult<()> {
                self.post(im_model::wire::http::path::GROUP_CREATE, &request).await
            }

            async fn add_group_members(
                &self,
                group_id: String,
                users: Vec<String>,
            ) -> im_model::ImResult<Vec<String>> {
                let request = im_model::wire::http::GroupMembersRequest { group_id, users };
                self.post(im_model::wire::http::path::GROUP_ADD, &request).await
            }

            async fn remove_group_members(
                &self,
                group_id: String,
                users: Vec<String>,
            ) -> im_model::ImResult<Vec<String>> {
                let request = im_model::wire::http::GroupMembersRequest { group_id, users };
                self.post(im_model::wire::http::path::GROUP_REMOVE, &request).await
            }

            async fn group_members(
                &self,
                request: crate::MembersPageRequest,
            ) -> im_model::ImResult<crate::MembersPage> {
                self.post(im_model::wire::http::path::GROUP_MEMBERS, &request).await
            }

            async fn join_group(
                &self,
                request: crate::JoinGroupRequest,
            ) -> im_model::ImResult<crate::JoinAnswer> {
                self.post(im_model::wire::http::path::GROUP_JOIN, &request).await
            }

            async fn modify_group_member(
                &self,
                param: im_model::group_member::GroupModifyMemberInfoParam,
            ) -> im_model::ImResult<()> {
                self.post(im_model::wire::http::path::GROUP_MEMBER_MODIFY, &param).await
            }

            async fn group_pendencies(
                &self,
                option: im_model::group_member::GroupPendencyOption,
            ) -> im_model::ImResult<im_model::group_member::GroupPendencyResult> {
                self.post(im_model::wire::http::path::GROUP_PENDENCIES, &option).await
            }

            async fn handle_group_pendency(
                &self,
                request: crate::HandlePendencyRequest,
            ) -> im_model::ImResult<()> {
                self.post(im_model::wire::http::path::GROUP_PENDENCY_HANDLE, &request).await
            }

            async fn report_group_pendency_read(&self, time: u64) -> im_model::ImResult<()> {
                let request = im_model::wire::http::PendencyReadRequest { time };
                self.post(im_model::wire::http::path::GROUP_PENDENCY_READ, &request).await
            }

            async fn joined_groups(
                &self,
            ) -> im_model::ImResult<Vec<im_model::group::GroupBaseInfo>> {
                self.post(im_model::wire::http::path::GROUP_JOINED, &()).await
            }

            async fn group_infos(
                &self,
                group_ids: Vec<String>,
            ) -> im_model::ImResult<Vec<im_model::group::GetGroupInfoResult>> {
                let request = im_model::wire::http::GroupIdsRequest { group_ids };
                self.post(im_model::wire::http::path::GROUP_INFO, &request).await
            }

            async fn modify_group_info(
                &self,
                param: im_model::group::GroupModifyInfoParam,
            ) -> im_model::ImResult<()> {
                self.post(im_model::wire::http::path::GROUP_MODIFY, &param).await
            }

            async fn dismiss_group(&self, group_id: String) -> im_model::ImResult<()> {
                let request = im_model::wire::http::GroupRequest { group_id };
                self.post(im_model::wire::http::path::GROUP_DISMISS, &request).await
            }

            async fn user_profiles(
                &self,
                users: Vec<String>,
            ) -> im_model::ImResult<Vec<im_model::message::UserProfile>> {
                let answer: im_model::wire::http::ProfilesAnswer = self
                    .post(
                        im_model::wire::http::path::PROFILES,
                        &im_model::wire::http::ProfilesRequest { users },
                    )
                    .await?;
                Ok(answer.profiles)
            }

            async fn modify_self_profile(
                &self,
                item: im_model::profile::UserProfileItem,
            ) -> im_model::ImResult<u64> {
                let answer: im_model::wire::http::CursorAnswer = self
                    .post(im_model::wire::http::path::PROFILE_MODIFY, &item)
                    .await?;
                Ok(answer.cursor)
            }
        }
    };
}

pub(crate) use json_transport;
