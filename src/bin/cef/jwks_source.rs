//! `--jwks FILE|URL`: the public keys from a file or fetched once at start
//! (Konnect's `https://{region}.api.konghq.com/v2/audit-log-webhook/jwks.json`).

use std::path::Path;
use std::time::Duration;

use audit_cef::KeySet;

use crate::verify::{keys_from_jwks, load_jwks};

/// A JWKS document is small: a larger answer is not one.
const MAX_JWKS_BYTES: u64 = 1 << 20;

/// Loads the keys from `source`: an `http://` or `https://` URL, or a file.
pub fn load(command: &str, source: &str) -> Result<KeySet, String> {
    if source.starts_with("https://") || source.starts_with("http://") {
        let text = fetch(source)?;
        keys_from_jwks(command, source, &text)
    } else {
        load_jwks(command, Path::new(source))
    }
}

fn fetch(url: &str) -> Result<String, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder().timeout_global(Some(Duration::from_secs(30))).build().into();
    let mut response = agent.get(url).call().map_err(|err| format!("cannot fetch JWKS {url}: {err}"))?;
    response
        .body_mut()
        .with_config()
        .limit(MAX_JWKS_BYTES)
        .read_to_string()
        .map_err(|err| format!("cannot read JWKS {url}: {err}"))
}
