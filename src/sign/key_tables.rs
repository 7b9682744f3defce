//! Per-key tables of precomputed multiples, built the first time an entry
//! is tried under more than one key.
//!
//! An entry that fails under the key it was expected under is tried under
//! every other key (entries carry no key id). The single check's
//! double-scalar multiplication redoes about 250 doublings for each key;
//! with a table of the key's multiples, `[k]A` is 64 additions, and the
//! key-free side `[s]B - R` is computed once per entry. The predicate is
//! the same, so no verdict changes: only the cost of a failing entry.

use std::fmt;
use std::sync::OnceLock;

use curve25519_dalek::edwards::{EdwardsBasepointTable, EdwardsPoint};
use curve25519_dalek::traits::BasepointTable;

/// Keys beyond this many keep the double-scalar check: a table holds
/// 30 KiB, and a set this large is tried under each key rarely enough.
const MOST_TABLES: usize = 256;

/// The tables of a key set's first [`MOST_TABLES`] keys, each built on
/// first use (about a millisecond), then shared by every thread.
pub(crate) struct KeyTables {
    tables: Vec<OnceLock<Box<EdwardsBasepointTable>>>,
}

impl KeyTables {
    /// Room for the tables of `keys` keys; none is built yet.
    pub(crate) fn new(keys: usize) -> KeyTables {
        KeyTables { tables: (0..keys.min(MOST_TABLES)).map(|_| OnceLock::new()).collect() }
    }

    /// The table of key `index` (whose point is `point`), built now if it
    /// is the first use; `None` for a key beyond [`MOST_TABLES`].
    pub(crate) fn get(&self, index: usize, point: &EdwardsPoint) -> Option<&EdwardsBasepointTable> {
        let slot = self.tables.get(index)?;
        Some(slot.get_or_init(|| Box::new(EdwardsBasepointTable::create(point))))
    }
}

impl fmt::Debug for KeyTables {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let built = self.tables.iter().filter(|slot| slot.get().is_some()).count();
        f.debug_struct("KeyTables").field("built", &built).field("room", &self.tables.len()).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
    use curve25519_dalek::scalar::Scalar;

    #[test]
    fn a_table_multiplies_as_the_point_does() {
        let point = ED25519_BASEPOINT_POINT * Scalar::from(7u64);
        let tables = KeyTables::new(2);
        let scalar = Scalar::from(123_456_789u64);
        let table = tables.get(1, &point).unwrap();
        assert_eq!(table * &scalar, point * scalar);
        assert!(tables.get(2, &point).is_none(), "no room beyond the key set");
        assert_eq!(format!("{tables:?}"), "KeyTables { built: 1, room: 2 }");
    }

    #[test]
    fn room_is_bounded() {
        assert_eq!(KeyTables::new(10_000).tables.len(), MOST_TABLES);
    }
}
