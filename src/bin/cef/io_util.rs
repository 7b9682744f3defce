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
        ExitCode::from(match self {
            Status::Success => 0,
            Status::LineFailed => 1,
            Status::Fatal => 2,
        })
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
const IO_CAPACITY: usize = 64 * 1024;
/// A line buffer that grew past this for one huge line is given back afterwards.
const KEEP_CAPACITY: usize = 1 << 20;

enum Source<'p> {
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
    let _ = writeln!(io::stderr().lock(), "{message}");
}

/// Runs `handle` on every line of `inputs`, in order. `handle` gets the line
/// without its line ending and an empty buffer for the output line (without
/// a line ending). With more than one input, stderr messages start with the
/// input's name and line numbers restart at 1 for each input.
pub fn run(inputs: &Inputs, mut handle: impl FnMut(&[u8], &mut Vec<u8>) -> io::Result<Outcome>) -> Status {
    let sources: Vec<Source<'_>> = if inputs.files.is_empty() {
        vec![Source::Stdin]
    } else {
        inputs
            .files
            .iter()
            .map(|path| if path.as_os_str() == "-" { Source::Stdin } else { Source::File(path) })
            .collect()
    };
    let named = sources.len() > 1;
    let mut out = BufWriter::with_capacity(IO_CAPACITY, io::stdout().lock());
    let mut status = Status::Success;
    let result = drive(&sources, named, &mut out, &mut status, &mut handle).and_then(|()| out.flush());
    match result {
        Ok(()) => status,
        // The reader went away (`cef parse big.log | head`): stop quietly.
        Err(err) if err.kind() == io::ErrorKind::BrokenPipe => status,
        Err(err) => {
            report(format_args!("cef: cannot write output: {err}"));
            Status::Fatal
        }
    }
}

/// The loop proper. Input errors are reported here and the run goes on with
/// the next input; an output error ends the run and is returned.
fn drive(
    sources: &[Source<'_>],
    named: bool,
    out: &mut impl Write,
    status: &mut Status,
    handle: &mut impl FnMut(&[u8], &mut Vec<u8>) -> io::Result<Outcome>,
) -> io::Result<()> {
    let mut line = Vec::with_capacity(IO_CAPACITY);
    let mut output = Vec::with_capacity(IO_CAPACITY);
    for source in sources {
        let mut reader = match source.open() {
            Ok(reader) => BufReader::with_capacity(IO_CAPACITY, reader),
            Err(err) => {
                out.flush()?;
                report(format_args!("cef: {source}: {err}"));
                *status = (*status).max(Status::Fatal);
                continue;
            }
        };
        let mut number: u64 = 0;
        loop {
            // About to wait for more input: let a follower (`tail -f | cef parse`)
            // see what is done so far. Large inputs still write in big blocks.
            if reader.buffer().is_empty() {
                out.flush()?;
            }
            line.clear();
            match reader.read_until(b'\n', &mut line) {
                Ok(0) => break,
                Ok(_) => {}
                Err(err) => {
                    out.flush()?;
                    report(format_args!("cef: {source}: {err}"));
                    *status = (*status).max(Status::Fatal);
                    break;
                }
            }
            number += 1;
            output.clear();
            match handle(strip_line_ending(&line), &mut output)? {
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
            if line.capacity() > KEEP_CAPACITY {
                line = Vec::with_capacity(IO_CAPACITY);
            }
            if output.capacity() > KEEP_CAPACITY {
                output = Vec::with_capacity(IO_CAPACITY);
            }
        }
    }
    Ok(())
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
