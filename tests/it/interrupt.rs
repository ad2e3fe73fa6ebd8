//! SIGINT / SIGTERM during `snapshot -o baseline.json`: the previous baseline
//! survives intact, no temporary file is left, and the exit code is 130 / 143.

use std::time::Duration;

use crate::util::Sandbox;

#[test]
fn an_interrupted_snapshot_leaves_the_previous_baseline_intact() {
    let sb = Sandbox::new();
    // Enough tables that the snapshot takes a while, so signals land mid-run.
    let mut ddl = String::new();
    for i in 0..1500 {
        ddl.push_str(&format!(
            "CREATE TABLE t{i} (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INT CHECK (b > 0), c REAL, d TEXT UNIQUE);
             CREATE INDEX t{i}_a ON t{i} (a) WHERE b > 1;"
        ));
    }
    sb.sqlite("big.db", &ddl);
    let previous = "{\"format\": \"driftguard.snapshot/1\", \"previous\": true}\n";
    let mut interrupted = 0;
    for (signal, code) in [(libc::SIGTERM, 143), (libc::SIGINT, 130)] {
        for delay_ms in [1u64, 30, 120, 400] {
            sb.write("baseline.json", previous);
            let child = std::process::Command::new(env!("CARGO_BIN_EXE_driftguard"))
                .current_dir(sb.dir.path())
                .args(["snapshot", "--db", "big.db", "-o", "baseline.json"])
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn");
            std::thread::sleep(Duration::from_millis(delay_ms));
            // SAFETY: sending a signal to our own child process.
            unsafe { libc::kill(child.id() as libc::pid_t, signal) };
            let out = child.wait_with_output().expect("wait");
            let content = sb.read("baseline.json");
            match out.status.code() {
                Some(c) if c == code => {
                    interrupted += 1;
                    let err = String::from_utf8_lossy(&out.stderr);
                    // After the rename the new baseline is in place, whole,
                    // and the message says so; before it, nothing changed.
                    if err.contains("the files written before it stay") {
                        assert!(content.starts_with("{\n  \"format\"") && content.ends_with("}\n"));
                    } else {
                        assert!(err.contains("nothing was written"), "{err}");
                        assert_eq!(
                            content, previous,
                            "an interrupted run must not touch the baseline"
                        );
                    }
                    assert!(
                        err.ends_with(&format!("driftguard: result=error exit={code}\n")),
                        "{err}"
                    );
                }
                Some(0) => {
                    assert!(content.starts_with("{\n  \"format\"") && content.ends_with("}\n"))
                }
                // Killed by the signal itself before `main` installed its handler.
                None => {
                    use std::os::unix::process::ExitStatusExt;
                    assert_eq!(out.status.signal(), Some(signal));
                    assert_eq!(content, previous);
                }
                other => panic!("unexpected exit {other:?} after {delay_ms} ms"),
            }
            let leftovers: Vec<String> = std::fs::read_dir(sb.dir.path())
                .unwrap()
                .filter_map(|e| e.ok().map(|e| e.file_name().to_string_lossy().into_owned()))
                .filter(|n| n.ends_with(".tmp"))
                .collect();
            assert!(
                leftovers.is_empty(),
                "temporary files left behind: {leftovers:?}"
            );
        }
    }
    assert!(
        interrupted >= 2,
        "no run was actually interrupted; the test proved nothing"
    );
}
