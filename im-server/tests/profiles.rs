//! User profiles end to end: real clients on SQLite, the real server over
//! HTTP. Nicknames and faces show on messages (received, history, search),
//! on conversations (`conv_show_name`, `conv_face_url`), after a restart
//! and on a new device; a change raises one conversation update on every
//! device that has the conversation; refused changes carry Tencent's codes.

mod support;

use im_conv::ConvEvent;
use im_model::message::{MessageSearchParam, MsgGetMsgListParam, UserProfileCustomString};
use im_model::profile::UserProfileItem;
use im_model::{ConvId, ConvInfo, Message};
use im_msg::MsgEvent;
use im_sdk::SdkEvent;
use support::*;

fn nick(name: &str) -> UserProfileItem {
    UserProfileItem {
        nick_name: Some(name.into()),
        face_url: Some(format!("https://faces.example/{name}.png")),
        ..UserProfileItem::default()
    }
}

async fn show_name(device: &Device, conv: &ConvId) -> (String, String) {
    let info = device
        .client
        .conversations()
        .conversation(conv)
        .await
        .unwrap()
        .expect("the conversation exists");
    (info.show_name.unwrap(), info.face_url.unwrap())
}

fn sender_nick(message: &Message) -> Option<String> {
    message.sender_profile.as_ref()?.nick_name.clone()
}

async fn history(device: &Device, conv: &ConvId) -> Vec<Message> {
    device
        .client
        .messages()
        .get_message_list(
            conv,
            &MsgGetMsgListParam {
                count: Some(20),
                ..MsgGetMsgListParam::default()
            },
        )
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_nicknames_show_on_messages_conversations_and_search_after_restart_and_on_new_devices()
{
    let server = server().await;
    let url = server.server.url();
    let mut alice = device(&url, "alice", 1).await;
    let bob_dir = tempfile::tempdir().unwrap();
    let mut bob = device_at(&url, "bob", 1, bob_dir.path()).await;
    alice.first_sync().await;
    bob.first_sync().await;
    alice
        .client
        .profiles()
        .modify_self_profile(&nick("Alice"))
        .await
        .unwrap();
    bob.client
        .profiles()
        .modify_self_profile(&nick("Bob"))
        .await
        .unwrap();
    let me = alice.client.profiles().self_profile().await.unwrap();
    assert_eq!(me.nick_name.as_deref(), Some("Alice"));

    alice
        .client
        .messages()
        .send_message(
            &ConvId::c2c("bob").unwrap(),
            &Message::text("lunch meeting?"),
        )
        .await
        .unwrap();
    let got = bob.receive(1).await;
    assert_eq!(
        sender_nick(&got[0]).as_deref(),
        Some("Alice"),
        "a received message"
    );
    let with_alice = ConvId::c2c("alice").unwrap();
    assert_eq!(
        show_name(&bob, &with_alice).await,
        ("Alice".into(), "https://faces.example/Alice.png".into())
    );
    // The sender's side: the peer's profile is looked up once, after the
    // sync that created the conversation.
    let named = alice
        .wait_for(|e| match e {
            SdkEvent::Conversation(ConvEvent::Updated(infos)) => infos
                .iter()
                .find(|i| i.conv_id.as_deref() == Some("bob"))
                .and_then(|i| i.show_name.clone())
                .filter(|n| n == "Bob"),
            _ => None,
        })
        .await;
    assert_eq!(named, "Bob");
    let to_bob = ConvId::c2c("bob").unwrap();
    assert_eq!(show_name(&alice, &to_bob).await.0, "Bob");
    assert_eq!(
        sender_nick(&history(&bob, &with_alice).await[0]).as_deref(),
        Some("Alice")
    );
    let found = bob
        .client
        .messages()
        .search_local_messages(&MessageSearchParam {
            keyword_array: Some(vec!["meeting".into()]),
            ..MessageSearchParam::default()
        })
        .await
        .unwrap();
    let hit = &found.item_array.unwrap()[0].message_array.clone().unwrap()[0];
    assert_eq!(
        sender_nick(hit).as_deref(),
        Some("Alice"),
        "a search result"
    );

    // A restart keeps the names (the cache is in the store).
    bob.client.shutdown().await;
    drop(bob);
    let mut bob = device_at(&url, "bob", 1, bob_dir.path()).await;
    bob.first_sync().await;
    assert_eq!(show_name(&bob, &with_alice).await.0, "Alice");
    assert_eq!(
        sender_nick(&history(&bob, &with_alice).await[0]).as_deref(),
        Some("Alice")
    );

    // A new device has them from its first sync.
    let mut tablet = device(&url, "bob", 2).await;
    tablet.first_sync().await;
    assert_eq!(show_name(&tablet, &with_alice).await.0, "Alice");
    assert_eq!(
        sender_nick(&history(&tablet, &with_alice).await[0]).as_deref(),
        Some("Alice"),
        "roamed history"
    );

    // A change: one conversation update on each of Bob's devices, the
    // self-profile event on Alice's.
    alice
        .client
        .profiles()
        .modify_self_profile(&nick("Alicia"))
        .await
        .unwrap();
    let own = alice
        .wait_for(|e| match e {
            SdkEvent::Message(MsgEvent::ProfileUpdated { profile, is_self })
                if profile.nick_name.as_deref() == Some("Alicia") =>
            {
                Some(*is_self)
            }
            _ => None,
        })
        .await;
    assert!(own, "Alice's own change is her self-profile event");
    for device in [&mut bob, &mut tablet] {
        let updates = renames_of(device, "alice").await;
        assert_eq!(updates, vec!["Alicia".to_owned()], "one update per device");
        assert_eq!(show_name(device, &with_alice).await.0, "Alicia");
        assert_eq!(
            sender_nick(&history(device, &with_alice).await[0]).as_deref(),
            Some("Alicia"),
            "shown messages follow the cache"
        );
    }
}

/// The conversation updates naming `peer` that arrive until the peer's
/// profile event, and for 300 ms after it.
async fn renames_of(device: &mut Device, peer: &str) -> Vec<String> {
    let (names, _) = device
        .gather(
            (Vec::new(), false),
            |(names, seen): &mut (Vec<String>, bool), event| match event {
                SdkEvent::Conversation(ConvEvent::Updated(infos)) => names.extend(
                    infos
                        .iter()
                        .filter(|i: &&ConvInfo| i.conv_id.as_deref() == Some(peer))
                        .filter_map(|i| i.show_name.clone()),
                ),
                SdkEvent::Message(MsgEvent::ProfileUpdated { profile, is_self }) => {
                    assert!(!is_self);
                    assert_eq!(profile.identifier.as_deref(), Some(peer));
                    *seen = true;
                }
                _ => {}
            },
            |(_, seen)| *seen,
        )
        .await;
    names
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_group_members_hear_of_profile_changes_and_lookups_read_the_cache() {
    let server = server().await;
    let url = server.server.url();
    let owner = device(&url, "owner", 1).await;
    let mut member = device(&url, "member", 1).await;
    member.first_sync().await;
    owner
        .client
        .groups()
        .create_group(&im_sdk::CreateGroupRequest {
            group_id: "team".into(),
            name: "Team".into(),
            members: vec!["member".into()],
            details: Default::default(),
        })
        .await
        .unwrap();
    owner
        .client
        .profiles()
        .modify_self_profile(&nick("Olga"))
        .await
        .unwrap();
    let heard = member
        .wait_for(|e| match e {
            SdkEvent::Message(MsgEvent::ProfileUpdated { profile, is_self }) => Some((
                profile.identifier.clone(),
                profile.nick_name.clone(),
                *is_self,
            )),
            _ => None,
        })
        .await;
    assert_eq!(heard, (Some("owner".into()), Some("Olga".into()), false));
    // Cached now: a lookup answers without asking the server, and a
    // forced one asks.
    let cached = member
        .client
        .profiles()
        .user_profiles(&["owner".into()], false)
        .await
        .unwrap();
    assert_eq!(cached[0].nick_name.as_deref(), Some("Olga"));
    let fresh = member
        .client
        .profiles()
        .user_profiles(&["owner".into(), "nobody".into(), "owner".into()], true)
        .await
        .unwrap();
    let names: Vec<_> = fresh
        .iter()
        .map(|p| (p.identifier.clone().unwrap(), p.nick_name.clone().unwrap()))
        .collect();
    assert_eq!(
        names,
        vec![
            ("owner".into(), "Olga".into()),
            ("nobody".into(), String::new())
        ],
        "each user once, in the order asked; no profile is an empty one"
    );
    // Group messages carry the sender's name.
    owner
        .client
        .messages()
        .send_message(&ConvId::group("team").unwrap(), &Message::text("hi all"))
        .await
        .unwrap();
    let got = member.receive(1).await;
    let text = got.iter().find(|m| text_of(m) == "hi all").unwrap();
    assert_eq!(sender_nick(text).as_deref(), Some("Olga"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn test_refused_profile_changes_carry_tencents_codes() {
    let server =
        server_with(|c| c.profile_custom_fields = vec!["Tag_Profile_Custom_Hobby".into()]).await;
    let url = server.server.url();
    let alice = device(&url, "alice", 1).await;
    let profiles = alice.client.profiles();
    let refused = |item: UserProfileItem| {
        let profiles = profiles.clone();
        async move {
            profiles
                .modify_self_profile(&item)
                .await
                .unwrap_err()
                .code()
        }
    };
    assert_eq!(refused(UserProfileItem::default()).await, 40001);
    assert_eq!(refused(nick(&"n".repeat(501))).await, 40601);
    assert_eq!(
        refused(UserProfileItem {
            gender: Some(7),
            ..UserProfileItem::default()
        })
        .await,
        40605
    );
    let custom = |key: &str| UserProfileItem {
        custom_string_array: Some(vec![UserProfileCustomString {
            key: Some(key.into()),
            value: Some("chess".into()),
            ..UserProfileCustomString::default()
        }]),
        ..UserProfileItem::default()
    };
    assert_eq!(refused(custom("Team")).await, 40009);
    profiles
        .modify_self_profile(&custom("Hobby"))
        .await
        .unwrap();
    let me = profiles
        .user_profiles(&["alice".into()], true)
        .await
        .unwrap();
    let fields = me[0].custom_string_array.clone().unwrap();
    assert_eq!(fields[0].key.as_deref(), Some("Tag_Profile_Custom_Hobby"));
    assert_eq!(fields[0].value.as_deref(), Some("chess"));
    let too_many: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    assert_eq!(
        profiles
            .user_profiles(&too_many, false)
            .await
            .unwrap_err()
            .code(),
        6017
    );
    assert_eq!(
        profiles.user_profiles(&[], false).await.unwrap_err().code(),
        6017
    );
}
