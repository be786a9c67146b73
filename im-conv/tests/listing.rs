//! Table-driven tests of listing and filtering: a readable fixture, a
//! filter in Tencent's JSON, and the expected list as text.

mod support;

use expect_test::{Expect, expect};
use support::{filter, harness, load, render, walk};

const FIXTURE: &str = "
    c2c_alice   t=10 unread=2 marks=star groups=work
    c2c_bob     t=30
    c2c_carol   t=20 unread=1 pinned
    group_g1    t=25 unread=5 at groups=work,family
    group_g2    t=25 marks=star,c33 recv=2 unread=4
    group_g3    t=5  pinned marks=fold draft=40
    c2c_dave    t=50 marks=hide unread=7
    c2c_erin    t=15 msg=45 groups=family
";

#[track_caller]
fn check(filter_json: &str, expect: Expect) {
    let h = harness();
    load(&h.service, FIXTURE);
    let f = filter(filter_json);
    let full = walk(&h.service, &f, 100);
    // Any page size gives the same list.
    for count in [1, 2, 3] {
        assert_eq!(walk(&h.service, &f, count), full, "page size {count}");
    }
    expect.assert_eq(&render(&full));
}

#[test]
fn test_no_filter_lists_pinned_first_then_activity_and_hides_hidden() {
    check(
        "{}",
        expect![[r#"
            group_g3     pinned t=40 marks=[4]
            c2c_carol    pinned t=20 unread=1
            c2c_erin     t=45 groups=family
            c2c_bob      t=30
            group_g2     t=25 unread=4 marks=[1, 8589934592]
            group_g1     t=25 unread=5 groups=family,work at
            c2c_alice    t=10 unread=2 marks=[1] groups=work
        "#]],
    );
}

#[test]
fn test_filter_by_type() {
    check(
        r#"{"conversation_list_filter_conv_type":2}"#,
        expect![[r#"
            group_g3     pinned t=40 marks=[4]
            group_g2     t=25 unread=4 marks=[1, 8589934592]
            group_g1     t=25 unread=5 groups=family,work at
        "#]],
    );
    check(
        r#"{"conversation_list_filter_conv_type":0}"#,
        expect![[r#"
            group_g3     pinned t=40 marks=[4]
            c2c_carol    pinned t=20 unread=1
            c2c_erin     t=45 groups=family
            c2c_bob      t=30
            group_g2     t=25 unread=4 marks=[1, 8589934592]
            group_g1     t=25 unread=5 groups=family,work at
            c2c_alice    t=10 unread=2 marks=[1] groups=work
        "#]],
    );
}

#[test]
fn test_filter_by_mark() {
    check(
        r#"{"conversation_list_filter_mark_type":1}"#,
        expect![[r#"
            group_g2     t=25 unread=4 marks=[1, 8589934592]
            c2c_alice    t=10 unread=2 marks=[1] groups=work
        "#]],
    );
    check(
        r#"{"conversation_list_filter_mark_type":8589934593}"#,
        expect![[r#"
            group_g2     t=25 unread=4 marks=[1, 8589934592]
        "#]],
    );
    check(
        r#"{"conversation_list_filter_mark_type":0}"#,
        expect![[r#"
            c2c_carol    pinned t=20 unread=1
            c2c_erin     t=45 groups=family
            c2c_bob      t=30
            group_g1     t=25 unread=5 groups=family,work at
        "#]],
    );
    check(
        r#"{"conversation_list_filter_mark_type":8}"#,
        expect![[r#"
            c2c_dave     t=50 unread=7 marks=[8]
        "#]],
    );
}

#[test]
fn test_filter_by_group() {
    check(
        r#"{"conversation_list_filter_conversation_group":"work"}"#,
        expect![[r#"
            group_g1     t=25 unread=5 groups=family,work at
            c2c_alice    t=10 unread=2 marks=[1] groups=work
        "#]],
    );
    check(
        r#"{"conversation_list_filter_conversation_group":""}"#,
        expect![[r#"
            group_g3     pinned t=40 marks=[4]
            c2c_carol    pinned t=20 unread=1
            c2c_bob      t=30
            group_g2     t=25 unread=4 marks=[1, 8589934592]
        "#]],
    );
    check(
        r#"{"conversation_list_filter_conversation_group":"nobody"}"#,
        expect![[""]],
    );
}

#[test]
fn test_filter_by_unread_and_mentions() {
    check(
        r#"{"conversation_list_filter_has_unread_count":true}"#,
        expect![[r#"
            c2c_carol    pinned t=20 unread=1
            group_g2     t=25 unread=4 marks=[1, 8589934592]
            group_g1     t=25 unread=5 groups=family,work at
            c2c_alice    t=10 unread=2 marks=[1] groups=work
        "#]],
    );
    check(
        r#"{"conversation_list_filter_has_unread_count":false}"#,
        expect![[r#"
            group_g3     pinned t=40 marks=[4]
            c2c_erin     t=45 groups=family
            c2c_bob      t=30
        "#]],
    );
    check(
        r#"{"conversation_list_filter_has_group_at_info":true}"#,
        expect![[r#"
            group_g1     t=25 unread=5 groups=family,work at
        "#]],
    );
}

#[test]
fn test_combined_filters() {
    check(
        r#"{"conversation_list_filter_conv_type":1,
            "conversation_list_filter_mark_type":1,
            "conversation_list_filter_conversation_group":"work"}"#,
        expect![[r#"
            c2c_alice    t=10 unread=2 marks=[1] groups=work
        "#]],
    );
    check(
        r#"{"conversation_list_filter_conv_type":2,
            "conversation_list_filter_has_unread_count":true,
            "conversation_list_filter_has_group_at_info":false}"#,
        expect![[r#"
            group_g2     t=25 unread=4 marks=[1, 8589934592]
        "#]],
    );
}

#[test]
fn test_unread_totals_follow_receive_options_and_filters() {
    let h = harness();
    load(&h.service, FIXTURE);
    // g2 has recv=2 (not notify): excluded. dave is hidden: still counted.
    assert_eq!(h.service.total_unread().unwrap(), 2 + 1 + 5 + 7);
    assert_eq!(
        h.service
            .unread_by_filter(&filter(r#"{"conversation_list_filter_conv_type":2}"#))
            .unwrap(),
        5
    );
    assert_eq!(
        h.service
            .unread_by_filter(&filter(
                r#"{"conversation_list_filter_conversation_group":"work"}"#
            ))
            .unwrap(),
        7
    );
}

#[test]
fn test_conversation_list_and_infos() {
    let h = harness();
    load(&h.service, FIXTURE);
    assert_eq!(
        render(&h.service.conversation_list().unwrap()),
        render(&walk(&h.service, &filter("{}"), 100))
    );
    let infos = h
        .service
        .conversation_infos(&[
            support::id("c2c_dave"),
            support::id("c2c_nobody"),
            support::id("group_g1"),
        ])
        .unwrap();
    expect![[r#"
        c2c_dave     t=50 unread=7 marks=[8]
        group_g1     t=25 unread=5 groups=family,work at
    "#]]
    .assert_eq(&render(&infos));
}
