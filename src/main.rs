//! The binary: parse, run, and map every outcome to its exit code (SPEC §5).

use clap::Parser;
use clap::error::ErrorKind;

use driftguard::app;
use driftguard::cli::Cli;
use driftguard::error::code;

fn main() {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are answers, not errors; every other clap error is a usage error.
            let exit = match e.kind() {
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => code::PASS,
                _ => code::USAGE,
            };
            std::process::exit(exit);
        }
    };
    let exit = match app::run(cli) {
        Ok(finished) => {
            if let Some(summary) = finished.summary {
                eprintln!("{summary}");
            }
            finished.code
        }
        Err(e) => {
            let exit = e.exit_code();
            eprintln!("driftguard: error: {e}");
            eprintln!("driftguard: result=error exit={exit}");
            exit
        }
    };
    std::process::exit(exit);
}
