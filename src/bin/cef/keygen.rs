//! `cef keygen`: a fresh Ed25519 signing key (PKCS#8 PEM) and its public JWKS.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use audit_cef::{KeySet, Signer};
use zeroize::Zeroizing;

use crate::io_util::{Status, report};

const LONG_ABOUT: &str = "\
Generate an Ed25519 signing key from the operating system's random number generator.

Writes two files:
  PREFIX.pem         the private key, PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`, RFC 8410, \
the form OpenSSL and other libraries read), created with mode 0600 on Unix; keep it secret, \
it is what `cef sign --key` reads
  PREFIX.jwks.json   the public key as a JWKS in Konnect's shape,
                     {\"keys\":[{\"kty\":\"OKP\",\"alg\":\"EdDSA\",\"kid\":\"...\",\"crv\":\"Ed25519\",\"x\":\"...\"}]},
                     what `cef verify --jwks` reads; publish it to whoever verifies

PREFIX defaults to `cef-key` (in the current directory). --key and --jwks name either file \
directly instead. The key id (`kid`) is the key's RFC 7638 JWK thumbprint; it is printed on \
standard error with the two paths. Nothing is written to standard output, and the secret is \
never printed.

Existing files are never overwritten unless --force is given (then they are replaced, and \
the private key file is created anew with mode 0600). Both paths are checked before any key \
is generated; if the JWKS cannot be written, the new private key file is removed again.

Exit status: 0 both files written, 2 an error (a file exists, a directory is missing, no \
randomness from the OS).";

const AFTER_HELP: &str = "\
Examples:
  cef keygen --out konnect-audit     # writes konnect-audit.pem and konnect-audit.jwks.json
  cef keygen --key /etc/audit/signing.pem --jwks /srv/www/jwks.json --force
  cef keygen --out k && cef sign --key k.pem audit.log | cef verify --jwks k.jwks.json";

/// Arguments of `cef keygen`.
#[derive(Debug, clap::Args)]
#[command(about = "Generate an Ed25519 signing key (PKCS#8 PEM) and its JWKS", long_about = LONG_ABOUT)]
#[command(after_help = AFTER_HELP)]
pub struct Args {
    /// Write PREFIX.pem (private key) and PREFIX.jwks.json (public JWKS).
    #[arg(long, value_name = "PREFIX", default_value = "cef-key")]
    pub out: PathBuf,

    /// Where to write the private key instead of PREFIX.pem.
    #[arg(long, value_name = "FILE")]
    pub key: Option<PathBuf>,

    /// Where to write the JWKS instead of PREFIX.jwks.json.
    #[arg(long, value_name = "FILE")]
    pub jwks: Option<PathBuf>,

    /// Replace existing files.
    #[arg(long)]
    pub force: bool,
}

/// Runs `cef keygen`.
pub fn run(args: &Args) -> Status {
    match keygen(args) {
        Ok(()) => Status::Success,
        Err(message) => {
            report(format_args!("cef keygen: {message}"));
            Status::Fatal
        }
    }
}

fn with_suffix(prefix: &Path, suffix: &str) -> PathBuf {
    let mut path = prefix.as_os_str().to_owned();
    path.push(suffix);
    PathBuf::from(path)
}

fn keygen(args: &Args) -> Result<(), String> {
    let key_path = args.key.clone().unwrap_or_else(|| with_suffix(&args.out, ".pem"));
    let jwks_path = args.jwks.clone().unwrap_or_else(|| with_suffix(&args.out, ".jwks.json"));
    if key_path == jwks_path {
        return Err(format!("the private key and the JWKS would both be written to {}", key_path.display()));
    }
    if !args.force {
        for path in [&key_path, &jwks_path] {
            if fs::symlink_metadata(path).is_ok() {
                return Err(format!("{} already exists (use --force to replace it)", path.display()));
            }
        }
    }

    let seed = random_seed()?;
    let signer = Signer::from_seed(&seed);
    let pem = signer.to_pkcs8_pem().map_err(|err| format!("cannot encode the private key: {err}"))?;
    // The file must load back as this very key.
    match Signer::from_pkcs8_pem(&pem) {
        Ok(loaded) if loaded.public_key() == signer.public_key() => {}
        _ => return Err("internal error: the encoded private key does not load back".to_string()),
    }
    let mut jwks = KeySet::from_keys([signer.public_key()]).to_jwks_string();
    jwks.push('\n');

    write_new(&key_path, pem.as_bytes(), true, args.force)
        .map_err(|err| format!("cannot write the private key to {}: {err}", key_path.display()))?;
    if let Err(err) = write_new(&jwks_path, jwks.as_bytes(), false, args.force) {
        // Do not leave a private key behind without its public half.
        let _ = fs::remove_file(&key_path);
        return Err(format!("cannot write the JWKS to {}: {err} (private key not kept)", jwks_path.display()));
    }
    report(format_args!("cef keygen: private key (keep it secret): {}", key_path.display()));
    report(format_args!("cef keygen: public JWKS: {}", jwks_path.display()));
    report(format_args!("cef keygen: kid: {}", signer.public_key().kid()));
    Ok(())
}

/// 32 bytes of OS randomness: an Ed25519 secret seed (what
/// `SigningKey::generate` does with an RNG, but an OS failure is an error
/// message instead of a panic).
fn random_seed() -> Result<Zeroizing<[u8; 32]>, String> {
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut_slice()).map_err(|err| format!("no randomness from the operating system: {err}"))?;
    Ok(seed)
}

/// Creates `path` (it must not exist: a file or symlink planted there makes
/// this fail instead of being followed) and writes `contents`. `secret`
/// files get mode 0600 on Unix. With `replace`, an existing file is removed first.
fn write_new(path: &Path, contents: &[u8], secret: bool, replace: bool) -> io::Result<()> {
    if replace {
        match fs::remove_file(path) {
            Ok(()) => {}
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(err) => return Err(err),
        }
    }
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if secret { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = secret;
    let mut file: File = options.open(path)?;
    let written = file.write_all(contents).and_then(|()| file.sync_all());
    if written.is_err() {
        let _ = fs::remove_file(path);
    }
    written
}
