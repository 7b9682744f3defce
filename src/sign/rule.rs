//! The verification rule, one for the single and the batch path: ZIP-215's
//! cofactored equation `[8][s]B = [8]R + [8][k]A` with `k = SHA-512(R || A
//! || M)` over the bytes as received, `s` canonical (below the group order
//! L), `R` any encoding of a curve point. See [`Verifier`](crate::Verifier)
//! for why this is the rule for audit logs.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsBasepointTable, EdwardsPoint};
use curve25519_dalek::scalar::Scalar;
use curve25519_dalek::traits::{IsIdentity, VartimeMultiscalarMul};
use ed25519_dalek::Signature;
use sha2::{Digest, Sha512};

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
        Batch { items, weights }
    }

    /// `[8](Σ_i w_i z_i ([s_i]B - R_i - [k_i]A_i))` with every key used once,
    /// where `w_i` is 1 (`scaled` false) or `i + 1`. It is the identity for
    /// every choice of weights when every entry holds the single check;
    /// otherwise only with probability about 2^-128. `None` for an entry
    /// checked against no key.
    pub(crate) fn sum(&self, keys: &[EdwardsPoint], scaled: bool) -> Option<EdwardsPoint> {
        let mut key_coefficients = vec![Scalar::ZERO; keys.len()];
        // Only the keys the group's entries are expected under enter the
        // sum: the others' coefficients are zero, and with a large key set
        // they would cost a term each for nothing.
        let mut used = vec![false; keys.len()];
        let mut basepoint_coefficient = Scalar::ZERO;
        let mut r_coefficients = Vec::with_capacity(self.items.len());
        for (index, (item, z)) in self.items.iter().zip(&self.weights).enumerate() {
            let z = if scaled { z * Scalar::from(index as u64 + 1) } else { *z };
            basepoint_coefficient += z * item.signature.s;
            *key_coefficients.get_mut(item.key)? -= z * item.challenge;
            *used.get_mut(item.key)? = true;
            r_coefficients.push(-z);
        }
        // dalek wants iterators of exact length: the used keys are gathered first.
        let (used_points, used_coefficients): (Vec<EdwardsPoint>, Vec<Scalar>) = keys
            .iter()
            .zip(key_coefficients)
            .zip(&used)
            .filter(|(_, used)| **used)
            .map(|((key, coefficient), _)| (*key, coefficient))
            .unzip();
        let scalars = core::iter::once(basepoint_coefficient).chain(r_coefficients).chain(used_coefficients);
        let points = core::iter::once(ED25519_BASEPOINT_POINT)
            .chain(self.items.iter().map(|item| item.signature.r))
            .chain(used_points);
        Some(EdwardsPoint::vartime_multiscalar_mul(scalars, points).mul_by_cofactor())
    }

    /// Given the failing `sum`, the one entry that fails when exactly one
    /// does: with one failing entry `j`, the index-scaled sum is `(j + 1)`
    /// times the plain one. A match also proves every other entry holds (it
    /// would otherwise take weights that cancel, probability about
    /// n 2^-128). `None` when two or more fail.
    pub(crate) fn only_failure(&self, keys: &[EdwardsPoint], sum: &EdwardsPoint) -> Option<usize> {
        let scaled = self.sum(keys, true)?;
        let mut multiple = *sum;
        for index in 0..self.items.len() {
            if multiple == scaled {
                return Some(index);
            }
            multiple += sum;
        }
        None
    }
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
