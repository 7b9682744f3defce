//! The keys a long-running command verifies with (`cef receive`, `cef
//! relay`, `cef verify`): a JWKS file, or a URL fetched at start, again on
//! the library's `JwksRefresh` schedule and when an entry matches no key
//! (a rotation), with the last good set kept when a fetch fails and a
//! `--jwks-cache` to start from when the URL cannot be reached.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use audit_cef::http::JwksFetcher;
use audit_cef::receive::VerifyPool;
use audit_cef::sign::{JwksRefresh, JwksUrl};
use audit_cef::webhook::Credential;
use audit_cef::{KeySet, Verifier};

use crate::arg_values::read_secret;
use crate::io_util::{report, warn};
use crate::keys::{DEFAULT_MAX_KEYS, keys_from_jwks, load_jwks};
use crate::metrics;

/// Where the keys come from, and how a fetched JWKS is kept fresh.
#[derive(Debug, Clone, clap::Args)]
pub struct JwksArgs {
    /// The public keys: a JWKS file, or a URL (https://, or http:// to a loopback address)
    /// fetched at start, every --jwks-refresh seconds, and when an entry matches no key.
    #[arg(long, value_name = "FILE|URL")]
    pub jwks: String,

    /// The most usable keys the JWKS may hold (a larger one is refused): entries carry no
    /// key id, so an entry that fails is tried under every key.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_KEYS)]
    pub max_keys: usize,

    /// URL: seconds between fetches of the JWKS.
    #[arg(long, value_name = "SECS", default_value_t = 300, value_parser = clap::value_parser!(u64).range(1..))]
    pub jwks_refresh: u64,

    /// URL: the fewest seconds between two fetches made because an entry matched no key.
    #[arg(long, value_name = "SECS", default_value_t = 30)]
    pub jwks_min_interval: u64,

    /// URL: a file written with every JWKS fetched, and read at start when the URL cannot
    /// be reached.
    #[arg(long, value_name = "FILE")]
    pub jwks_cache: Option<PathBuf>,

    /// URL: fetch through this HTTP proxy (the environment's proxy variables are ignored).
    #[arg(long, value_name = "URL")]
    pub jwks_proxy: Option<String>,

    /// URL: a file holding a bearer token sent with every fetch (a trailing newline is not
    /// part of it).
    #[arg(long, value_name = "FILE")]
    pub jwks_authorization_file: Option<PathBuf>,

    /// The bearer token itself, set by a command that holds it already
    /// (`cef konnect listen`: the API token), never from the command line.
    #[arg(skip)]
    pub jwks_token: Option<Credential>,
}

/// The keys in use, swapped whole when a fetch brings another set.
pub struct LiveKeys {
    command: &'static str,
    threads: usize,
    batch: Option<usize>,
    current: RwLock<Arc<VerifyPool>>,
    remote: Option<Remote>,
    /// A JWKS file (and --max-keys), read again on SIGHUP.
    file: Option<(PathBuf, usize)>,
}

/// A JWKS fetched from a URL (the library's fetcher: the URL policy,
/// redirects, proxy and size limit are its).
struct Remote {
    fetcher: JwksFetcher,
    cache: Option<PathBuf>,
    max_keys: usize,
    schedule: Mutex<JwksRefresh>,
    /// Held while fetching: one fetch at a time, and who waited sees its result.
    fetching: tokio::sync::Mutex<()>,
}

impl JwksArgs {
    /// Loads the keys: the file, or the URL (the cache when it cannot be
    /// reached). Checks a URL against the policy before any lookup.
    /// `batch` fixes the verifier's batch size (`None`: adaptive).
    pub fn load(&self, command: &'static str, threads: usize, batch: Option<usize>) -> Result<LiveKeys, String> {
        // Anything with a scheme is a URL, checked against the policy (an
        // `ftp://` is refused, not looked for as a file).
        if !self.jwks.contains("://") {
            let keys = load_jwks(command, Path::new(&self.jwks), self.max_keys)?;
            let mut live = LiveKeys::new(command, (threads, batch), keys, None);
            live.file = Some((PathBuf::from(&self.jwks), self.max_keys));
            return Ok(live);
        }
        let url = JwksUrl::parse(&self.jwks).map_err(|err| format!("--jwks {err}"))?;
        if url.is_plain_http() {
            warn(format_args!(
                "{command}: warning: --jwks {} is plain http:// (allowed on loopback only)",
                url.as_str()
            ));
        }
        let mut fetcher = JwksFetcher::new(url);
        if let Some(proxy) = &self.jwks_proxy {
            fetcher = fetcher.proxy(proxy).map_err(|err| format!("--jwks-proxy {proxy}: {err}"))?;
        }
        let token = match (&self.jwks_token, &self.jwks_authorization_file) {
            (Some(token), _) => Some(token.clone()),
            (None, Some(path)) => Some(read_secret(path, "--jwks-authorization-file")?),
            (None, None) => None,
        };
        if let Some(token) = &token {
            fetcher = fetcher.bearer(token);
        }
        let remote = Remote {
            fetcher,
            cache: self.jwks_cache.clone(),
            max_keys: self.max_keys,
            schedule: Mutex::new(JwksRefresh::new(
                Duration::from_secs(self.jwks_refresh),
                Duration::from_secs(self.jwks_min_interval),
            )),
            fetching: tokio::sync::Mutex::new(()),
        };
        remote.attempted(Instant::now());
        let keys = match remote.fetch().and_then(|text| remote.keys(command, &text)) {
            Ok((keys, text)) => {
                remote.write_cache(command, &text);
                keys
            }
            Err(message) => remote.start_from_cache(command, &message)?,
        };
        Ok(LiveKeys::new(command, (threads, batch), keys, Some(remote)))
    }
}

impl LiveKeys {
    fn new(
        command: &'static str,
        (threads, batch): (usize, Option<usize>),
        keys: KeySet,
        remote: Option<Remote>,
    ) -> LiveKeys {
        loaded(&keys);
        let pool = Arc::new(VerifyPool::new(Verifier::new(keys).with_batch_size(batch), threads));
        LiveKeys { command, threads, batch, current: RwLock::new(pool), remote, file: None }
    }

    /// Reads the keys again now (SIGHUP): fetches the URL, or reads the
    /// file; installs them if they differ. A failure keeps the set in use.
    pub fn reload(&self) {
        if let Some(remote) = &self.remote {
            let _fetching = remote.fetching.blocking_lock();
            self.refresh("SIGHUP");
        } else if let Some((path, max_keys)) = &self.file {
            match load_jwks(self.command, path, *max_keys) {
                Ok(keys) => {
                    self.install(keys, &path.display().to_string(), "SIGHUP");
                }
                Err(message) => {
                    let count = self.pool().verifier().keys().keys().len();
                    warn(format_args!("{}: warning: {message}; keeping the keys in use ({count})", self.command));
                }
            }
        }
    }

    /// The pool with the keys in use now.
    pub fn pool(&self) -> Arc<VerifyPool> {
        match self.current.read() {
            Ok(pool) => Arc::clone(&pool),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Whether the keys come from a URL (and so can change).
    pub fn is_remote(&self) -> bool {
        self.remote.is_some()
    }

    /// After entries verified with `seen` matched no key: a newer pool to
    /// verify them again with, fetched now (at most once per
    /// --jwks-min-interval) or by a fetch that ended meanwhile; `None` when
    /// the keys did not change.
    pub async fn after_miss(self: &Arc<Self>, seen: &Arc<VerifyPool>) -> Option<Arc<VerifyPool>> {
        let remote = self.remote.as_ref()?;
        let _fetching = remote.fetching.lock().await;
        if let Some(newer) = self.newer_than(seen) {
            return Some(newer);
        }
        if !remote.may_fetch_on_miss(Instant::now()) {
            return None;
        }
        let keys = Arc::clone(self);
        let changed = tokio::task::spawn_blocking(move || keys.refresh("an entry matched no key")).await;
        changed.unwrap_or(false).then(|| self.pool())
    }

    /// [`LiveKeys::after_miss`] for a thread outside the runtime.
    pub fn after_miss_blocking(&self, seen: &Arc<VerifyPool>) -> Option<Arc<VerifyPool>> {
        let remote = self.remote.as_ref()?;
        let _fetching = remote.fetching.blocking_lock();
        if let Some(newer) = self.newer_than(seen) {
            return Some(newer);
        }
        if !remote.may_fetch_on_miss(Instant::now()) {
            return None;
        }
        self.refresh("an entry matched no key").then(|| self.pool())
    }

    /// Fetches now if the schedule says so (for a command without a
    /// runtime, between chunks).
    pub fn refresh_if_due_blocking(&self) {
        let Some(remote) = self.remote.as_ref() else { return };
        if !remote.lock_schedule().due(Instant::now()) {
            return;
        }
        let _fetching = remote.fetching.blocking_lock();
        if remote.lock_schedule().due(Instant::now()) {
            self.refresh("scheduled");
        }
    }

    /// Fetches on the schedule until the task is dropped (at once for keys
    /// from a file, which never change).
    pub async fn refresh_on_schedule(self: Arc<Self>) {
        let Some(remote) = self.remote.as_ref() else { return };
        loop {
            let wait = remote.lock_schedule().until_due(Instant::now());
            tokio::time::sleep(wait.max(Duration::from_millis(100))).await;
            let _fetching = remote.fetching.lock().await;
            if !remote.lock_schedule().due(Instant::now()) {
                continue;
            }
            let keys = Arc::clone(&self);
            let _ = tokio::task::spawn_blocking(move || keys.refresh("scheduled")).await;
        }
    }

    /// The pool in use if it is not `seen`.
    fn newer_than(&self, seen: &Arc<VerifyPool>) -> Option<Arc<VerifyPool>> {
        let now = self.pool();
        (!Arc::ptr_eq(&now, seen)).then_some(now)
    }

    /// Fetches the JWKS now; installs it if its keys differ. A failure
    /// keeps the last good set, and says so. Whether the keys changed.
    fn refresh(&self, why: &str) -> bool {
        let Some(remote) = &self.remote else { return false };
        let command = self.command;
        remote.attempted(Instant::now());
        let in_use = self.pool();
        let (keys, text) = match remote.fetch().and_then(|text| remote.keys(command, &text)) {
            Ok(fetched) => fetched,
            Err(message) => {
                let count = in_use.verifier().keys().keys().len();
                warn(format_args!("{command}: warning: {message}; keeping the last good set ({count} keys)"));
                return false;
            }
        };
        remote.write_cache(command, &text);
        self.install(keys, remote.fetcher.url().as_str(), why)
    }

    /// Puts `keys` (read from `source`) in use if they differ from the
    /// set in use, and says so; whether they did.
    fn install(&self, keys: KeySet, source: &str, why: &str) -> bool {
        loaded(&keys);
        let in_use = self.pool();
        let fingerprint = |set: &KeySet| set.keys().iter().map(|key| *key.as_bytes()).collect::<Vec<_>>();
        if fingerprint(&keys) == fingerprint(in_use.verifier().keys()) {
            return false;
        }
        let kids = |set: &KeySet| set.keys().iter().map(|key| key.kid().to_owned()).collect::<Vec<_>>().join(", ");
        report(format_args!(
            "{}: JWKS {source} changed ({why}): now {} keys [{}], was [{}]",
            self.command,
            keys.keys().len(),
            kids(&keys),
            kids(in_use.verifier().keys())
        ));
        let pool = Arc::new(VerifyPool::new(Verifier::new(keys).with_batch_size(self.batch), self.threads));
        match self.current.write() {
            Ok(mut current) => *current = pool,
            Err(poisoned) => *poisoned.into_inner() = pool,
        }
        true
    }
}

impl Remote {
    fn lock_schedule(&self) -> std::sync::MutexGuard<'_, JwksRefresh> {
        self.schedule.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn attempted(&self, now: Instant) {
        self.lock_schedule().attempted(now);
    }

    fn may_fetch_on_miss(&self, now: Instant) -> bool {
        self.lock_schedule().may_fetch_on_miss(now)
    }

    /// The JWKS text.
    fn fetch(&self) -> Result<String, String> {
        self.fetcher.fetch().map_err(|err| err.to_string())
    }

    /// The key set of a fetched text (and the text, for the cache).
    fn keys(&self, command: &str, text: &str) -> Result<(KeySet, String), String> {
        keys_from_jwks(command, self.fetcher.url().as_str(), text, self.max_keys).map(|keys| (keys, text.to_owned()))
    }

    /// Writes the cache whole (a temporary file synced, then renamed).
    fn write_cache(&self, command: &str, text: &str) {
        let Some(path) = &self.cache else { return };
        let temporary = path.with_extension("tmp");
        let written = fs::File::create(&temporary)
            .and_then(|mut file| {
                file.write_all(text.as_bytes())?;
                file.sync_all()
            })
            .and_then(|()| fs::rename(&temporary, path));
        if let Err(err) = written {
            warn(format_args!("{command}: warning: cannot write --jwks-cache {}: {err}", path.display()));
        }
    }

    /// At start, when the URL cannot be reached: the cached set, if any.
    fn start_from_cache(&self, command: &str, fetch_failed: &str) -> Result<KeySet, String> {
        let Some(path) = &self.cache else { return Err(fetch_failed.to_owned()) };
        let text = fs::read_to_string(path)
            .map_err(|err| format!("{fetch_failed}; and cannot read --jwks-cache {}: {err}", path.display()))?;
        let keys = keys_from_jwks(command, &path.display().to_string(), &text, self.max_keys)?;
        warn(format_args!(
            "{command}: warning: {fetch_failed}; starting from --jwks-cache {} ({} keys)",
            path.display(),
            keys.keys().len()
        ));
        Ok(keys)
    }
}

/// Notes a good read of the keys in the metrics (if any are kept).
fn loaded(keys: &KeySet) {
    if let Some(metrics) = metrics::get() {
        metrics.jwks_keys.set(i64::try_from(keys.keys().len()).unwrap_or(i64::MAX));
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        metrics.jwks_last_success.set(now.as_secs_f64());
    }
}
