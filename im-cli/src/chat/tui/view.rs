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
    let [left, right] =
        Layout::horizontal([Constraint::Percentage(32), Constraint::Percentage(68)]).areas(middle);
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
            let unread = conv.unread_num.unwrap_or(0);
            if unread > 0 {
                spans.push(Span::styled(
                    format!(" ({unread})"),
                    Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
                ));
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
    for message in &screen.history {
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
                format!("{}: ", message.sender.as_deref().unwrap_or("?")),
                Style::new().add_modifier(Modifier::BOLD),
            ),
            Span::styled(text, style),
        ]));
    }
    // Newest at the bottom; `scroll` lines up from there.
    let inner = area.height.saturating_sub(2) as usize;
    let end = lines.len().saturating_sub(screen.scroll);
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
        _ if screen.syncing => {
            frame.render_widget(Paragraph::new("syncing with the server…").style(DIM), area);
        }
        _ => frame.render_widget(Paragraph::new(screen.status.as_str()), area),
    }
}
