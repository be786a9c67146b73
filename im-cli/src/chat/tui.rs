//! placeholder
use super::core::Chat;
use futures::Stream;
use im_sdk::SdkEvent;
use std::pin::Pin;
pub async fn run(
    _chat: Chat,
    _events: Pin<Box<dyn Stream<Item = SdkEvent> + Send>>,
) -> Result<(), String> {
    Err("todo".into())
}
