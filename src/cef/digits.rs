//! Fixed-width ASCII digits of syslog times, read and written by hand.
//! Errors are [`ErrorKind::InvalidPrefix`](crate::ErrorKind::InvalidPrefix) at the byte that does not fit.

use chrono::{NaiveTime, Timelike};

use crate::error::{Error, ErrorKind, Result};

#[cold]
pub(crate) fn bad(offset: usize) -> Error {
    Error::at(ErrorKind::InvalidPrefix, offset)
}

/// Reads `N` ASCII digits at `at`.
pub(crate) fn digits_at(bytes: &[u8], at: usize, count: usize) -> Result<u32> {
    let slice = bytes.get(at..at + count).ok_or_else(|| bad(at))?;
    slice.iter().enumerate().try_fold(0u32, |n, (i, b)| {
        if b.is_ascii_digit() { Ok(n * 10 + u32::from(b - b'0')) } else { Err(bad(at + i)) }
    })
}

pub(crate) fn expect(bytes: &[u8], at: usize, byte: u8) -> Result<()> {
    if bytes.get(at) == Some(&byte) { Ok(()) } else { Err(bad(at)) }
}

pub(crate) fn write_two(value: u32, out: &mut Vec<u8>) {
    out.push(b'0' + (value / 10 % 10) as u8);
    out.push(b'0' + (value % 10) as u8);
}

pub(crate) fn write_clock(time: NaiveTime, out: &mut Vec<u8>) {
    write_two(time.hour(), out);
    out.push(b':');
    write_two(time.minute(), out);
    out.push(b':');
    write_two(time.second().min(59), out);
}
