//! Where in its input a serde_json error is, as a byte offset: serde_json
//! counts lines and 1-based columns, the crate's errors count bytes.

use crate::error::{Error, ErrorKind};

/// The byte offset of `err` in `input`, or `None` when serde_json gives no
/// position (line 0).
pub(crate) fn json_offset(err: &serde_json::Error, input: &[u8]) -> Option<usize> {
    let line = err.line();
    if line == 0 {
        return None;
    }
    let line_start = if line == 1 {
        0
    } else {
        input.iter().enumerate().filter(|(_, b)| **b == b'\n').map(|(at, _)| at + 1).nth(line - 2)?
    };
    Some(line_start.saturating_add(err.column().saturating_sub(1)).min(input.len()))
}

/// An error of `kind` where serde_json found `err` in `input`.
#[cold]
pub(crate) fn json_error(kind: ErrorKind, err: &serde_json::Error, input: &[u8]) -> Error {
    match json_offset(err, input) {
        Some(at) => Error::at(kind, at),
        None => Error::new(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_count_bytes_across_lines() {
        let input = b"{\n  \"a\": 1,\n  \"b\": x\n}";
        let err = serde_json::from_slice::<serde_json::Value>(input).unwrap_err();
        assert_eq!(json_offset(&err, input), Some(input.iter().position(|b| *b == b'x').unwrap()));
        let input = b"{\"a\":}";
        let err = serde_json::from_slice::<serde_json::Value>(input).unwrap_err();
        assert_eq!(json_offset(&err, input), Some(5));
    }
}
