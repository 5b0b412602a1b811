#![no_main]

use libfuzzer_sys::fuzz_target;
use moderate::extract::Format;

fuzz_target!(|data: &[u8]| {
    moderate_fuzz::read_table(data, "fuzz.csv", Format::Csv, false);
    moderate_fuzz::read_articles(data, "fuzz.csv");
});
