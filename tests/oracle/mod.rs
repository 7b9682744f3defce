//! Simple, obviously correct escapers: the oracle the fast ones are
//! checked against in property tests, and the naive baseline in benches.

/// Escapes an extension value char by char (E3).
pub fn escape_value_reference(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '=' => out.push_str("\\="),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            other => out.push(other),
        }
    }
    out
}

/// Escapes a header field char by char (E1).
#[allow(dead_code)] // the benches use only the value escaper
pub fn escape_header_reference(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '|' => out.push_str("\\|"),
            other => out.push(other),
        }
    }
    out
}
