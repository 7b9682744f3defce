//! Decimal digits written fast, for the renderers' integers:
//! eight digits at a time in one register (SWAR), appended with copies of
//! constant length.

/// Appends `n` in decimal: eight digits at a time, each group made in one
/// register (no table, no store and reload on the stack) and appended as
/// one 8-byte copy; the leading group is cut to its length afterwards.
#[inline]
pub(crate) fn write_decimal(n: u64, out: &mut Vec<u8>) {
    const GROUP: u64 = 100_000_000;
    if n < GROUP {
        write_leading_group(n as u32, out);
        return;
    }
    let last = (n % GROUP) as u32;
    let rest = n / GROUP;
    if rest < GROUP {
        write_leading_group(rest as u32, out);
    } else {
        write_leading_group((rest / GROUP) as u32, out);
        out.extend_from_slice(&eight_digits((rest % GROUP) as u32));
    }
    out.extend_from_slice(&eight_digits(last));
}

/// `value` (below 10^8) without leading zeros.
#[inline]
fn write_leading_group(value: u32, out: &mut Vec<u8>) {
    let len = value.checked_ilog10().map_or(1, |log| log as usize + 1).min(8);
    // The first digit is the lowest byte: shifting right drops the zeros.
    let digits = u64::from_le_bytes(eight_digits(value)) >> (8 * (8 - len));
    let start = out.len();
    out.extend_from_slice(&digits.to_le_bytes());
    out.truncate(start + len);
}

/// The eight ASCII digits of `value` (below 10^8, with leading zeros),
/// first digit first, by SWAR in one `u64`: split into two 4-digit lanes,
/// each into two 2-digit lanes, each into two digits; every division by a
/// constant is a multiplication and shift that is exact in its range (the
/// tests go through every lane value).
#[inline]
fn eight_digits(value: u32) -> [u8; 8] {
    debug_assert!(value < 100_000_000, "{value} has more than eight digits");
    // Wrapping arithmetic: a wider value gives wrong digits, never a panic.
    let value = u64::from(value);
    let first_four = value / 10_000;
    let fours = first_four | (value.wrapping_sub(first_four * 10_000) << 32);
    // In each 32-bit lane w < 10^4: w / 100 is (w * 5243) >> 19.
    let hundreds = (fours.wrapping_mul(5243) >> 19) & 0x0000_007f_0000_007f;
    let twos = (fours << 16).wrapping_sub(hundreds.wrapping_mul(100) << 16).wrapping_add(hundreds);
    // In each 16-bit lane v < 100: v / 10 is (v * 103) >> 10.
    let tens = (twos.wrapping_mul(103) >> 10) & 0x000f_000f_000f_000f;
    let ones = (twos << 8).wrapping_sub(tens.wrapping_mul(10) << 8).wrapping_add(tens);
    (ones | 0x3030_3030_3030_3030).to_le_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_group_lane_value_is_exact() {
        // Each 2-digit lane value 0-99 in each position, and each 4-digit
        // lane value 0-9999 in both halves.
        for four in 0..10_000u32 {
            for value in [four, four * 10_000, four * 10_000 + (9999 - four)] {
                assert_eq!(eight_digits(value), format!("{value:08}").as_bytes(), "{value}");
            }
        }
        for value in [0, 1, 99_999_999, 12_345_678, 90_000_009] {
            assert_eq!(eight_digits(value), format!("{value:08}").as_bytes());
        }
    }

    #[test]
    fn decimals_are_written_as_display_writes_them() {
        let mut samples = vec![0, 1, 9, u64::MAX, u64::MAX - 1];
        let mut power = 1u64;
        while let Some(next) = power.checked_mul(10) {
            samples.extend([power - 1, power, power + 1, next - 1]);
            power = next;
        }
        for n in samples {
            let mut out = b"x".to_vec();
            write_decimal(n, &mut out);
            assert_eq!(out, format!("x{n}").as_bytes(), "{n}");
        }
    }
}
