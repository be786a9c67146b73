//! The chat client's commands, one per line, the same in the full-screen
//! UI and in line mode. A line not starting with `/` is a message to the
//! open conversation.

use std::path::PathBuf;

use im_model::ConvId;

use crate::render;

/// What one input line asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Sends text to the open conversation.
    Send(String),
    /// Sends a file to the open conversation.
    File(PathBuf),
    /// Opens a conversation (and shows its latest messages).
    Open(ConvId),
    /// Lists conversations, optionally those of one folder.
    List(Option<String>),
    /// Shows the open conversation's loaded history.
    History,
    /// Loads an older page of history.
    More,
    /// Searches local messages: any keyword, or all of them.
    Search {
        /// The keywords.
        keywords: Vec<String>,
        /// Every keyword must match.
        all: bool,
    },
    /// Opens the conversation of search hit `n` (1-based) at that message.
    Jump(usize),
    /// Pins or unpins the open conversation.
    Pin(bool),
    /// Sets or clears a mark on the open conversation.
    Mark {
        /// The mark bit.
        mark: u64,
        /// Set (true) or clear.
        on: bool,
    },
    /// A conversation-group ("folder") operation.
    Folder(FolderOp),
    /// Sets the open conversation's draft, or clears it (`None`).
    Draft(Option<String>),
    /// Revokes message `n` of the shown history (1-based), or our last one.
    Revoke(Option<usize>),
    /// Reports the open conversation read.
    Read,
    /// A group operation.
    Group(GroupOp),
    /// Sets our nickname.
    Nick(String),
    /// Shows who is logged in and the network status.
    Status,
    /// Lists the commands.
    Help,
    /// Leaves.
    Quit,
}

/// Folder operations; those naming no conversation act on the open one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FolderOp {
    /// Lists the folders.
    List,
    /// Creates a folder holding the open conversation.
    New(String),
    /// Adds the open conversation to a folder.
    Add(String),
    /// Removes the open conversation from a folder.
    Remove(String),
    /// Deletes a folder (its conversations stay).
    Delete(String),
    /// Renames a folder.
    Rename(String, String),
}

/// Group operations (the server's group calls).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GroupOp {
    /// Creates a group with us as owner and the given members.
    Create(String, Vec<String>),
    /// Adds members.
    Add(String, Vec<String>),
    /// Lists members.
    Members(String),
    /// Shows a group's information.
    Info(String),
    /// Renames a group.
    Rename(String, String),
    /// Dismisses a group (its owner).
    Dismiss(String),
    /// Joins a group, with a text for its approvers.
    Join(String, String),
    /// Leaves a group.
    Leave(String),
    /// Removes members.
    Kick(String, Vec<String>),
    /// Makes a member an admin (true) or a plain member.
    Role(String, String, bool),
    /// Mutes a member for some seconds (0 lifts it).
    Mute(String, String, u64),
    /// Lists the join requests we may answer.
    Requests,
    /// Accepts (true) or refuses a user's join request to a group.
    Answer(String, String, bool),
}

/// The help text: every command, one per line.
pub const HELP: &[&str] = &[
    "text                     send text to the open conversation",
    "/open c2c:bob | group:g  open a conversation (a bare name is c2c)",
    "/list [folder]           list conversations",
    "/history                 show the loaded history;  /more  loads older",
    "/file <path>             send a file",
    "/search <kw>...          search local messages (any keyword); /search-all: every keyword",
    "/jump <n>                open search hit n",
    "/pin  /unpin             pin or unpin the open conversation",
    "/mark <m>  /unmark <m>   m = star | unread | fold | hide | bit32..bit63",
    "/folder [new|add|remove|delete] <name> | rename <old> <new> | list",
    "/draft [text]            set (or with no text clear) the draft",
    "/revoke [n]              revoke message n of the history (default: your last)",
    "/read                    report the open conversation read",
    "/group create <id> <member>... | add <id> <member>... | members <id>",
    "/group info <id> | rename <id> <name> | dismiss <id>",
    "/group join <id> [text] | leave <id> | kick <id> <member>...",
    "/group role <id> <member> admin|member | mute <id> <member> <seconds>",
    "/group requests | accept <id> <user> | refuse <id> <user>",
    "/nick <name>             set your nickname (what others see)",
    "/status  /help  /quit",
];

/// Parses a conversation name: `c2c:bob`, `group:team`, Tencent's prefixed
/// ids (`c2c_bob`, `group_team`), or a bare user id.
///
/// # Errors
/// The id is not valid (empty, too long).
pub fn parse_conv(text: &str) -> Result<ConvId, String> {
    let id = if let Some(peer) = text.strip_prefix("group:") {
        ConvId::group(peer)
    } else if let Some(peer) = text.strip_prefix("c2c:") {
        ConvId::c2c(peer)
    } else if text.starts_with(im_model::conv_id::C2C_PREFIX)
        || text.starts_with(im_model::conv_id::GROUP_PREFIX)
    {
        ConvId::parse_prefixed(text)
    } else {
        ConvId::c2c(text)
    };
    id.map_err(|e| format!("{text:?} is not a conversation: {}", e.message))
}

impl Command {
    /// Parses one input line; `None` for a blank one.
    ///
    /// # Errors
    /// An unknown command or wrong arguments, with the usage.
    pub fn parse(line: &str) -> Result<Option<Command>, String> {
        let line = line.trim_end_matches(['\r', '\n']);
        if line.trim().is_empty() {
            return Ok(None);
        }
        let Some(rest) = line.strip_prefix('/') else {
            return Ok(Some(Command::Send(line.to_owned())));
        };
        // `//text` sends text starting with a slash.
        if rest.starts_with('/') {
            return Ok(Some(Command::Send(rest.to_owned())));
        }
        let (name, args) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
        let args = args.trim();
        let words: Vec<&str> = args.split_whitespace().collect();
        let one = |usage: &str| -> Result<String, String> {
            match words.as_slice() {
                [word] => Ok((*word).to_owned()),
                _ => Err(format!("usage: {usage}")),
            }
        };
        let none = |command: Command| -> Result<Command, String> {
            if words.is_empty() {
                Ok(command)
            } else {
                Err(format!("/{name} takes no arguments"))
            }
        };
        let index = |word: &str| -> Result<usize, String> {
            word.parse::<usize>()
                .ok()
                .filter(|n| *n > 0)
                .ok_or_else(|| format!("{word:?} is not a number from 1"))
        };
        let command = match name {
            "send" if !args.is_empty() => Command::Send(args.to_owned()),
            "send" => return Err("usage: /send <text>".into()),
            "file" if !args.is_empty() => Command::File(PathBuf::from(args)),
            "file" => return Err("usage: /file <path>".into()),
            "open" => Command::Open(parse_conv(&one("/open <conversation>")?)?),
            "list" => match words.as_slice() {
                [] => Command::List(None),
                _ => Command::List(Some(args.to_owned())),
            },
            "history" => none(Command::History)?,
            "more" => none(Command::More)?,
            "search" | "search-all" if !words.is_empty() => Command::Search {
                keywords: words.iter().map(|w| (*w).to_owned()).collect(),
                all: name == "search-all",
            },
            "search" | "search-all" => return Err(format!("usage: /{name} <keyword>...")),
            "jump" => Command::Jump(index(&one("/jump <n>")?)?),
            "pin" => none(Command::Pin(true))?,
            "unpin" => none(Command::Pin(false))?,
            "mark" | "unmark" => {
                let word = one(&format!("/{name} star|unread|fold|hide|bit32..bit63"))?;
                let mark = render::parse_mark(&word).ok_or_else(|| {
                    format!("{word:?} is not a mark: star, unread, fold, hide, bit32..bit63")
                })?;
                Command::Mark {
                    mark,
                    on: name == "mark",
                }
            }
            "folder" | "folders" => Command::Folder(parse_folder(&words)?),
            "draft" => Command::Draft((!args.is_empty()).then(|| args.to_owned())),
            "revoke" => match words.as_slice() {
                [] => Command::Revoke(None),
                [n] => Command::Revoke(Some(index(n)?)),
                _ => return Err("usage: /revoke [n]".into()),
            },
            "read" => none(Command::Read)?,
            "group" => Command::Group(parse_group(&words)?),
            "nick" if !args.is_empty() => Command::Nick(args.to_owned()),
            "nick" => return Err("usage: /nick <name>".into()),
            "status" => none(Command::Status)?,
            "help" => none(Command::Help)?,
            "quit" | "exit" => none(Command::Quit)?,
            other => return Err(format!("unknown command /{other}; /help lists them")),
        };
        Ok(Some(command))
    }
}

fn parse_folder(words: &[&str]) -> Result<FolderOp, String> {
    const USAGE: &str = "usage: /folder list | new|add|remove|delete <name> | rename <old> <new>";
    let name = |rest: &[&str]| -> Result<String, String> {
        if rest.is_empty() {
            Err(USAGE.into())
        } else {
            // Folder names may hold spaces.
            Ok(rest.join(" "))
        }
    };
    Ok(match words {
        [] | ["list"] => FolderOp::List,
        ["new", rest @ ..] => FolderOp::New(name(rest)?),
        ["add", rest @ ..] => FolderOp::Add(name(rest)?),
        ["remove", rest @ ..] => FolderOp::Remove(name(rest)?),
        ["delete", rest @ ..] => FolderOp::Delete(name(rest)?),
        ["rename", old, new] => FolderOp::Rename((*old).to_owned(), (*new).to_owned()),
        _ => return Err(USAGE.into()),
    })
}

fn parse_group(words: &[&str]) -> Result<GroupOp, String> {
    const USAGE: &str = "usage: /group create <id> <member>... | add <id> <member>... | members <id> | info <id> | rename <id> <name> | dismiss <id> | join <id> [text] | leave <id> | kick <id> <member>... | role <id> <member> admin|member | mute <id> <member> <seconds> | requests | accept <id> <user> | refuse <id> <user>";
    let users = |rest: &[&str]| rest.iter().map(|u| (*u).to_owned()).collect();
    let own = |s: &&str| (*s).to_owned();
    Ok(match words {
        ["create", id, rest @ ..] => GroupOp::Create(own(id), users(rest)),
        ["add", id, rest @ ..] if !rest.is_empty() => GroupOp::Add(own(id), users(rest)),
        ["members", id] => GroupOp::Members(own(id)),
        ["info", id] => GroupOp::Info(own(id)),
        ["rename", id, name @ ..] if !name.is_empty() => GroupOp::Rename(own(id), name.join(" ")),
        ["dismiss", id] => GroupOp::Dismiss(own(id)),
        ["join", id, text @ ..] => GroupOp::Join(own(id), text.join(" ")),
        ["leave", id] => GroupOp::Leave(own(id)),
        ["kick", id, rest @ ..] if !rest.is_empty() => GroupOp::Kick(own(id), users(rest)),
        ["role", id, user, "admin"] => GroupOp::Role(own(id), own(user), true),
        ["role", id, user, "member"] => GroupOp::Role(own(id), own(user), false),
        ["mute", id, user, seconds] => {
            let seconds = seconds
                .parse()
                .map_err(|_| format!("{seconds:?} is not a number of seconds"))?;
            GroupOp::Mute(own(id), own(user), seconds)
        }
        ["requests"] => GroupOp::Requests,
        ["accept", id, user] => GroupOp::Answer(own(id), own(user), true),
        ["refuse", id, user] => GroupOp::Answer(own(id), own(user), false),
        _ => return Err(USAGE.into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(line: &str) -> Command {
        Command::parse(line).unwrap().unwrap()
    }

    #[test]
    fn test_text_sends_and_commands_parse() {
        assert_eq!(parse("你好 bob"), Command::Send("你好 bob".into()));
        assert_eq!(
            parse("//not a command"),
            Command::Send("/not a command".into())
        );
        assert_eq!(Command::parse("   ").unwrap(), None);
        assert_eq!(
            parse("/open group:team"),
            Command::Open(ConvId::group("team").unwrap())
        );
        assert_eq!(
            parse("/open bob"),
            Command::Open(ConvId::c2c("bob").unwrap())
        );
        assert_eq!(
            parse("/open group_team"),
            Command::Open(ConvId::group("team").unwrap())
        );
        assert_eq!(
            parse("/search-all 周五 报告"),
            Command::Search {
                keywords: vec!["周五".into(), "报告".into()],
                all: true
            }
        );
        assert_eq!(
            parse("/mark bit40"),
            Command::Mark {
                mark: 1 << 40,
                on: true
            }
        );
        assert_eq!(parse("/unmark star"), Command::Mark { mark: 1, on: false });
        assert_eq!(
            parse("/folder new Close friends"),
            Command::Folder(FolderOp::New("Close friends".into()))
        );
        assert_eq!(
            parse("/folder rename A B"),
            Command::Folder(FolderOp::Rename("A".into(), "B".into()))
        );
        assert_eq!(parse("/draft"), Command::Draft(None));
        assert_eq!(
            parse("/draft see you"),
            Command::Draft(Some("see you".into()))
        );
        assert_eq!(parse("/revoke 3"), Command::Revoke(Some(3)));
        assert_eq!(parse("/nick Ann Lee"), Command::Nick("Ann Lee".into()));
        assert_eq!(
            parse("/group rename g1 Book club"),
            Command::Group(GroupOp::Rename("g1".into(), "Book club".into()))
        );
        assert_eq!(
            parse("/group dismiss g1"),
            Command::Group(GroupOp::Dismiss("g1".into()))
        );
        assert_eq!(
            parse("/group create g1 bob carol"),
            Command::Group(GroupOp::Create(
                "g1".into(),
                vec!["bob".into(), "carol".into()]
            ))
        );
        assert_eq!(
            parse("/group join g1 hi there"),
            Command::Group(GroupOp::Join("g1".into(), "hi there".into()))
        );
        assert_eq!(
            parse("/group role g1 bob admin"),
            Command::Group(GroupOp::Role("g1".into(), "bob".into(), true))
        );
        assert_eq!(
            parse("/group mute g1 bob 60"),
            Command::Group(GroupOp::Mute("g1".into(), "bob".into(), 60))
        );
        assert_eq!(
            parse("/group refuse g1 eve"),
            Command::Group(GroupOp::Answer("g1".into(), "eve".into(), false))
        );
        assert_eq!(
            parse("/file /tmp/a b.txt"),
            Command::File(PathBuf::from("/tmp/a b.txt"))
        );
    }

    #[test]
    fn test_bad_lines_say_what_is_wrong() {
        let err = |line: &str| Command::parse(line).unwrap_err();
        assert_eq!(
            err("/frobnicate"),
            "unknown command /frobnicate; /help lists them"
        );
        assert_eq!(err("/open"), "usage: /open <conversation>");
        assert_eq!(err("/nick"), "usage: /nick <name>");
        assert_eq!(
            err("/mark shiny"),
            "\"shiny\" is not a mark: star, unread, fold, hide, bit32..bit63"
        );
        assert_eq!(
            err("/mark bit8"),
            "\"bit8\" is not a mark: star, unread, fold, hide, bit32..bit63"
        );
        assert_eq!(err("/revoke 0"), "\"0\" is not a number from 1");
        assert_eq!(err("/pin now"), "/pin takes no arguments");
        assert_eq!(
            err("/folder rename onlyone"),
            "usage: /folder list | new|add|remove|delete <name> | rename <old> <new>"
        );
        assert!(err(&format!("/open {}", "x".repeat(200))).starts_with("\"xxx"));
    }
}
