#![no_main]

use libfuzzer_sys::fuzz_target;
use moderate::extract::markers::Markers;
use moderate::extract::{ExtractOptions, Format};

fuzz_target!(
    // The shipped lexicon is compiled once, on first use (about 2 s with the sanitizer):
    // compile it before the clock so it is not reported as a slow input.
    init: {
        Markers::default_markers();
    },
    |data: &[u8]| {
        moderate_fuzz::read(data, "fuzz.txt", Format::Text, &ExtractOptions::default());
    }
);
