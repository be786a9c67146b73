//! How conversations and messages read as one line of text, shared by the
//! demo's tables and both chat modes.

use im_model::enums::GroupTipType;
use im_model::message::{Message, SearchMatchRange};
use im_model::{ConvInfo, ConvType, Elem, MarkSet, MsgStatus};

use crate::highlight;

/// `c2c:bob` or `group:team`: how a conversation is named on screen and in
/// commands.
pub fn conv_name(conv_type: Option<ConvType>, peer: &str) -> String {
    match conv_type {
        Some(ConvType::Group) => format!("group:{peer}"),
        _ => format!("c2c:{peer}"),
    }
}

/// The id form of a listed conversation: `c2c:bob`, `group:team`.
pub fn conv_id_label(conv: &ConvInfo) -> String {
    conv_name(conv.conv_type, conv.conv_id.as_deref().unwrap_or_default())
}

/// The name of a listed conversation: `c2c:bob`, or `Bob (c2c:bob)` when
/// it has a show name (the peer's nickname, the group's name) other than
/// its id.
pub fn conv_label(conv: &ConvInfo) -> String {
    let peer = conv.conv_id.as_deref().unwrap_or_default();
    let id = conv_id_label(conv);
    match conv.show_name.as_deref() {
        Some(name) if !name.is_empty() && name != peer => format!("{} ({id})", one_line(name)),
        _ => id,
    }
}

/// The marks of a conversation: `star`, `unread`, `fold`, `hide`, and
/// custom bits as `bit32`..`bit63`.
pub fn marks_label(conv: &ConvInfo) -> String {
    let marks = MarkSet::from_single_marks(conv.mark_array.as_deref().unwrap_or_default());
    mark_names(marks).join(",")
}

/// Each mark of a set by name, lowest bit first.
pub fn mark_names(marks: MarkSet) -> Vec<String> {
    marks
        .single_marks()
        .into_iter()
        .map(|bit| match MarkSet::from_bits_retain(bit) {
            MarkSet::STAR => "star".to_owned(),
            MarkSet::UNREAD => "unread".to_owned(),
            MarkSet::FOLD => "fold".to_owned(),
            MarkSet::HIDE => "hide".to_owned(),
            _ => format!("bit{}", bit.trailing_zeros()),
        })
        .collect()
}

/// Parses a mark name as [`mark_names`] prints it (or a bit number 32-63).
pub fn parse_mark(name: &str) -> Option<u64> {
    let bit = match name {
        "star" => return Some(MarkSet::STAR.bits()),
        "unread" => return Some(MarkSet::UNREAD.bits()),
        "fold" => return Some(MarkSet::FOLD.bits()),
        "hide" => return Some(MarkSet::HIDE.bits()),
        other => other.strip_prefix("bit").unwrap_or(other),
    };
    match bit.parse::<u32>() {
        Ok(n @ 32..=63) => Some(1u64 << n),
        _ => None,
    }
}

/// The conversation groups ("folders") holding a conversation.
pub fn folders_label(conv: &ConvInfo) -> String {
    conv.conversation_group_array
        .as_deref()
        .unwrap_or_default()
        .join(",")
}

/// What a message says, on one line: its text, `[file name (size)]`, a
/// group tip, or `(revoked by …)`.
pub fn message_text(message: &Message) -> String {
    if message.status == Some(MsgStatus::Revoked) {
        let by = message.revoker_user_id.as_deref().unwrap_or_default();
        return if by.is_empty() {
            "(revoked)".to_owned()
        } else {
            format!("(revoked by {by})")
        };
    }
    let parts: Vec<String> = message.elems().iter().map(elem_text).collect();
    one_line(&parts.join(" "))
}

fn elem_text(elem: &Elem) -> String {
    match elem {
        Elem::Text(t) => t.content.clone().unwrap_or_default(),
        Elem::File(f) => format!(
            "[file {} ({})]",
            f.file_name.as_deref().unwrap_or("?"),
            size_label(f.file_size.unwrap_or(0))
        ),
        Elem::Image(_) => "[image]".to_owned(),
        Elem::Sound(_) => "[voice]".to_owned(),
        Elem::Video(_) => "[video]".to_owned(),
        Elem::Face(_) => "[sticker]".to_owned(),
        Elem::Location(l) => format!("[location {}]", l.desc.as_deref().unwrap_or_default()),
        Elem::Custom(_) => "[custom]".to_owned(),
        Elem::Merge(m) => format!("[chat history: {}]", m.title.as_deref().unwrap_or_default()),
        Elem::GroupTips(tip) => {
            let who = tip.op_user.as_deref().unwrap_or("someone");
            // The operator is listed among the users of a group's creation.
            let users: Vec<&str> = tip
                .user_array
                .as_deref()
                .unwrap_or_default()
                .iter()
                .map(String::as_str)
                .filter(|u| *u != who)
                .collect();
            let users = users.join(", ");
            match tip.tip_type {
                Some(GroupTipType::Invite) => format!("[{who} added {users}]"),
                Some(GroupTipType::Quit) => format!("[{who} left]"),
                Some(GroupTipType::Kick) => format!("[{who} removed {users}]"),
                _ => format!("[group tip from {who}]"),
            }
        }
        _ => "[message]".to_owned(),
    }
}

/// Who sent a message, safe to print: `?` when unknown, control
/// characters (a terminal escape from a peer) as spaces.
/// The sender's nickname when the message carries one, else their id.
pub fn sender(message: &Message) -> String {
    let id = message.sender.as_deref().unwrap_or("?");
    one_line(&im_model::profile::display_name(
        message.sender_profile.as_ref(),
        id,
    ))
}

/// The text with line breaks and tabs as spaces: a table cell or a list
/// line must stay one line.
pub fn one_line(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// A byte count for people: `512 B`, `2.0 KB`, `3.4 MB`.
pub fn size_label(bytes: u64) -> String {
    const KB: f64 = 1024.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.1} KB", b / KB)
    } else {
        format!("{:.1} MB", b / (KB * KB))
    }
}

/// A message on one line with the byte spans (into that line) where the
/// search matched: the SDK gives ranges into the text element, so only a
/// message of one text element has spans. Control characters become as
/// many spaces as they had bytes, so the offsets still hold.
pub fn matched_text(
    message: &Message,
    ranges: &[SearchMatchRange],
) -> (String, Vec<(usize, usize)>) {
    let text = match message.elems() {
        [Elem::Text(t)] if message.status != Some(MsgStatus::Revoked) => {
            t.content.clone().unwrap_or_default()
        }
        _ => return (message_text(message), Vec::new()),
    };
    let line: String = text
        .chars()
        .flat_map(|c| {
            let width = if c.is_control() { c.len_utf8() } else { 0 };
            let keep = (width == 0).then_some(c);
            keep.into_iter().chain(std::iter::repeat_n(' ', width))
        })
        .collect();
    let spans = ranges
        .iter()
        .filter(|r| r.elem_index == Some(0) && r.key.as_deref() == Some("text_elem_content"))
        .filter_map(|r| Some((r.start? as usize, r.end? as usize)))
        .collect();
    (line, spans)
}

/// A message's text with each search match wrapped in `[` `]`.
pub fn highlighted_text(message: &Message, ranges: &[SearchMatchRange]) -> String {
    let (line, spans) = matched_text(message, ranges);
    highlight::segments(&line, &spans)
        .into_iter()
        .map(|(part, hit)| {
            if hit {
                format!("[{part}]")
            } else {
                part.to_owned()
            }
        })
        .collect()
}

/// `HH:MM:SS` (UTC) of a Unix time in seconds.
pub fn clock_label(unix_seconds: u64) -> String {
    let day = unix_seconds % 86_400;
    format!("{:02}:{:02}:{:02}", day / 3600, day / 60 % 60, day % 60)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_mark_names_round_trip_through_parse_mark() {
        let marks = MarkSet::STAR | MarkSet::HIDE | MarkSet::from_bits_retain(1 << 40);
        let names = mark_names(marks);
        assert_eq!(names, ["star", "hide", "bit40"]);
        let parsed = names
            .iter()
            .map(|n| parse_mark(n).unwrap())
            .fold(0, |a, b| a | b);
        assert_eq!(parsed, marks.bits());
        assert_eq!(parse_mark("40"), Some(1 << 40));
        assert_eq!(parse_mark("bit31"), None, "reserved bits are not marks");
        assert_eq!(parse_mark("bit64"), None);
        assert_eq!(parse_mark("shiny"), None);
    }

    #[test]
    fn test_highlighted_text_wraps_each_byte_range() {
        let message = Message::text("明天一起吃饭 lunch");
        let range = |start: u32, end: u32| SearchMatchRange {
            elem_index: Some(0),
            key: Some("text_elem_content".into()),
            start: Some(start),
            end: Some(end),
            ..SearchMatchRange::default()
        };
        // 饭 is bytes 15..18; "lunch" 19..24.
        let got = highlighted_text(&message, &[range(15, 18), range(19, 24)]);
        assert_eq!(got, "明天一起吃[饭] [lunch]");
    }

    #[test]
    fn test_control_characters_keep_the_match_offsets() {
        // U+0085 (next line) is a control character of two bytes.
        let message = Message::text("a\u{85}饭\n!");
        let range = SearchMatchRange {
            elem_index: Some(0),
            key: Some("text_elem_content".into()),
            start: Some(3),
            end: Some(6),
            ..SearchMatchRange::default()
        };
        assert_eq!(highlighted_text(&message, &[range]), "a  [饭] !");
        let mut from_peer = Message::text("hi");
        from_peer.sender = Some("bob\u{1b}[2J".into());
        assert_eq!(
            sender(&from_peer),
            "bob [2J",
            "no escape reaches the terminal"
        );
        assert_eq!(sender(&Message::text("hi")), "?");
        from_peer.sender_profile = Some(im_model::message::UserProfile {
            nick_name: Some("Bob\n".into()),
            ..Default::default()
        });
        assert_eq!(sender(&from_peer), "Bob ", "the nickname, on one line");
    }

    #[test]
    fn test_message_text_is_one_line_and_names_files_and_revokes() {
        assert_eq!(message_text(&Message::text("a\nb\tc")), "a b c");
        let mut revoked = Message::text("secret");
        revoked.status = Some(MsgStatus::Revoked);
        revoked.revoker_user_id = Some("bob".into());
        assert_eq!(message_text(&revoked), "(revoked by bob)");
        let file = Message {
            elem_array: Some(vec![Elem::File(im_model::message::FileElem {
                file_name: Some("notes.txt".into()),
                file_size: Some(2048),
                ..Default::default()
            })]),
            ..Message::default()
        };
        assert_eq!(message_text(&file), "[file notes.txt (2.0 KB)]");
    }

    #[test]
    fn test_clock_label_is_utc_time_of_day() {
        assert_eq!(clock_label(86_400 + 3661), "01:01:01");
    }
}
