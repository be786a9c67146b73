//! placeholder
#[derive(Debug, clap::Args)]
pub struct ChatArgs {}
pub fn run(_: ChatArgs) -> Result<(), String> { Err("x".into()) }
