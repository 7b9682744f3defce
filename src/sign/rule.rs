//! The verification rule, one for the single and the batch path: ZIP-215's
//! cofactored equation `[8][s]B = [8]R + [8][k]A` with `k = SHA-512(R || A
//! || M)` over the bytes as received, `s` canonical (below the group order
//! L), `R` any encoding of a curve point. See [`Verifier`](crate::Verifier)
//! for why this is the rule for audit logs.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsBasepointTable, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{Identity, IsIdentity, VartimeMultiscalarMul, VartimePrecomputedMultiscalarMul};
use ed25519_dalek::Signature;
use sha2::{Digest, Sha512};
use std::ops::Range;

use super::sum_tables::SumTables;

/// A signature decoded for the equation: its `R` as sent and as a point,
/// and its canonical `s`.
#[derive(Clone, Copy)]
pub(crate) struct Decoded {
    r_bytes: [u8; 32],
    r: EdwardsPoint,
    s: Scalar,
}

impl Decoded {
    /// `None` for an `s` at or above L, or an `R` that is no curve point:
    /// such a signature verifies under no key.
    pub(crate) fn new(signature: &Signature) -> Option<Decoded> {
        let s = Option::<Scalar>::from(Scalar::from_canonical_bytes(*signature.s_bytes()))?;
        let r_bytes = *signature.r_bytes();
        let r = CompressedEdwardsY(r_bytes).decompress()?;
        Some(Decoded { r_bytes, r, s })
    }

    /// `k = SHA-512(R || A || M)` reduced mod L, over the bytes as received.
    pub(crate) fn challenge(&self, key: &[u8; 32], message: &[u8]) -> Scalar {
        let mut hash = Sha512::new();
        hash.update(self.r_bytes);
        hash.update(key);
        hash.update(message);
        Scalar::from_bytes_mod_order_wide(&hash.finalize().into())
    }

    /// The single check: `[8]([s]B - [k]A - R)` is the identity.
    pub(crate) fn verifies(&self, key: &EdwardsPoint, key_bytes: &[u8; 32], message: &[u8]) -> bool {
        let k = self.challenge(key_bytes, message);
        let sb_minus_ka = EdwardsPoint::vartime_double_scalar_mul_basepoint(&k, &-key, &self.s);
        (sb_minus_ka - self.r).mul_by_cofactor().is_identity()
    }

    /// `[s]B - R`, the part of the single check no key enters: computed
    /// once for an entry tried under many keys.
    pub(crate) fn key_free_side(&self) -> EdwardsPoint {
        EdwardsPoint::mul_base(&self.s) - self.r
    }

    /// The single check with `key_free` from [`Decoded::key_free_side`] and
    /// the key's table: `[8]([s]B - R - [k]A)` is the identity, the same
    /// predicate as [`Decoded::verifies`].
    pub(crate) fn verifies_by_table(
        &self,
        key_free: &EdwardsPoint,
        table: &EdwardsBasepointTable,
        key_bytes: &[u8; 32],
        message: &[u8],
    ) -> bool {
        let k = self.challenge(key_bytes, message);
        (key_free - table * &k).mul_by_cofactor().is_identity()
    }
}

/// One entry of a batch: its decoded signature, challenge under the key it
/// is checked against, and that key's index.
pub(crate) struct BatchItem {
    pub(crate) signature: Decoded,
    pub(crate) challenge: Scalar,
    pub(crate) key: usize,
}

/// A batch of entries bound together for the batch equation: 128-bit
/// weights `z_i` derived by hashing the whole batch (so the same batch
/// always gets the same weights, and nobody can choose entries that cancel
/// without breaking SHA-512).
pub(crate) struct Batch<'i> {
    items: &'i [BatchItem],
    weights: Vec<Scalar>,
    /// Whether [`Batch::failures`] tries the second half first.
    second_half_first: bool,
}

impl<'i> Batch<'i> {
    pub(crate) fn new(items: &'i [BatchItem]) -> Batch<'i> {
        let mut transcript = Sha512::new();
        transcript.update(b"audit-cef batch verification, cofactored, v1");
        transcript.update((items.len() as u64).to_le_bytes());
        for item in items {
            transcript.update(item.signature.r_bytes);
            transcript.update(item.signature.s.as_bytes());
            transcript.update(item.challenge.as_bytes());
            transcript.update((item.key as u64).to_le_bytes());
        }
        let seed: [u8; 64] = transcript.finalize().into();
        let weights = (0..items.len()).map(|index| weight(&seed, index)).collect();
        // A bit of the hash (the weights use other hashes of it) picks
        // the half located first: no place of a failure in its group is
        // the costly one every time.
        let second_half_first = seed.first().is_some_and(|byte| byte & 1 == 1);
        Batch { items, weights, second_half_first }
    }

    /// The batch's two halves (the first `len / 2` entries and the rest),
    /// in the order [`Batch::failures`] tries them.
    pub(crate) fn halves(&self) -> [Range<usize>; 2] {
        let half = self.items.len() / 2;
        let (first, second) = (0..half, half..self.items.len());
        if self.second_half_first { [second, first] } else { [first, second] }
    }

    /// `[8](Σ_i w_i z_i ([s_i]B - R_i - [k_i]A_i))` over the entries in
    /// `part`, with every key used once, where `w_i` is 1 (`scaled` false)
    /// or `i + 1 - part.start`. It is the identity for every choice of
    /// weights when every entry in `part` holds the single check; otherwise
    /// only with probability about 2^-128. `None` for an entry checked
    /// against no key.
    pub(crate) fn sum(
        &self,
        keys: &[EdwardsPoint],
        tables: &SumTables,
        part: Range<usize>,
        scaled: bool,
    ) -> Option<EdwardsPoint> {
        let items = self.items.get(part.clone())?;
        let weights = self.weights.get(part)?;
        let mut terms = Terms::new(keys.len());
        let mut r_coefficients = Vec::with_capacity(items.len());
        for (index, (item, z)) in items.iter().zip(weights).enumerate() {
            let z = if scaled { z * Scalar::from(index as u64 + 1) } else { *z };
            terms.add(item.key, z * item.signature.s, z * item.challenge)?;
            r_coefficients.push(z);
        }
        // `-z R` as `z (-R)`: negating a point is free, and the short `z`
        // keeps its few nonzero digits (`-z` mod L has as many, but costs
        // its negation).
        let r_points = items.iter().map(|item| -item.signature.r);
        let sum = terms.product(keys, tables, items.first()?.key, r_coefficients, r_points)?;
        Some(sum.mul_by_cofactor())
    }

    /// Given the failing `sum` of the whole batch, which entries fail.
    ///
    /// In a batch of [`PLAIN_SUMS_FROM`] entries or more, a single failure
    /// is looked for first without another multiscalar sum
    /// ([`Batch::single_failure`]). When that proves nothing: with one
    /// failing entry `j` in a part, the part's index-scaled sum is
    /// `(j + 1 - start)` times the plain one; a match also proves every
    /// other entry of the batch holds (it would otherwise take weights that
    /// cancel, probability about n 2^-128). One half is tried first (see
    /// [`Batch::halves`]): when its scaled sum is the identity, that half
    /// holds (the same argument) and the other half's scaled sum locates
    /// the failure. On average that is one and a half sums over half the
    /// entries instead of one over all of them.
    pub(crate) fn failures(&self, keys: &[EdwardsPoint], tables: &SumTables, sum: &EdwardsPoint) -> Failures {
        if self.items.len() >= PLAIN_SUMS_FROM
            && let Some(index) = self.single_failure(keys, tables, sum)
        {
            return Failures::One(index);
        }
        let [tried, other] = self.halves();
        let Some(first) = self.sum(keys, tables, tried.clone(), true) else { return Failures::Several };
        if !first.is_identity() {
            return multiple_of(sum, &first, tried.len())
                .map_or(Failures::Several, |index| Failures::One(tried.start + index));
        }
        let Some(second) = self.sum(keys, tables, other.clone(), true) else { return Failures::Within(other) };
        match multiple_of(sum, &second, other.len()) {
            Some(index) => Failures::One(other.start + index),
            None => Failures::Within(other),
        }
    }
}

impl Batch<'_> {
    /// The one failing entry of a batch whose weighted `sum` failed, when
    /// there is one, found without another weighted sum.
    ///
    /// With `e_i = [s_i]B - R_i - [k_i]A_i`, the plain sums `T0 = [8]Σ e_i`
    /// and `T1 = [8]Σ (i + 1) e_i` need no multiscalar sum over the `R_i`:
    /// additions and two products of the basepoint and keys. With one
    /// failing entry `j`, `T1 = (j + 1) T0`, which names a candidate. The
    /// weights prove it: `[z_j] T0 = sum` means `Σ_{i≠j} (z_j - z_i)[8]e_i`
    /// is the identity, and those coefficients, differences of weights
    /// drawn after the entries were fixed, cancel only with probability
    /// about 2^-128 unless every other entry holds (the batch equation's
    /// own argument); then `T0 = [8]e_j`, not the identity, so `j` fails.
    /// `None` when that proof is not found (several failures): the halves
    /// are searched instead.
    fn single_failure(&self, keys: &[EdwardsPoint], tables: &SumTables, sum: &EdwardsPoint) -> Option<usize> {
        // Σ R_i and Σ (i + 1) R_i, the second as the sum of the suffix sums.
        let mut suffix = EdwardsPoint::identity();
        let mut scaled_r = EdwardsPoint::identity();
        for item in self.items.iter().rev() {
            suffix += item.signature.r;
            scaled_r += suffix;
        }
        let mut plain = Terms::new(keys.len());
        let mut scaled = Terms::new(keys.len());
        for (index, item) in self.items.iter().enumerate() {
            plain.add(item.key, item.signature.s, item.challenge)?;
            let w = Scalar::from(index as u64 + 1);
            scaled.add(item.key, w * item.signature.s, w * item.challenge)?;
        }
        let first = self.items.first()?.key;
        let t0 = (plain.product(keys, tables, first, Vec::new(), core::iter::empty())? - suffix).mul_by_cofactor();
        if t0.is_identity() {
            return None;
        }
        let t1 = (scaled.product(keys, tables, first, Vec::new(), core::iter::empty())? - scaled_r).mul_by_cofactor();
        let index = multiple_of(&t0, &t1, self.items.len())?;
        let weight = self.weights.get(index)?;
        let proven = EdwardsPoint::vartime_multiscalar_mul([weight], [t0]) == *sum;
        proven.then_some(index)
    }
}

/// The smallest batch whose single failure is looked for with plain sums
/// first. Those cost about three sums' fixed part (two products and the
/// proof, each some 250 doublings) and a few additions an entry; the
/// halves cost one and a half sums over half the entries each. callgrind,
/// 1 entry in 64 tampered (groups of 32): 1.20x clean against 1.26x; 1 in
/// 16 (groups of 8), where plain sums would cost more: 1.69x either way.
const PLAIN_SUMS_FROM: usize = 24;

/// The basepoint's and each key's coefficient in `Σ w_i ([s_i]B - [k_i]A_i)`,
/// and which keys entries were expected under.
struct Terms {
    basepoint: Scalar,
    keys: Vec<Scalar>,
    /// Only the keys the entries are expected under enter a product: the
    /// others' coefficients are zero, and with a large key set they would
    /// cost a term each for nothing.
    used: Vec<bool>,
}

impl Terms {
    fn new(keys: usize) -> Terms {
        Terms { basepoint: Scalar::ZERO, keys: vec![Scalar::ZERO; keys], used: vec![false; keys] }
    }

    /// Adds an entry's terms, `s` and `k` already weighted; `None` for a
    /// key out of range.
    fn add(&mut self, key: usize, s: Scalar, k: Scalar) -> Option<()> {
        self.basepoint += s;
        *self.keys.get_mut(key)? -= k;
        *self.used.get_mut(key)? = true;
        Some(())
    }

    /// The point these terms make, plus `Σ c_i P_i` over `coefficients` and
    /// `points` (of exact length, as dalek wants). `first`'s key (nearly
    /// always every entry's) is summed from its precomputed table, with the
    /// basepoint; the rest of the used keys as dynamic points.
    fn product(
        &self,
        keys: &[EdwardsPoint],
        tables: &SumTables,
        first: usize,
        coefficients: Vec<Scalar>,
        points: impl ExactSizeIterator<Item = EdwardsPoint>,
    ) -> Option<EdwardsPoint> {
        let table = tables.get(first, keys.get(first)?);
        // The used keys gathered first: dalek wants iterators of exact length.
        let (key_points, key_coefficients): (Vec<EdwardsPoint>, Vec<Scalar>) = keys
            .iter()
            .zip(&self.keys)
            .zip(&self.used)
            .enumerate()
            .filter(|(index, (_, used))| **used && (table.is_none() || *index != first))
            .map(|(_, ((key, coefficient), _))| (*key, *coefficient))
            .unzip();
        Some(match table {
            Some(table) => table.vartime_mixed_multiscalar_mul(
                [self.basepoint, *self.keys.get(first)?],
                coefficients.into_iter().chain(key_coefficients),
                points.chain(key_points),
            ),
            None => EdwardsPoint::vartime_multiscalar_mul(
                core::iter::once(self.basepoint).chain(coefficients).chain(key_coefficients),
                core::iter::once(ED25519_BASEPOINT_POINT).chain(points).chain(key_points),
            ),
        })
    }
}

/// Which entries of a failing batch fail, as [`Batch::failures`] finds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Failures {
    /// Only this one.
    One(usize),
    /// Two or more, all within this half: the other half holds.
    Within(Range<usize>),
    /// Two or more, somewhere.
    Several,
}

/// The `m` below `most` for which `scaled` is `(m + 1)` times `sum`.
fn multiple_of(sum: &EdwardsPoint, scaled: &EdwardsPoint, most: usize) -> Option<usize> {
    let mut multiple = *sum;
    for index in 0..most {
        if multiple == *scaled {
            return Some(index);
        }
        multiple += sum;
    }
    None
}

/// The weight of entry `index`: 128 bits of `SHA-512(seed || index)`.
fn weight(seed: &[u8; 64], index: usize) -> Scalar {
    let digest: [u8; 64] =
        Sha512::new().chain_update(seed).chain_update((index as u64).to_le_bytes()).finalize().into();
    let mut low = [0u8; 16];
    for (weight_byte, digest_byte) in low.iter_mut().zip(digest) {
        *weight_byte = digest_byte;
    }
    Scalar::from(u128::from_le_bytes(low))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::Signer;

    /// `n` entries signed by `signers[key_of(i)]`, those in `bad` signed
    /// over other bytes than the ones checked.
    fn items(signers: &[Signer], n: usize, key_of: impl Fn(usize) -> usize, bad: &[usize]) -> Vec<BatchItem> {
        (0..n)
            .map(|i| {
                let key = key_of(i);
                let public = signers[key].public_key();
                let message = format!("entry {i}");
                let signed = if bad.contains(&i) { format!("entry {i}!") } else { message.clone() };
                let signature = Decoded::new(&Signature::from_bytes(&signers[key].sign(signed.as_bytes()))).unwrap();
                BatchItem { signature, challenge: signature.challenge(public.as_bytes(), message.as_bytes()), key }
            })
            .collect()
    }

    #[test]
    fn a_failure_repeated_around_a_good_entry_is_not_blamed_on_it() {
        // One bad entry twice, at 1 and 5: the plain sums alone point at
        // their midpoint, 3, which holds; the weights must refuse that.
        let signers = [Signer::from_seed(&[7; 32])];
        let keys = [signers[0].public_key().point()];
        let mut entries = items(&signers, PLAIN_SUMS_FROM, |_| 0, &[1]);
        let repeated = BatchItem { signature: entries[1].signature, challenge: entries[1].challenge, key: 0 };
        entries[5] = repeated;
        for tables in [SumTables::new(1), SumTables::new(0)] {
            let batch = Batch::new(&entries);
            let sum = batch.sum(&keys, &tables, 0..PLAIN_SUMS_FROM, false).unwrap();
            assert!(!sum.is_identity());
            let found = batch.failures(&keys, &tables, &sum);
            assert!(matches!(found, Failures::Within(_) | Failures::Several), "{found:?}");
        }
    }

    #[test]
    fn failures_are_located_in_either_half_tried_in_either_order() {
        let signers: Vec<Signer> = (0..2u8).map(|i| Signer::from_seed(&[i + 1; 32])).collect();
        let keys: Vec<EdwardsPoint> = signers.iter().map(|s| s.public_key().point()).collect();
        // Batches that try the first half first, and the second.
        let mut orders_seen = [0; 2];
        for tables in [SumTables::new(keys.len()), SumTables::new(0)] {
            for n in [3, 8, PLAIN_SUMS_FROM - 1, PLAIN_SUMS_FROM, 33] {
                // One key, then a rotation inside the group (the first
                // entry's key from its table, the other as a dynamic point).
                for key_of in [(|_| 0) as fn(usize) -> usize, |i| usize::from(i >= 2)] {
                    let clean = items(&signers, n, key_of, &[]);
                    let batch = Batch::new(&clean);
                    assert!(batch.sum(&keys, &tables, 0..n, false).unwrap().is_identity(), "clean {n}");
                    assert!(batch.sum(&keys, &tables, 1..n, true).unwrap().is_identity(), "clean part {n}");
                    for bad in 0..n {
                        let entries = items(&signers, n, key_of, &[bad]);
                        let batch = Batch::new(&entries);
                        let sum = batch.sum(&keys, &tables, 0..n, false).unwrap();
                        assert!(!sum.is_identity());
                        assert_eq!(batch.failures(&keys, &tables, &sum), Failures::One(bad), "{bad} of {n}");
                    }
                    for bad in [[0, n - 1], [0, 1], [n - 2, n - 1]] {
                        let entries = items(&signers, n, key_of, &bad);
                        let batch = Batch::new(&entries);
                        let sum = batch.sum(&keys, &tables, 0..n, false).unwrap();
                        // Found within a half only when the half tried first holds.
                        let [tried, other] = batch.halves();
                        let expected = if bad.iter().all(|at| other.contains(at)) {
                            Failures::Within(other)
                        } else {
                            Failures::Several
                        };
                        orders_seen[usize::from(tried.start > 0)] += 1;
                        assert_eq!(batch.failures(&keys, &tables, &sum), expected, "{bad:?} of {n}");
                    }
                }
            }
        }
        assert!(orders_seen.iter().all(|&seen| seen > 0), "{orders_seen:?}");
    }
}
