//! Writing output files: atomically for regular files, directly for everything else.
//!
//! A baseline that is half-written because CI killed the job is worse than no
//! baseline, so regular files are written to a temporary file in the same
//! directory and renamed over the target. Devices and FIFOs (`/dev/null`,
//! `/dev/stdout`) are written in place: renaming over them would replace the device.

use std::fs;
use std::io::Write;
use std::path::Path;

use crate::error::{Error, Result};

/// Writes `bytes` to `path`, or to standard output when `path` is `-`.
pub fn write_file(path: &str, bytes: &[u8]) -> Result<()> {
    write_file_with(path, |out| out.write_all(bytes))
}

/// [`write_file`] for content that is written as it is produced (a large
/// snapshot is serialized straight into the file, never held whole in memory).
pub fn write_file_with(
    path: &str,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<()> {
    if path == "-" {
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        return write(&mut out)
            .and_then(|_| out.flush())
            .or_else(ignore_broken_pipe)
            .map_err(|e| Error::CantCreate(format!("cannot write to standard output: {e}")));
    }
    let target = Path::new(path);
    let cant = |e: std::io::Error| Error::CantCreate(format!("cannot write {path}: {e}"));
    match fs::metadata(target) {
        Ok(meta) if !meta.is_file() => {
            if meta.is_dir() {
                return Err(Error::CantCreate(format!(
                    "cannot write {path}: it is a directory"
                )));
            }
            let file = fs::OpenOptions::new()
                .write(true)
                .open(target)
                .map_err(cant)?;
            let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
            write(&mut out).and_then(|_| out.flush()).map_err(cant)
        }
        _ => write_atomic(target, write).map_err(cant),
    }
}

/// Creates the missing directories above `path`, so `--report junit=out/junit.xml`
/// works in a fresh checkout.
pub fn create_parent(path: &str) -> Result<()> {
    // A bare name (and `-`, standard output) has the empty path as its parent,
    // which `create_dir_all` accepts without creating anything.
    match Path::new(path).parent() {
        Some(dir) => fs::create_dir_all(dir)
            .map_err(|e| Error::CantCreate(format!("cannot create the directory of {path}: {e}"))),
        None => Ok(()),
    }
}

/// Appends `bytes` to `path`, creating it if needed: for files that several
/// steps add to, such as GitHub's job summary and step outputs.
pub fn append_file(path: &str, bytes: &[u8]) -> Result<()> {
    fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(bytes))
        .map_err(|e| Error::CantCreate(format!("cannot append to {path}: {e}")))
}

fn ignore_broken_pipe(e: std::io::Error) -> std::io::Result<()> {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        Ok(())
    } else {
        Err(e)
    }
}

/// Temporary files are named `.driftguard-XXXXXX.tmp` (six random letters
/// and digits), in the directory of the file they will replace.
const TEMP_PREFIX: &str = ".driftguard-";
const TEMP_SUFFIX: &str = ".tmp";
const TEMP_RANDOM: usize = 6;

/// A temporary file left by a run that was killed (SIGKILL leaves no chance
/// to remove it) is removed by the next write into that directory once it is
/// this old: no write takes an hour, so it is not another run's.
pub const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(3600);

fn write_atomic(
    target: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    // Next to the target, so that the rename stays on one file system.
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    remove_stale_temporaries(dir);
    // Created with O_EXCL under a random name: a file or symlink planted at a
    // guessable name can neither be followed nor be written through.
    let mut builder = tempfile::Builder::new();
    builder
        .prefix(TEMP_PREFIX)
        .suffix(TEMP_SUFFIX)
        .rand_bytes(TEMP_RANDOM);
    // As a plain create would: 0666 less the umask (tempfile's default is 0600).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    let temp = builder.tempfile_in(dir)?;
    #[cfg(unix)]
    let _pending = interrupt::pending(temp.path());
    let mut out = std::io::BufWriter::with_capacity(1 << 16, temp.as_file());
    write(&mut out)?;
    out.flush()?;
    drop(out);
    temp.as_file().sync_all()?;
    // On any error above, dropping `temp` removed the file.
    temp.persist(target).map_err(|e| e.error)?;
    #[cfg(unix)]
    interrupt::written();
    Ok(())
}

/// Whether `name` is one of the temporary names [`write_atomic`] makes.
fn is_temporary_name(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|random| {
            random.len() == TEMP_RANDOM && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Removes this user's temporary files in `dir` that are older than
/// [`STALE_AFTER`]: regular files only (never a symlink, whatever it points
/// at), with exactly the temporary name pattern. Failures are ignored: this
/// is tidying, not the write.
fn remove_stale_temporaries(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let now = std::time::SystemTime::now();
    for entry in entries.flatten() {
        if !entry.file_name().to_str().is_some_and(is_temporary_name) {
            continue;
        }
        // Not followed: the entry itself.
        let Ok(meta) = fs::symlink_metadata(entry.path()) else {
            continue;
        };
        let old = meta
            .modified()
            .ok()
            .and_then(|modified| now.duration_since(modified).ok())
            .is_some_and(|age| age > STALE_AFTER);
        if meta.file_type().is_file() && old && is_own(&meta) {
            let _ = fs::remove_file(entry.path());
        }
    }
}

#[cfg(unix)]
fn is_own(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid has no preconditions and cannot fail.
    meta.uid() == unsafe { libc::geteuid() }
}

#[cfg(not(unix))]
fn is_own(_: &fs::Metadata) -> bool {
    true
}

/// SIGINT and SIGTERM: remove the temporary file of a write in progress, say
/// so, and exit 128 + signal (130, 143). The target file is only ever replaced
/// by a rename, so the previous baseline stays intact — unless the signal
/// comes after the rename (the run was finishing, or sending notifications
/// after writing its reports): then the message says the files written
/// before it stay.
#[cfg(unix)]
pub mod interrupt {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    use std::path::Path;
    use std::ptr::null_mut;
    use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

    static TEMP: AtomicPtr<libc::c_char> = AtomicPtr::new(null_mut());
    /// A file of this run has been renamed into place.
    static WRITTEN: AtomicBool = AtomicBool::new(false);

    /// Records that a file of this run is in place.
    pub fn written() {
        WRITTEN.store(true, Ordering::SeqCst);
    }

    extern "C" fn on_signal(signal: libc::c_int) {
        // Only async-signal-safe calls here: unlink, write, _exit.
        let path = TEMP.swap(null_mut(), Ordering::SeqCst);
        // SAFETY: `path` is null or a NUL-terminated string that is never freed.
        unsafe {
            if !path.is_null() {
                libc::unlink(path);
            }
            let message: &[u8] = match (signal == libc::SIGINT, WRITTEN.load(Ordering::SeqCst)) {
                (true, false) => b"\ndriftguard: interrupted (SIGINT); nothing was written\ndriftguard: result=error exit=130\n",
                (false, false) => b"\ndriftguard: terminated (SIGTERM); nothing was written\ndriftguard: result=error exit=143\n",
                (true, true) => b"\ndriftguard: interrupted (SIGINT); the files written before it stay\ndriftguard: result=error exit=130\n",
                (false, true) => b"\ndriftguard: terminated (SIGTERM); the files written before it stay\ndriftguard: result=error exit=143\n",
            };
            libc::write(2, message.as_ptr().cast(), message.len());
            libc::_exit(128 + signal);
        }
    }

    pub fn install() {
        // SAFETY: installing a handler that only makes async-signal-safe calls.
        unsafe {
            libc::signal(libc::SIGINT, on_signal as *const () as libc::sighandler_t);
            libc::signal(libc::SIGTERM, on_signal as *const () as libc::sighandler_t);
        }
    }

    /// Marks `temp` as the file to remove if a signal arrives before it is renamed.
    pub struct Pending;

    pub fn pending(temp: &Path) -> Option<Pending> {
        // The string is deliberately leaked: the handler may still be reading it
        // on another thread while this write finishes.
        let c = CString::new(temp.as_os_str().as_bytes()).ok()?;
        TEMP.store(c.into_raw(), Ordering::SeqCst);
        Some(Pending)
    }

    impl Drop for Pending {
        fn drop(&mut self) {
            TEMP.store(null_mut(), Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Old and fresh temporary files, other names, a symlink and (as root) a
    /// file of another user: only this user's old regular temporary files go.
    #[cfg(unix)]
    #[test]
    fn stale_temporaries_are_this_users_old_regular_files_of_the_pattern() {
        use std::os::unix::fs::{chown, symlink};
        use std::time::{Duration, SystemTime};
        let dir = tempfile::tempdir().unwrap();
        let aged = |name: &str, age: Duration| {
            let path = dir.path().join(name);
            let file = fs::File::create(&path).unwrap();
            file.set_modified(SystemTime::now() - age).unwrap();
            path
        };
        let hour = STALE_AFTER;
        aged(".driftguard-aB3dE9.tmp", hour + Duration::from_secs(60));
        aged(".driftguard-fresh1.tmp", hour - Duration::from_secs(60));
        aged(".driftguard-toolong1.tmp", hour * 2);
        aged("baseline.json", hour * 2);
        let target = aged("kept.json", Duration::ZERO);
        symlink(&target, dir.path().join(".driftguard-link01.tmp")).unwrap();
        let other = aged(".driftguard-other1.tmp", hour * 2);
        // SAFETY: geteuid has no preconditions.
        let root = unsafe { libc::geteuid() } == 0;
        if root {
            chown(&other, Some(65534), Some(65534)).unwrap();
        }
        remove_stale_temporaries(dir.path());
        let mut expected = vec![
            ".driftguard-fresh1.tmp",
            ".driftguard-link01.tmp",
            ".driftguard-toolong1.tmp",
            "baseline.json",
            "kept.json",
        ];
        if root {
            expected.insert(2, ".driftguard-other1.tmp");
        }
        assert_eq!(entries(dir.path()), expected);
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_regular_file_is_replaced_whole_and_no_temporary_file_stays() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        fs::write(&path, "old").unwrap();
        write_file(path.to_str().unwrap(), b"new").unwrap();
        assert_eq!(fs::read_to_string(&path).unwrap(), "new");
        assert_eq!(entries(dir.path()), ["baseline.json"]);
    }

    #[test]
    fn a_failed_write_keeps_the_old_file_and_removes_the_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        fs::write(&path, "old").unwrap();
        let err = write_file_with(path.to_str().unwrap(), |out| {
            out.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        })
        .unwrap_err();
        assert_eq!(err.exit_code(), 73);
        assert!(err.to_string().contains("disk full"), "{err}");
        assert_eq!(fs::read_to_string(&path).unwrap(), "old");
        assert_eq!(entries(dir.path()), ["baseline.json"]);
    }

    #[test]
    fn a_directory_is_refused_and_a_device_is_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_file(dir.path().to_str().unwrap(), b"x").unwrap_err();
        assert_eq!(err.exit_code(), 73);
        assert!(err.to_string().contains("it is a directory"), "{err}");
        // Renaming over /dev/null would replace the device with a file.
        write_file("/dev/null", b"x").unwrap();
        assert!(!fs::metadata("/dev/null").unwrap().is_file());
    }

    #[test]
    fn the_temporary_file_is_written_next_to_the_target() {
        // Same directory, same file system: the rename that publishes it is atomic.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("baseline.json");
        let mut seen = Vec::new();
        write_file_with(path.to_str().unwrap(), |out| {
            seen = entries(dir.path());
            out.write_all(b"x")
        })
        .unwrap();
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert!(is_temporary_name(&seen[0]), "{seen:?}");
        assert_eq!(entries(dir.path()), ["baseline.json"]);
    }

    #[test]
    fn temporary_names_are_exactly_the_pattern() {
        assert!(is_temporary_name(".driftguard-a1B2c3.tmp"));
        for other in [
            ".driftguard-a1B2c.tmp",
            ".driftguard-a1B2c3d.tmp",
            ".driftguard-a1B2c!.tmp",
            ".driftguard-a1B2c3.tmp~",
            "driftguard-a1B2c3.tmp",
            ".baseline.json.driftguard-123.tmp",
        ] {
            assert!(!is_temporary_name(other), "{other}");
        }
    }

    #[test]
    fn missing_parent_directories_are_created() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("reports/ci/junit.xml");
        create_parent(path.to_str().unwrap()).unwrap();
        assert!(dir.path().join("reports/ci").is_dir());
        // Standard output and a bare name need no directory.
        create_parent("-").unwrap();
        create_parent("junit.xml").unwrap();
        let blocked = dir.path().join("file");
        fs::write(&blocked, "").unwrap();
        let err = create_parent(blocked.join("x/y.xml").to_str().unwrap()).unwrap_err();
        assert_eq!(err.exit_code(), 73);
    }

    #[test]
    fn a_closed_pipe_is_not_an_error_but_other_failures_are() {
        let broken = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        assert!(ignore_broken_pipe(broken).is_ok());
        let other = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(ignore_broken_pipe(other).is_err());
    }
}
