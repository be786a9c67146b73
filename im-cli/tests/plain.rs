//! The chat client's line mode, driven through stdin against the real
//! server on 127.0.0.1, each client a process with SQLite in a temporary
//! directory.

mod support;

use support::Plain;

#[test]
fn test_two_users_chat_and_organize_through_line_mode() {
    let server = support::start_server();
    let dir = tempfile::tempdir().unwrap();
    let mut alice = Plain::start(&server, "alice", dir.path());
    let mut bob = Plain::start(&server, "bob", dir.path());

    assert_eq!(alice.run("/open bob"), ["opened c2c:bob", "(no messages)"]);
    assert_eq!(
        alice.run("hi bob, lunch 明天吃饭?"),
        ["sent to c2c:bob: hi bob, lunch 明天吃饭?"]
    );
    // Pushed to bob while he waits: an event line.
    bob.expect("< c2c:alice alice: hi bob, lunch 明天吃饭?");
    let opened = bob.run("/open alice");
    assert_eq!(opened.len(), 2, "{opened:?}");
    assert_eq!(opened[0], "opened c2c:alice");
    assert!(
        opened[1].starts_with("[1] ") && opened[1].ends_with(" alice: hi bob, lunch 明天吃饭?"),
        "{opened:?}"
    );
    assert_eq!(bob.run("好的 see you"), ["sent to c2c:alice: 好的 see you"]);
    alice.expect("< c2c:bob bob: 好的 see you");

    // Organizing: pin, marks, a folder, a draft; the list says it all.
    assert_eq!(alice.run("/pin"), ["pinned c2c:bob"]);
    assert_eq!(alice.run("/mark star"), ["marked star on c2c:bob"]);
    assert_eq!(alice.run("/mark bit40"), ["marked bit40 on c2c:bob"]);
    assert_eq!(
        alice.run("/folder new Friends"),
        ["folder Friends created with c2c:bob"]
    );
    assert_eq!(
        alice.run("/draft 周五见"),
        ["draft of c2c:bob kept: 周五见"]
    );
    assert_eq!(
        alice.run("/list"),
        [
            r#"c2c:bob pinned=yes marks=star,bit40 folders=Friends unread=1 last="bob: 好的 see you" draft="周五见""#
        ]
    );
    assert_eq!(alice.run("/list Nobody"), ["no conversations"]);
    assert_eq!(alice.run("/read"), ["c2c:bob read"]);
    bob.expect("* c2c:alice: read by the peer");
    // Errors carry Tencent's code.
    let missing = alice.run("/folder add Archive");
    assert_eq!(missing.len(), 1);
    assert!(missing[0].starts_with("error 51009: "), "{missing:?}");
    assert_eq!(
        alice.run("/frob"),
        ["error: unknown command /frob; /help lists them"]
    );

    // Search: matches in brackets, AND of two keywords, jump to a hit.
    assert_eq!(
        alice.run("/search 饭"),
        [
            "1 hit(s) of 1 in all",
            "hit 1 c2c:bob alice: hi bob, lunch 明天吃[饭]?"
        ]
    );
    assert_eq!(
        alice.run("/search-all see 好的"),
        [
            "1 hit(s) of 1 in all",
            "hit 1 c2c:bob bob: [好的] [see] you"
        ]
    );
    assert_eq!(alice.run("/jump 1")[0], "opened c2c:bob at [2]");
    assert_eq!(
        alice.run("/jump 5"),
        ["no search hit 5: the last search had 1"]
    );

    // A revoke reaches the peer; history keeps the trace.
    assert_eq!(alice.run("/revoke"), ["revoked: hi bob, lunch 明天吃饭?"]);
    bob.expect("* c2c:alice: a message was revoked by alice");
    let history = bob.run("/history");
    assert_eq!(history.len(), 2);
    assert!(
        history[0].ends_with(" alice: (revoked by alice)"),
        "{history:?}"
    );
    assert!(history[1].ends_with(" bob: 好的 see you"), "{history:?}");

    // A file arrives as a file message with its name and size.
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "x".repeat(3000)).unwrap();
    assert_eq!(
        alice.run(&format!("/file {}", file.display())),
        ["sent to c2c:bob: [file notes.txt (2.9 KB)]"]
    );
    bob.expect("< c2c:alice alice: [file notes.txt (2.9 KB)]");

    assert_eq!(alice.finish(), 0, "end of input quits cleanly");
    assert_eq!(bob.finish(), 0);
}

#[test]
fn test_older_history_loads_a_page_at_a_time() {
    let server = support::start_server();
    let dir = tempfile::tempdir().unwrap();
    let mut alice = Plain::start(&server, "alice", dir.path());
    alice.run("/open bob");
    for i in 1..=44 {
        alice.send(&format!("message {i}"));
    }
    alice.expect("sent to c2c:bob: message 44");
    // bob's device gets them all at its first sync; 20 a page.
    let mut bob = Plain::start(&server, "bob", dir.path());
    let first = bob.run("/open alice");
    assert_eq!(first.len(), 21, "{first:?}");
    assert!(first[1].ends_with("alice: message 25"), "{first:?}");
    assert!(first[20].ends_with("alice: message 44"), "{first:?}");
    let second = bob.run("/more");
    assert_eq!(second[0], "loaded 20 older message(s)");
    assert!(
        second[1].starts_with("[1] ") && second[1].ends_with("alice: message 5"),
        "{second:?}"
    );
    let third = bob.run("/more");
    assert_eq!(third[0], "loaded 4 older message(s)");
    assert!(
        third[1].starts_with("[1] ") && third[1].ends_with("alice: message 1"),
        "{third:?}"
    );
    assert_eq!(third.len(), 45, "all 44 shown, numbered from the oldest");
    assert_eq!(bob.run("/more")[0], "loaded 0 older message(s)");
}

#[test]
fn test_nicknames_and_group_information_through_line_mode() {
    let server = support::start_server();
    let dir = tempfile::tempdir().unwrap();
    let mut alice = Plain::start(&server, "alice", dir.path());
    let mut bob = Plain::start(&server, "bob", dir.path());
    assert_eq!(alice.run("/nick Alice A"), ["your nickname is now Alice A"]);
    assert_eq!(
        alice.run("/group create g1 bob"),
        ["group g1 created with bob"]
    );
    assert_eq!(
        alice.run("/group rename g1 Book club"),
        ["group g1 is now Book club"]
    );
    let info = alice.run("/group info g1");
    assert_eq!(info.len(), 1);
    assert!(
        info[0].starts_with("g1: Book club (2 members, owner alice"),
        "{info:?}"
    );
    let refused = bob.run("/group dismiss g1");
    assert!(refused[0].starts_with("error 10007: "), "{refused:?}");
    assert_eq!(alice.run("/group dismiss g1"), ["group g1 dismissed"]);
    let gone = alice.run("/group info g1");
    assert!(gone[0].ends_with("(10010)"), "{gone:?}");
}

#[test]
fn test_joining_roles_and_mutes_through_line_mode() {
    let server = support::start_server();
    let dir = tempfile::tempdir().unwrap();
    let mut alice = Plain::start(&server, "alice", dir.path());
    let mut bob = Plain::start(&server, "bob", dir.path());
    let mut carol = Plain::start(&server, "carol", dir.path());
    assert_eq!(alice.run("/group create club"), ["group club created"]);
    assert_eq!(
        bob.run("/group join club hello"),
        ["asked to join club: its owner or an admin answers"]
    );
    assert_eq!(
        carol.run("/group join club me too"),
        ["asked to join club: its owner or an admin answers"]
    );
    // Newest first, and by applicant within a second: the two requests
    // may fall in one second or two.
    let mut requests = alice.run("/group requests");
    requests.sort();
    assert_eq!(
        requests,
        [
            "bob asks to join club: hello",
            "carol asks to join club: me too"
        ]
    );
    assert_eq!(
        alice.run("/group accept club bob"),
        ["accepted bob in club"]
    );
    assert_eq!(
        alice.run("/group refuse club carol"),
        ["refused carol in club"]
    );
    assert_eq!(alice.run("/group requests"), ["no join requests"]);
    let again = alice.run("/group accept club bob");
    assert!(again[0].starts_with("error 10024: "), "{again:?}");
    assert_eq!(
        alice.run("/group role club bob admin"),
        ["bob is now an admin of club"]
    );
    let refused = bob.run("/group mute club alice 60");
    assert!(refused[0].starts_with("error 10007: "), "{refused:?}");
    assert_eq!(
        alice.run("/group role club bob member"),
        ["bob is now a member of club"]
    );
    assert_eq!(
        alice.run("/group mute club bob 60"),
        ["bob is muted in club for 60 s"]
    );
    assert!(bob.run("/open group:club").len() <= 40);
    let muted = bob.run("quiet?");
    assert!(muted.iter().any(|l| l.contains("10017")), "{muted:?}");
    assert_eq!(bob.run("/group leave club"), ["left club"]);
    let owner_leaves = alice.run("/group leave club");
    assert!(
        owner_leaves[0].starts_with("error 10009: "),
        "{owner_leaves:?}"
    );
}
