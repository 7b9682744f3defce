//! Verifying signed entries against a key set, one at a time or in batches.

use std::sync::atomic::{AtomicUsize, Ordering};

use ed25519_dalek::{Signature, VerifyingKey};

use super::key_set::KeySet;
use super::public_key::PublicKey;
use super::signature::{JsonForm, split_cef, split_json};
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

/// Verifies entries as received against every key of a set: the key that
/// matched last is tried first, since entries carry no `kid`.
///
/// Verification follows konnect.md section 3 to the byte: the signature is
/// the final field, 86 canonical base64url characters, with nothing after it
/// but a line ending; the signed bytes are everything before ` sig=`; the
/// check is `verify_strict`. Errors say what is wrong with the entry, never
/// why the arithmetic failed.
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
    parser: Parser,
    preferred: AtomicUsize,
}

impl Verifier {
    /// A verifier over `keys`, parsing verified CEF with the lenient parser.
    ///
    /// ```
    /// let verifier = audit_cef::Verifier::new(audit_cef::KeySet::default());
    /// ```
    pub fn new(keys: KeySet) -> Verifier {
        Verifier { keys, parser: Parser::new(), preferred: AtomicUsize::new(0) }
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
        let split = split_cef(entry)?;
        let key = self.find_key(split.signed, &split.signature).map_err(|e| e.or_at(split.signature_at))?;
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
        self.verify_json_form(entry, JsonForm::Json)
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
        self.verify_json_form(entry, JsonForm::Cps)
    }

    fn verify_json_form(&self, entry: &[u8], form: JsonForm) -> Result<Verified<'_, String>> {
        let split = split_json(entry, form)?;
        let mut signed = Vec::with_capacity(split.head.len() + split.tail.len());
        signed.extend_from_slice(split.head);
        signed.extend_from_slice(split.tail);
        let key = self.find_key(&signed, &split.signature).map_err(|e| e.or_at(split.signature_at))?;
        let text =
            String::from_utf8(signed).map_err(|e| Error::at(ErrorKind::NotUtf8, e.utf8_error().valid_up_to()))?;
        Ok(Verified { entry: text, key })
    }

    /// `verify_strict` against every key, the last one that matched first.
    fn find_key(&self, message: &[u8], signature: &Signature) -> Result<&PublicKey> {
        let keys = self.keys.keys();
        let first = self.preferred.load(Ordering::Relaxed);
        let order = keys.iter().enumerate().skip(first).chain(keys.iter().enumerate().take(first));
        for (index, key) in order {
            if key.key.verify_strict(message, signature).is_ok() {
                self.preferred.store(index, Ordering::Relaxed);
                return Ok(key);
            }
        }
        Err(Error::new(ErrorKind::NoKeyMatches))
    }

    /// Verifies many CEF entries, one result per entry in order.
    ///
    /// All entries are first checked together with ed25519-dalek's batch
    /// verification against the preferred key. When the batch fails, it is
    /// split in halves and each half checked again, so a few bad entries
    /// among many cost a few extra batches, not one verification each;
    /// single entries left over are verified with `verify_strict` against
    /// every key.
    ///
    /// # Batch semantics and `verify_strict`
    ///
    /// A batch accepts an entry when `[s]B = R + [k]A` holds for it (checked
    /// for all entries at once under random 128-bit weights). `verify_strict`
    /// additionally rejects a signature whose `R` has small order and
    /// compares `R` byte for byte. The difference only concerns signature
    /// *encodings* a signer could craft: it can never make a message verify
    /// that the key's holder did not sign, because batch acceptance implies
    /// the cofactored RFC 8032 equation for every entry. What this crate
    /// trusts, the signed bytes and which key signed them, is therefore the
    /// same either way; keys are loaded only when canonical and not of small
    /// order, so weak-key forgeries are excluded before any batch. Every
    /// entry a batch rejects is decided by `verify_strict`.
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
        let mut results: Vec<Result<Verified<'_, Line<'a>>>> =
            entries.iter().map(|_| Err(Error::new(ErrorKind::NoKeyMatches))).collect();
        let mut pending = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            match split_cef(entry) {
                Ok(split) => pending.push((index, split.signed, split.signature, split.signature_at)),
                Err(err) => set(&mut results, index, Err(err)),
            }
        }
        let preferred = self.preferred.load(Ordering::Relaxed);
        if let Some(key) = self.keys.keys().get(preferred).or_else(|| self.keys.keys().first()) {
            self.batch(&pending, key, &mut results);
        }
        results
    }

    /// Checks `pending` as one batch under `key`, halving on failure.
    fn batch<'k, 'a>(
        &'k self,
        pending: &[(usize, &'a [u8], Signature, usize)],
        key: &'k PublicKey,
        results: &mut [Result<Verified<'k, Line<'a>>>],
    ) {
        match pending {
            [] => {}
            [(index, signed, signature, signature_at)] => {
                let result = self
                    .find_key(signed, signature)
                    .map_err(|e| e.or_at(*signature_at))
                    .and_then(|key| self.parser.parse(signed).map(|entry| Verified { entry, key }));
                set(results, *index, result);
            }
            _ => {
                let messages: Vec<&[u8]> = pending.iter().map(|(_, m, _, _)| *m).collect();
                let signatures: Vec<Signature> = pending.iter().map(|(_, _, s, _)| *s).collect();
                let keys: Vec<VerifyingKey> = vec![key.key; pending.len()];
                if ed25519_dalek::verify_batch(&messages, &signatures, &keys).is_ok() {
                    for (index, signed, _, _) in pending {
                        set(results, *index, self.parser.parse(signed).map(|entry| Verified { entry, key }));
                    }
                } else {
                    let (left, right) = pending.split_at(pending.len() / 2);
                    self.batch(left, key, results);
                    self.batch(right, key, results);
                }
            }
        }
    }
}

fn set<T>(results: &mut [T], index: usize, value: T) {
    if let Some(slot) = results.get_mut(index) {
        *slot = value;
    }
}
