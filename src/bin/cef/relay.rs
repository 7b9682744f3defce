//! `cef relay`: receive webhook batches as `cef receive` does and forward
//! the verified entries, byte for byte, to a SIEM through the sender.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use audit_cef::chrono::Utc;

use audit_cef::http::WhenFull;
use audit_cef::webhook::Credential;
use audit_cef::webhook::RetryPolicy;
use audit_cef::{Sender, SenderConfig};

use audit_cef::receive::{Answer, Reply};

use crate::arg_values;
use crate::collector::{Collector, Opened, Serving, stopped};
use crate::http_server;
use crate::intake;
use crate::io_util::{Status, report, warn};

const LONG_ABOUT: &str = "\
Stand between Kong Konnect's audit-log webhook (or any `cef send`) and a SIEM: receive \
batches exactly as `cef receive` does (same checks, limits and answers; see `cef receive \
--help`), verify every entry, and forward only the verified ones, their bytes untouched, \
to --endpoint with --forward-authorization, as Konnect's webhook would (batches, gzip, \
retries; see `cef send --help`), except that a batch the SIEM does not take (a connection \
error, 500 or 429) is retried for as long as the relay runs, waiting up to 30 s between \
tries. Rejected entries are never forwarded: they go to --rejected with the reason. When its \
queue of entries for the SIEM is full, a request is answered 429.

With --spool DIR a request is answered 200 only once its verified entries are synced in \
the spool, so nothing acknowledged is lost if the SIEM is down or the relay stops; \
entries left in the spool are forwarded first on the next start. With --no-spool the \
entries wait in memory (a bounded queue: when it is full, requests wait).

On SIGTERM or Ctrl-C it stops accepting, finishes the requests in flight, delivers what \
it holds (with the retry rule), prints a summary and exits: 0 when everything was \
forwarded, 1 when some entries were not (they stay in the spool with --spool).";

const AFTER_HELP: &str = "\
Example:
  cef relay --listen 0.0.0.0:8443 --tls-cert cert.pem --tls-key key.pem \\
      --authorization-file /etc/cef/konnect.secret --rejected rejected.jsonl \\
      --jwks https://us.api.konghq.com/v2/audit-log-webhook/jwks.json \\
      --jwks-cache /var/lib/cef/jwks.json \\
      --endpoint https://collectors.sumologic.com/receiver/v1/http/XYZ \\
      --forward-authorization-file /etc/cef/sumo.secret --spool /var/spool/cef-relay";

/// Arguments of `cef relay`.
#[derive(Debug, clap::Args)]
#[command(about = "Receive webhook batches, verify every entry, forward the verified ones to a SIEM")]
#[command(override_usage = "\
cef relay --listen HOST:PORT --authorization-file FILE --jwks FILE|URL --rejected FILE --endpoint URL \
--forward-authorization-file FILE [--spool DIR] [OPTIONS]")]
#[command(long_about = LONG_ABOUT, after_help = AFTER_HELP)]
pub struct Args {
    #[command(flatten)]
    pub collector: Collector,

    /// The SIEM's HTTP collector URL to forward verified entries to.
    #[arg(long, value_name = "URL")]
    pub endpoint: String,

    /// The Authorization header for --endpoint, sent verbatim (empty: none). Prefer
    /// --forward-authorization-file or CEF_FORWARD_AUTHORIZATION: a command line is seen by
    /// every local user.
    #[arg(long, value_name = "STR", value_parser = arg_values::credential, env = "CEF_FORWARD_AUTHORIZATION", hide_env_values = true)]
    pub forward_authorization: Option<Credential>,

    /// A file holding --forward-authorization's value (a trailing newline is not part of it).
    #[arg(long, value_name = "FILE")]
    pub forward_authorization_file: Option<PathBuf>,

    /// A directory where verified entries wait, synced to disk, until the SIEM takes them
    /// (required, unless --no-spool).
    #[arg(long, value_name = "DIR")]
    pub spool: Option<PathBuf>,

    /// Run without a spool on purpose: entries answered 200 wait in memory only, and are
    /// lost if the relay stops before the SIEM takes them.
    #[arg(long, conflicts_with = "spool")]
    pub no_spool: bool,

    /// Accept any certificate from an https:// --endpoint.
    #[arg(long)]
    pub skip_ssl_verification: bool,
}

/// Runs `cef relay`.
pub fn run(args: &Args) -> Status {
    const COMMAND: &str = "cef relay";
    if let Err(message) = args.collector.start_logging() {
        report(format_args!("{COMMAND}: {message}"));
        return Status::Fatal;
    }
    if args.spool.is_none() && !args.no_spool {
        report(format_args!(
            "{COMMAND}: --spool DIR is required: a relay answers 200 for entries the SIEM has not \
             taken yet, and only a spool keeps them if it stops (--no-spool to run without one)"
        ));
        return Status::Fatal;
    }
    if args.no_spool {
        warn(format_args!(
            "{COMMAND}: warning: --no-spool: entries answered 200 are lost if the relay stops before the SIEM takes them"
        ));
    }
    let forward = arg_values::secret_from(
        args.forward_authorization.as_ref(),
        args.forward_authorization_file.as_deref(),
        "--forward-authorization-file",
    );
    let forward = match forward {
        Ok(Some(credential)) => credential,
        Ok(None) => {
            report(format_args!(
                "{COMMAND}: the SIEM's Authorization is required: --forward-authorization-file FILE, \
                 CEF_FORWARD_AUTHORIZATION, or --forward-authorization '' for none"
            ));
            return Status::Fatal;
        }
        Err(message) => {
            report(format_args!("{COMMAND}: {message}"));
            return Status::Fatal;
        }
    };
    let config = SenderConfig::new(&args.endpoint, forward)
        .map(|config| {
            config
                .skip_ssl_verification(args.skip_ssl_verification)
                .timeout(Duration::from_secs(30))
                // Entries it answered 200 for are retried while it runs, for
                // ever, with backoff up to 30 s: a SIEM down for a while gets
                // them all once it is back, no restart needed.
                .retry(RetryPolicy::KONNECT.max_retries(u32::MAX))
                // A full queue is answered 429, not held.
                .when_full(WhenFull::Fail)
        })
        .map(|config| match &args.spool {
            Some(dir) => config.spool(dir),
            None => config,
        });
    let sender = match config.and_then(Sender::start) {
        Ok(sender) => Arc::new(sender),
        Err(err) => {
            report(format_args!("{COMMAND}: {err}"));
            return Status::Fatal;
        }
    };
    let started = match args.collector.start(COMMAND) {
        Ok(started) => started,
        Err(message) => {
            report(format_args!("{COMMAND}: {message}"));
            return Status::Fatal;
        }
    };
    // No --out: verified entries go on to the sender; the journal keeps the
    // rejected ones and feeds completeness once both are durable.
    let Opened { journal, writer, completeness } = match args.collector.journal(None) {
        Ok(opened) => opened,
        Err(message) => {
            report(format_args!("{COMMAND}: {message}"));
            return Status::Fatal;
        }
    };
    let tally = journal.tally();
    let Serving { runtime, listener, tls, http, limits, routes, tasks } =
        started.serve_with(&args.collector, COMMAND, &journal);
    let gate = match args.collector.dedup_gate(args.spool.as_deref()) {
        Ok(gate) => gate.map(Arc::new),
        Err(message) => {
            report(format_args!("{COMMAND}: {message}"));
            return Status::Fatal;
        }
    };
    let handler = {
        let (http, sender, completeness) = (Arc::clone(&http), Arc::clone(&sender), completeness.clone());
        move |request, peer| {
            let (http, journal, sender) = (Arc::clone(&http), journal.clone(), Arc::clone(&sender));
            let (completeness, gate) = (completeness.clone(), gate.clone());
            async move {
                let (checked, announced) = match http.take(request, peer, &journal).await {
                    Ok(taken) => taken,
                    Err(answer) => {
                        intake::log_outcome(COMMAND, peer, &answer, None);
                        return answer;
                    }
                };
                // The sender may wait for room (or sync its spool): off the runtime's threads.
                let forwarded = tokio::task::spawn_blocking(move || {
                    let verified: Vec<&[u8]> = checked.verified().collect();
                    // With --dedup, entries forwarded before (or by a request
                    // still forwarding them) are left out, and the others
                    // indexed once the sender has taken them.
                    let reserved = match &gate {
                        Some(gate) => match gate.reserve(&verified, Utc::now()) {
                            Ok(reserved) => Some(reserved),
                            Err(err) => {
                                drop(verified);
                                return (Err(audit_cef::Error::from(err)), checked, Vec::new());
                            }
                        },
                        None => None,
                    };
                    let duplicates =
                        reserved.as_ref().map(|reserved| reserved.duplicates().to_vec()).unwrap_or_default();
                    let fresh: Vec<&[u8]> = verified
                        .iter()
                        .enumerate()
                        .filter(|(position, _)| duplicates.binary_search(position).is_err())
                        .map(|(_, entry)| *entry)
                        .collect();
                    let sent = sender.send_all(&fresh);
                    if let (Some(gate), Some(reserved)) = (&gate, reserved)
                        && let Err(err) = gate.settle(reserved, sent.is_ok())
                    {
                        warn(format_args!("{COMMAND}: warning: the deduplication index: {err}"));
                    }
                    drop((fresh, verified));
                    (sent, checked, duplicates)
                })
                .await;
                let answer = match forwarded {
                    Ok((Ok(()), checked, duplicates)) => {
                        return intake::store_and_say(
                            COMMAND,
                            &http,
                            &journal,
                            (&checked, &duplicates, announced),
                            peer,
                            completeness.as_deref(),
                        )
                        .await;
                    }
                    Ok((Err(err), _, _)) if err.kind() == audit_cef::ErrorKind::QueueFull => {
                        Answer::Reply(http.intake.not_stored(&audit_cef::receive::NotStored::Busy))
                    }
                    Ok((Err(err), _, _)) => {
                        report(format_args!("{COMMAND}: cannot take entries for forwarding: {err}"));
                        Answer::Reply(Reply::internal())
                    }
                    Err(_) => Answer::Reply(Reply::internal()),
                };
                intake::log_outcome(COMMAND, peer, &answer, None);
                answer
            }
        }
    };
    let served = runtime.block_on(http_server::serve(COMMAND, listener, tls, limits, (handler, routes), || {
        http.intake.start_draining();
    }));
    tasks.iter().for_each(tokio::task::JoinHandle::abort);
    drop(runtime);
    let _ = writer.join();
    let mut status = stopped(COMMAND, &tally.summary(), completeness, served.map_err(|err| err.to_string()));
    // Every handler is gone: this is the last handle on the sender.
    let closed = Arc::try_unwrap(sender).map_err(|_| "the sender is still in use".to_string()).and_then(|sender| {
        for failure in sender.take_failures() {
            report(format_args!("{COMMAND}: {failure}"));
        }
        // It retries for ever: the stop waits --drain-timeout for the SIEM,
        // then leaves the rest in the spool for the next start.
        sender.close_within(Duration::from_secs(args.collector.drain_timeout)).map_err(|err| err.to_string())
    });
    match closed {
        Ok(sent) => {
            report(format_args!(
                "{COMMAND}: forwarded {} entries, {} not delivered{}{}",
                sent.delivered.saturating_sub(sent.rejected),
                sent.given_up,
                if sent.spooled > 0 { format!(", {} wait in the spool", sent.spooled) } else { String::new() },
                if sent.rejected > 0 { format!(", {} rejected by the SIEM", sent.rejected) } else { String::new() }
            ));
            if sent.given_up > 0 || sent.spooled > 0 || sent.rejected > 0 {
                status = status.max(Status::LineFailed);
            }
        }
        Err(message) => {
            report(format_args!("{COMMAND}: {message}"));
            status = status.max(Status::Fatal);
        }
    }
    status
}
