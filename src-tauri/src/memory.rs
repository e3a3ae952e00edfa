//! Handing memory back to the system once the window has closed to the tray.
//!
//! Two things stay with the process after its webview went, which the tray, the scheduler and
//! the publisher do not need: heap that glibc's allocator keeps after GTK and WebKit freed it
//! (about 20 MB here), and the file pages that drawing the window mapped in: Tokdeck's own
//! executable (its IPC handlers, the embedded page: ~27 MB of the binary, against ~22 MB for a
//! start without a window) and the libraries of the webview (WebKit's, JavaScriptCore's, the
//! software renderer's). The heap is trimmed; every private file mapping that is read-only and
//! was never written is unmapped (`MADV_DONTNEED`), as Windows trims a minimised program's
//! working set. The pages stay in the kernel's page cache, so the few the scheduler and the
//! tray run come back as cheap minor faults, and the window's when it is opened again.
//! Mappings that were written (relocated data, the writable segments), shared mappings and
//! devices are left alone: unmapping those could lose what was written or is not a file's.

/// A mapping of the process (one `/proc/self/smaps` entry) as far as this module cares.
#[derive(Debug, PartialEq, Eq)]
struct Mapping {
    start: usize,
    end: usize,
    writable: bool,
    /// A private (copy-on-write) mapping, not one shared with other processes.
    private: bool,
    path: String,
    /// Pages of this mapping that are the process's own copy (written, or never from the file).
    anonymous_kb: u64,
    /// Pages of this mapping that are mapped in.
    rss_kb: u64,
}

/// After the window (and its webview) went. Runs on a thread of its own, a moment later, so
/// GTK's and WebKit's own clean-up after the window is done first.
pub fn release_after_window_closed() {
    let _ = std::thread::Builder::new()
        .name("release-memory".into())
        .spawn(|| {
            std::thread::sleep(std::time::Duration::from_secs(2));
            match hand_back() {
                Ok(kb) => tracing::info!(
                    released_kb = kb,
                    "window closed: heap trimmed and unused pages of the program and its libraries handed back"
                ),
                Err(e) => tracing::debug!(error = %e, "could not hand back file pages"),
            }
        });
}

/// Trims the heap and unmaps the never-written file pages now; answers the kB unmapped. Also
/// what the bench's floor program does when asked to be trimmed as Tokdeck trims.
pub fn hand_back() -> std::io::Result<u64> {
    trim_heap();
    drop_clean_file_pages()
}

/// Gives the allocator's free memory back to the system.
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator; it takes no pointer.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Unmaps the pages of every never-written private file mapping; answers the kB that were
/// mapped in.
#[cfg(target_os = "linux")]
fn drop_clean_file_pages() -> std::io::Result<u64> {
    let smaps = std::fs::read_to_string("/proc/self/smaps")?;
    let scope = Scope::from_env();
    let exe = std::fs::read_link("/proc/self/exe")?;
    let exe = exe.to_string_lossy();
    let mut released = 0;
    for m in parse_smaps(&smaps)
        .iter()
        .filter(|m| droppable(m) && scope.covers(m, &exe))
    {
        // SAFETY: the range is one whole private file mapping that is not writable and holds
        // no page of the process's own (checked just above from smaps): every page in it is
        // the file's, and MADV_DONTNEED on such a mapping only unmaps them; the next access
        // maps the same bytes in again from the page cache. No Rust reference into it is
        // invalidated: the bytes read afterwards are the same.
        let rc = unsafe {
            libc::madvise(
                m.start as *mut libc::c_void,
                m.end - m.start,
                libc::MADV_DONTNEED,
            )
        };
        if rc == 0 {
            released += m.rss_kb;
        }
    }
    Ok(released)
}

#[cfg(not(target_os = "linux"))]
fn drop_clean_file_pages() -> std::io::Result<u64> {
    Ok(0)
}

/// Which file pages are handed back: all of them, unless `TOKDECK_HAND_BACK` asks for only the
/// program's (`program`) or none (`none`) — for the bench, to compare what each costs when the
/// window is opened again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    All,
    Program,
    Nothing,
}

impl Scope {
    fn from_env() -> Self {
        match std::env::var("TOKDECK_HAND_BACK").as_deref() {
            Ok("program") => Scope::Program,
            Ok("none") => Scope::Nothing,
            _ => Scope::All,
        }
    }

    fn covers(self, m: &Mapping, exe: &str) -> bool {
        match self {
            Scope::All => true,
            Scope::Program => {
                m.path.trim_end_matches(" (deleted)") == exe.trim_end_matches(" (deleted)")
            }
            Scope::Nothing => false,
        }
    }
}

/// A mapping whose pages can be unmapped without losing anything: a regular file's, private,
/// read-only and never written, with pages mapped in.
fn droppable(m: &Mapping) -> bool {
    let a_file = m.path.starts_with('/')
        && !m.path.starts_with("/dev/")
        && !m.path.starts_with("/SYSV")
        && !m.path.starts_with("/memfd:");
    a_file && m.private && !m.writable && m.anonymous_kb == 0 && m.rss_kb > 0
}

fn parse_smaps(text: &str) -> Vec<Mapping> {
    let mut maps: Vec<Mapping> = vec![];
    for line in text.lines() {
        if let Some(m) = parse_header(line) {
            maps.push(m);
        } else if let Some(last) = maps.last_mut() {
            if let Some(kb) = field_kb(line, "Anonymous:") {
                last.anonymous_kb = kb;
            } else if let Some(kb) = field_kb(line, "Rss:") {
                last.rss_kb = kb;
            }
        }
    }
    maps
}

/// `7f…-7f… r-xp 00001000 08:01 1234   /usr/bin/tokdeck`
fn parse_header(line: &str) -> Option<Mapping> {
    let mut parts = line.split_whitespace();
    let range = parts.next()?;
    let (start, end) = range.split_once('-')?;
    let start = usize::from_str_radix(start, 16).ok()?;
    let end = usize::from_str_radix(end, 16).ok()?;
    let perms = parts.next()?;
    if perms.len() != 4 {
        return None;
    }
    // Offset, device, inode, then the path (which may hold spaces).
    let path = line
        .splitn(6, char::is_whitespace)
        .nth(5)
        .map(|p| p.trim().to_owned())
        .unwrap_or_default();
    Some(Mapping {
        start,
        end,
        writable: perms.as_bytes()[1] == b'w',
        private: perms.as_bytes()[3] == b'p',
        path,
        anonymous_kb: 0,
        rss_kb: 0,
    })
}

fn field_kb(line: &str, name: &str) -> Option<u64> {
    line.strip_prefix(name)?
        .trim()
        .strip_suffix("kB")?
        .trim()
        .parse()
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMAPS: &str = "\
55d0c0000000-55d0c0100000 r--p 00000000 fe:01 42                         /opt/Tokdeck/bin/tok deck
Size:               1024 kB
Rss:                 800 kB
Anonymous:             0 kB
55d0c0100000-55d0c0900000 r-xp 00100000 fe:01 42                         /opt/Tokdeck/bin/tok deck
Size:               8192 kB
Rss:                6000 kB
Anonymous:             0 kB
55d0c0900000-55d0c0a00000 r--p 00900000 fe:01 42                         /opt/Tokdeck/bin/tok deck
Size:               1024 kB
Rss:                1024 kB
Anonymous:           300 kB
55d0c0a00000-55d0c0a10000 rw-p 00a00000 fe:01 42                         /opt/Tokdeck/bin/tok deck
Size:                 64 kB
Rss:                  64 kB
Anonymous:            64 kB
7f0000000000-7f0000100000 r-xp 00000000 fe:01 77                         /usr/lib/libwebkit2gtk-4.1.so.0
Size:               1024 kB
Rss:                1000 kB
Anonymous:             0 kB
7f0000200000-7f0000300000 rw-p 00000000 00:00 0 
Size:               1024 kB
Rss:                1024 kB
Anonymous:          1024 kB
7f0000400000-7f0000500000 r--s 00000000 00:01 5                          /SYSV00000000 (deleted)
Size:               1024 kB
Rss:                1024 kB
Anonymous:             0 kB
7f0000600000-7f0000700000 r--p 00000000 00:06 9                          /dev/dri/renderD128
Size:               1024 kB
Rss:                1024 kB
Anonymous:             0 kB
7f0000800000-7f0000900000 r--p 00000000 00:00 0 
Size:               1024 kB
Rss:                1024 kB
Anonymous:             0 kB
";

    #[test]
    fn only_never_written_private_file_mappings_are_handed_back() {
        let maps = parse_smaps(SMAPS);
        assert_eq!(maps.len(), 9);
        let clean: Vec<_> = maps
            .iter()
            .filter(|m| droppable(m))
            .map(|m| m.start)
            .collect();
        assert_eq!(
            clean,
            vec![0x55d0c0000000, 0x55d0c0100000, 0x7f0000000000],
            "the program's and a library's read-only pages go; the relocated read-only data \
             (written), the writable data, anonymous memory, shared memory and a device stay"
        );
        assert_eq!(maps[1].rss_kb, 6000);
        assert_eq!(
            maps[0].path, "/opt/Tokdeck/bin/tok deck",
            "a path may hold spaces"
        );
    }

    #[test]
    fn the_bench_can_ask_for_the_program_s_pages_only_or_none() {
        let maps = parse_smaps(SMAPS);
        let exe = "/opt/Tokdeck/bin/tok deck";
        let chosen = |scope: Scope| {
            maps.iter()
                .filter(|m| droppable(m) && scope.covers(m, exe))
                .count()
        };
        assert_eq!(chosen(Scope::All), 3);
        assert_eq!(chosen(Scope::Program), 2, "the library's mapping stays");
        assert_eq!(chosen(Scope::Nothing), 0);
    }

    #[test]
    fn a_file_replaced_on_disk_is_still_handed_back() {
        // The mapping keeps the old file: its pages are still the file's.
        let maps = parse_smaps(
            "55d0c0000000-55d0c0100000 r-xp 00000000 fe:01 42 /usr/bin/tokdeck (deleted)\nRss: 4 kB\nAnonymous: 0 kB\n",
        );
        assert!(droppable(&maps[0]));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn handing_back_the_pages_leaves_the_process_working() {
        // The test binary's own code is unmapped under it; it must keep running.
        let released = drop_clean_file_pages().expect("smaps is readable");
        assert!(released > 0, "the test binary had code pages mapped in");
        let v: Vec<u64> = (0..1000).map(|i| i * 2).collect();
        assert_eq!(v.iter().sum::<u64>(), 999_000);
    }
}
