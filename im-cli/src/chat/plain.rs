//! Line mode: one command per stdin line, replies and events on stdout,
//! one per line, so a script (or a test) can drive the client and read
//! what happened. Input is read once the first sync finished (what waited
//! on the server is in the lists), or after [`SYNC_PATIENCE`]. End of
//! input quits.

use std::pin::Pin;

use futures::{Stream, StreamExt};
use im_sdk::SdkEvent;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use super::command::Command;
use super::core::{Chat, Reply};

/// How long commands wait for the first sync before running anyway.
pub const SYNC_PATIENCE: std::time::Duration = std::time::Duration::from_secs(10);

/// Runs until `/quit`, end of input, or the session ends.
///
/// # Errors
/// stdout cannot be written.
pub async fn run(
    mut chat: Chat,
    mut events: Pin<Box<dyn Stream<Item = SdkEvent> + Send>>,
) -> Result<(), String> {
    let mut input = BufReader::new(tokio::io::stdin()).lines();
    let mut out = tokio::io::stdout();
    let say = async |out: &mut tokio::io::Stdout, lines: Vec<String>| -> Result<(), String> {
        let mut text = String::new();
        for line in lines {
            text.push_str(&line);
            text.push('\n');
        }
        out.write_all(text.as_bytes())
            .await
            .map_err(|e| format!("stdout: {e}"))?;
        out.flush().await.map_err(|e| format!("stdout: {e}"))
    };
    say(
        &mut out,
        vec![format!(
            "logged in as {}; /help lists the commands",
            chat.user()
        )],
    )
    .await?;
    let mut synced = false;
    let patience = tokio::time::sleep(SYNC_PATIENCE);
    tokio::pin!(patience);
    loop {
        tokio::select! {
            () = &mut patience, if !synced => {
                synced = true;
                say(&mut out, vec![format!("* not synced after {SYNC_PATIENCE:?}; reading commands anyway")]).await?;
            }
            line = input.next_line(), if synced => {
                let line = match line {
                    Ok(Some(line)) => line,
                    Ok(None) => break,
                    Err(e) => return Err(format!("stdin: {e}")),
                };
                let reply = match Command::parse(&line) {
                    Ok(Some(command)) => chat.execute(command).await,
                    Ok(None) => continue,
                    Err(usage) => Reply::Lines(vec![format!("error: {usage}")]),
                };
                match reply {
                    Reply::Lines(lines) => say(&mut out, lines).await?,
                    Reply::Quit => break,
                }
            }
            event = events.next() => {
                let Some(event) = event else { break };
                let ended = matches!(event, SdkEvent::KickedOffline | SdkEvent::UserSigExpired);
                synced |= matches!(event, SdkEvent::SyncFinished);
                let lines = chat.on_event(&event).await;
                say(&mut out, lines).await?;
                if ended {
                    return Err("the session ended".into());
                }
            }
        }
    }
    say(&mut out, vec!["bye".into()]).await
}
