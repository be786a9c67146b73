//! Drawing the screen: tabs and status on top, the conversation list on
//! the left, the open conversation (or an overlay) on the right, the input
//! line and a progress bar at the bottom.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Position, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, LineGauge, List, ListItem, ListState, Paragraph, Tabs};

use super::screen::Screen;
use crate::chat::core::network_label;
use crate::highlight;
use crate::render;

const HIT: Style = Style::new().fg(Color::Black).bg(Color::Yellow);
const DIM: Style = Style::new().fg(Color::DarkGray);

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, screen: &Screen) {
    let [top, middle, input, bottom] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(3),
        Constraint::Length(3),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    draw_top(frame, top, screen);
    // Two fifths for the list, within bounds that keep both panes usable.
    let list_width = (middle.width * 2 / 5).clamp(24, 44);
    let [left, right] =
        Layout::horizontal([Constraint::Length(list_width), Constraint::Min(20)]).areas(middle);
    draw_list(frame, left, screen);
    match &screen.overlay {
        Some(_) => draw_overlay(frame, right, screen),
        None => draw_history(frame, right, screen),
    }
    draw_input(frame, input, screen);
    draw_bottom(frame, bottom, screen);
}

fn draw_top(frame: &mut Frame<'_>, area: Rect, screen: &Screen) {
    let network = match screen.network {
        Some(status) if screen.syncing => format!("{} · syncing", network_label(status)),
        Some(status) => network_label(status).to_owned(),
        None => "…".to_owned(),
    };
    let who = format!(" {} · {network} ", screen.user);
    let [tabs_area, who_area] = Layout::horizontal([
        Constraint::Min(10),
        Constraint::Length(who.chars().count() as u16),
    ])
    .areas(area);
    let titles = std::iter::once("All".to_owned()).chain(screen.folders.iter().cloned());
    let tabs = Tabs::new(titles)
        .select(screen.tab)
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED))
        .divider("|");
    frame.render_widget(tabs, tabs_area);
    let color = match screen.network {
        Some(im_sdk::NetworkStatus::Connected) => Color::Green,
        _ => Color::Red,
    };
    frame.render_widget(Paragraph::new(who).style(Style::new().fg(color)), who_area);
}

fn draw_list(frame: &mut Frame<'_>, area: Rect, screen: &Screen) {
    let items: Vec<ListItem<'_>> = screen
        .shown()
        .into_iter()
        .map(|conv| {
            let mut spans = vec![Span::raw(if conv.is_pinned == Some(true) {
                "^ "
            } else {
                "  "
            })];
            spans.push(Span::raw(render::conv_label(conv)));
            // The badge first: it must stay visible in a narrow list.
            let unread = conv.unread_num.unwrap_or(0);
            if unread > 0 {
                spans.push(Span::styled(
                    format!(" ({unread})"),
                    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
                ));
            }
            let marks = render::marks_label(conv);
            if !marks.is_empty() {
                spans.push(Span::styled(
                    format!(" {{{marks}}}"),
                    Style::new().fg(Color::Magenta),
                ));
            }
            if conv.has_draft == Some(true) {
                spans.push(Span::styled(" [draft]", DIM));
            }
            ListItem::new(Line::from(spans))
        })
        .collect();
    let list = List::new(items)
        .block(
            Block::default()
                .borders(Borders::ALL)
                .title(" Conversations "),
        )
        .highlight_style(Style::new().add_modifier(Modifier::REVERSED));
    let mut state = ListState::default().with_selected(screen.selected());
    frame.render_stateful_widget(list, area, &mut state);
}

fn draw_history(frame: &mut Frame<'_>, area: Rect, screen: &Screen) {
    let title = match &screen.open {
        Some(conv) => format!(
            " {} ",
            render::conv_name(Some(conv.conv_type()), conv.peer())
        ),
        None => " no conversation open: ↑/↓ or /open ".to_owned(),
    };
    let mut lines: Vec<Line<'_>> = Vec::new();
    if screen.more_history {
        lines.push(Line::styled("… PgUp loads older messages", DIM));
    }
    let mut focused = None;
    for message in &screen.history {
        if screen.focus.is_some() && message.msg_id == screen.focus {
            focused = Some(lines.len());
        }
        let text = render::message_text(message);
        let style = if message.status == Some(im_model::MsgStatus::Revoked) {
            DIM.add_modifier(Modifier::ITALIC)
        } else if message.is_from_self == Some(true) {
            Style::new().fg(Color::Cyan)
        } else {
            Style::new()
        };
        lines.push(Line::from(vec![
            Span::styled(
                format!("{} ", render::clock_label(message.timestamp())),
                DIM,
            ),
            Span::styled(
                format!("{}: ", render::sender(message)),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::styled(text, style),
        ]));
    }
    // Newest at the bottom; `scroll` lines up from there, unless a focused
    // message would be out of view: then it is centred and marked.
    let inner = area.height.saturating_sub(2) as usize;
    let mut end = lines.len().saturating_sub(screen.scroll);
    if let Some(at) = focused {
        if at >= end || at + inner < end {
            end = (at + inner / 2 + 1).clamp(inner.min(lines.len()), lines.len());
        }
        lines[at] = std::mem::take(&mut lines[at])
            .patch_style(Style::new().add_modifier(Modifier::REVERSED));
    }
    let start = end.saturating_sub(inner);
    let shown: Vec<Line<'_>> = lines.drain(start..end).collect();
    let block = Block::default().borders(Borders::ALL).title(title);
    frame.render_widget(Paragraph::new(shown).block(block), area);
}

fn draw_overlay(frame: &mut Frame<'_>, area: Rect, screen: &Screen) {
    let Some(overlay) = &screen.overlay else {
        return;
    };
    let lines: Vec<Line<'_>> = overlay
        .lines
        .iter()
        .map(|(text, ranges)| {
            let spans: Vec<Span<'_>> = highlight::segments(text, ranges)
                .into_iter()
                .map(|(part, hit)| {
                    if hit {
                        Span::styled(part, HIT)
                    } else {
                        Span::raw(part)
                    }
                })
                .collect();
            Line::from(spans)
        })
        .collect();
    let block = Block::default()
        .borders(Borders::ALL)
        .title(format!(" {} ", overlay.title))
        .border_style(Style::new().fg(Color::Yellow));
    frame.render_widget(Paragraph::new(lines).block(block), area);
}

fn draw_input(frame: &mut Frame<'_>, area: Rect, screen: &Screen) {
    let block = Block::default()
        .borders(Borders::ALL)
        .title(" message or /command ");
    // Keep the end of a long input in view.
    let width = area.width.saturating_sub(4) as usize;
    let count = screen.input.chars().count();
    let visible: String = screen
        .input
        .chars()
        .skip(count.saturating_sub(width))
        .collect();
    let cursor_x = area.x + 3 + Line::raw(visible.as_str()).width() as u16;
    frame.render_widget(Paragraph::new(format!("> {visible}")).block(block), area);
    frame.set_cursor_position(Position::new(
        cursor_x.min(area.right().saturating_sub(2)),
        area.y + 1,
    ));
}

fn draw_bottom(frame: &mut Frame<'_>, area: Rect, screen: &Screen) {
    match screen.upload {
        Some((current, total)) if total > 0 => {
            let gauge = LineGauge::default()
                .ratio((current as f64 / total as f64).clamp(0.0, 1.0))
                .label(format!(
                    "uploading {} / {}",
                    render::size_label(current),
                    render::size_label(total)
                ))
                .filled_style(Style::new().fg(Color::Green));
            frame.render_widget(gauge, area);
        }
        _ if screen.syncing => match screen.sync_progress {
            Some((done, total)) if total > 0 => {
                let gauge = LineGauge::default()
                    .ratio((done as f64 / total as f64).clamp(0.0, 1.0))
                    .label(format!("syncing {done} / {total} events"))
                    .filled_style(Style::new().fg(Color::Green));
                frame.render_widget(gauge, area);
            }
            _ => frame.render_widget(Paragraph::new("syncing with the server…").style(DIM), area),
        },
        _ => frame.render_widget(Paragraph::new(screen.status.as_str()), area),
    }
}

#[cfg(test)]
mod tests {
    use im_model::{ConvInfo, ConvType, Message};
    use ratatui::Terminal;
    use ratatui::backend::TestBackend;

    use super::*;
    use crate::chat::tui::screen::Overlay;

    fn drawn(screen: &Screen) -> (String, ratatui::buffer::Buffer) {
        let mut terminal = Terminal::new(TestBackend::new(80, 14)).unwrap();
        terminal.draw(|frame| draw(frame, screen)).unwrap();
        let buffer = terminal.backend().buffer().clone();
        let mut text = String::new();
        for y in 0..buffer.area.height {
            for x in 0..buffer.area.width {
                text.push_str(buffer[(x, y)].symbol());
            }
            text.push('\n');
        }
        (text, buffer)
    }

    fn screen() -> Screen {
        Screen {
            user: "alice".into(),
            network: Some(im_sdk::NetworkStatus::Connected),
            convs: vec![ConvInfo {
                conv_id: Some("bob".into()),
                conv_type: Some(ConvType::C2C),
                is_pinned: Some(true),
                unread_num: Some(3),
                mark_array: Some(vec![1]),
                has_draft: Some(true),
                ..ConvInfo::default()
            }],
            folders: vec!["Work".into()],
            ..Screen::default()
        }
    }

    #[test]
    fn test_the_list_shows_pin_marks_draft_and_badge() {
        let (text, _) = drawn(&screen());
        assert!(text.contains("^ c2c:bob (3) {star} [draft]"), "{text}");
        assert!(text.contains("All | Work"), "{text}");
        assert!(text.contains("alice · connected"), "{text}");
    }

    #[test]
    fn test_progress_bars_for_the_first_sync_and_uploads() {
        let mut s = screen();
        s.syncing = true;
        s.sync_progress = Some((50, 200));
        let (text, _) = drawn(&s);
        assert!(text.contains("syncing 50 / 200 events"), "{text}");
        assert!(text.contains("alice · connected · syncing"), "{text}");
        s.syncing = false;
        s.upload = Some((512 * 1024, 2 * 1024 * 1024));
        let (text, _) = drawn(&s);
        assert!(text.contains("uploading 512.0 KB / 2.0 MB"), "{text}");
        s.upload = None;
        s.status = "sent to c2c:bob: hi".into();
        let (text, _) = drawn(&s);
        assert!(
            text.lines()
                .last()
                .unwrap()
                .starts_with("sent to c2c:bob: hi"),
            "{text}"
        );
    }

    #[test]
    fn test_history_keeps_the_newest_in_view_and_scrolls() {
        let mut s = screen();
        s.open = Some(im_model::ConvId::c2c("bob").unwrap());
        s.history = (1..=30)
            .map(|i| Message::text(format!("line {i}")))
            .collect();
        s.more_history = true;
        let (text, _) = drawn(&s);
        assert!(
            text.contains("line 30") && !text.contains("line 20 "),
            "{text}"
        );
        s.scroll = 10;
        let (text, _) = drawn(&s);
        assert!(
            text.contains("line 20") && !text.contains("line 30"),
            "{text}"
        );
        s.scroll = 29;
        let (text, _) = drawn(&s);
        assert!(text.contains("PgUp loads older messages"), "{text}");
    }

    #[test]
    fn test_a_jumped_to_message_is_brought_into_view_and_marked() {
        let mut s = screen();
        s.open = Some(im_model::ConvId::c2c("bob").unwrap());
        s.history = (1..=40)
            .map(|i| {
                let mut m = Message::text(format!("line {i}"));
                m.msg_id = Some(format!("id-{i}"));
                m
            })
            .collect();
        s.focus = Some("id-3".into());
        let (text, buffer) = drawn(&s);
        assert!(
            text.contains("line 3 ") && !text.contains("line 40"),
            "{text}"
        );
        let row = text.lines().position(|l| l.contains("line 3 ")).unwrap() as u16;
        let col = (0..80).find(|x| buffer[(*x, row)].symbol() == "l").unwrap();
        assert!(
            buffer[(col, row)].modifier.contains(Modifier::REVERSED),
            "the hit is marked"
        );
    }

    #[test]
    fn test_overlay_highlights_only_the_ranges() {
        let mut s = screen();
        s.overlay = Some(Overlay {
            title: "Search: 饭".into(),
            lines: vec![("吃饭 lunch".into(), vec![(3, 6)])],
        });
        let (text, buffer) = drawn(&s);
        assert!(text.contains("Search: 饭"), "{text}");
        let row = text.lines().position(|l| l.contains("lunch")).unwrap() as u16;
        // A wide character takes two cells.
        let col = (0..80)
            .find(|x| buffer[(*x, row)].symbol() == "吃")
            .unwrap();
        assert_eq!(buffer[(col, row)].bg, Color::Reset, "吃 is not a match");
        assert_eq!(buffer[(col + 2, row)].symbol(), "饭");
        assert_eq!(buffer[(col + 2, row)].bg, Color::Yellow, "饭 is");
    }
}
