//! Per-key precomputed tables for the batch equation, built the first time
//! a group of entries expected under the key is summed.
//!
//! Every batch sum has a basepoint term and (nearly always) one key term
//! with full-size coefficients. As dynamic points, each costs a table of
//! eight multiples per sum and about 43 additions; from a precomputed
//! table of 64 multiples, no table and about 28 additions. A group's sum
//! has 30-odd terms, so this is a few percent of each sum, paid once per
//! key (about 70 µs and 20 KiB).

use std::fmt;

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{EdwardsPoint, VartimeEdwardsPrecomputation};
use curve25519_dalek::traits::VartimePrecomputedMultiscalarMul;

use super::per_key::PerKey;

/// For each of a key set's first [`MOST_KEYS`](super::per_key::MOST_KEYS)
/// keys (keys beyond are summed as dynamic points), the precomputed
/// multiples of the basepoint and of the key, each built on first use,
/// then shared by every thread.
pub(crate) struct SumTables(PerKey<VartimeEdwardsPrecomputation>);

impl SumTables {
    /// Room for the tables of `keys` keys; none is built yet.
    pub(crate) fn new(keys: usize) -> SumTables {
        SumTables(PerKey::new(keys))
    }

    /// The table of the basepoint then key `index` (whose point is
    /// `point`), built now if it is the first use; `None` for a key beyond
    /// the room.
    pub(crate) fn get(&self, index: usize, point: &EdwardsPoint) -> Option<&VartimeEdwardsPrecomputation> {
        self.0.get_or_build(index, || VartimeEdwardsPrecomputation::new([ED25519_BASEPOINT_POINT, *point]))
    }
}

impl fmt::Debug for SumTables {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.describe("SumTables", f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use curve25519_dalek::scalar::Scalar;

    #[test]
    fn a_table_sums_as_the_points_do() {
        let point = ED25519_BASEPOINT_POINT * Scalar::from(7u64);
        let tables = SumTables::new(2);
        let (b, k) = (Scalar::from(123_456_789u64), -Scalar::from(987_654_321u64));
        let dynamic = ED25519_BASEPOINT_POINT * Scalar::from(11u64);
        let table = tables.get(1, &point).unwrap();
        let sum = table.vartime_mixed_multiscalar_mul([b, k], [Scalar::from(5u64)], [dynamic]);
        assert_eq!(sum, ED25519_BASEPOINT_POINT * b + point * k + dynamic * Scalar::from(5u64));
        assert!(tables.get(2, &point).is_none(), "no room beyond the key set");
        assert_eq!(format!("{tables:?}"), "SumTables { built: 1, room: 2 }");
    }

    #[test]
    fn room_is_bounded() {
        assert_eq!(SumTables::new(10_000).0.room(), crate::sign::per_key::MOST_KEYS);
    }
}
