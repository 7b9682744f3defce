//! How large a `--dedup` index grows, and what it costs in memory: fills
//! an index with ENTRIES entries spread over the last 8 days (as Konnect's
//! replay window holds them), then opens it again, as `cef receive --dedup`
//! does at start, and prints its size on disk and this process's peak
//! resident memory (VmHWM, Linux).
//!
//!   cargo run --release --features receive --example dedup_sizing -- DIR [ENTRIES]
//!
//! The index it leaves in DIR can be given to `cef receive --dedup
//! --dedup-index DIR` (tests/load/dedup.sh does) to measure a receiver
//! that holds that many entries.

use std::path::PathBuf;
use std::time::Instant;

use audit_cef::chrono::Utc;
use audit_cef::receive::{DedupIndex, DedupKey};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(args.next().ok_or("usage: dedup_sizing DIR [ENTRIES]")?);
    let entries: u64 = args.next().map_or(Ok(1_000_000), |n| n.parse())?;
    let now = Utc::now();
    let today = now.timestamp().div_euclid(86_400);
    let started = Instant::now();
    let mut index = DedupIndex::open(&dir, now)?;
    // Day by day, as entries arrive; digests as a hash makes them (uniform).
    let per_day = entries.div_ceil(8);
    for n in 0..entries {
        let mut digest = [0u8; 16];
        let mut state = n.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03;
        for chunk in digest.chunks_mut(8) {
            state ^= state >> 31;
            state = state.wrapping_mul(0xBF58_476D_1CE4_E5B9);
            state ^= state >> 29;
            chunk.copy_from_slice(&state.to_le_bytes());
        }
        let day = today - 7 + i64::try_from(n / per_day)?;
        index.insert(&DedupKey { digest, day })?;
    }
    index.flush(None)?;
    drop(index);
    let filled = started.elapsed();
    let bytes: u64 =
        std::fs::read_dir(&dir)?.filter_map(|entry| entry.ok()?.metadata().ok()).map(|meta| meta.len()).sum();
    let peak_after_fill = peak_rss_kib();
    let opened = Instant::now();
    let index = DedupIndex::open(&dir, now)?;
    let open_took = opened.elapsed();
    println!(
        "{entries} entries: filled in {:.1} s, {:.1} MiB on disk; opened in {:.2} s; peak resident {} MiB (filling {} MiB)",
        filled.as_secs_f64(),
        bytes as f64 / 1_048_576.0,
        open_took.as_secs_f64(),
        peak_rss_kib() / 1024,
        peak_after_fill / 1024
    );
    drop(index);
    Ok(())
}

/// VmHWM of this process, in KiB (0 where /proc is not there).
fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
