//! Splitting a text at search-match ranges, for highlighting in a table or
//! on screen. The ranges come from the SDK (UTF-8 byte offsets); a range
//! that is out of bounds, reversed or not on character boundaries is
//! ignored rather than trusted, and overlapping ranges merge.

/// The text cut into pieces, each marked whether it is inside a match.
pub fn segments<'a>(text: &'a str, ranges: &[(usize, usize)]) -> Vec<(&'a str, bool)> {
    let mut valid: Vec<(usize, usize)> = ranges
        .iter()
        .copied()
        .filter(|&(start, end)| {
            start < end
                && end <= text.len()
                && text.is_char_boundary(start)
                && text.is_char_boundary(end)
        })
        .collect();
    valid.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(valid.len());
    for (start, end) in valid {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    let mut pieces = Vec::with_capacity(merged.len() * 2 + 1);
    let mut at = 0;
    for (start, end) in merged {
        if at < start {
            pieces.push((&text[at..start], false));
        }
        pieces.push((&text[start..end], true));
        at = end;
    }
    if at < text.len() {
        pieces.push((&text[at..], false));
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::segments;

    #[test]
    fn test_overlapping_ranges_merge_and_bad_ranges_are_ignored() {
        let text = "报告 report";
        // 报告 = 0..6; "report" = 7..13; (1, 4) splits a character.
        let got = segments(text, &[(7, 10), (9, 13), (0, 6), (1, 4), (5, 99), (3, 3)]);
        assert_eq!(got, [("报告", true), (" ", false), ("report", true)]);
    }

    #[test]
    fn test_no_ranges_is_the_whole_text() {
        assert_eq!(segments("hi", &[]), [("hi", false)]);
        assert!(segments("", &[(0, 0)]).is_empty());
    }
}
