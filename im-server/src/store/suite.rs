//! The conformance suite of [`ServerStore`]: what
//! every backend must do, run by each backend's tests through
//! [`server_store_suite!`](crate::server_store_suite).
//!
//! Each case takes a fresh, empty store and checks one invariant of the
//! trait's contract with exact values: sequences from 1 without gaps,
//! idempotent sends, times that never go back in a conversation, event
//! cursors without gaps, one active session per user and platform,
//! changes that write nothing when they fail. The concurrent cases race
//! calls on one store, which is what several server nodes do to a shared
//! database.

use std::sync::Arc;

use im_model::enums::{GroupMemberRole, GroupType};
use im_model::group::GroupDetailInfo;
use im_model::message::UserProfile;
use im_model::wire::{ConvStateChange, ServerEvent};
use im_model::{ConvId, ErrorCode, ImError, Message};

use super::{
    ConvKey, FileRow, HistoryQuery, MemberOp, MembersPlan, Membership, NewMessage, ServerStore,
    SessionRow, SessionState,
};

/// A store under test, with whatever must live as long as it (a
/// temporary folder, a database to drop).
pub struct SuiteStore {
    /// The store.
    pub store: Arc<dyn ServerStore>,
    /// Kept until the case ends.
    pub keep: Box<dyn std::any::Any + Send>,
}

impl std::fmt::Debug for SuiteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SuiteStore")
            .field("store", &self.store)
            .finish_non_exhaustive()
    }
}

/// Runs every case of the suite as a test. The calling module defines
/// `async fn make_store() -> im_server::store::suite::SuiteStore`, a new
/// empty store each call.
#[macro_export]
macro_rules! server_store_suite {
    () => {
        $crate::__server_store_cases!(
            sequences_run_from_one_without_gaps,
            a_retried_send_gets_the_first_ack,
            time_never_goes_back_in_a_conversation,
            concurrent_sends_get_distinct_sequences_and_cursors,
            group_messages_reach_the_members_at_commit,
            one_active_session_per_user_and_platform,
            concurrent_logins_leave_one_active_session,
            a_revoke_happens_once,
            a_modify_with_a_stale_version_loses,
            a_failed_book_change_writes_nothing,
            concurrent_book_changes_lose_no_update,
            trimming_raises_the_floor,
            a_group_id_is_taken_once,
            history_pages_hide_and_clear,
            small_records_round_trip,
            a_profile_change_reaches_peers,
            allowances_are_counted_once_and_reset_with_their_window,
            a_large_groups_messages_are_fanned_out_from_the_queue,
            a_member_leaving_a_large_group_gets_what_was_queued_for_them_once,
        );
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __server_store_cases {
    ($($case:ident),* $(,)?) => {
        mod server_store_suite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    let store = super::make_store().await;
                    $crate::store::suite::$case(store.store.clone()).await;
                    store.store.close();
                }
            )*
        }
    };
}

fn c2c(a: &str, b: &str) -> ConvKey {
    ConvKey::of(a, &ConvId::c2c(b).expect("a valid id"))
}

fn new_message(conv: &ConvKey, sender: &str, msg_id: &str, now: u64) -> NewMessage {
    NewMessage {
        conv: conv.clone(),
        sender: sender.into(),
        msg_id: msg_id.into(),
        now,
        message: Message::text(msg_id),
        echo_to_sender: true,
    }
}

fn group(id: &str, owner: &str) -> GroupDetailInfo {
    GroupDetailInfo {
        group_id: Some(id.into()),
        group_type: Some(GroupType::Public),
        group_name: Some(id.into()),
        owner_identifier: Some(owner.into()),
        create_time: Some(1_700_000_000),
        ..GroupDetailInfo::default()
    }
}

fn session(user: &str, platform: u32) -> SessionRow {
    SessionRow {
        user: user.into(),
        platform,
        expires_at: i64::MAX,
        state: SessionState::Active,
    }
}

fn code(error: &ImError) -> i32 {
    error.code()
}

async fn cursors(store: &dyn ServerStore, user: &str) -> Vec<u64> {
    let page = store.events_after(user, 0, 10_000).await.expect("events");
    page.events.iter().map(|e| e.cursor).collect()
}

/// A conversation's messages get 1, 2, 3, .. each conversation on its
/// own, with distinct, increasing unique ids.
pub async fn sequences_run_from_one_without_gaps(store: Arc<dyn ServerStore>) {
    let (ab, ac) = (c2c("alice", "bob"), c2c("alice", "carol"));
    let mut unique = Vec::new();
    for n in 0..5 {
        let appended = store
            .append_message(new_message(&ab, "alice", &format!("ab-{n}"), 1000))
            .await
            .expect("append");
        assert_eq!((appended.ack.seq, appended.fresh), (n + 1, true));
        unique.push(appended.ack.unique_id);
    }
    for n in 0..3 {
        let appended = store
            .append_message(new_message(&ac, "carol", &format!("ac-{n}"), 1000))
            .await
            .expect("append");
        assert_eq!(appended.ack.seq, n + 1);
        unique.push(appended.ack.unique_id);
    }
    let mut sorted = unique.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), 8, "unique ids are unique: {unique:?}");
    let stored = store.message(&ab, "ab-4").await.expect("read");
    assert_eq!(stored.map(|m| (m.seq, m.sender)), Some((5, "alice".into())));
}

/// A send retried with its message id gets the first send's ack and logs
/// nothing; the id sent to another conversation is refused.
pub async fn a_retried_send_gets_the_first_ack(store: Arc<dyn ServerStore>) {
    let ab = c2c("alice", "bob");
    let first = store
        .append_message(new_message(&ab, "alice", "m-1", 1000))
        .await
        .expect("append");
    assert_eq!(first.notified.len(), 2, "both sides are notified");
    let retry = store
        .append_message(new_message(&ab, "alice", "m-1", 2000))
        .await
        .expect("retry");
    assert_eq!((retry.ack, retry.fresh), (first.ack, false));
    assert!(retry.notified.is_empty());
    assert_eq!(cursors(&*store, "bob").await, vec![1]);
    let elsewhere = store
        .append_message(new_message(&c2c("alice", "carol"), "alice", "m-1", 1000))
        .await
        .expect_err("another conversation");
    assert_eq!(code(&elsewhere), ErrorCode::InvalidParameters.code());
}

/// When the clock goes back (or nodes' clocks differ), a later message
/// keeps the conversation's newest time instead of an earlier one.
pub async fn time_never_goes_back_in_a_conversation(store: Arc<dyn ServerStore>) {
    let (ab, ac) = (c2c("alice", "bob"), c2c("alice", "carol"));
    let first = store
        .append_message(new_message(&ab, "alice", "m-1", 2000))
        .await
        .expect("append");
    let second = store
        .append_message(new_message(&ab, "bob", "m-2", 1000))
        .await
        .expect("append");
    assert_eq!(
        (first.ack.server_time, second.ack.server_time),
        (2000, 2000)
    );
    let stored = store
        .message(&ab, "m-2")
        .await
        .expect("read")
        .expect("stored");
    assert_eq!(
        (stored.time, stored.message.server_time),
        (2000, Some(2000))
    );
    let other = store
        .append_message(new_message(&ac, "alice", "m-3", 1000))
        .await
        .expect("append");
    assert_eq!(other.ack.server_time, 1000, "each conversation on its own");
    let later = store
        .append_message(new_message(&ab, "bob", "m-4", 3000))
        .await
        .expect("append");
    assert_eq!(later.ack.server_time, 3000);
}

/// Sends racing on one conversation (as from several nodes) get the
/// sequences 1..n once each, and every recipient's log runs 1..n.
pub async fn concurrent_sends_get_distinct_sequences_and_cursors(store: Arc<dyn ServerStore>) {
    const TASKS: u64 = 8;
    const EACH: u64 = 20;
    let ab = c2c("alice", "bob");
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let (store, ab) = (store.clone(), ab.clone());
            tokio::spawn(async move {
                let mut seqs = Vec::new();
                for n in 0..EACH {
                    let sender = if t % 2 == 0 { "alice" } else { "bob" };
                    let appended = store
                        .append_message(new_message(&ab, sender, &format!("m-{t}-{n}"), 1000))
                        .await
                        .expect("append");
                    seqs.push(appended.ack.seq);
                }
                seqs
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for task in tasks {
        seqs.extend(task.await.expect("a sender"));
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=TASKS * EACH).collect::<Vec<_>>());
    for user in ["alice", "bob"] {
        assert_eq!(
            cursors(&*store, user).await,
            (1..=TASKS * EACH).collect::<Vec<_>>()
        );
    }
}

/// A group message is logged for the members when it commits: a member
/// who left no longer gets them, one who joined does.
pub async fn group_messages_reach_the_members_at_commit(store: Arc<dyn ServerStore>) {
    let key = ConvKey::Group("g1".into());
    let welcome = new_message(&key, "alice", "welcome", 1000);
    let notified = store
        .create_group(&group("g1", "alice"), &["bob".into()], welcome)
        .await
        .expect("create")
        .expect("a new id");
    let mut users: Vec<&str> = notified.iter().map(|(u, _)| u.as_str()).collect();
    users.sort_unstable();
    assert_eq!(users, ["alice", "bob"]);
    let (plan, _) = store
        .change_members(
            "g1",
            Box::new(|_| {
                Ok(MembersPlan {
                    ops: vec![
                        MemberOp::Remove("bob".into()),
                        MemberOp::Add {
                            user: "carol".into(),
                            role: GroupMemberRole::Normal,
                            joined: 1001,
                        },
                    ],
                })
            }),
        )
        .await
        .expect("change");
    assert_eq!(
        (plan.removed(), plan.added()),
        (vec!["bob".to_owned()], vec!["carol".to_owned()])
    );
    store
        .append_message(new_message(&key, "alice", "after", 1002))
        .await
        .expect("append");
    assert_eq!(cursors(&*store, "bob").await, vec![1]);
    assert_eq!(cursors(&*store, "carol").await, vec![1]);
    assert_eq!(cursors(&*store, "alice").await, vec![1, 2]);
    assert_eq!(
        store.membership("g1", "bob").await.expect("read"),
        Membership::NotMember
    );
    assert!(matches!(
        store.membership("g1", "carol").await.expect("read"),
        Membership::Member(s) if s.role == GroupMemberRole::Normal
    ));
    let missing = store
        .change_members("nope", Box::new(|_| Ok(MembersPlan::default())))
        .await
        .expect_err("no such group");
    assert_eq!(code(&missing), 10010);
}

/// A login ends the same user's active session on the same platform, and
/// no other; a logout closes its session.
pub async fn one_active_session_per_user_and_platform(store: Arc<dyn ServerStore>) {
    assert!(
        store
            .open_session("t1", &session("alice", 1))
            .await
            .expect("open")
            .is_empty()
    );
    assert!(
        store
            .open_session("t2", &session("alice", 2))
            .await
            .expect("open")
            .is_empty()
    );
    let kicked = store
        .open_session("t3", &session("alice", 1))
        .await
        .expect("open");
    assert_eq!(kicked, vec!["t1".to_owned()]);
    let state = |token: &'static str| {
        let store = store.clone();
        async move { store.session(token).await.expect("read").map(|s| s.state) }
    };
    assert_eq!(state("t1").await, Some(SessionState::Kicked));
    assert_eq!(state("t2").await, Some(SessionState::Active));
    assert_eq!(state("t3").await, Some(SessionState::Active));
    store.close_session("t3").await.expect("close");
    assert_eq!(state("t3").await, Some(SessionState::Closed));
    assert_eq!(state("unknown").await, None);
}

/// Logins racing for one user and platform (as on several nodes) leave
/// exactly one active session.
pub async fn concurrent_logins_leave_one_active_session(store: Arc<dyn ServerStore>) {
    let tasks: Vec<_> = (0..8)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .open_session(&format!("t{n}"), &session("alice", 1))
                    .await
                    .expect("open");
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a login");
    }
    let mut active = 0;
    for n in 0..8 {
        let row = store
            .session(&format!("t{n}"))
            .await
            .expect("read")
            .expect("stored");
        if row.state == SessionState::Active {
            active += 1;
        }
    }
    assert_eq!(active, 1);
}

/// The first revoke marks the message and tells both sides; another
/// changes nothing.
pub async fn a_revoke_happens_once(store: Arc<dyn ServerStore>) {
    let ab = c2c("alice", "bob");
    store
        .append_message(new_message(&ab, "alice", "m-1", 1000))
        .await
        .expect("append");
    let (revoked, notified) = store
        .revoke(&ab, "m-1", "alice", "oops")
        .await
        .expect("revoke");
    assert_eq!((revoked, notified.len()), (true, 2));
    let (again, notified) = store
        .revoke(&ab, "m-1", "alice", "oops")
        .await
        .expect("revoke");
    assert_eq!((again, notified.len()), (false, 0));
    let stored = store
        .message(&ab, "m-1")
        .await
        .expect("read")
        .expect("stored");
    assert!(stored.revoked);
    assert!(matches!(
        store.events_after("bob", 1, 10).await.expect("events").events[0].event,
        ServerEvent::Revoked { ref msg_id, .. } if msg_id == "m-1"
    ));
}

/// A modify based on the stored version wins and bumps it; one based on
/// an older version loses and changes nothing.
pub async fn a_modify_with_a_stale_version_loses(store: Arc<dyn ServerStore>) {
    let ab = c2c("alice", "bob");
    store
        .append_message(new_message(&ab, "alice", "m-1", 1000))
        .await
        .expect("append");
    let mut edit = store
        .message(&ab, "m-1")
        .await
        .expect("read")
        .expect("stored")
        .message;
    let base = edit.version.unwrap_or(0);
    edit.cloud_custom_str = Some("first".into());
    let (stored, lost, notified) = store.modify(&ab, edit.clone()).await.expect("modify");
    assert_eq!((lost, notified.len()), (false, 2));
    assert_eq!(stored.message.version, Some(base + 1));
    edit.cloud_custom_str = Some("second".into());
    let (stored, lost, notified) = store.modify(&ab, edit).await.expect("modify");
    assert_eq!((lost, notified.len()), (true, 0));
    assert_eq!(stored.message.cloud_custom_str.as_deref(), Some("first"));
}

/// A conversation-state change that fails writes nothing and logs nothing.
pub async fn a_failed_book_change_writes_nothing(store: Arc<dyn ServerStore>) {
    let bob = ConvId::c2c("bob").expect("an id");
    let (head, _) = store
        .update_book(
            "alice",
            Box::new(move |book| {
                book.apply(ConvStateChange::Pin {
                    conv: bob.clone(),
                    pinned: true,
                })
            }),
        )
        .await
        .expect("pin");
    assert_eq!(head, 1);
    let failed = store
        .update_book(
            "alice",
            Box::new(|book| {
                book.apply(ConvStateChange::AddToGroup {
                    name: "missing".into(),
                    convs: vec![ConvId::c2c("carol").expect("an id")],
                })
            }),
        )
        .await
        .expect_err("no such group");
    assert_eq!(code(&failed), ErrorCode::ConvGroupNotExist.code());
    let (book, head) = store.book("alice").await.expect("book");
    assert_eq!((book.convs.len(), book.groups.len(), head), (1, 0, 1));
}

/// Changes racing on one user's conversation state (several devices on
/// several nodes) all land: none overwrites another.
pub async fn concurrent_book_changes_lose_no_update(store: Arc<dyn ServerStore>) {
    let tasks: Vec<_> = (0..10)
        .map(|n| {
            let store = store.clone();
            tokio::spawn(async move {
                let conv = ConvId::c2c(format!("peer{n}")).expect("an id");
                store
                    .update_book(
                        "alice",
                        Box::new(move |book| {
                            book.apply(ConvStateChange::Pin {
                                conv: conv.clone(),
                                pinned: true,
                            })
                        }),
                    )
                    .await
                    .expect("pin");
            })
        })
        .collect();
    for task in tasks {
        task.await.expect("a change");
    }
    let (book, head) = store.book("alice").await.expect("book");
    assert_eq!((book.convs.len(), head), (10, 10));
    assert!(book.convs.values().all(|state| state.pinned));
}

/// Trimming keeps the newest events and raises the floor to the newest
/// cursor trimmed; a pull after the floor gets everything after it.
pub async fn trimming_raises_the_floor(store: Arc<dyn ServerStore>) {
    let ab = c2c("alice", "bob");
    for n in 0..30 {
        store
            .append_message(new_message(&ab, "alice", &format!("m-{n}"), 1000))
            .await
            .expect("append");
    }
    let mut removed = 0;
    loop {
        let n = store.trim_events(0, 10).await.expect("trim");
        if n == 0 {
            break;
        }
        removed += n;
    }
    assert_eq!(removed, 40, "20 from each of the two logs");
    let page = store.events_after("bob", 20, 100).await.expect("events");
    assert_eq!((page.floor, page.head, page.events.len()), (20, 30, 10));
    assert_eq!(page.events[0].cursor, 21);
}

/// A group id is taken once, and stays taken after the group is dismissed.
pub async fn a_group_id_is_taken_once(store: Arc<dyn ServerStore>) {
    let key = ConvKey::Group("g1".into());
    let created = store
        .create_group(
            &group("g1", "alice"),
            &[],
            new_message(&key, "alice", "w1", 1000),
        )
        .await
        .expect("create");
    assert!(created.is_some());
    let again = store
        .create_group(
            &group("g1", "bob"),
            &[],
            new_message(&key, "bob", "w2", 1000),
        )
        .await
        .expect("create");
    assert_eq!(again, None);
    let info = store
        .group_info("g1")
        .await
        .expect("read")
        .expect("a group");
    assert_eq!(info.owner_identifier.as_deref(), Some("alice"));
    store
        .dismiss_group(
            "g1",
            Box::new(move |_, _| Ok(new_message(&key, "alice", "bye", 1001))),
        )
        .await
        .expect("dismiss");
    assert_eq!(store.group_info("g1").await.expect("read"), None);
    let after = store
        .create_group(
            &group("g1", "bob"),
            &[],
            new_message(&ConvKey::Group("g1".into()), "bob", "w3", 1002),
        )
        .await
        .expect("create");
    assert_eq!(after, None);
}

/// History pages newest first going older, oldest first going newer, and
/// leaves out what the viewer hid or cleared (for them only).
pub async fn history_pages_hide_and_clear(store: Arc<dyn ServerStore>) {
    let ab = c2c("alice", "bob");
    for n in 1..=6u64 {
        store
            .append_message(new_message(&ab, "alice", &format!("m-{n}"), 1000 + n))
            .await
            .expect("append");
    }
    let page = |viewer: &'static str, query: HistoryQuery| {
        let (store, ab) = (store.clone(), ab.clone());
        async move {
            store
                .history(viewer, &ab, query)
                .await
                .expect("history")
                .into_iter()
                .map(|m| m.seq)
                .collect::<Vec<_>>()
        }
    };
    let older = HistoryQuery {
        anchor: None,
        newer: false,
        time_range: None,
        count: 3,
    };
    assert_eq!(page("bob", older).await, vec![6, 5, 4]);
    let next = HistoryQuery {
        anchor: Some((1004, 4)),
        ..older
    };
    assert_eq!(page("bob", next).await, vec![3, 2, 1]);
    let newer = HistoryQuery {
        anchor: Some((1002, 2)),
        newer: true,
        ..older
    };
    assert_eq!(page("bob", newer).await, vec![3, 4, 5]);
    store
        .hide_messages("bob", &ab, &["m-6".into()])
        .await
        .expect("hide");
    assert_eq!(page("bob", older).await, vec![5, 4, 3]);
    assert_eq!(page("alice", older).await, vec![6, 5, 4]);
    store.clear_history("alice", &ab).await.expect("clear");
    assert!(page("alice", older).await.is_empty());
    store
        .append_message(new_message(&ab, "bob", "m-7", 1007))
        .await
        .expect("append");
    assert_eq!(page("alice", older).await, vec![7]);
}

/// Settings, files and merged bodies read back as written; a setting is
/// replaced.
pub async fn small_records_round_trip(store: Arc<dyn ServerStore>) {
    store.put_setting("alice", "k", "1").await.expect("setting");
    store.put_setting("alice", "k", "2").await.expect("setting");
    assert_eq!(
        store.setting("alice", "k").await.expect("read").as_deref(),
        Some("2")
    );
    assert_eq!(store.setting("bob", "k").await.expect("read"), None);
    let file = FileRow {
        id: "f1".into(),
        owner: "alice".into(),
        size: 42,
    };
    store.put_file(&file).await.expect("file");
    assert_eq!(store.file("f1").await.expect("read"), Some(file));
    assert_eq!(store.file("f2").await.expect("read"), None);
    let ab = c2c("alice", "bob");
    let bodies = vec![Message::text("a"), Message::text("b")];
    store.put_merged("k1", &ab, &bodies).await.expect("merged");
    assert_eq!(store.merged("k1").await.expect("read"), Some((ab, bodies)));
    store.ping().await.expect("ping");
}

/// A profile change is stored and logged for the user and their C2C
/// peers and fellow group members; a failing change writes nothing.
pub async fn a_profile_change_reaches_peers(store: Arc<dyn ServerStore>) {
    store
        .append_message(new_message(&c2c("alice", "bob"), "bob", "m-1", 1000))
        .await
        .expect("append");
    let (profile, cursor, notified) = store
        .update_profile(
            "alice",
            Box::new(|old| {
                Ok(UserProfile {
                    identifier: Some("alice".into()),
                    nick_name: Some("Alice".into()),
                    ..old.clone()
                })
            }),
        )
        .await
        .expect("update");
    assert_eq!(profile.nick_name.as_deref(), Some("Alice"));
    assert_eq!(cursor, 2);
    let mut users: Vec<&str> = notified.iter().map(|(u, _)| u.as_str()).collect();
    users.sort_unstable();
    assert_eq!(users, ["alice", "bob"]);
    let failed = store
        .update_profile(
            "alice",
            Box::new(|_| Err(ImError::invalid_param("refused"))),
        )
        .await
        .expect_err("refused");
    assert_eq!(code(&failed), ErrorCode::InvalidParameters.code());
    let stored = store.profiles(&["alice".into()]).await.expect("read");
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].nick_name.as_deref(), Some("Alice"));
    assert_eq!(cursors(&*store, "alice").await, vec![1, 2]);
}

/// An allowance lets exactly its limit through, however many callers race
/// for it, leaves other keys alone, and comes back with the next window.
pub async fn allowances_are_counted_once_and_reset_with_their_window(store: Arc<dyn ServerStore>) {
    // Windows are fixed on the clock: a day's window makes a race that
    // straddles its end (and so counts in two windows) all but impossible.
    let day = std::time::Duration::from_secs(24 * 60 * 60);
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .take_allowance("group:g1", 5, day)
                    .await
                    .expect("counted")
            })
        })
        .collect();
    let mut allowed = 0;
    for task in tasks {
        if task.await.expect("a taker") {
            allowed += 1;
        }
    }
    assert_eq!(allowed, 5);
    assert!(
        store
            .allowance_used_up("group:g1", 5, day)
            .await
            .expect("read")
    );
    assert!(
        !store
            .allowance_used_up("group:g2", 5, day)
            .await
            .expect("read")
    );
    assert!(
        store
            .take_allowance("group:g2", 5, day)
            .await
            .expect("counted")
    );
    // A short window: used up, then allowed again once it has passed.
    // Windows are fixed on the clock, so a second take can land in the
    // next window when the first came at the end of one (a loaded CI
    // machine): each try uses a fresh key, and one of a few must see the
    // refusal. A store that never refuses fails every try.
    let short = std::time::Duration::from_millis(300);
    let mut refused_in = None;
    for attempt in 0..5 {
        let key = format!("short:{attempt}");
        assert!(
            store.take_allowance(&key, 1, short).await.expect("counted"),
            "the first take of a window is allowed"
        );
        if !store.take_allowance(&key, 1, short).await.expect("counted") {
            refused_in = Some(key);
            break;
        }
    }
    let key = refused_in.expect("a second take in the same window is refused");
    tokio::time::sleep(short).await;
    assert!(store.take_allowance(&key, 1, short).await.expect("counted"));
}

/// The sequences of the messages in `user`'s event log, in log order.
async fn message_seqs(store: &dyn ServerStore, user: &str) -> Vec<u64> {
    store
        .events_after(user, 0, 100)
        .await
        .expect("events")
        .events
        .into_iter()
        .filter_map(|e| match e.event {
            ServerEvent::NewMessage { message, .. } => message.seq,
            _ => None,
        })
        .collect()
}

/// Creates group "big", past `FANOUT_SYNC_MAX` members (`m0000`.. and its
/// owner), with its welcome queued; the members.
async fn large_group(store: &dyn ServerStore) -> Vec<String> {
    let key = ConvKey::Group("big".into());
    let members: Vec<String> = (0..=super::FANOUT_SYNC_MAX)
        .map(|n| format!("m{n:04}"))
        .collect();
    let created = store
        .create_group(
            &group("big", "owner"),
            &members,
            new_message(&key, "owner", "welcome", 1000),
        )
        .await
        .expect("create")
        .expect("a new id");
    assert!(created.is_empty(), "queued, not fanned out in the send");
    members
}

/// A group larger than `FANOUT_SYNC_MAX`: its messages are queued by the
/// send (nobody notified inside it) and fanned out in bounded writes,
/// once to each member who had joined when it was sent, in order.
pub async fn a_large_groups_messages_are_fanned_out_from_the_queue(store: Arc<dyn ServerStore>) {
    let key = ConvKey::Group("big".into());
    let members = large_group(&*store).await;
    let first = store
        .append_message(new_message(&key, "m0001", "first", 1001))
        .await
        .expect("append");
    assert!(first.fresh && first.notified.is_empty());
    // Joins after "first": gets what follows only.
    store
        .change_members(
            "big",
            Box::new(|_| {
                Ok(MembersPlan {
                    ops: vec![MemberOp::Add {
                        user: "late".into(),
                        role: GroupMemberRole::Normal,
                        joined: 1002,
                    }],
                })
            }),
        )
        .await
        .expect("join");
    store
        .append_message(new_message(&key, "owner", "second", 1003))
        .await
        .expect("append");
    let mut writes = 0;
    let mut notified = 0;
    while let Some(batch) = store.fan_out_queued(100).await.expect("fan out") {
        writes += 1;
        notified += batch.len();
        assert!(batch.len() <= 100);
        assert!(writes < 100, "the queue drains");
    }
    let everyone = members.len() + 1;
    assert_eq!(
        notified,
        everyone * 3 + 1,
        "three messages to all, one to the late joiner"
    );
    assert_eq!(message_seqs(&*store, "m0000").await, vec![1, 2, 3]);
    assert_eq!(message_seqs(&*store, "m0250").await, vec![1, 2, 3]);
    assert_eq!(message_seqs(&*store, "owner").await, vec![1, 2, 3]);
    assert_eq!(message_seqs(&*store, "late").await, vec![3]);
    assert_eq!(store.fan_out_queued(100).await.expect("fan out"), None);
}

/// A member who leaves a large group while its messages wait in the queue
/// gets each message sent while they were a member exactly once: now, if
/// the fan-out has not reached them, and never twice if it has.
pub async fn a_member_leaving_a_large_group_gets_what_was_queued_for_them_once(
    store: Arc<dyn ServerStore>,
) {
    let key = ConvKey::Group("big".into());
    large_group(&*store).await;
    store
        .append_message(new_message(&key, "owner", "queued", 1001))
        .await
        .expect("append");
    // One write of the fan-out: the welcome reaches m0000..m0099 (and the
    // owner's turn comes later, by id order).
    let first = store
        .fan_out_queued(100)
        .await
        .expect("fan out")
        .expect("queued");
    assert_eq!(first.len(), 100);
    let leave = |user: &'static str| {
        let store = store.clone();
        async move {
            store
                .change_members(
                    "big",
                    Box::new(move |_| {
                        Ok(MembersPlan {
                            ops: vec![MemberOp::Remove(user.to_owned())],
                        })
                    }),
                )
                .await
                .expect("leave")
        }
    };
    // Reached by the welcome already, not by "queued": gets only that now.
    let (_, early) = leave("m0050").await;
    assert_eq!(early.len(), 1);
    // Reached by neither: gets both now.
    let (_, late) = leave("m0300").await;
    assert_eq!(late.len(), 2);
    while store.fan_out_queued(100).await.expect("fan out").is_some() {}
    assert_eq!(message_seqs(&*store, "m0050").await, vec![1, 2]);
    assert_eq!(message_seqs(&*store, "m0300").await, vec![1, 2]);
    assert_eq!(message_seqs(&*store, "m0400").await, vec![1, 2]);
    assert_eq!(message_seqs(&*store, "owner").await, vec![1, 2]);
}
