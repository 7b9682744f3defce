//! The verification rule, one for the single and the batch path: ZIP-215's
//! cofactored equation `[8][s]B = [8]R + [8][k]A` with `k = SHA-512(R || A
//! || M)` over the bytes as received, `s` canonical (below the group order
//! L), `R` any encoding of a curve point. See [`Verifier`](crate::Verifier)
//! for why this is the rule for audit logs.

use curve25519_dalek::constants::ED25519_BASEPOINT_POINT;
use curve25519_dalek::edwards::{CompressedEdwardsY, EdwardsPoint};
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
}

/// One entry of a batch: its decoded signature, challenge under the key it
/// is checked against, and that key's index.
pub(crate) struct BatchItem {
    pub(crate) signature: Decoded,
    pub(crate) challenge: Scalar,
    pub(crate) key: usize,
}

/// The batch check: `[8]([-Σ z_i s_i]B + Σ z_i R_i + Σ_j (Σ_{key(i)=j} z_i k_i) A_j)`
/// is the identity, with 128-bit weights `z_i` derived by hashing the whole
/// batch (so the same batch always gets the same weights, and nobody can
/// choose entries that cancel without breaking SHA-512). Each key appears
/// once, however many entries it signed.
///
/// It holds whenever every entry holds the single check; when one does
/// not, it fails except with probability about 2^-128, so the verdict an
/// entry gets never depends on its neighbours or on chance.
pub(crate) fn batch_holds(items: &[BatchItem], keys: &[EdwardsPoint]) -> bool {
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

    let mut key_coefficients = vec![Scalar::ZERO; keys.len()];
    let mut basepoint_coefficient = Scalar::ZERO;
    let mut weights = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        let z = weight(&seed, index);
        basepoint_coefficient -= z * item.signature.s;
        if let Some(coefficient) = key_coefficients.get_mut(item.key) {
            *coefficient += z * item.challenge;
        } else {
            // An entry checked against no key cannot hold.
            return false;
        }
        weights.push(z);
    }
    let scalars = core::iter::once(basepoint_coefficient).chain(weights).chain(key_coefficients);
    let points = core::iter::once(ED25519_BASEPOINT_POINT)
        .chain(items.iter().map(|item| item.signature.r))
        .chain(keys.iter().copied());
    EdwardsPoint::vartime_multiscalar_mul(scalars, points).mul_by_cofactor().is_identity()
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
