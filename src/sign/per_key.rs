//! A value per key of a set, built the first time it is asked for, then
//! shared by every thread: the mechanism behind the per-key tables of the
//! single check ([`KeyTables`](super::key_tables::KeyTables)) and of the
//! batch sums ([`SumTables`](super::sum_tables::SumTables)).

use std::fmt;
use std::sync::OnceLock;

/// Keys beyond this many get no value (their callers fall back to the
/// computation without a table): a key set this large is unusual, and a
/// table holds 20 to 30 KiB.
pub(crate) const MOST_KEYS: usize = 256;

/// One slot per key of a set, up to [`MOST_KEYS`], each filled on first use.
pub(crate) struct PerKey<T> {
    slots: Vec<OnceLock<T>>,
}

impl<T> PerKey<T> {
    /// Room for the values of `keys` keys (at most [`MOST_KEYS`]); none is
    /// built yet.
    pub(crate) fn new(keys: usize) -> PerKey<T> {
        PerKey { slots: (0..keys.min(MOST_KEYS)).map(|_| OnceLock::new()).collect() }
    }

    /// Key `index`'s value, built by `build` if this is the first use;
    /// `None` for a key beyond the room.
    pub(crate) fn get_or_build(&self, index: usize, build: impl FnOnce() -> T) -> Option<&T> {
        Some(self.slots.get(index)?.get_or_init(build))
    }

    /// Writes `name { built: .., room: .. }`: how many values are built,
    /// out of how many keys have room (the values themselves are tables
    /// of points, long and of no use in a debug line).
    pub(crate) fn describe(&self, name: &str, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let built = self.slots.iter().filter(|slot| slot.get().is_some()).count();
        f.debug_struct(name).field("built", &built).field("room", &self.slots.len()).finish()
    }

    /// How many keys have room.
    #[cfg(test)]
    pub(crate) fn room(&self) -> usize {
        self.slots.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    struct Shown(PerKey<u32>);

    impl fmt::Debug for Shown {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            self.0.describe("Shown", f)
        }
    }

    #[test]
    fn each_value_is_built_once_and_room_is_bounded() {
        let values = Shown(PerKey::new(3));
        let builds = Cell::new(0);
        let build = |value| {
            builds.set(builds.get() + 1);
            value
        };
        assert_eq!(values.0.get_or_build(1, || build(7)), Some(&7));
        assert_eq!(values.0.get_or_build(1, || build(8)), Some(&7), "built once");
        assert_eq!(values.0.get_or_build(3, || build(9)), None, "no room beyond the key set");
        assert_eq!(builds.get(), 1);
        assert_eq!(format!("{values:?}"), "Shown { built: 1, room: 3 }");
        assert_eq!(PerKey::<u32>::new(10_000).room(), MOST_KEYS);
    }
}
