//! The streaming line loop every subcommand shares: read the inputs in
//! order, one line at a time into a reused buffer, and write one output line
//! per input line through a `BufWriter`. Memory stays constant whatever the
//! input size (one line and one output line at a time).

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// The input files of a subcommand.
#[derive(Debug, Clone, clap::Args)]
pub struct Inputs {
    /// Files to read, in order; `-` is standard input. Without any: standard input.
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

/// How a run ended. The worst status of the run wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    /// Every line succeeded: exit status 0.
    Success,
    /// At least one line failed: exit status 1.
    LineFailed,
    /// An input could not be read or the output could not be written: exit status 2.
    Fatal,
}

impl Status {
    pub fn exit_code(self) -> ExitCode {
        ExitCode::from(self.code())
    }

    /// The exit status: 0, 1 or 2.
    pub fn code(self) -> u8 {
        match self {
            Status::Success => 0,
            Status::LineFailed => 1,
            Status::Fatal => 2,
        }
    }
}

/// What a subcommand made of one input line.
#[derive(Debug)]
pub enum Outcome {
    /// The output buffer holds the output line.
    Written,
    /// The output buffer holds the output line, which reports that the input
    /// line failed (exit status 1).
    WrittenFailed,
    /// The line failed: nothing goes to stdout, and the message goes to
    /// stderr as `line N: <message>`.
    Failed(String),
}

/// Read buffer and output buffer size.
pub(crate) const IO_CAPACITY: usize = 64 * 1024;
/// A line buffer that grew past this for one huge line is given back afterwards.
const KEEP_CAPACITY: usize = 1 << 20;

pub(crate) enum Source<'p> {
    Stdin,
    File(&'p Path),
}

impl Source<'_> {
    fn open(&self) -> io::Result<Box<dyn Read>> {
        Ok(match self {
            Source::Stdin => Box::new(io::stdin().lock()),
            Source::File(path) => Box::new(File::open(path)?),
        })
    }
}

impl fmt::Display for Source<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Stdin => f.write_str("<stdin>"),
            Source::File(path) => write!(f, "{}", path.display()),
        }
    }
}

/// Removes one trailing LF, then one trailing CR.
pub fn strip_line_ending(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Writes a diagnostic to stderr; a closed stderr is ignored rather than a panic.
pub fn report(message: fmt::Arguments<'_>) {
    emit(tracing::Level::INFO, message);
}

/// Says on standard error that something went wrong but the command goes on
/// (a fetch failed and the last keys are kept, a file could not be
/// reopened): as [`report`], at level `warn` in `--log-format json`.
pub fn warn(message: fmt::Arguments<'_>) {
    emit(tracing::Level::WARN, message);
}

/// One message at `level`: a JSON object in `--log-format json` (as every
/// other event of the process), the text itself otherwise.
fn emit(level: tracing::Level, message: fmt::Arguments<'_>) {
    if crate::logging::is_json() {
        if level == tracing::Level::WARN {
            tracing::warn!("{message}");
        } else {
            tracing::info!("{message}");
        }
        return;
    }
    let _ = writeln!(io::stderr().lock(), "{message}");
}

/// The sources named by `inputs`: standard input when there are none.
pub(crate) fn sources(inputs: &Inputs) -> Vec<Source<'_>> {
    if inputs.files.is_empty() {
        vec![Source::Stdin]
    } else {
        inputs
            .files
            .iter()
            .map(|path| if path.as_os_str() == "-" { Source::Stdin } else { Source::File(path) })
            .collect()
    }
}

/// Runs `body` with a buffered standard output, then flushes it. A closed
/// reader (`cef parse big.log | head`) ends the run quietly; any other
/// output error is reported and makes the run fatal.
pub(crate) fn with_output(
    body: impl FnOnce(&mut BufWriter<io::StdoutLock<'static>>, &mut Status) -> io::Result<()>,
) -> Status {
    let mut out = BufWriter::with_capacity(IO_CAPACITY, io::stdout().lock());
    let mut status = Status::Success;
    let result = body(&mut out, &mut status).and_then(|()| out.flush());
    match result {
        Ok(()) => status,
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => status,
        Err(err) => {
            report(format_args!("cef: cannot write output: {err}"));
            Status::Fatal
        }
    }
}

/// What [`read_lines`] hands its callback.
pub(crate) enum Event<'l> {
    /// Line `number` (from 1 in each input) without its line ending.
    Line { number: u64, line: &'l [u8] },
    /// The reader is about to wait for more input, is about to report an
    /// input error, or has reached the end of an input: finish pending work
    /// and flush, so that a follower (`tail -f | cef ...`) sees it.
    Idle,
}

/// Reads the sources in order, one line at a time into a reused buffer, and
/// calls `on` for each line and each pause. Input errors are reported here
/// (after an `Idle`) and the run goes on with the next input; an error from
/// `on` (an output error) ends the run and is returned.
pub(crate) fn read_lines(
    sources: &[Source<'_>],
    status: &mut Status,
    mut on: impl FnMut(&Source<'_>, Event<'_>, &mut Status) -> io::Result<()>,
) -> io::Result<()> {
    let mut line = Vec::with_capacity(IO_CAPACITY);
    for source in sources {
        let mut reader = match source.open() {
            Ok(reader) => BufReader::with_capacity(IO_CAPACITY, reader),
            Err(err) => {
                on(source, Event::Idle, status)?;
                report(format_args!("cef: {source}: {err}"));
                *status = (*status).max(Status::Fatal);
                continue;
            }
        };
        let mut number: u64 = 0;
        loop {
            // About to wait for more input: let a follower see what is done so
            // far. Large inputs still write in big blocks.
            if reader.buffer().is_empty() {
                on(source, Event::Idle, status)?;
            }
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {}
                Err(err) => {
                    on(source, Event::Idle, status)?;
                    report(format_args!("cef: {source}: {err}"));
                    *status = (*status).max(Status::Fatal);
                    break;
                }
            }
            number += 1;
            on(source, Event::Line { number, line: strip_line_ending(&line) }, status)?;
            if line.capacity() > KEEP_CAPACITY {
                line = Vec::with_capacity(IO_CAPACITY);
            }
        }
        on(source, Event::Idle, status)?;
    }
    Ok(())
}

/// Runs `handle` on every line of `inputs`, in order. `handle` gets the line
/// without its line ending and an empty buffer for the output line (without
/// a line ending). With more than one input, stderr messages start with the
/// input's name and line numbers restart at 1 for each input.
pub fn run(inputs: &Inputs, mut handle: impl FnMut(&[u8], &mut Vec<u8>) -> io::Result<Outcome>) -> Status {
    let sources = sources(inputs);
    let named = sources.len() > 1;
    let mut output = Vec::with_capacity(IO_CAPACITY);
    with_output(|out, status| {
        read_lines(&sources, status, |source, event, status| {
            let (number, line) = match event {
                Event::Idle => return out.flush(),
                Event::Line { number, line } => (number, line),
            };
            output.clear();
            match handle(line, &mut output)? {
                Outcome::Written => write_line(out, &output)?,
                Outcome::WrittenFailed => {
                    *status = (*status).max(Status::LineFailed);
                    write_line(out, &output)?;
                }
                Outcome::Failed(message) => {
                    *status = (*status).max(Status::LineFailed);
                    // Keep stdout and stderr in order on a terminal.
                    out.flush()?;
                    if named {
                        report(format_args!("{source}: line {number}: {message}"));
                    } else {
                        report(format_args!("line {number}: {message}"));
                    }
                }
            }
            if output.capacity() > KEEP_CAPACITY {
                output = Vec::with_capacity(IO_CAPACITY);
            }
            Ok(())
        })
    })
}

/// Consecutive lines of one input, handed to a chunk handler (see `parallel::run`).
pub struct Chunk<'c> {
    /// The input's name when there are several inputs (for messages), else `None`.
    pub input: Option<&'c str>,
    /// The number of the first line (from 1 in each input).
    pub first_number: u64,
    /// The lines, without their line endings.
    pub lines: &'c [&'c [u8]],
}

fn write_line(out: &mut impl Write, line: &[u8]) -> io::Result<()> {
    out.write_all(line)?;
    out.write_all(b"\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_one_lf_then_one_cr() {
        assert_eq!(strip_line_ending(b"a\r\n"), b"a");
        assert_eq!(strip_line_ending(b"a\n"), b"a");
        assert_eq!(strip_line_ending(b"a"), b"a");
        assert_eq!(strip_line_ending(b"a\r"), b"a");
        assert_eq!(strip_line_ending(b"a\n\n"), b"a\n");
        assert_eq!(strip_line_ending(b""), b"");
    }
}
