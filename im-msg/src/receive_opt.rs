//! Receive options: how messages of a conversation are delivered, which
//! also decides whether its unread count is part of totals.

use im_model::limits::MAX_USERS_PER_C2C_RECEIVE_OPT;
use im_model::message::C2CReceiveMessageOptResult;
use im_model::{ConvId, ImError, ImResult, ReceiveMessageOpt};
use im_store::remember_receive_option;
use im_transport::{ReceiveOptionRequest, ReceiveOptionTarget};

use crate::service::MessageService;

impl MessageService {
    /// Sets the receive option of C2C peers (`TIMMsgSetC2CReceiveMessageOpt`):
    /// at most 30 users per call, at most 5 calls per second. Existing
    /// conversations with them take the option at once (or, with
    /// [`crate::MessageConfig::roaming_echo`], when the server's echo is
    /// applied); conversations created later take it when they are created.
    /// Returns the stream cursor of the server's echo.
    ///
    /// # Errors
    /// 6017 for an empty list, more than 30 users or an invalid user id;
    /// 7008 over 5 calls per second; the transport's error.
    pub async fn set_c2c_receive_option(
        &self,
        users: &[String],
        opt: ReceiveMessageOpt,
    ) -> ImResult<u64> {
        if users.is_empty() || users.len() > MAX_USERS_PER_C2C_RECEIVE_OPT {
            return Err(ImError::invalid_param(format!(
                "between 1 and {MAX_USERS_PER_C2C_RECEIVE_OPT} users per call, got {}",
                users.len()
            )));
        }
        let convs = users
            .iter()
            .map(|u| ConvId::c2c(u.as_str()))
            .collect::<ImResult<Vec<_>>>()?;
        self.c2c_receive_opt_rate.check(self.now())?;
        let echo = self
            .transport
            .set_receive_option(ReceiveOptionRequest {
                target: ReceiveOptionTarget::Users {
                    users: users.to_vec(),
                },
                opt,
            })
            .await?;
        self.store_receive_option(&convs, opt)?;
        Ok(echo)
    }

    /// Sets the receive option of a group (`TIMMsgSetGroupReceiveMessageOpt`),
    /// applied as for C2C peers; returns the stream cursor of the echo.
    ///
    /// # Errors
    /// 6017 for an invalid group id; the transport's error.
    pub async fn set_group_receive_option(
        &self,
        group: &str,
        opt: ReceiveMessageOpt,
    ) -> ImResult<u64> {
        let conv = ConvId::group(group)?;
        let echo = self
            .transport
            .set_receive_option(ReceiveOptionRequest {
                target: ReceiveOptionTarget::Group {
                    group: group.to_owned(),
                },
                opt,
            })
            .await?;
        self.store_receive_option(&[conv], opt)?;
        Ok(echo)
    }

    /// The receive options of C2C peers (`TIMMsgGetC2CReceiveMessageOpt`).
    ///
    /// # Errors
    /// 6017 for an empty list; the transport's error.
    pub async fn c2c_receive_options(
        &self,
        users: &[String],
    ) -> ImResult<Vec<C2CReceiveMessageOptResult>> {
        if users.is_empty() {
            return Err(ImError::invalid_param("the user list must not be empty"));
        }
        Ok(self
            .transport
            .c2c_receive_options(users.to_vec())
            .await?
            .into_iter()
            .map(|o| C2CReceiveMessageOptResult {
                identifier: Some(o.user),
                opt: Some(o.opt),
                ..C2CReceiveMessageOptResult::default()
            })
            .collect())
    }

    /// Stores an option the server accepted: remembered for each peer or
    /// group (a conversation created later takes it), and applied to the
    /// conversations that exist.
    fn store_receive_option(&self, convs: &[ConvId], opt: ReceiveMessageOpt) -> ImResult<()> {
        if self.config.roaming_echo {
            // The echo applies it, in stream order.
            return Ok(());
        }
        self.commit(|batch, _| {
            for id in convs {
                batch.push(remember_receive_option(id, opt));
                if let Some(mut c) = self.store.conversation(id)?
                    && c.recv_opt != opt
                {
                    c.recv_opt = opt;
                    batch.put(c);
                }
            }
            Ok(())
        })?;
        Ok(())
    }
}
