//! Verifying signed entries against a key set, one at a time or in batches.

use curve25519_dalek::edwards::EdwardsPoint;
use curve25519_dalek::traits::IsIdentity;
use ed25519_dalek::Signature;

use super::key_set::KeySet;
use super::key_tables::KeyTables;
use super::public_key::PublicKey;
use super::rule::{Batch, BatchItem, Decoded, Failures};
use super::signature::{JsonForm, split_cef, split_json};
use super::sum_tables::SumTables;
use crate::cef::{Line, Parser};
use crate::error::{Error, ErrorKind, Result};

/// A verified entry and the key that verified it.
///
/// ```
/// use audit_cef::{KeySet, Signer, Verifier};
/// let signer = Signer::from_seed(&[3; 32]);
/// let mut line = b"CEF:0|v|p|1|id|n|5|a=1".to_vec();
/// signer.sign_cef(&mut line, 0)?;
/// let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
/// let verified = verifier.verify_cef(&line)?;
/// assert_eq!(verified.key().kid(), signer.public_key().kid());
/// assert_eq!(verified.entry().get("a").as_deref(), Some("1"));
/// assert_eq!(verified.entry().get("sig"), None, "the entry is parsed from the signed bytes only");
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified<'k, T> {
    entry: T,
    key: &'k PublicKey,
}

impl<'k, T> Verified<'k, T> {
    /// The entry, parsed from the signed bytes only.
    ///
    /// ```
    /// # use audit_cef::{KeySet, Signer, Verifier};
    /// # let signer = Signer::from_seed(&[3; 32]);
    /// # let mut line = b"CEF:0|v|p|1|id|n|5|a=1".to_vec();
    /// # signer.sign_cef(&mut line, 0)?;
    /// # let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
    /// assert_eq!(verifier.verify_cef(&line)?.entry().vendor(), "v");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn entry(&self) -> &T {
        &self.entry
    }

    /// The entry, by value.
    ///
    /// ```
    /// # use audit_cef::{KeySet, Signer, Verifier};
    /// # let signer = Signer::from_seed(&[3; 32]);
    /// # let mut line = b"CEF:0|v|p|1|id|n|5|a=1".to_vec();
    /// # signer.sign_cef(&mut line, 0)?;
    /// # let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
    /// let line: audit_cef::Line<'_> = verifier.verify_cef(&line)?.into_entry();
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn into_entry(self) -> T {
        self.entry
    }

    /// The key that verified the signature.
    ///
    /// ```
    /// # use audit_cef::{KeySet, Signer, Verifier};
    /// # let signer = Signer::from_seed(&[3; 32]);
    /// # let mut line = b"CEF:0|v|p|1|id|n|5|a=1".to_vec();
    /// # signer.sign_cef(&mut line, 0)?;
    /// # let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
    /// assert_eq!(verifier.verify_cef(&line)?.key().as_bytes(), signer.public_key().as_bytes());
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn key(&self) -> &'k PublicKey {
        self.key
    }

    /// The same verification result for a value derived from the entry,
    /// such as an application's own type decoded from it.
    ///
    /// ```
    /// # use audit_cef::{KeySet, Signer, Verifier};
    /// # let signer = Signer::from_seed(&[3; 32]);
    /// # let mut line = b"CEF:0|v|p|1|id|n|5|a=1".to_vec();
    /// # signer.sign_cef(&mut line, 0)?;
    /// # let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
    /// let name = verifier.verify_cef(&line)?.map(|line| line.name().to_owned());
    /// assert_eq!(name.entry(), "n");
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Verified<'k, U> {
        Verified { entry: f(self.entry), key: self.key }
    }
}

/// Verifies entries as received against every key of a set. Entries carry
/// no `kid`: the key that is likely to verify an entry (the one that
/// followed the previous entry's key last time) is tried first.
///
/// Verification follows konnect.md section 3 to the byte: the signature is
/// the final field, 86 canonical base64url characters, with nothing after it
/// but a line ending; the signed bytes are everything before ` sig=`.
/// Errors say what is wrong with the entry, never why the arithmetic failed.
///
/// # The rule: which signatures verify
///
/// One rule, in [`Verifier::verify_cef`] and in [`Verifier::verify_cef_batch`]
/// alike: ZIP-215's cofactored equation `[8][s]B = [8]R + [8][k]A`, with
/// `k = SHA-512(R || A || M)` over the bytes as received, `s` canonical
/// (below the group order L), and `R` any encoding of a curve point. Keys are
/// held to more when they are loaded: small-order and non-canonically
/// encoded keys are refused there ([`ErrorKind::WeakPublicKey`]).
///
/// Why this rule for audit logs:
///
/// - Every signature RFC 8032 signing produces verifies (the cofactored
///   equation follows from the plain one), so every genuine Konnect entry does.
/// - Nobody without the key can make an entry verify, nor turn a genuine
///   signature into a second valid one: `s` must be canonical (no `s + L`),
///   and `R`'s bytes are hashed into `k`, so re-encoding `R` or adding a
///   small-order point to it changes `k` and breaks the equation.
/// - What it accepts beyond `verify_strict` are signatures the key's holder
///   crafted with a small-order component in `R`: they still prove that the
///   holder signed those exact bytes, which is all an audit log relies on.
/// - It is the rule under which single and batch verification agree by
///   construction ("Taming the many EdDSAs", ZIP-215): a batch holds exactly
///   when each of its entries does, except with probability about 2^-128.
///   The batch weights are derived by hashing the batch, not drawn at
///   random, so verifying the same entries twice gives the same verdicts,
///   and an entry's verdict never depends on the entries around it.
///
/// ```
/// use audit_cef::{ErrorKind, KeySet, Signer, Verifier};
/// let signer = Signer::from_seed(&[9; 32]);
/// let mut line = b"2025-06-18T21:02:36Z konghq.com CEF:0|KongInc|Konnect|1.0|konnect|Authz.usage|1|action=read".to_vec();
/// signer.sign_cef(&mut line, 0)?;
/// let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
/// assert!(verifier.verify_cef(&line).is_ok());
/// line[60] ^= 1;
/// assert_eq!(verifier.verify_cef(&line).unwrap_err().kind(), ErrorKind::NoKeyMatches);
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug)]
pub struct Verifier {
    keys: KeySet,
    /// The keys as curve points, in the set's order.
    points: Vec<EdwardsPoint>,
    /// Each key's multiples, for entries tried under more than one key.
    tables: KeyTables,
    /// The basepoint's and each key's multiples, for the batch sums.
    sum_tables: SumTables,
    parser: Parser,
    /// A batch size set by the caller instead.
    fixed_batch: Option<usize>,
}

/// What a [`Verifier`] learns of a stream as it verifies it: which key
/// tends to follow which (so the key expected for each entry is tried
/// first, and streams that rotate or alternate keys still batch), the
/// recent share of failing entries, and how large a group may be now. It
/// changes no verdict, only the cost.
///
/// The caller owns it and passes it to the `_with` methods, one state per
/// stream or per thread: a [`Verifier`] itself is immutable and shared.
/// The plain methods ([`Verifier::verify_cef_batch`], ...) start from a
/// fresh state each call. After a key set changes, start a new state with
/// [`Verifier::new_state`] (an old one only guesses worse).
///
/// ```
/// use audit_cef::{KeySet, Signer, Verifier};
/// let signer = Signer::from_seed(&[4; 32]);
/// let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
/// let mut state = verifier.new_state();
/// let mut line = b"CEF:0|v|p|1|id|n|5|i=1".to_vec();
/// signer.sign_cef(&mut line, 0)?;
/// for _ in 0..3 {
///     assert!(verifier.verify_cef_batch_with(&mut state, &[line.as_slice()])[0].is_ok());
/// }
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifierState {
    /// The key that verified the last entry.
    last: usize,
    /// For each key, the key that verified the entry after one of its own
    /// last time; empty: each key is expected to follow itself (a fresh
    /// state allocates nothing, and learns nothing of the order).
    follows: Vec<usize>,
    /// Recent share of entries that failed, in 1/65536ths: sizes the batches.
    failure_rate: u32,
    /// The largest group allowed now: it starts small and doubles after
    /// each group without failures, so a stream that starts bad costs little.
    ramp: usize,
}

impl Default for VerifierState {
    /// A fresh state that allocates nothing and does not learn which key
    /// follows which (see [`Verifier::new_state`]).
    fn default() -> VerifierState {
        VerifierState { last: 0, follows: Vec::new(), failure_rate: 0, ramp: FIRST_GROUP }
    }
}

impl VerifierState {
    /// The key likely to verify the entry after one verified by `key`.
    fn next_key(&self, key: usize) -> usize {
        self.follows.get(key).copied().unwrap_or(key)
    }

    /// Remembers that `key` verified the entry after one verified by `previous`.
    fn learn(&mut self, previous: usize, key: usize) {
        if let Some(next) = self.follows.get_mut(previous) {
            *next = key;
        }
        self.last = key;
    }
}

impl Verifier {
    /// A verifier over `keys`, parsing verified CEF with the lenient parser.
    ///
    /// ```
    /// let verifier = audit_cef::Verifier::new(audit_cef::KeySet::default());
    /// ```
    pub fn new(keys: KeySet) -> Verifier {
        let points = keys.keys().iter().map(PublicKey::point).collect();
        let tables = KeyTables::new(keys.keys().len());
        let sum_tables = SumTables::new(keys.keys().len());
        Verifier { keys, points, tables, sum_tables, parser: Parser::new(), fixed_batch: None }
    }

    /// A fresh [`VerifierState`] for this key set, one that learns which
    /// key follows which.
    ///
    /// ```
    /// let verifier = audit_cef::Verifier::new(audit_cef::KeySet::default());
    /// let state = verifier.new_state();
    /// ```
    pub fn new_state(&self) -> VerifierState {
        VerifierState { follows: (0..self.keys.keys().len()).collect(), ..VerifierState::default() }
    }

    /// Uses `parser` for the signed CEF bytes (e.g. the strict one).
    ///
    /// ```
    /// let verifier = audit_cef::Verifier::new(audit_cef::KeySet::default()).with_parser(audit_cef::Parser::new().strict(true));
    /// ```
    pub fn with_parser(mut self, parser: Parser) -> Verifier {
        self.parser = parser;
        self
    }

    /// The key set.
    ///
    /// ```
    /// assert!(audit_cef::Verifier::new(audit_cef::KeySet::default()).keys().keys().is_empty());
    /// ```
    pub fn keys(&self) -> &KeySet {
        &self.keys
    }

    /// Verifies a signed CEF entry and parses the signed bytes.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::LineBreakInEntry`] for a CR or LF inside the entry (one
    /// trailing line ending is ignored), [`ErrorKind::Unsigned`], [`ErrorKind::MalformedSignature`],
    /// [`ErrorKind::DataAfterSignature`] (also for a second signature),
    /// [`ErrorKind::NoKeyMatches`], or the parser's error for signed bytes
    /// that are not CEF. Offsets count from the start of `entry`.
    ///
    /// ```
    /// use audit_cef::{ErrorKind, KeySet, Verifier};
    /// let verifier = Verifier::new(KeySet::default());
    /// assert_eq!(verifier.verify_cef(b"CEF:0|v|p|1|id|n|5|a=1").unwrap_err().kind(), ErrorKind::Unsigned);
    /// ```
    pub fn verify_cef<'a>(&self, entry: &'a [u8]) -> Result<Verified<'_, Line<'a>>> {
        self.verify_cef_with(&mut VerifierState::default(), entry)
    }

    /// [`Verifier::verify_cef`], trying first the key `state` expects and
    /// learning from the verdict.
    ///
    /// # Errors
    ///
    /// As [`Verifier::verify_cef`].
    ///
    /// ```
    /// use audit_cef::{KeySet, Verifier};
    /// let verifier = Verifier::new(KeySet::default());
    /// let mut state = verifier.new_state();
    /// assert!(verifier.verify_cef_with(&mut state, b"CEF:0|v|p|1|id|n|5|a=1").is_err());
    /// ```
    pub fn verify_cef_with<'a>(&self, state: &mut VerifierState, entry: &'a [u8]) -> Result<Verified<'_, Line<'a>>> {
        let split = split_cef(entry)?;
        let key = self
            .find_key(state, split.signed, Decoded::new(&split.signature), None)
            .map_err(|e| e.or_at(split.signature_at))?;
        Ok(Verified { entry: self.parser.parse(split.signed)?, key })
    }

    /// Verifies a signed JSON entry (`,"sig":"..."` before the final `}`)
    /// and returns the signed text, the entry without its signature.
    ///
    /// # Errors
    ///
    /// As [`Verifier::verify_cef`], and [`ErrorKind::NotJsonEntry`].
    ///
    /// ```
    /// use audit_cef::{KeySet, Signer, Verifier};
    /// let signer = Signer::from_seed(&[5; 32]);
    /// let mut entry = br#"{"action":"read","granted":true}"#.to_vec();
    /// signer.sign_json(&mut entry, 0)?;
    /// let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
    /// assert_eq!(verifier.verify_json(&entry)?.entry(), r#"{"action":"read","granted":true}"#);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn verify_json(&self, entry: &[u8]) -> Result<Verified<'_, String>> {
        self.verify_json_form(&mut VerifierState::default(), entry, JsonForm::Json)
    }

    /// [`Verifier::verify_json`] with a [`VerifierState`].
    ///
    /// # Errors
    ///
    /// As [`Verifier::verify_json`].
    ///
    /// ```
    /// use audit_cef::{KeySet, Verifier};
    /// let verifier = Verifier::new(KeySet::default());
    /// assert!(verifier.verify_json_with(&mut verifier.new_state(), br#"{"a":1}"#).is_err());
    /// ```
    pub fn verify_json_with(&self, state: &mut VerifierState, entry: &[u8]) -> Result<Verified<'_, String>> {
        self.verify_json_form(state, entry, JsonForm::Json)
    }

    /// Verifies a signed CPS entry (`{"event":{...,"sig":"..."}}`).
    ///
    /// # Errors
    ///
    /// As [`Verifier::verify_json`].
    ///
    /// ```
    /// use audit_cef::{KeySet, Signer, Verifier};
    /// let signer = Signer::from_seed(&[5; 32]);
    /// let mut entry = br#"{"event":{"a":1}}"#.to_vec();
    /// signer.sign_cps(&mut entry, 0)?;
    /// let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
    /// assert_eq!(verifier.verify_cps(&entry)?.entry(), r#"{"event":{"a":1}}"#);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn verify_cps(&self, entry: &[u8]) -> Result<Verified<'_, String>> {
        self.verify_json_form(&mut VerifierState::default(), entry, JsonForm::Cps)
    }

    /// [`Verifier::verify_cps`] with a [`VerifierState`].
    ///
    /// # Errors
    ///
    /// As [`Verifier::verify_json`].
    ///
    /// ```
    /// use audit_cef::{KeySet, Verifier};
    /// let verifier = Verifier::new(KeySet::default());
    /// assert!(verifier.verify_cps_with(&mut verifier.new_state(), br#"{"event":{}}"#).is_err());
    /// ```
    pub fn verify_cps_with(&self, state: &mut VerifierState, entry: &[u8]) -> Result<Verified<'_, String>> {
        self.verify_json_form(state, entry, JsonForm::Cps)
    }

    fn verify_json_form(
        &self,
        state: &mut VerifierState,
        entry: &[u8],
        form: JsonForm,
    ) -> Result<Verified<'_, String>> {
        let split = split_json(entry, form)?;
        let mut signed = Vec::with_capacity(split.head.len() + split.tail.len());
        signed.extend_from_slice(split.head);
        signed.extend_from_slice(split.tail);
        let key = self
            .find_key(state, &signed, Decoded::new(&split.signature), None)
            .map_err(|e| e.or_at(split.signature_at))?;
        let text =
            String::from_utf8(signed).map_err(|e| Error::at(ErrorKind::NotUtf8, e.utf8_error().valid_up_to()))?;
        Ok(Verified { entry: text, key })
    }

    /// The rule's single check of a signature (`None`: one that verifies
    /// under no key) against every key but `skip` (one already known to
    /// fail), the key expected after the last entry's first; the key that
    /// verifies is remembered for the next guess.
    fn find_key(
        &self,
        state: &mut VerifierState,
        message: &[u8],
        decoded: Option<Decoded>,
        skip: Option<usize>,
    ) -> Result<&PublicKey> {
        let keys = self.keys.keys();
        let previous = state.last;
        let first = state.next_key(previous).min(keys.len());
        let order = keys
            .iter()
            .zip(&self.points)
            .enumerate()
            .skip(first)
            .chain(keys.iter().zip(&self.points).enumerate().take(first));
        // With more than one key to try, `[s]B - R` is shared and each key
        // multiplies by its table; one key alone is cheapest as it is.
        let tabled = keys.len() > 1;
        let mut key_free = None;
        for (index, (key, point)) in order {
            if Some(index) == skip {
                continue;
            }
            let Some(decoded) = &decoded else { break };
            let table = if tabled { self.tables.get(index, point) } else { None };
            let holds = match table {
                Some(table) => {
                    let key_free = key_free.get_or_insert_with(|| decoded.key_free_side());
                    decoded.verifies_by_table(key_free, table, key.key.as_bytes(), message)
                }
                None => decoded.verifies(point, key.key.as_bytes(), message),
            };
            if holds {
                state.learn(previous, index);
                return Ok(key);
            }
        }
        Err(Error::new(ErrorKind::NoKeyMatches))
    }

    /// Verifies many CEF entries, one result per entry in order, with the
    /// same verdicts as [`Verifier::verify_cef`] on each (see the rule above).
    ///
    /// Entries are checked in groups, each with one batch equation in which
    /// every key appears once: the key expected for each entry follows the
    /// pattern of the keys that verified the entries before, so streams that
    /// rotate or interleave keys still batch. In a group that fails, one
    /// failing entry is located from plain sums of its points (additions
    /// and two fixed-base products, no further batch sum) and proven by the
    /// batch's weights in a group of 24 or more, else with one or two more
    /// sums over half the group each; a group with more is halved until its
    /// parts are small, then its entries are checked one by one against
    /// every key. The group size follows the recent share of failing
    /// entries, down to one-by-one checks when failures are common, so
    /// batching never costs much more than not batching.
    ///
    /// ```
    /// use audit_cef::{ErrorKind, KeySet, Signer, Verifier};
    /// let signer = Signer::from_seed(&[4; 32]);
    /// let mut entries = Vec::new();
    /// for i in 0..8 {
    ///     let mut line = format!("CEF:0|v|p|1|id|n|5|i={i}").into_bytes();
    ///     signer.sign_cef(&mut line, 0)?;
    ///     entries.push(line);
    /// }
    /// entries[5][20] = b'X';
    /// let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
    /// let refs: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
    /// let results = verifier.verify_cef_batch(&refs);
    /// let failed: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_err()).map(|(i, _)| i).collect();
    /// assert_eq!(failed, [5]);
    /// # Ok::<(), audit_cef::Error>(())
    /// ```
    pub fn verify_cef_batch<'a>(&self, entries: &[&'a [u8]]) -> Vec<Result<Verified<'_, Line<'a>>>> {
        self.verify_cef_batch_with(&mut VerifierState::default(), entries)
    }

    /// [`Verifier::verify_cef_batch`] with a [`VerifierState`]: a caller
    /// that verifies batch after batch of one stream keeps one, so each
    /// batch starts from what the ones before taught (the group size, which
    /// key follows which) instead of from small groups.
    ///
    /// ```
    /// use audit_cef::{KeySet, Verifier};
    /// let verifier = Verifier::new(KeySet::default());
    /// let mut state = verifier.new_state();
    /// assert_eq!(verifier.verify_cef_batch_with(&mut state, &[b"CEF:0|v|p|1|i|n|5|a=1".as_slice()]).len(), 1);
    /// ```
    pub fn verify_cef_batch_with<'a>(
        &self,
        state: &mut VerifierState,
        entries: &[&'a [u8]],
    ) -> Vec<Result<Verified<'_, Line<'a>>>> {
        let mut results: Vec<Result<Verified<'_, Line<'a>>>> =
            entries.iter().map(|_| Err(Error::new(ErrorKind::NoKeyMatches))).collect();
        let mut pending = Vec::with_capacity(entries.len());
        let mut indexes = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            match split_cef(entry) {
                Ok(split) => {
                    pending.push(Pending {
                        signed: split.signed,
                        signature: split.signature,
                        at: Some(split.signature_at),
                    });
                    indexes.push(index);
                }
                Err(err) => set(&mut results, index, Err(err)),
            }
        }
        for ((index, entry), verdict) in indexes.into_iter().zip(&pending).zip(self.verdicts(state, &pending)) {
            let result =
                verdict.and_then(|key| self.parser.parse(entry.signed).map(|line| Verified { entry: line, key }));
            set(&mut results, index, result);
        }
        results
    }

    /// Verifies raw signatures on messages, in batches, as
    /// [`Verifier::verify_cef_batch`] does for CEF entries: for each, the key
    /// that verifies it, or [`ErrorKind::NoKeyMatches`]. The verdicts are
    /// those of [`PublicKey::verify`] under each key of the set.
    ///
    /// ```
    /// use audit_cef::{KeySet, Signer, Verifier};
    /// let signer = Signer::from_seed(&[6; 32]);
    /// let signature = signer.sign(b"one");
    /// let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
    /// let verdicts = verifier.verify_signatures(&[(b"one".as_slice(), signature), (b"two".as_slice(), signature)]);
    /// assert!(verdicts[0].is_ok() && verdicts[1].is_err());
    /// ```
    pub fn verify_signatures(&self, items: &[(&[u8], [u8; 64])]) -> Vec<Result<&PublicKey>> {
        let pending: Vec<Pending<'_>> = items
            .iter()
            .map(|(message, signature)| Pending {
                signed: message,
                signature: Signature::from_bytes(signature),
                at: None,
            })
            .collect();
        self.verdicts(&mut VerifierState::default(), &pending)
    }

    /// Checks every entry a group at a time; one verdict per entry, in order.
    ///
    /// A window of entries at a time is decoded (each signature once,
    /// however often it is checked) and checked: what a large call holds
    /// decoded, and touches again, stays bounded and in the core's cache
    /// (a decoded signature is 224 bytes). The state carries the group
    /// sizes across windows.
    fn verdicts<'k>(&'k self, state: &mut VerifierState, pending: &[Pending<'_>]) -> Vec<Result<&'k PublicKey>> {
        let mut verdicts: Vec<Result<&PublicKey>> =
            pending.iter().map(|_| Err(Error::new(ErrorKind::NoKeyMatches))).collect();
        let mut decoded = Vec::with_capacity(pending.len().min(WINDOW + LARGEST_GROUP));
        let mut start = 0;
        while start < pending.len() {
            let left = pending.len() - start;
            // A remainder smaller than a group joins the last window, where
            // it joins the last group: a batch of 262 is checked as 64, 64,
            // 64 and 70, its fixed cost paid four times, not five.
            let size = if left < WINDOW + LARGEST_GROUP { left } else { WINDOW };
            let window = pending.get(start..start + size).unwrap_or_default();
            let slots = verdicts.get_mut(start..start + size).unwrap_or_default();
            start += size;
            decoded.clear();
            decoded.extend(window.iter().map(|entry| Prepared {
                signed: entry.signed,
                decoded: Decoded::new(&entry.signature),
                at: entry.at,
            }));
            let mut at = 0;
            while let Some(rest) = decoded.get(at..).filter(|rest| !rest.is_empty()) {
                let size = self.take_rest(state, self.group_size(state), rest.len());
                let (group, _) = rest.split_at(size);
                let group_slots = slots.get_mut(at..at + size).unwrap_or_default();
                let previous = state.last;
                let failed = self.check_group(state, group, &[], previous, group_slots);
                note_failures(state, failed, size);
                at += size;
            }
        }
        verdicts
    }

    /// Checks `batch` entries together (fixed) instead of sizing groups by
    /// the recent failures (the default, `None`). `Some(1)` checks entries
    /// one by one.
    ///
    /// ```
    /// let one_by_one = audit_cef::Verifier::new(audit_cef::KeySet::default()).with_batch_size(Some(1));
    /// ```
    pub fn with_batch_size(mut self, batch: Option<usize>) -> Verifier {
        self.fixed_batch = batch.map(|n| n.max(1));
        self
    }

    /// How many entries to check together: fixed, or from the recent
    /// failure share, the size that keeps the expected cost of isolating
    /// failures low.
    fn group_size(&self, state: &VerifierState) -> usize {
        if let Some(fixed) = self.fixed_batch {
            return fixed;
        }
        let by_rate = match state.failure_rate {
            rate if rate < 65_536 / 512 => LARGEST_GROUP,
            rate if rate < 65_536 / 40 => 32,
            rate if rate < 65_536 / 12 => 8,
            rate if rate < 65_536 / 5 => 4,
            _ => 1,
        };
        by_rate.min(state.ramp)
    }

    /// The next group's size, given the size the failures allow and what
    /// is left: while nothing has failed lately, what is left after a full
    /// group of the largest size, when less than another full group, joins
    /// it (a webhook batch of 100 is checked as one group of 100, not 64
    /// and then 36): a group's fixed cost is then paid once.
    fn take_rest(&self, state: &VerifierState, size: usize, left: usize) -> usize {
        let clean = state.failure_rate < 65_536 / 4096;
        if self.fixed_batch.is_none() && clean && size == LARGEST_GROUP && left < 2 * LARGEST_GROUP {
            left
        } else {
            size.min(left)
        }
    }

    /// Checks a group of entries, the first expected under the key after
    /// `previous`, writing one verdict per entry; returns how many failed.
    /// `known` holds items an enclosing group computed for these entries
    /// (or fewer, or none): a challenge under the same key is reused.
    fn check_group<'k>(
        &'k self,
        state: &mut VerifierState,
        group: &[Prepared<'_>],
        known: &[BatchItem],
        previous: usize,
        verdicts: &mut [Result<&'k PublicKey>],
    ) -> usize {
        if group.len() <= SINGLE_BELOW {
            return group
                .iter()
                .zip(verdicts.iter_mut())
                .map(|(entry, slot)| usize::from(!self.check_single(state, entry, slot, None)))
                .sum();
        }
        // The expected key of each entry, and its decoded signature.
        let mut items = Vec::with_capacity(group.len());
        let mut key = previous;
        for (number, entry) in group.iter().enumerate() {
            key = state.next_key(key);
            let Some(decoded) = entry.decoded else { break };
            let Some(public) = self.keys.keys().get(key) else { break };
            let challenge = match known.get(number) {
                Some(item) if item.key == key => item.challenge,
                _ => decoded.challenge(public.key.as_bytes(), entry.signed),
            };
            items.push(BatchItem { signature: decoded, challenge, key });
        }
        if items.len() < group.len() {
            return self.halve(state, group, &items, previous, verdicts);
        }
        #[cfg(test)]
        tests::GROUPS.with(|groups| groups.borrow_mut().push(items.len()));
        let batch = Batch::new(&items);
        let failing = match batch.sum(&self.points, &self.sum_tables, 0..items.len(), false) {
            Some(sum) if sum.is_identity() => None,
            // One failing entry is located (plain sums, else a sum over each half), not by halving.
            Some(sum) => match batch.failures(&self.points, &self.sum_tables, &sum) {
                Failures::One(index) => Some(index),
                Failures::Within(range) => {
                    // The rest holds: only `range` is checked again.
                    let (before, rest) = verdicts.split_at_mut(range.start.min(verdicts.len()));
                    let (inside, after) = rest.split_at_mut(range.len().min(rest.len()));
                    let previous = self.hold(state, items.get(..range.start).unwrap_or_default(), previous, before);
                    let failed = self.check_group(
                        state,
                        group.get(range.clone()).unwrap_or_default(),
                        items.get(range.clone()).unwrap_or_default(),
                        previous,
                        inside,
                    );
                    self.hold(state, items.get(range.end..).unwrap_or_default(), state.last, after);
                    return failed;
                }
                Failures::Several => return self.halve(state, group, &items, previous, verdicts),
            },
            None => return self.halve(state, group, &items, previous, verdicts),
        };
        let Some(failing) = failing else {
            self.hold(state, &items, previous, verdicts);
            return 0;
        };
        let (before, from) = verdicts.split_at_mut(failing.min(verdicts.len()));
        self.hold(state, items.get(..failing).unwrap_or_default(), previous, before);
        let mut failed = 0;
        if let (Some(entry), Some(item), Some((slot, after))) =
            (group.get(failing), items.get(failing), from.split_first_mut())
        {
            // The sums prove it fails under the key it was expected under
            // (its term alone is nonzero); the single check decides it
            // under the others.
            failed = usize::from(!self.check_single(state, entry, slot, Some(item.key)));
            self.hold(state, items.get(failing + 1..).unwrap_or_default(), state.last, after);
        }
        failed
    }

    /// Records that `items`, the first expected after `previous`, hold
    /// under the keys they were expected under; returns the last one's key.
    fn hold<'k>(
        &'k self,
        state: &mut VerifierState,
        items: &[BatchItem],
        previous: usize,
        verdicts: &mut [Result<&'k PublicKey>],
    ) -> usize {
        let mut previous = previous;
        for (item, slot) in items.iter().zip(verdicts.iter_mut()) {
            state.learn(previous, item.key);
            previous = item.key;
            *slot = self.keys.keys().get(item.key).ok_or_else(|| Error::new(ErrorKind::NoKeyMatches));
        }
        previous
    }

    /// Checks the two halves of a group that failed as a whole, with the
    /// items computed for it.
    fn halve<'k>(
        &'k self,
        state: &mut VerifierState,
        group: &[Prepared<'_>],
        known: &[BatchItem],
        previous: usize,
        verdicts: &mut [Result<&'k PublicKey>],
    ) -> usize {
        let half = group.len() / 2;
        let (left, right) = group.split_at(half);
        let (left_known, right_known) = known.split_at(half.min(known.len()));
        let (left_slots, right_slots) = verdicts.split_at_mut(half.min(verdicts.len()));
        let failed = self.check_group(state, left, left_known, previous, left_slots);
        let previous = state.last;
        failed + self.check_group(state, right, right_known, previous, right_slots)
    }

    /// Checks one entry against every key but `known_failing`, the expected
    /// one first; returns whether it verified.
    fn check_single<'k>(
        &'k self,
        state: &mut VerifierState,
        entry: &Prepared<'_>,
        slot: &mut Result<&'k PublicKey>,
        known_failing: Option<usize>,
    ) -> bool {
        *slot = self.find_key(state, entry.signed, entry.decoded, known_failing).map_err(|err| match entry.at {
            Some(at) => err.or_at(at),
            None => err,
        });
        slot.is_ok()
    }
}

/// Folds a group's failures into the failure share: a moving average over
/// about the last 256 entries, except that a group with two or more
/// failures and a quarter or more failing sets it at once, so a stream that
/// turns bad is checked one by one almost at once. One failure in a small
/// group is not enough: at 1 entry in 64 failing, a group of four holding
/// one would otherwise send the stream to single checks again and again.
fn note_failures(state: &mut VerifierState, failed: usize, checked: usize) {
    let (Ok(checked), Ok(failed)) = (u64::try_from(checked), u64::try_from(failed)) else { return };
    let old = u64::from(state.failure_rate);
    let observed = failed.saturating_mul(65_536) / checked.max(1);
    let weight = checked.min(256);
    let average = (old * (256 - weight) + observed * weight) / 256;
    let new = if failed >= 2 && observed >= 65_536 / 4 { average.max(observed) } else { average };
    if failed == 0 {
        state.ramp = state.ramp.saturating_mul(2).min(LARGEST_GROUP);
    }
    state.failure_rate = u32::try_from(new).unwrap_or(u32::MAX);
}

/// The first group's size, before anything is known of the stream.
const FIRST_GROUP: usize = 16;

/// The largest group the failure share allows (fewer than 1 in 512 failing).
const LARGEST_GROUP: usize = 64;

/// How many entries are decoded and checked before the next: a few full
/// groups (the last window of a call takes up to a group more).
const WINDOW: usize = 4 * LARGEST_GROUP;

/// Groups this small or smaller are checked entry by entry: a batch
/// equation saves little on them, and a failure would cost two.
const SINGLE_BELOW: usize = 2;

/// A signed message waiting for its verdict.
struct Pending<'a> {
    signed: &'a [u8],
    signature: Signature,
    /// Byte offset of the signature text in its entry, for errors.
    at: Option<usize>,
}

/// A [`Pending`] message in the window being checked, its signature
/// decoded (`None`: one that verifies under no key).
struct Prepared<'a> {
    signed: &'a [u8],
    decoded: Option<Decoded>,
    at: Option<usize>,
}

fn set<T>(results: &mut [T], index: usize, value: T) {
    if let Some(slot) = results.get_mut(index) {
        *slot = value;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sign::Signer;

    thread_local! {
        /// The size of each group summed on this thread, in order.
        pub(super) static GROUPS: std::cell::RefCell<Vec<usize>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    /// Verifies `count` entries signed by one key with a warmed-up state;
    /// the sizes of the groups summed.
    fn groups_for(count: usize) -> Vec<usize> {
        let signer = Signer::from_seed(&[10; 32]);
        let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
        let entries: Vec<Vec<u8>> = (0..count)
            .map(|index| {
                let mut line = format!("CEF:0|v|p|1|id|n|5|i={index}").into_bytes();
                signer.sign_cef(&mut line, 0).unwrap();
                line
            })
            .collect();
        let lines: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        let mut state = verifier.new_state();
        // The first groups of a fresh state are small (its ramp).
        assert!(verifier.verify_cef_batch_with(&mut state, &lines[..lines.len().min(128)]).iter().all(Result::is_ok));
        GROUPS.with(|groups| groups.borrow_mut().clear());
        assert!(verifier.verify_cef_batch_with(&mut state, &lines).iter().all(Result::is_ok));
        GROUPS.with(|groups| groups.take())
    }

    #[test]
    fn a_remainder_smaller_than_a_group_joins_the_last_group() {
        assert_eq!(groups_for(262), [64, 64, 64, 70]);
        assert_eq!(groups_for(2 * WINDOW + 63), [64, 64, 64, 64, 64, 64, 64, 127]);
        // A remainder of a whole group or more keeps a window of its own.
        assert_eq!(groups_for(WINDOW + 64), [64, 64, 64, 64, 64]);
        assert_eq!(groups_for(WINDOW + 100), [64, 64, 64, 64, 100]);
        assert_eq!(groups_for(100), [100]);
        assert_eq!(groups_for(40), [40]);
    }

    #[test]
    fn verdicts_keep_their_places_across_windows() {
        let signer = Signer::from_seed(&[8; 32]);
        let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
        // Three windows: 256, 256 and 261 of the 773 signed entries (the
        // last one takes the remainder).
        let entries: Vec<Vec<u8>> = (0..3 * WINDOW + 7)
            .map(|index| {
                let mut line = format!("CEF:0|v|p|1|id|n|5|i={index}").into_bytes();
                if index == WINDOW - 1 || index == WINDOW {
                    return line; // unsigned: left out before windows are cut
                }
                signer.sign_cef(&mut line, 0).unwrap();
                if index == WINDOW + 1 || index == 2 * WINDOW + 6 {
                    // A byte changed after signing: the first window's last
                    // entry checked, and one in the third window.
                    line[20] = b'j';
                }
                line
            })
            .collect();
        let lines: Vec<&[u8]> = entries.iter().map(Vec::as_slice).collect();
        let verdicts = verifier.verify_cef_batch(&lines);
        assert_eq!(verdicts.len(), entries.len());
        for (index, verdict) in verdicts.iter().enumerate() {
            let expected = match index {
                _ if index == WINDOW - 1 || index == WINDOW => Some(ErrorKind::Unsigned),
                _ if index == WINDOW + 1 || index == 2 * WINDOW + 6 => Some(ErrorKind::NoKeyMatches),
                _ => None,
            };
            assert_eq!(verdict.as_ref().err().map(Error::kind), expected, "entry {index}");
            if let Ok(verified) = verdict {
                assert_eq!(verified.entry().get("i").as_deref(), Some(index.to_string().as_str()));
            }
        }
    }

    #[test]
    fn one_failure_in_64_keeps_batching_in_small_chunks() {
        // `cef verify` hands over what it has read when the input pauses:
        // chunks of a few entries, where one failure is a quarter of a chunk.
        let signer = Signer::from_seed(&[9; 32]);
        let verifier = Verifier::new(KeySet::from_keys([signer.public_key()]));
        let entries: Vec<Vec<u8>> = (0..640)
            .map(|index| {
                let mut line = format!("CEF:0|v|p|1|id|n|5|i={index}").into_bytes();
                signer.sign_cef(&mut line, 0).unwrap();
                if index % 64 == 32 {
                    // The value changes after signing: the signature no longer covers it.
                    line[21] = if line[21] == b'9' { b'8' } else { b'9' };
                }
                line
            })
            .collect();
        let mut state = verifier.new_state();
        let mut sizes = Vec::new();
        for (chunk_index, chunk) in entries.chunks(4).enumerate() {
            let lines: Vec<&[u8]> = chunk.iter().map(Vec::as_slice).collect();
            let verdicts = verifier.verify_cef_batch_with(&mut state, &lines);
            for (index, verdict) in verdicts.iter().enumerate() {
                let at = chunk_index * 4 + index;
                assert_eq!(verdict.is_ok(), at % 64 != 32, "entry {at}");
            }
            sizes.push(verifier.group_size(&state));
        }
        // A chunk holding one failure no longer sends the stream to single
        // checks: the groups the next chunks allow stay large.
        assert!(sizes.iter().skip(8).all(|&size| size >= 16), "group sizes {sizes:?}");
    }
}
