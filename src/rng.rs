//! SplitMix64, a small fixed generator: the same numbers for the same seed on every machine
//! and every build, which deterministic folds and hash seeds need (and which a general
//! random-number crate does not promise across versions).

/// The next number of the sequence, advancing `state`.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A number uniform in [0, 1) (the top 53 bits of the next number), for generated test and
/// benchmark data.
pub fn unit(state: &mut u64) -> f64 {
    (splitmix64(state) >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    #[test]
    fn matches_the_reference_sequence() {
        // First outputs of SplitMix64 from seed 0, as published with the algorithm.
        let mut state = 0;
        assert_eq!(super::splitmix64(&mut state), 0xE220_A839_7B1D_CDAF);
        assert_eq!(super::splitmix64(&mut state), 0x6E78_9E6A_A1B9_65F4);
    }
}
