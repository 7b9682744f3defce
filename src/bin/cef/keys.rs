//! Keys for every subcommand: a private key file (`--key`, `--sign-key`),
//! and a JWKS document read from a file or fetched text (`live_keys.rs`
//! fetches and refreshes one from a URL).
//! Messages never include a key file's contents.

use std::fs;
use std::path::Path;

use audit_cef::{KeySet, Signer};
use serde_json::Value;
use zeroize::Zeroizing;

use crate::io_util::warn;

/// Reads a private key file (also for `cef convert --sign-key`). Messages
/// never include the file's contents.
pub fn load_key(path: &Path) -> Result<Signer, String> {
    let bytes =
        Zeroizing::new(fs::read(path).map_err(|err| format!("cannot read key file {}: {err}", path.display()))?);
    let not_a_key = |what: &str| {
        format!(
            "{}: {what}; expected an Ed25519 private key in PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`), \
             as `cef keygen` writes",
            path.display()
        )
    };
    if bytes.first() == Some(&0x30) {
        return Signer::from_pkcs8_der(&bytes).map_err(|err| not_a_key(&format!("not a PKCS#8 Ed25519 key ({err})")));
    }
    let text = std::str::from_utf8(&bytes).map_err(|_| not_a_key("not a PEM text file"))?;
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') && trimmed.contains("\"keys\"") {
        return Err(not_a_key("a JWKS (public keys), not a private key"));
    }
    if trimmed.starts_with('{') {
        return Signer::from_jwk_str(trimmed).map_err(|err| not_a_key(&format!("not a private Ed25519 JWK ({err})")));
    }
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return Err(not_a_key("an encrypted private key, which is not supported"));
    }
    if text.contains("-----BEGIN PUBLIC KEY-----") {
        return Err(not_a_key("a public key, not a private one"));
    }
    if !text.contains("-----BEGIN PRIVATE KEY-----") {
        return Err(not_a_key("no `-----BEGIN PRIVATE KEY-----` block"));
    }
    Signer::from_pkcs8_pem(text).map_err(|err| not_a_key(&format!("not an Ed25519 key ({err})")))
}

/// Loads the key set; skipped keys are reported as warnings that start with
/// `command` (`cef verify`, `cef convert`).
pub fn load_jwks(command: &str, path: &Path, max_keys: usize) -> Result<KeySet, String> {
    let text = fs::read_to_string(path).map_err(|err| format!("cannot read JWKS {}: {err}", path.display()))?;
    keys_from_jwks(command, &path.display().to_string(), &text, max_keys)
}

/// The key set of a JWKS document read from `source` (a file name or URL,
/// named in messages); skipped keys are reported as for [`load_jwks`].
pub fn keys_from_jwks(command: &str, source: &str, text: &str, max_keys: usize) -> Result<KeySet, String> {
    let set = KeySet::from_jwks_str(text)
        .map_err(|err| format!("{source}: not a JWKS document {{\"keys\":[...]}} ({err})"))?;
    if !set.skipped().is_empty() {
        let document: Option<Value> = serde_json::from_str(text).ok();
        for skipped in set.skipped() {
            let jwk = document.as_ref().and_then(|doc| doc.get("keys")).and_then(|keys| keys.get(skipped.index));
            let member = |name: &str| jwk.and_then(|jwk| jwk.get(name)).and_then(Value::as_str);
            let why = match (member("kty"), member("crv")) {
                (Some("OKP"), Some("Ed25519")) => format!("{} ({})", skipped.reason, skipped.reason.name()),
                (Some(kty), Some(crv)) => format!("not an Ed25519 key (kty {kty:?}, crv {crv:?})"),
                (Some(kty), None) => format!("not an Ed25519 key (kty {kty:?})"),
                (None, _) => "not a JWK object with a `kty`".to_string(),
            };
            let kid = skipped.kid.as_deref().map(|kid| format!(" (kid {kid:?})")).unwrap_or_default();
            warn(format_args!("{command}: warning: {}: key {}{kid} skipped: {why}", source, skipped.index));
        }
    }
    if set.keys().is_empty() {
        return Err(format!("{source}: no usable Ed25519 key (kty \"OKP\", crv \"Ed25519\")"));
    }
    if set.keys().len() > max_keys {
        // Entries carry no key id: a failing entry is tried under every key,
        // so the count is what bounds the cost of an entry made to fail.
        return Err(format!(
            "{source}: {} usable keys, over --max-keys {max_keys} (every failing entry is tried under each)",
            set.keys().len()
        ));
    }
    Ok(set)
}

/// Keys a JWKS may hold unless --max-keys says otherwise.
pub const DEFAULT_MAX_KEYS: usize = 64;
