//! Reading input files (baselines, snapshots, the policy file, CA certificates):
//! every file a user names is read through [`open`] or [`read`], and nowhere else.
//!
//! - The limit applies to the bytes actually read, never to the size a file
//!   reports: `/dev/zero`, a FIFO or a file that grows while it is read stop at
//!   `limit + 1` bytes and are refused as too large.
//! - Opening never blocks: a FIFO is opened non-blocking (on Unix), so one that
//!   nobody writes to is not a hang. driftguard waits up to [`WRITER_WAIT`]
//!   for a writer to open it (so `producer > fifo & driftguard … fifo` works
//!   whichever starts first), then refuses it. A writer that is connected is
//!   read as long as it writes, like any Unix tool reads a pipe, bounded by the
//!   byte limit (`driftguard diff <(git show main:schema.json) schema.json`).
//! - A directory is refused by name, not with the operating system's EISDIR.
//! - Nesting: [`nesting`] bounds how deeply a YAML or JSON text nests before it
//!   is handed to a parser.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::Duration;

pub mod nesting;

/// CA certificate files (`--ca-cert`, `sslrootcert`, `ssl-ca`): a whole system
/// bundle is a few hundred KiB.
pub const MAX_PEM_BYTES: u64 = 16 * 1024 * 1024;

/// How long a FIFO with no writer is waited for before it is refused.
pub const WRITER_WAIT: Duration = Duration::from_secs(5);

/// Why an input could not be read. The caller turns it into its own message
/// and exit code (a baseline's size is bad data, 65; a policy file's, 78).
#[derive(Debug)]
pub enum InputError {
    /// Nothing at that path.
    Missing,
    /// A directory, not a file.
    Directory,
    /// More than `limit` bytes: `size` is the size a regular file reports, when
    /// it was refused on that alone.
    TooLarge { limit: u64, size: Option<u64> },
    /// A FIFO that no writer opened within [`WRITER_WAIT`].
    NoWriter,
    /// Anything else the operating system said.
    Io(io::Error),
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InputError::Missing => f.write_str("no such file"),
            InputError::Directory => f.write_str("it is a directory"),
            InputError::TooLarge { limit, size } => {
                if let Some(size) = size {
                    write!(f, "it is {}, ", human(*size))?;
                } else {
                    f.write_str("it is ")?;
                }
                write!(f, "over the {} limit", human(*limit))
            }
            InputError::NoWriter => write!(
                f,
                "it is a FIFO that no process opened for writing within {} s",
                WRITER_WAIT.as_secs()
            ),
            InputError::Io(e) => write!(f, "{e}"),
        }
    }
}

/// `512 MiB`, `1 MiB`, or bytes below one MiB.
pub fn human(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if (bytes >= MIB && bytes.is_multiple_of(MIB)) || bytes >= 16 * MIB {
        format!("{} MiB", bytes / MIB)
    } else {
        format!("{bytes} bytes")
    }
}

/// The marker inside the [`io::Error`] that [`Bounded`] returns past its limit.
#[derive(Debug)]
struct OverLimit(u64);

impl std::fmt::Display for OverLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "more than {} bytes", self.0)
    }
}

impl std::error::Error for OverLimit {}

#[derive(Debug)]
struct NoWriterYet;

impl std::fmt::Display for NoWriterYet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("no writer")
    }
}

impl std::error::Error for NoWriterYet {}

impl From<io::Error> for InputError {
    /// Recovers the reader's own refusals from the [`io::Error`] that carried
    /// them through a parser or `read_to_end`.
    fn from(e: io::Error) -> InputError {
        if let Some(limit) = e.get_ref().and_then(|i| i.downcast_ref::<OverLimit>()) {
            return InputError::TooLarge {
                limit: limit.0,
                size: None,
            };
        }
        if e.get_ref().is_some_and(|i| i.is::<NoWriterYet>()) {
            return InputError::NoWriter;
        }
        match e.kind() {
            io::ErrorKind::NotFound => InputError::Missing,
            io::ErrorKind::IsADirectory => InputError::Directory,
            _ => InputError::Io(e),
        }
    }
}

/// An open input that yields at most `limit` bytes: reading the byte after
/// them is an error ([`InputError::TooLarge`] once converted).
#[derive(Debug)]
pub struct Bounded<R = File> {
    inner: R,
    limit: u64,
    read: u64,
    /// A regular file (read as it is) rather than a FIFO or device (waited on).
    regular: bool,
    /// Some writer had the FIFO open at some point: an empty read is then the end.
    writer_seen: bool,
    /// The size a regular file reports, to read it into one allocation.
    size: Option<u64>,
}

impl<R> Bounded<R> {
    /// Bounds any reader (a regular file's semantics: an empty read is the end).
    pub fn new(inner: R, limit: u64) -> Bounded<R> {
        Bounded {
            inner,
            limit,
            read: 0,
            regular: true,
            writer_seen: true,
            size: None,
        }
    }

    /// Whether this input is a regular file, which can be opened and read again.
    pub fn is_regular(&self) -> bool {
        self.regular
    }
}

impl<R: Read + WaitForData> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.read > self.limit {
            return Err(io::Error::other(OverLimit(self.limit)));
        }
        // Never ask for more than one byte past the limit.
        let room = (self.limit + 1 - self.read).min(buf.len() as u64) as usize;
        let n = loop {
            match self.inner.read(&mut buf[..room]) {
                Ok(0) if !self.regular && !self.writer_seen && room > 0 => {
                    // A FIFO with no writer reads as empty: wait for one to
                    // come, at most WRITER_WAIT.
                    if !self.inner.wait(WRITER_WAIT)? {
                        return Err(io::Error::other(NoWriterYet));
                    }
                    self.writer_seen = true;
                }
                Ok(n) => break n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    // A writer is there but has nothing yet: wait as long as it
                    // stays (it ends the wait by writing or closing).
                    self.writer_seen = true;
                    self.inner.wait(Duration::MAX)?;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        self.writer_seen = true;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(io::Error::other(OverLimit(self.limit)));
        }
        Ok(n)
    }
}

/// Waiting for a non-blocking input to have something to read.
pub trait WaitForData {
    /// Waits up to `timeout` for data or a hang-up; `false` when it timed out.
    fn wait(&mut self, timeout: Duration) -> io::Result<bool>;
}

impl WaitForData for &[u8] {
    fn wait(&mut self, _: Duration) -> io::Result<bool> {
        Ok(true)
    }
}

impl WaitForData for File {
    #[cfg(unix)]
    fn wait(&mut self, timeout: Duration) -> io::Result<bool> {
        use std::os::fd::AsRawFd;
        let deadline = std::time::Instant::now().checked_add(timeout);
        loop {
            let ms = match deadline {
                None => -1,
                Some(deadline) => deadline
                    .saturating_duration_since(std::time::Instant::now())
                    .as_millis()
                    .min(i32::MAX as u128) as i32,
            };
            let mut fd = libc::pollfd {
                fd: self.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd for the duration of the call.
            match unsafe { libc::poll(&mut fd, 1, ms) } {
                0 => return Ok(false),
                n if n > 0 => return Ok(true),
                _ => {
                    let e = io::Error::last_os_error();
                    if e.kind() != io::ErrorKind::Interrupted {
                        return Err(e);
                    }
                }
            }
        }
    }

    #[cfg(not(unix))]
    fn wait(&mut self, _: Duration) -> io::Result<bool> {
        Ok(true)
    }
}

/// Opens `path` for bounded reading without ever blocking in `open(2)`.
/// A regular file that reports more than `limit` bytes is refused at once.
pub fn open(path: &Path, limit: u64) -> Result<Bounded, InputError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Non-blocking, so that opening a FIFO with no writer returns at once;
        // no controlling terminal from a tty path.
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path).map_err(InputError::from)?;
    // What was opened, not what the path named a moment before.
    let meta = file.metadata().map_err(InputError::from)?;
    if meta.is_dir() {
        return Err(InputError::Directory);
    }
    let regular = meta.is_file();
    if regular {
        if meta.len() > limit {
            return Err(InputError::TooLarge {
                limit,
                size: Some(meta.len()),
            });
        }
        #[cfg(unix)]
        blocking(&file).map_err(InputError::Io)?;
    }
    Ok(Bounded {
        inner: file,
        limit,
        read: 0,
        regular,
        writer_seen: false,
        size: regular.then_some(meta.len()),
    })
}

/// Clears `O_NONBLOCK` again (for a regular file it changes nothing, but reads
/// should not depend on that).
#[cfg(unix)]
fn blocking(file: &File) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this process owns.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags < 0 || libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Reads all of `path`, at most `limit` bytes.
pub fn read(path: &Path, limit: u64) -> Result<Vec<u8>, InputError> {
    let mut input = open(path, limit)?;
    read_all(&mut input)
}

/// Reads the rest of an input, at most its limit.
pub fn read_all<R: Read + WaitForData>(input: &mut Bounded<R>) -> Result<Vec<u8>, InputError> {
    // A regular file fits one allocation (one byte more: the read that finds
    // its end); a FIFO or device grows the buffer as it goes.
    let expected = input.size.map_or(0, |size| size.min(input.limit) + 1);
    let mut bytes = Vec::with_capacity(usize::try_from(expected).unwrap_or(0));
    input.read_to_end(&mut bytes).map_err(InputError::from)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Any source of exactly `limit` bytes is read whole; one byte more is
        /// refused, whatever the limit and however the reads are split.
        #[test]
        fn the_limit_counts_the_bytes_read(limit in 0u64..300, extra in 0u64..40, chunk in 1usize..70) {
            let size = (limit + extra).saturating_sub(20);
            let data = vec![b'a'; size as usize];
            let mut bounded = Bounded::new(Chunked(&data, chunk), limit);
            let result = read_all(&mut bounded);
            if size <= limit {
                prop_assert_eq!(result.unwrap(), data);
            } else {
                let refused = matches!(result, Err(InputError::TooLarge { limit: l, size: None }) if l == limit);
                prop_assert!(refused);
                // Never more than one byte past the limit was asked for.
                prop_assert!(bounded.read <= limit + 1);
            }
        }

        /// Files on disk: the reported size refuses before reading.
        #[test]
        fn a_file_at_the_limit_is_read_and_one_byte_more_is_refused(limit in 0u64..5000, over in any::<bool>()) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("f");
            let size = limit + u64::from(over);
            std::fs::write(&path, vec![b'x'; size as usize]).unwrap();
            match read(&path, limit) {
                Ok(bytes) => prop_assert!(!over && bytes.len() as u64 == limit),
                Err(InputError::TooLarge { limit: l, size: Some(s) }) => {
                    prop_assert!(over);
                    prop_assert_eq!((l, s), (limit, size));
                }
                Err(e) => prop_assert!(false, "{e}"),
            }
        }
    }

    /// A reader that hands out at most `n` bytes per call.
    struct Chunked<'a>(&'a [u8], usize);

    impl Read for Chunked<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.1.min(buf.len()).min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    impl WaitForData for Chunked<'_> {
        fn wait(&mut self, _: Duration) -> io::Result<bool> {
            Ok(true)
        }
    }

    #[test]
    fn missing_and_directories_are_named() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            read(&dir.path().join("nope"), 10),
            Err(InputError::Missing)
        ));
        assert!(matches!(read(dir.path(), 10), Err(InputError::Directory)));
    }

    #[cfg(unix)]
    #[test]
    fn a_device_is_bounded_by_what_is_read() {
        // /dev/zero reports size 0 and never ends.
        let err = read(Path::new("/dev/zero"), 1000).unwrap_err();
        assert!(
            matches!(
                err,
                InputError::TooLarge {
                    limit: 1000,
                    size: None
                }
            ),
            "{err}"
        );
        assert_eq!(err.to_string(), "it is over the 1000 bytes limit");
        assert_eq!(read(Path::new("/dev/null"), 10).unwrap(), b"");
    }

    #[test]
    fn sizes_are_shown_in_mib_when_round() {
        assert_eq!(human(512 * 1024 * 1024), "512 MiB");
        assert_eq!(human(1024 * 1024), "1 MiB");
        assert_eq!(human(1000), "1000 bytes");
        assert_eq!(human(600 * 1024 * 1024 + 5), "600 MiB");
    }
}
