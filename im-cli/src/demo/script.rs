//! The demo's script: what the three users do, in order, and what is
//! checked after each step.

use std::path::Path;
use std::time::Instant;

use im_model::message::{DownloadElemParam, FileElem, Message, MsgGetMsgListParam};
use im_model::wire::http::CreateGroupRequest;
use im_model::{ConvId, ConvInfo, DownloadType, Draft, Elem, MarkSet};
use im_server::{Server, ServerConfig, SigKey};

use super::checks::{Checks, Percentiles, Timings};
use super::people::{Person, converge};
use crate::{render, search};

/// The demo app's SDKAppID.
const APP: u64 = 1_400_000_000;
/// The demo app's secret key. The server listens on loopback only and
/// lives as long as the demo: a fixed key is not a secret worth keeping.
const KEY: &str = "im-cli-demo-secret-key";
/// Tencent's platform numbers: one session per user and platform.
const DESKTOP: u32 = 1;
const PHONE: u32 = 2;
/// A custom mark (bits 32-63 are the app's).
const MARK_WORK: u64 = 1 << 32;

/// One search as shown: the keywords, how they combine, and each hit.
#[derive(Debug)]
pub struct SearchShown {
    /// The keywords.
    pub keywords: Vec<String>,
    /// Every keyword must match (AND), or any (OR).
    pub all: bool,
    /// (conversation, sender, text with matches in brackets).
    pub hits: Vec<(String, String, String)>,
}

/// What the demo saw, for the report.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Each device's conversation list: (who, list).
    pub lists: Vec<(String, Vec<ConvInfo>)>,
    /// A history page: (whose view of which conversation, oldest first).
    pub history: (String, Vec<Message>),
    /// The searches.
    pub searches: Vec<SearchShown>,
    /// How long each step took.
    pub timings: Timings,
    /// Send-to-receive latency.
    pub latency: Option<Percentiles>,
    /// The checks.
    pub checks: Checks,
}

/// Times the steps: each lap is the time since the previous one.
struct Stopwatch(Instant);

impl Stopwatch {
    fn lap(&mut self, outcome: &mut Outcome, step: &str) {
        let now = Instant::now();
        outcome.timings.steps.push((step.to_owned(), now - self.0));
        self.0 = now;
    }
}

fn failed(what: &str) -> impl FnOnce(im_model::ImError) -> String + '_ {
    move |e| format!("{what}: {e}")
}

async fn send(from: &Person, to: &ConvId, message: Message) -> Result<Message, String> {
    from.session
        .client
        .messages()
        .send_message(to, &message)
        .await
        .map_err(failed(&format!("{} cannot send", from.user)))
}

fn id(message: &Message) -> String {
    message.msg_id.clone().unwrap_or_default()
}

/// Plays the script against a fresh server with its data under `root`.
pub async fn play(root: &Path, samples: usize) -> Result<Outcome, String> {
    let mut out = Outcome::default();
    let mut watch = Stopwatch(Instant::now());
    let config = ServerConfig::new(
        "127.0.0.1:0".parse().expect("a socket address"),
        root.join("server"),
        APP,
        KEY,
    );
    let server = Server::start(config)
        .await
        .map_err(|e| format!("the server cannot start: {e}"))?;
    let url = server.url();
    println!("server: {url} (data in {})", root.display());
    watch.lap(&mut out, "start the server");

    let key = SigKey::new(APP, KEY);
    let mut alice = Person::log_in(&url, &key, "alice", DESKTOP, &root.join("alice")).await?;
    let mut bob = Person::log_in(&url, &key, "bob", DESKTOP, &root.join("bob")).await?;
    let mut carol = Person::log_in(&url, &key, "carol", DESKTOP, &root.join("carol")).await?;
    watch.lap(&mut out, "log in alice, bob, carol");

    let result = act(
        root, samples, &url, &key, &mut alice, &mut bob, &mut carol, &mut out, &mut watch,
    )
    .await;
    for person in [&alice, &bob, &carol] {
        person.session.client.shutdown().await;
    }
    server.stop().await;
    result.map(|()| out)
}

#[allow(clippy::too_many_arguments)]
async fn act(
    root: &Path,
    samples: usize,
    url: &str,
    key: &SigKey,
    alice: &mut Person,
    bob: &mut Person,
    carol: &mut Person,
    out: &mut Outcome,
    watch: &mut Stopwatch,
) -> Result<(), String> {
    let c2c = |peer: &str| ConvId::c2c(peer).expect("a valid user id");
    let team = ConvId::group("team").expect("a valid group id");

    // Conversations in both languages.
    let m = send(
        alice,
        &c2c("bob"),
        Message::text("Hi Bob, are we still on for lunch tomorrow?"),
    )
    .await?;
    bob.receive(&id(&m)).await?;
    let m = send(
        bob,
        &c2c("alice"),
        Message::text("好的，明天中午一起吃饭！"),
    )
    .await?;
    alice.receive(&id(&m)).await?;
    let m = send(
        carol,
        &c2c("alice"),
        Message::text("Alice, the quarterly report is ready for review."),
    )
    .await?;
    alice.receive(&id(&m)).await?;
    let m = send(
        alice,
        &c2c("carol"),
        Message::text("谢谢 Carol，我周五看报告。"),
    )
    .await?;
    carol.receive(&id(&m)).await?;
    watch.lap(out, "C2C messages, English and Chinese");

    alice
        .session
        .client
        .groups()
        .create_group(&CreateGroupRequest {
            group_id: "team".into(),
            name: "Team 团队".into(),
            members: vec!["bob".into(), "carol".into()],
            details: Default::default(),
        })
        .await
        .map_err(failed("alice cannot create the group"))?;
    for (from, text) in [
        ("alice", "Team meeting moved to Friday 3pm."),
        ("carol", "收到，周五下午三点开会。"),
        ("bob", "Meeting notes: 会议纪要 will follow the report."),
    ] {
        let sender: &Person = match from {
            "alice" => alice,
            "carol" => carol,
            _ => bob,
        };
        let m = send(sender, &team, Message::text(text)).await?;
        for member in [&mut *alice, &mut *bob, &mut *carol] {
            if member.user != from {
                member.receive(&id(&m)).await?;
            }
        }
    }
    watch.lap(out, "group: create, 3 messages to 3 members");

    send_a_file(root, alice, bob, out).await?;
    watch.lap(out, "file: upload, deliver, download");

    // A revoke reaches every member, and history keeps the trace.
    let oops = send(bob, &team, Message::text("oops, wrong chat")).await?;
    alice.receive(&id(&oops)).await?;
    carol.receive(&id(&oops)).await?;
    bob.session
        .client
        .messages()
        .revoke(&team, &oops)
        .await
        .map_err(failed("bob cannot revoke"))?;
    for member in [&mut *alice, &mut *carol] {
        member
            .until("the revoke", |p| {
                p.revokes
                    .iter()
                    .any(|r| r.conv_id.as_deref() == Some("team"))
                    .then_some(())
            })
            .await?;
    }
    watch.lap(out, "revoke in the group");

    organize(alice, &c2c, &team, out).await?;
    watch.lap(out, "pin, marks, draft, folders");

    // Reading: alice reads bob's reply; bob's device is told.
    let convs = alice.session.client.conversations();
    let before = unread_of(alice, &c2c("bob")).await?;
    alice
        .session
        .client
        .messages()
        .report_read(&c2c("bob"), None)
        .await
        .map_err(failed("alice cannot report read"))?;
    alice
        .session
        .client
        .messages()
        .report_read(&team, None)
        .await
        .map_err(failed("alice cannot report the group read"))?;
    let receipt = bob
        .until("alice's read receipt", |p| {
            p.receipts
                .iter()
                .find(|r| r.conv_id.as_deref() == Some("alice"))
                .cloned()
        })
        .await?;
    out.checks
        .equal("alice had 1 unread message from bob", before, 1);
    out.checks.equal(
        "after reading, alice's c2c:bob badge",
        unread_of(alice, &c2c("bob")).await?,
        0,
    );
    out.checks.equal(
        "after reading, alice's group:team badge",
        unread_of(alice, &team).await?,
        0,
    );
    out.checks.equal(
        "bob's receipt says alice read",
        receipt.is_peer_read,
        Some(true),
    );
    let total = convs.total_unread().await.map_err(failed("total unread"))?;
    out.checks
        .equal("alice's total unread: carol's one message", total, 1);
    watch.lap(out, "read reports and receipts");

    second_device(root, url, key, alice, &c2c, out).await?;
    watch.lap(out, "second device of alice converges");

    // Latency: each message timed from the send call to bob's event.
    let mut latencies = Vec::with_capacity(samples);
    for i in 0..samples {
        let start = Instant::now();
        let m = send(alice, &c2c("bob"), Message::text(format!("ping {i}"))).await?;
        bob.receive(&id(&m)).await?;
        latencies.push(start.elapsed());
    }
    out.latency = Percentiles::of(&latencies);
    out.checks
        .equal("every timed message arrived", latencies.len(), samples);
    out.checks.equal(
        "bob's c2c:alice badge counts every message from alice",
        unread_of(bob, &c2c("alice")).await?,
        samples as u64 + 2,
    );
    watch.lap(out, &format!("latency: {samples} messages alice → bob"));

    search(alice, out).await?;
    watch.lap(out, "local search");

    // The phone's list is already in; the desktop's goes first.
    for (who, person) in [
        ("alice (desktop)", &*alice),
        ("bob", &*bob),
        ("carol", &*carol),
    ] {
        let list = person
            .session
            .client
            .conversations()
            .conversation_list()
            .await
            .map_err(failed("conversation list"))?;
        let at = if person.user == "alice" {
            0
        } else {
            out.lists.len()
        };
        out.lists.insert(at, (who.to_owned(), list));
    }
    let mut page = carol
        .session
        .client
        .messages()
        .get_message_list(
            &team,
            &MsgGetMsgListParam {
                count: Some(20),
                ..MsgGetMsgListParam::default()
            },
        )
        .await
        .map_err(failed("history"))?;
    page.sort_by_key(|m| m.seq.unwrap_or(0));
    let texts: Vec<String> = page.iter().map(render::message_text).collect();
    out.checks.check(
        "carol's history shows bob's revoked message as revoked",
        texts.iter().any(|t| t == "(revoked by bob)"),
        || format!("history was {texts:?}"),
    );
    out.checks.check(
        "carol's history holds the group's three messages in order",
        texts
            .iter()
            .filter(|t| !t.starts_with('[') && !t.starts_with('('))
            .eq([
                "Team meeting moved to Friday 3pm.",
                "收到，周五下午三点开会。",
                "Meeting notes: 会议纪要 will follow the report.",
            ]
            .iter()),
        || format!("history was {texts:?}"),
    );
    out.history = ("carol's view of group:team".into(), page);
    watch.lap(out, "read lists and history");
    Ok(())
}

async fn unread_of(person: &Person, conv: &ConvId) -> Result<u64, String> {
    let info = person
        .session
        .client
        .conversations()
        .conversation(conv)
        .await
        .map_err(failed("conversation"))?;
    Ok(info.and_then(|c| c.unread_num).unwrap_or(0))
}

/// alice sends bob a file; bob downloads it and gets the same bytes.
async fn send_a_file(
    root: &Path,
    alice: &mut Person,
    bob: &mut Person,
    out: &mut Outcome,
) -> Result<(), String> {
    let path = root.join("meeting-notes.txt");
    let body: String = (1..=80)
        .map(|i| format!("{i:02}. 会议纪要 line {i}: agenda, owners, dates.\n"))
        .collect();
    std::fs::write(&path, &body).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    let file = Message {
        elem_array: Some(vec![Elem::File(FileElem {
            file_path: Some(path.display().to_string()),
            ..FileElem::default()
        })]),
        ..Message::default()
    };
    let sent = send(alice, &ConvId::c2c("bob").expect("valid"), file).await?;
    let got = bob.receive(&id(&sent)).await?;
    let Some(Elem::File(elem)) = got.elems().first().cloned() else {
        return Err(format!("bob's copy is not a file message: {got:?}"));
    };
    let target = root.join("bob-downloaded-notes.txt");
    bob.session
        .client
        .messages()
        .download_elem_to_path(
            &DownloadElemParam {
                download_type: Some(DownloadType::File),
                id: elem.file_id.clone(),
                url: elem.url.clone(),
                business_id: elem.business_id,
                ..DownloadElemParam::default()
            },
            &target.display().to_string(),
            |_| {},
        )
        .await
        .map_err(failed("bob cannot download the file"))?;
    let downloaded =
        std::fs::read(&target).map_err(|e| format!("cannot read the download: {e}"))?;
    out.checks.check(
        "bob downloaded the same bytes alice sent",
        downloaded == body.as_bytes(),
        || format!("{} bytes sent, {} downloaded", body.len(), downloaded.len()),
    );
    out.checks.equal(
        "the file keeps its name",
        elem.file_name.as_deref(),
        Some("meeting-notes.txt"),
    );
    let done = alice
        .until("upload progress", |p| {
            p.uploads
                .iter()
                .find(|(m, c, t)| *m == id(&sent) && c == t)
                .cloned()
        })
        .await?;
    out.checks.equal(
        "upload progress ends at the file's size",
        done.2,
        body.len() as u64,
    );
    Ok(())
}

/// alice pins, marks, drafts and files her conversations into folders.
async fn organize(
    alice: &Person,
    c2c: &impl Fn(&str) -> ConvId,
    team: &ConvId,
    out: &mut Outcome,
) -> Result<(), String> {
    let convs = alice.session.client.conversations();
    convs
        .pin_conversation(team, true)
        .await
        .map_err(failed("pin"))?;
    convs
        .mark_conversations(&[c2c("bob")], MarkSet::STAR.bits(), true)
        .await
        .map_err(failed("star"))?;
    convs
        .mark_conversations(&[c2c("carol"), team.clone()], MARK_WORK, true)
        .await
        .map_err(failed("custom mark"))?;
    let draft = Draft {
        msg: Some(Message::text("周五见 / see you Friday")),
        ..Draft::default()
    };
    convs
        .set_draft(&c2c("carol"), &draft)
        .await
        .map_err(failed("draft"))?;
    convs
        .create_conversation_group("Work", &[team.clone(), c2c("carol")])
        .await
        .map_err(failed("folder Work"))?;
    convs
        .create_conversation_group("Friends", &[c2c("bob")])
        .await
        .map_err(failed("folder Friends"))?;
    let missing = convs
        .add_conversations_to_group("Archive", &[c2c("bob")])
        .await;
    out.checks.equal(
        "adding to a folder that does not exist: 51009",
        missing.map_err(|e| e.code()).err(),
        Some(51009),
    );
    let list = convs.conversation_list().await.map_err(failed("list"))?;
    let find = |name: &str| list.iter().find(|c| render::conv_id_label(c) == name);
    out.checks.equal(
        "the pinned group is listed first",
        list.first().map(render::conv_id_label).as_deref(),
        Some("group:team"),
    );
    out.checks.equal(
        "c2c:bob is starred",
        find("c2c:bob").map(render::marks_label).as_deref(),
        Some("star"),
    );
    out.checks.equal(
        "group:team has the custom mark",
        find("group:team").map(render::marks_label).as_deref(),
        Some("bit32"),
    );
    out.checks.equal(
        "c2c:carol keeps its draft",
        find("c2c:carol")
            .and_then(|c| c.draft.as_ref())
            .and_then(|d| d.msg.as_ref())
            .map(render::message_text)
            .as_deref(),
        Some("周五见 / see you Friday"),
    );
    out.checks.equal(
        "c2c:carol is in Work",
        find("c2c:carol").map(render::folders_label).as_deref(),
        Some("Work"),
    );
    Ok(())
}

/// alice logs in on a phone: the pins, marks and folders roam to it; a
/// change made there reaches the desktop.
async fn second_device(
    root: &Path,
    url: &str,
    key: &SigKey,
    alice: &Person,
    c2c: &impl Fn(&str) -> ConvId,
    out: &mut Outcome,
) -> Result<(), String> {
    let phone = Person::log_in(url, key, "alice", PHONE, &root.join("alice-phone")).await?;
    let outcome = async {
        let desktop = alice.session.client.conversations();
        let handset = phone.session.client.conversations();
        let roaming = |list: &[ConvInfo]| -> Vec<(String, Option<bool>, String, String)> {
            let mut state: Vec<_> = list
                .iter()
                .map(|c| {
                    (
                        render::conv_id_label(c),
                        c.is_pinned,
                        render::marks_label(c),
                        render::folders_label(c),
                    )
                })
                .collect();
            state.sort();
            state
        };
        let want = roaming(
            &desktop
                .conversation_list()
                .await
                .map_err(failed("desktop list"))?,
        );
        converge(
            "the phone shows the desktop's pins, marks and folders",
            async || {
                let got = roaming(
                    &handset
                        .conversation_list()
                        .await
                        .map_err(failed("phone list"))?,
                );
                Ok((got == want).then_some(()))
            },
        )
        .await?;
        out.checks.check(
            "the phone converged on the desktop's state",
            true,
            String::new,
        );
        handset
            .add_conversations_to_group("Work", &[c2c("bob")])
            .await
            .map_err(failed("the phone cannot file bob"))?;
        converge("the desktop sees the phone's folder change", async || {
            let bob = desktop
                .conversation(&c2c("bob"))
                .await
                .map_err(failed("desktop"))?;
            Ok(bob
                .filter(|c| {
                    render::folders_label(c) == "Friends,Work"
                        || render::folders_label(c) == "Work,Friends"
                })
                .map(|_| ()))
        })
        .await?;
        out.checks
            .check("the desktop got the phone's change", true, String::new);
        let list = handset
            .conversation_list()
            .await
            .map_err(failed("phone list"))?;
        out.lists.push(("alice (phone)".into(), list));
        Ok::<(), String>(())
    }
    .await;
    phone.session.client.shutdown().await;
    outcome
}

/// alice searches her own device: an English word, one Chinese character,
/// and two keywords that must both match.
async fn search(alice: &Person, out: &mut Outcome) -> Result<(), String> {
    let cases: [(&[&str], bool, &[&str]); 3] = [
        (
            &["report"],
            false,
            &[
                "Alice, the quarterly [report] is ready for review.",
                "Meeting notes: 会议纪要 will follow the [report].",
            ],
        ),
        (&["饭"], false, &["好的，明天中午一起吃[饭]！"]),
        (&["周五", "报告"], true, &["谢谢 Carol，我[周五]看[报告]。"]),
    ];
    for (keywords, all, expected) in cases {
        let found = search::local(
            &alice.session.client,
            keywords.iter().map(|k| k.to_string()).collect(),
            all,
        )
        .await
        .map_err(failed("search"))?;
        let hits: Vec<(String, String, String)> = found
            .hits
            .iter()
            .map(|hit| {
                (
                    render::conv_name(Some(hit.conv.conv_type()), hit.conv.peer()),
                    render::sender(&hit.message),
                    render::highlighted_text(&hit.message, &hit.ranges),
                )
            })
            .collect();
        let mut texts: Vec<&str> = hits.iter().map(|h| h.2.as_str()).collect();
        texts.sort_unstable();
        let mut want = expected.to_vec();
        want.sort_unstable();
        out.checks.equal(
            format!("search {keywords:?} finds and highlights"),
            texts,
            want,
        );
        out.searches.push(SearchShown {
            keywords: keywords.iter().map(|k| k.to_string()).collect(),
            all,
            hits,
        });
    }
    Ok(())
}
