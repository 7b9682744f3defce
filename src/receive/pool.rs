//! The one way a receiver verifies entries: the entry hygiene rule first,
//! then each entry in its format, CEF ones together in batches, with one
//! [`Verifier`] shared and one [`VerifierState`] per thread that verifies.
//! Exactly one verdict per entry, in order.

use std::sync::{Mutex, PoisonError};
use std::thread;

use crate::error::{Error, ErrorKind};
use crate::konnect::Format;
use crate::sign::{PublicKey, Verifier, VerifierState};
use crate::webhook::check_single_line;

/// Entries below this many are verified on the calling thread alone:
/// threads only pay off for a batch that keeps each busy for a while.
const PARALLEL_FROM: usize = 128;

/// A verifier and the states of the threads that use it.
///
/// ```
/// use audit_cef::{KeySet, Signer, Verifier, receive::VerifyPool};
/// let signer = Signer::from_seed(&[1; 32]);
/// let pool = VerifyPool::new(Verifier::new(KeySet::from_keys([signer.public_key()])), 2);
/// let mut entry = b"CEF:0|v|p|1|id|n|5|a=1".to_vec();
/// signer.sign_cef(&mut entry, 0)?;
/// let verdicts = pool.verify(None, &[entry.as_slice(), b"{\"a\":1}", b"CEF:0|v|p|1|id|n|5|a=1\r"]);
/// assert!(verdicts[0].is_none());
/// assert_eq!(verdicts[1].as_ref().map(|e| e.kind()), Some(audit_cef::ErrorKind::Unsigned));
/// assert_eq!(verdicts[2].as_ref().map(|e| e.kind()), Some(audit_cef::ErrorKind::LineBreakInEntry));
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug)]
pub struct VerifyPool {
    verifier: Verifier,
    /// States not in use; a caller takes one (or makes one) and gives it back.
    states: Mutex<Vec<VerifierState>>,
    threads: usize,
}

impl VerifyPool {
    /// A pool verifying with `verifier` on up to `threads` threads at once
    /// (at least one).
    ///
    /// ```
    /// let pool = audit_cef::receive::VerifyPool::new(audit_cef::Verifier::new(audit_cef::KeySet::default()), 4);
    /// assert_eq!(pool.threads(), 4);
    /// ```
    pub fn new(verifier: Verifier, threads: usize) -> VerifyPool {
        let threads = threads.max(1);
        let states = (0..threads).map(|_| verifier.new_state()).collect();
        VerifyPool { verifier, states: Mutex::new(states), threads }
    }

    /// The verifier.
    ///
    /// ```
    /// let pool = audit_cef::receive::VerifyPool::new(audit_cef::Verifier::new(audit_cef::KeySet::default()), 1);
    /// assert!(pool.verifier().keys().keys().is_empty());
    /// ```
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// How many threads [`VerifyPool::verify_parallel`] uses at most.
    ///
    /// ```
    /// let pool = audit_cef::receive::VerifyPool::new(audit_cef::Verifier::new(audit_cef::KeySet::default()), 0);
    /// assert_eq!(pool.threads(), 1);
    /// ```
    pub fn threads(&self) -> usize {
        self.threads
    }

    /// Why each entry failed, in order (`None`: verified), on the calling
    /// thread: see [`verify_entries`].
    pub fn verify(&self, format: Option<Format>, entries: &[&[u8]]) -> Vec<Option<Error>> {
        let mut state = self.take_state();
        let verdicts = verify_entries(&self.verifier, &mut state, format, entries);
        self.give_back(state);
        verdicts
    }

    /// [`VerifyPool::verify`] spread over up to [`VerifyPool::threads`]
    /// threads in contiguous parts (a large batch; a small one stays on the
    /// calling thread). The same verdicts.
    ///
    /// ```
    /// let pool = audit_cef::receive::VerifyPool::new(audit_cef::Verifier::new(audit_cef::KeySet::default()), 2);
    /// let entries = vec![b"CEF:0|v|p|1|i|n|5|a=1".as_slice(); 300];
    /// assert_eq!(pool.verify_parallel(None, &entries).len(), 300);
    /// ```
    pub fn verify_parallel(&self, format: Option<Format>, entries: &[&[u8]]) -> Vec<Option<Error>> {
        if entries.len() < PARALLEL_FROM || self.threads == 1 {
            return self.verify(format, entries);
        }
        let size = entries.len().div_ceil(self.threads).max(1);
        let parts: Vec<Option<Vec<Option<Error>>>> = thread::scope(|scope| {
            let handles: Vec<_> =
                entries.chunks(size).map(|part| scope.spawn(move || self.verify(format, part))).collect();
            handles.into_iter().map(|handle| handle.join().ok()).collect()
        });
        let mut verdicts = Vec::with_capacity(entries.len());
        for (part, verified) in entries.chunks(size).zip(parts) {
            // A part whose thread failed fails closed, entry by entry.
            verdicts.extend(verified.unwrap_or_else(|| part.iter().map(|_| Some(no_verdict())).collect()));
        }
        verdicts
    }

    fn take_state(&self) -> VerifierState {
        let mut states = self.states.lock().unwrap_or_else(PoisonError::into_inner);
        states.pop().unwrap_or_else(|| self.verifier.new_state())
    }

    fn give_back(&self, state: VerifierState) {
        let mut states = self.states.lock().unwrap_or_else(PoisonError::into_inner);
        if states.len() < self.threads {
            states.push(state);
        }
    }
}

/// Why each entry failed, in order (`None`: verified), exactly one verdict
/// per entry: [`verify_entries_keys`] without the keys.
///
/// ```
/// use audit_cef::{KeySet, Verifier, receive::verify_entries};
/// let verifier = Verifier::new(KeySet::default());
/// let verdicts = verify_entries(&verifier, &mut verifier.new_state(), None, &[b"CEF:0|v|p|1|i|n|5|a=1".as_slice()]);
/// assert_eq!(verdicts.len(), 1);
/// ```
pub fn verify_entries(
    verifier: &Verifier,
    state: &mut VerifierState,
    format: Option<Format>,
    entries: &[&[u8]],
) -> Vec<Option<Error>> {
    verify_entries_keys(verifier, state, format, entries).into_iter().map(Result::err).collect()
}

/// For each entry, in order, the key that verifies it or why it fails:
/// exactly one result per entry. An entry holding a CR or LF fails alone,
/// unverified ([`check_single_line`]); the others are verified in
/// `format`, or each in its own ([`Format::detect`]): CEF ones together in
/// batches, JSON and CPS ones one by one. The one rule `cef receive`,
/// `cef relay` and `cef verify` follow.
///
/// ```
/// use audit_cef::{KeySet, Signer, Verifier, receive::verify_entries_keys};
/// let signer = Signer::from_seed(&[8; 32]);
/// let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
/// let mut json = br#"{"a":1}"#.to_vec();
/// signer.sign_json(&mut json, 0)?;
/// let results = verify_entries_keys(&verifier, &mut verifier.new_state(), None, &[json.as_slice()]);
/// assert_eq!(results[0].as_ref().map(|key| key.kid()).ok(), Some(signer.public_key().kid()));
/// # Ok::<(), audit_cef::Error>(())
/// ```
pub fn verify_entries_keys<'k>(
    verifier: &'k Verifier,
    state: &mut VerifierState,
    format: Option<Format>,
    entries: &[&[u8]],
) -> Vec<Result<&'k PublicKey, Error>> {
    let mut results: Vec<Result<&PublicKey, Error>> = Vec::with_capacity(entries.len());
    let mut cef: Vec<&[u8]> = Vec::with_capacity(entries.len());
    let mut cef_at: Vec<usize> = Vec::with_capacity(entries.len());
    for (at, entry) in entries.iter().enumerate() {
        if let Err(err) = check_single_line(entry) {
            results.push(Err(err));
            continue;
        }
        results.push(match format.unwrap_or_else(|| Format::detect(entry)) {
            Format::Cef => {
                cef.push(entry);
                cef_at.push(at);
                Err(no_verdict())
            }
            Format::Json => verifier.verify_json_with(state, entry).map(|verified| verified.key()),
            Format::Cps => verifier.verify_cps_with(state, entry).map(|verified| verified.key()),
        });
    }
    let mut batch = verifier.verify_cef_batch_with(state, &cef).into_iter();
    for at in cef_at {
        // One verdict per entry; fail closed if the library ever gave fewer.
        let result = batch.next().map_or_else(|| Err(no_verdict()), |result| result.map(|verified| verified.key()));
        if let Some(slot) = results.get_mut(at) {
            *slot = result;
        }
    }
    results
}

/// The verdict of an entry that got none: it fails.
fn no_verdict() -> Error {
    Error::new(ErrorKind::NoKeyMatches)
}
