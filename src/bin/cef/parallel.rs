//! Chunks of input lines handled on every core, their output written in
//! input order: a reader thread cuts the input into chunks, worker threads
//! handle them, and the calling thread writes each chunk's output as soon
//! as every chunk before it is written. Memory stays bounded (a few chunks
//! per worker in flight), and a chunk is handed over early when the input
//! pauses, so `tail -f log | cef verify` reports as lines arrive.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, mpsc};
use std::thread;

use crate::io_util::{Chunk, Event, IO_CAPACITY, Inputs, Status, read_lines, report, sources, with_output};

/// What a worker returns for a chunk, besides its output lines.
pub struct Handled<T> {
    /// The chunk's status.
    pub status: Status,
    /// Messages for standard error, written after the chunk's output.
    pub messages: Vec<String>,
    /// Anything else the caller folds in order (counts, say).
    pub value: T,
}

/// A chunk's lines stored back to back, with where each ends.
struct Job {
    input: Option<String>,
    first_number: u64,
    data: Vec<u8>,
    ends: Vec<usize>,
}

impl Job {
    fn lines(&self) -> Vec<&[u8]> {
        let mut start = 0;
        self.ends
            .iter()
            .map(|&end| {
                let line = self.data.get(start..end).unwrap_or_default();
                start = end;
                line
            })
            .collect()
    }
}

/// The number of workers to use: `requested`, or every core.
pub fn workers(requested: Option<usize>) -> usize {
    requested.unwrap_or_else(|| thread::available_parallelism().map_or(1, usize::from)).max(1)
}

/// Runs `handle` on chunks of at most `chunk_lines` consecutive lines of one
/// input, on `workers` threads (`handle` gets the worker's index, from 0),
/// writes each chunk's output in input order, then its messages, and calls
/// `fold` with each chunk's value in order.
pub fn run<T: Send>(
    inputs: &Inputs,
    chunk_lines: usize,
    workers: usize,
    handle: impl Fn(&Chunk<'_>, &mut Vec<u8>, usize) -> io::Result<Handled<T>> + Sync,
    mut fold: impl FnMut(T),
) -> Status {
    let sources = sources(inputs);
    let named = sources.len() > 1;
    let chunk_lines = chunk_lines.max(1);
    let workers = workers.max(1);
    let stopped = AtomicBool::new(false);
    let (job_tx, job_rx) = mpsc::sync_channel::<(u64, Job)>(workers * 2);
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<(u64, io::Result<(Vec<u8>, Handled<T>)>)>();

    thread::scope(|scope| {
        for worker in 0..workers {
            let (done_tx, job_rx, handle) = (done_tx.clone(), &job_rx, &handle);
            scope.spawn(move || {
                loop {
                    let next = match job_rx.lock() {
                        Ok(receiver) => receiver.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, job)) = next else { return };
                    let lines = job.lines();
                    let chunk = Chunk { input: job.input.as_deref(), first_number: job.first_number, lines: &lines };
                    let mut output = Vec::with_capacity(IO_CAPACITY);
                    let result = handle(&chunk, &mut output, worker).map(|handled| (output, handled));
                    if done_tx.send((seq, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);

        let stopped = &stopped;
        let reader = scope.spawn(move || {
            let mut status = Status::Success;
            let mut seq = 0u64;
            let mut current: Option<Job> = None;
            let mut send = |job: Job| -> io::Result<()> {
                if stopped.load(Ordering::Relaxed) || job_tx.send((seq, job)).is_err() {
                    return Err(io::Error::other("output stopped"));
                }
                seq += 1;
                Ok(())
            };
            let read = read_lines(&sources, &mut status, |source, event, _| match event {
                // About to wait, or an input ended: hand over what there is.
                Event::Idle => current.take().map_or(Ok(()), &mut send),
                Event::Line { number, line } => {
                    let job = current.get_or_insert_with(|| Job {
                        input: named.then(|| source.to_string()),
                        first_number: number,
                        data: Vec::with_capacity(IO_CAPACITY),
                        ends: Vec::with_capacity(chunk_lines),
                    });
                    job.data.extend_from_slice(line);
                    job.ends.push(job.data.len());
                    if job.ends.len() >= chunk_lines { current.take().map_or(Ok(()), &mut send) } else { Ok(()) }
                }
            });
            // An error here means the output stopped, which the writer reports.
            let _stopped_early = read.is_err();
            status
        });

        let written = with_output(|out, status| {
            let mut next = 0u64;
            let mut waiting = BTreeMap::new();
            loop {
                let message = match done_rx.try_recv() {
                    Ok(message) => message,
                    Err(mpsc::TryRecvError::Empty) => {
                        // Caught up: let a follower see everything so far.
                        out.flush()?;
                        match done_rx.recv() {
                            Ok(message) => message,
                            Err(_) => break,
                        }
                    }
                    Err(mpsc::TryRecvError::Disconnected) => break,
                };
                waiting.insert(message.0, message.1);
                while let Some(result) = waiting.remove(&next) {
                    let (output, handled) = result?;
                    out.write_all(&output)?;
                    if !handled.messages.is_empty() {
                        // Keep stdout and stderr in order on a terminal.
                        out.flush()?;
                        for message in &handled.messages {
                            report(format_args!("{message}"));
                        }
                    }
                    *status = (*status).max(handled.status);
                    fold(handled.value);
                    next += 1;
                }
            }
            Ok(())
        });
        // Unblock the reader if the output stopped early.
        stopped.store(true, Ordering::Relaxed);
        if let Ok(receiver) = job_rx.lock() {
            while receiver.try_recv().is_ok() {}
        }
        let read = reader.join().unwrap_or(Status::Fatal);
        written.max(read)
    })
}
