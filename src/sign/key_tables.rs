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

use curve25519_dalek::edwards::{EdwardsBasepointTable, EdwardsPoint};
use curve25519_dalek::traits::BasepointTable;

use super::per_key::PerKey;

/// The tables of a key set's first [`MOST_KEYS`](super::per_key::MOST_KEYS)
/// keys (a table holds 30 KiB; keys beyond keep the double-scalar check),
/// each built on first use (about a millisecond), then shared by every
/// thread.
pub(crate) struct KeyTables(PerKey<Box<EdwardsBasepointTable>>);

impl KeyTables {
    /// Room for the tables of `keys` keys; none is built yet.
    pub(crate) fn new(keys: usize) -> KeyTables {
        KeyTables(PerKey::new(keys))
    }

    /// The table of key `index` (whose point is `point`), built now if it
    /// is the first use; `None` for a key beyond the room.
    pub(crate) fn get(&self, index: usize, point: &EdwardsPoint) -> Option<&EdwardsBasepointTable> {
        self.0.get_or_build(index, || Box::new(EdwardsBasepointTable::create(point))).map(|table| &**table)
    }
}

impl fmt::Debug for KeyTables {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.describe("KeyTables", f)
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
        assert_eq!(KeyTables::new(10_000).0.room(), crate::sign::per_key::MOST_KEYS);
    }
}
