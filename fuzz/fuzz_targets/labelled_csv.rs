#![no_main]

use libfuzzer_sys::fuzz_target;
use moderate::extract::Format;

// The labelled tables `train` and `evaluate` read: a comments table that must have a label
// column (see `LabelledInputs::read`).
fuzz_target!(|data: &[u8]| {
    moderate_fuzz::read_table(data, "fuzz.csv", Format::Csv, true);
});
