//! Fixed-point decimals for tables, written straight into a buffer: the same characters as
//! `format!("{:.N}")` (exact value of the float, ties to even) without the general float
//! formatter, which dominated writing a scored row.

use std::fmt::Write;

/// Appends `value` with `decimals` digits after the point (at most 6), and a `+` before a
/// positive number when `plus` is set: exactly what `{:.N}` / `{:+.N}` print.
pub fn push_fixed(out: &mut String, value: f32, decimals: u32, plus: bool) {
    let Some(scaled) = scaled(value, decimals) else {
        // Large or not finite: the general formatter (never for probabilities and weights).
        let d = decimals as usize;
        let _ = if plus {
            write!(out, "{value:+.d$}")
        } else {
            write!(out, "{value:.d$}")
        };
        return;
    };
    if value.is_sign_negative() {
        out.push('-');
    } else if plus {
        out.push('+');
    }
    let unit = 10u64.pow(decimals);
    let _ = write!(out, "{}", scaled / unit);
    if decimals > 0 {
        let mut digits = [b'0'; 6];
        let mut fraction = scaled % unit;
        for digit in digits[..decimals as usize].iter_mut().rev() {
            *digit = b'0' + (fraction % 10) as u8;
            fraction /= 10;
        }
        out.push('.');
        for &digit in &digits[..decimals as usize] {
            out.push(char::from(digit));
        }
    }
}

/// |value| × 10^decimals rounded to the nearest integer, ties to even, computed exactly from
/// the float's bits; `None` outside [0, 2²⁴) or for more than 6 decimals.
fn scaled(value: f32, decimals: u32) -> Option<u64> {
    if !value.is_finite() || value.abs() >= 16_777_216.0 || decimals > 6 {
        return None;
    }
    let bits = value.abs().to_bits();
    let exponent = (bits >> 23) as i32;
    let fraction = u64::from(bits & 0x7F_FFFF);
    // |value| = mantissa × 2^-shift exactly.
    let (mantissa, shift) = if exponent == 0 {
        (fraction, 149)
    } else {
        (fraction | 0x80_0000, 150 - exponent)
    };
    let x = u128::from(mantissa) * u128::from(10u64.pow(decimals));
    if shift <= 0 {
        return u64::try_from(x << (-shift) as u32).ok();
    }
    let shift = shift as u32;
    if shift >= 127 {
        // Below 2^-103 × 10^6: rounds to zero.
        return Some(0);
    }
    let quotient = x >> shift;
    let remainder = x & ((1u128 << shift) - 1);
    let half = 1u128 << (shift - 1);
    let up = remainder > half || (remainder == half && quotient & 1 == 1);
    u64::try_from(quotient + u128::from(up)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(value: f32) {
        for (decimals, plus) in [(4, false), (2, true), (2, false), (0, false), (6, true)] {
            let mut out = String::new();
            push_fixed(&mut out, value, decimals, plus);
            let d = decimals as usize;
            let expected = if plus {
                format!("{value:+.d$}")
            } else {
                format!("{value:.d$}")
            };
            assert_eq!(out, expected, "{value:e} with {decimals} decimals");
        }
    }

    #[test]
    fn prints_what_the_standard_formatter_prints() {
        // Ties (odd multiples of 1/32 are exact halves at four decimals), their neighbours,
        // subnormals, signs, and a sweep of bit patterns over [0, 1] and beyond.
        for j in 0..=64 {
            let v = j as f32 / 32.0;
            for w in [
                v,
                f32::from_bits(v.to_bits() + 1),
                f32::from_bits(v.to_bits().max(1) - 1),
            ] {
                check(w);
                check(-w);
            }
        }
        for v in [
            0.0,
            -0.0,
            f32::MIN_POSITIVE,
            1e-45,
            5e-5,
            0.99995,
            1.0,
            123.456,
            1e7,
            3e9,
        ] {
            check(v);
            check(-v);
        }
        check(f32::NAN);
        check(f32::INFINITY);
        let mut bits = 1u32;
        while bits < 0x4B80_0000 {
            check(f32::from_bits(bits));
            bits += 40_009;
        }
    }
}
