//! Eight bytes tested at once in a `u64` register, for the parser's scans:
//! an exact mark per byte (no carry crosses from one byte into the next),
//! so the lowest mark is the first byte found. The escaper's `any_in` only
//! asks whether a word holds a byte, and uses the cheaper inexact test.

/// The 8 bytes of `bytes` at `at`, little-endian (the first byte lowest),
/// or `None` when fewer than 8 are left.
#[inline(always)]
pub(crate) fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let word = bytes.get(at..at.checked_add(8)?)?;
    <[u8; 8]>::try_from(word).ok().map(u64::from_le_bytes)
}

const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each byte of `word` equal to `byte`.
#[inline(always)]
pub(crate) fn equal(word: u64, byte: u8) -> u64 {
    let x = word ^ (u64::from(byte) * 0x0101_0101_0101_0101);
    !(((x & LOW7) + LOW7) | x) & HIGH
}

/// The high bit of each byte of `word` below `limit` (at most 0x80): a
/// byte's high bit is set by adding `0x80 - limit` to its low seven bits
/// when it is `limit` or above, or by itself.
#[inline(always)]
pub(crate) fn below(word: u64, limit: u8) -> u64 {
    let add = u64::from(0x80u8.saturating_sub(limit)) * 0x0101_0101_0101_0101;
    !(((word & LOW7) + add) | word) & HIGH
}

/// The index of the first byte marked in `marks` (not zero).
#[inline(always)]
pub(crate) fn first(marks: u64) -> usize {
    (marks.trailing_zeros() / 8) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every byte value in every place, against a plain comparison.
    #[test]
    fn marks_are_exact_per_byte() {
        let marks = |bytes: &[u8; 8], test: &dyn Fn(u8) -> bool| {
            (0..8).filter(|&place| test(bytes[place])).fold(0u64, |marks, place| marks | 0x80 << (8 * place))
        };
        for filler in [b'a', 0xc3] {
            for place in 0..8 {
                for byte in 0..=255u8 {
                    let mut bytes = [filler; 8];
                    bytes[place] = byte;
                    let word = word_at(&bytes, 0).unwrap();
                    for target in [b' ', b'\\', b'|', 0x00, 0xff, 0xa0] {
                        let expected = marks(&bytes, &|b| b == target);
                        assert_eq!(equal(word, target), expected, "{bytes:02x?} = {target:#04x}");
                    }
                    for limit in [0x00, 0x0e, 0x21, 0x80] {
                        let expected = marks(&bytes, &|b| b < limit);
                        assert_eq!(below(word, limit), expected, "{bytes:02x?} < {limit:#04x}");
                    }
                    if byte == b' ' {
                        assert_eq!(first(equal(word, b' ')), place);
                    }
                }
            }
        }
        assert_eq!(word_at(b"1234567", 0), None);
        assert_eq!(word_at(b"123456789", 1), Some(u64::from_le_bytes(*b"23456789")));
        assert_eq!(word_at(b"x", usize::MAX), None);
    }
}
