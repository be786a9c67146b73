//! Conformance cases for conversation groups.

use super::fixtures::{c2c, put_all};
use crate::{
    ConvFilter, ConvQuery, GroupFilter, Store, StoreError, VersionRange, WriteBatch, WriteOp,
};

fn batch(ops: Vec<WriteOp>) -> WriteBatch {
    let mut b = WriteBatch::new();
    for op in ops {
        b.push(op);
    }
    b
}

/// Groups list in creation order; rename keeps the position.
pub fn test_group_create_rename_delete_keep_order(store: &dyn Store) {
    for name in ["b", "a", "c"] {
        store
            .apply(&batch(vec![WriteOp::CreateGroup(name.into())]))
            .unwrap();
    }
    store
        .apply(&batch(vec![WriteOp::RenameGroup {
            old: "a".into(),
            new: "z".into(),
        }]))
        .unwrap();
    assert_eq!(store.conversation_groups().unwrap(), ["b", "z", "c"]);
    store
        .apply(&batch(vec![WriteOp::DeleteGroup("b".into())]))
        .unwrap();
    assert_eq!(store.conversation_groups().unwrap(), ["z", "c"]);
}

/// A batch with one invalid operation writes nothing.
pub fn test_group_conflicts_write_nothing(store: &dyn Store) {
    store
        .apply(&batch(vec![WriteOp::CreateGroup("a".into())]))
        .unwrap();
    let cases = [
        vec![
            WriteOp::CreateGroup("new".into()),
            WriteOp::CreateGroup("a".into()),
        ],
        vec![
            WriteOp::CreateGroup("new".into()),
            WriteOp::DeleteGroup("missing".into()),
        ],
        vec![
            WriteOp::PutConversation(Box::new(c2c("x", 1))),
            WriteOp::RenameGroup {
                old: "missing".into(),
                new: "b".into(),
            },
        ],
        vec![
            WriteOp::CreateGroup("new".into()),
            WriteOp::RenameGroup {
                old: "a".into(),
                new: "new".into(),
            },
        ],
    ];
    for ops in cases {
        let err = store.apply(&batch(ops.clone())).unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_) | StoreError::NotFound(_)),
            "{ops:?}: {err}"
        );
        assert_eq!(store.conversation_groups().unwrap(), ["a"], "{ops:?}");
        assert_eq!(
            store.conversation(&c2c("x", 1).id).unwrap(),
            None,
            "{ops:?}"
        );
    }
}

/// A conversation cannot name a group that does not exist after the batch,
/// and a group cannot be deleted while a conversation still names it.
pub fn test_group_named_by_conversation_must_exist(store: &dyn Store) {
    let mut x = c2c("x", 1);
    x.groups.insert("ghost".into());
    assert!(
        store
            .apply(&batch(vec![WriteOp::PutConversation(Box::new(x.clone()))]))
            .is_err()
    );
    assert_eq!(store.conversation(&x.id).unwrap(), None);

    put_all(store, std::slice::from_ref(&x));
    assert!(
        store
            .apply(&batch(vec![WriteOp::DeleteGroup("ghost".into())]))
            .is_err()
    );
    let mut freed = x.clone();
    freed.groups.clear();
    store
        .apply(&batch(vec![
            WriteOp::PutConversation(Box::new(freed.clone())),
            WriteOp::DeleteGroup("ghost".into()),
        ]))
        .unwrap();
    assert_eq!(store.conversation(&x.id).unwrap(), Some(freed));
    assert!(store.conversation_groups().unwrap().is_empty());
}

/// Renaming a group and rewriting its members in one batch moves every
/// member to the new name.
pub fn test_rename_group_with_members_in_one_batch(store: &dyn Store) {
    let members: Vec<_> = (0..5)
        .map(|i| {
            let mut c = c2c(&format!("m{i}"), i);
            c.groups.insert("old".into());
            c
        })
        .collect();
    put_all(store, &members);
    let mut ops = vec![WriteOp::RenameGroup {
        old: "old".into(),
        new: "new".into(),
    }];
    for m in &members {
        let mut c = m.clone();
        c.groups = ["new".to_owned()].into();
        ops.push(WriteOp::PutConversation(Box::new(c)));
    }
    store.apply(&batch(ops)).unwrap();
    let filter = ConvFilter {
        group: Some(GroupFilter::Named("new".into())),
        ..ConvFilter::all()
    };
    let listed = store
        .list_conversations(&ConvQuery {
            filter: &filter,
            after: None,
            versions: VersionRange::Any,
            limit: 100,
        })
        .unwrap();
    assert_eq!(listed.len(), 5);
    assert_eq!(store.conversation_groups().unwrap(), ["new"]);
}
