//! The HTML report in a real browser: headless Chromium loads it from disk, runs its script
//! without console errors, and shows the expected counts. `.ci/run` installs Debian's
//! chromium; elsewhere the test is skipped (with a note) when no chromium is installed.

mod common;

use std::process::Command;

use common::{fixture, Workdir};

fn chromium() -> Option<String> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| {
            Command::new(name)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .map(str::to_string)
}

#[test]
fn the_report_loads_without_console_errors_and_shows_the_counts() {
    let Some(browser) = chromium() else {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must install chromium (see .ci/run)"
        );
        eprintln!("skipping: no chromium installed");
        return;
    };
    let wd = Workdir::new();
    let dumps = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("data/dumps");
    let inputs: Vec<String> = std::fs::read_dir(&dumps)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e != "md"))
        .map(|p| p.display().to_string())
        .collect();
    let mut args: Vec<&str> = vec!["flag"];
    args.extend(inputs.iter().map(String::as_str));
    let table = fixture("comments-table.csv");
    args.extend([
        table.as_str(),
        "--min-prob",
        "off-topic=0.2",
        "-o",
        "report.html",
    ]);
    wd.run_ok(&args);
    *args.last_mut().unwrap() = "report.csv";
    wd.run_ok(&args);
    let flagged = wd.read_csv("report.csv").len();
    assert!(flagged > 0);

    let profile = wd.path("profile");
    let output = Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=5000",
            &format!("--user-data-dir={}", profile.display()),
            "--dump-dom",
            &format!("file://{}", wd.path("report.html").display()),
        ])
        .output()
        .expect("run chromium");
    let dom = String::from_utf8_lossy(&output.stdout);
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(
        dom.contains("data-ready=\"yes\""),
        "the script ran to the end\n{log}"
    );
    assert!(
        dom.contains(&format!("data-shown=\"{flagged}\"")),
        "every flagged comment is shown"
    );
    assert!(dom.contains(&format!("{flagged} shown")));
    let errors: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("CONSOLE") && (l.contains("ERROR") || l.contains("Uncaught")))
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
}
