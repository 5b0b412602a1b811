#![no_main]

use libfuzzer_sys::fuzz_target;
use moderate::extract::{ExtractOptions, Format};

fuzz_target!(|data: &[u8]| {
    moderate_fuzz::read(data, "fuzz.html", Format::Html, &ExtractOptions::default());
});
