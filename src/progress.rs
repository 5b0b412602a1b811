//! Progress display on a terminal; nothing when standard error is not one, or with --quiet.

use std::cell::Cell;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A spinner with a message, ticking by itself while a long step runs.
pub fn spinner(quiet: bool, message: &str) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::new_spinner().with_message(message.to_string());
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A bar over the input bytes, showing comments scored per second and the time left.
pub struct ScoreProgress {
    bar: ProgressBar,
    comments: Cell<u64>,
}

impl ScoreProgress {
    pub fn new(quiet: bool, total_bytes: u64) -> Self {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            let bar = ProgressBar::new(total_bytes.max(1));
            if let Ok(style) =
                ProgressStyle::with_template("{bar:30} {percent:>3}% {msg} ({elapsed}, {eta} left)")
            {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        };
        ScoreProgress {
            bar,
            comments: Cell::new(0),
        }
    }

    /// Counts scored comments and finished input bytes.
    pub fn advance(&self, comments: usize, bytes: u64) {
        self.bar.inc(bytes);
        if comments > 0 {
            let total = self.comments.get() + comments as u64;
            self.comments.set(total);
            let per_second = total as f64 / self.bar.elapsed().as_secs_f64().max(1e-3);
            self.bar
                .set_message(format!("{total} comments, {per_second:.0}/s"));
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
