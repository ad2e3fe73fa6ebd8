//! The binary: parse, run, and map every outcome to its exit code.

use clap::Parser;
use clap::error::ErrorKind;

use driftguard::app;
use driftguard::cli::Cli;
use driftguard::error::code;

fn main() {
    // A panic is a bug: say so in one paragraph and exit 70, never 101 with a trace.
    std::panic::set_hook(Box::new(|info| {
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!(" at {}:{}", l.file(), l.line()))
            .unwrap_or_default();
        driftguard::say!(
            "driftguard: error: internal error: {}{place}; this is a bug, please report it",
            driftguard::escape::terminal(&what)
        );
        driftguard::say!("driftguard: result=error exit={}", code::INTERNAL);
        std::process::exit(code::INTERNAL);
    }));
    // Lets the test suite prove the mapping above without a real bug.
    if std::env::var_os("DRIFTGUARD_TEST_PANIC").is_some() {
        panic!("DRIFTGUARD_TEST_PANIC is set");
    }
    #[cfg(unix)]
    driftguard::output::interrupt::install();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are answers, not errors; every other clap error is
            // a usage error, and ends with the summary line like every failure.
            match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
                    std::process::exit(code::PASS)
                }
                _ => {
                    driftguard::say!("driftguard: result=error exit={}", code::USAGE);
                    std::process::exit(code::USAGE);
                }
            }
        }
    };
    let exit = match app::run(cli) {
        Ok(finished) => {
            if let Some(summary) = finished.summary {
                driftguard::say!("{summary}");
            }
            finished.code
        }
        Err(e) => {
            let exit = e.exit_code();
            // Messages quote names, values and servers' replies: made visible.
            driftguard::say!(
                "driftguard: error: {}",
                driftguard::escape::terminal(&e.to_string())
            );
            driftguard::say!("driftguard: result=error exit={exit}");
            exit
        }
    };
    std::process::exit(exit);
}
