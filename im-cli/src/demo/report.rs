//! The demo's printed report: tables of what each user sees, the search
//! hits with their matches in brackets, and the timings.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{CellAlignment, Table};

use super::script::Outcome;
use crate::render;

fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_preset(UTF8_FULL_CONDENSED)
        .set_header(header.to_vec());
    table
}

fn right_align(table: &mut Table, columns: &[usize]) {
    for &i in columns {
        if let Some(column) = table.column_mut(i) {
            column.set_cell_alignment(CellAlignment::Right);
        }
    }
}

/// Truncates to `max` characters, marking the cut.
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let kept: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{kept}…")
    }
}

/// Prints every table of the report on stdout.
pub fn print(outcome: &Outcome) {
    for (who, list) in &outcome.lists {
        println!("\nConversations of {who}");
        let mut t = table(&[
            "conversation",
            "pin",
            "marks",
            "folders",
            "unread",
            "last message",
            "draft",
            "name",
        ]);
        for conv in list {
            let last = conv
                .last_msg
                .as_ref()
                .map(|m| format!("{}: {}", render::sender(m), render::message_text(m)));
            let draft = conv
                .draft
                .as_ref()
                .and_then(|d| d.msg.as_ref())
                .map(render::message_text);
            // The show name (the peer's nickname, the group's name) when
            // it says more than the id.
            let name = conv
                .show_name
                .as_deref()
                .filter(|n| Some(*n) != conv.conv_id.as_deref())
                .map(render::one_line)
                .unwrap_or_default();
            t.add_row(vec![
                render::conv_id_label(conv),
                if conv.is_pinned == Some(true) {
                    "yes".into()
                } else {
                    String::new()
                },
                render::marks_label(conv),
                render::folders_label(conv),
                conv.unread_num.unwrap_or(0).to_string(),
                clip(&last.unwrap_or_default(), 48),
                draft.unwrap_or_default(),
                name,
            ]);
        }
        right_align(&mut t, &[4]);
        println!("{t}");
    }

    let (title, messages) = &outcome.history;
    println!("\nHistory: {title}");
    let mut t = table(&["seq", "time (UTC)", "sender", "message"]);
    for m in messages {
        t.add_row(vec![
            m.seq.unwrap_or(0).to_string(),
            render::clock_label(m.timestamp()),
            render::sender(m),
            render::message_text(m),
        ]);
    }
    right_align(&mut t, &[0]);
    println!("{t}");

    println!("\nLocal search on alice's desktop (matches in [brackets])");
    let mut t = table(&["keywords", "conversation", "sender", "message"]);
    for search in &outcome.searches {
        let joiner = if search.all { " AND " } else { " OR " };
        let keywords = search.keywords.join(joiner);
        if search.hits.is_empty() {
            t.add_row(vec![
                keywords.clone(),
                "(no hits)".into(),
                String::new(),
                String::new(),
            ]);
        }
        for (conv, sender, text) in &search.hits {
            t.add_row(vec![
                keywords.clone(),
                conv.clone(),
                sender.clone(),
                text.clone(),
            ]);
        }
    }
    println!("{t}");

    println!("\nTimings");
    let mut t = table(&["step", "ms"]);
    for (step, took) in &outcome.timings.steps {
        t.add_row(vec![
            step.clone(),
            format!("{:.1}", took.as_secs_f64() * 1e3),
        ]);
    }
    right_align(&mut t, &[1]);
    println!("{t}");

    if let Some(p) = outcome.latency {
        println!("\nSend-to-receive latency (the send call until the peer's new-message event)");
        let mut t = table(&["messages", "p50 ms", "p99 ms", "max ms"]);
        let ms = |d: std::time::Duration| format!("{:.2}", d.as_secs_f64() * 1e3);
        t.add_row(vec![p.count.to_string(), ms(p.p50), ms(p.p99), ms(p.max)]);
        right_align(&mut t, &[0, 1, 2, 3]);
        println!("{t}");
    }

    println!("\nChecks");
    for (what, passed) in outcome.checks.outcomes() {
        println!("  {} {what}", if passed { "ok  " } else { "FAIL" });
    }
}
