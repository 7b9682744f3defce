//! Where entries lie in the spool: segment files named by number, and a
//! position (segment, byte offset) in them. Both the spool that writes and
//! the replay that reads back use them.

use std::path::{Path, PathBuf};

/// A place in the spool: a segment and a byte offset in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Position {
    pub(crate) segment: u64,
    pub(crate) offset: u64,
}

/// The file of segment number `segment`.
pub(crate) fn segment_path(dir: &Path, segment: u64) -> PathBuf {
    dir.join(format!("{segment:020}.log"))
}
