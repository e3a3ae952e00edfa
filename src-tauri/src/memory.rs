//! Handing memory back to the system once the window has closed to the tray.
//!
//! Two things stay with the process after its webview went, which the tray, the scheduler and
//! the publisher do not need: heap that glibc's allocator keeps after GTK and WebKit freed it
//! (about 20 MB here), and the pages of Tokdeck's own executable that drawing the window
//! touched (its IPC handlers, the embedded page: ~27 MB of the binary were mapped in, against
//! ~22 MB for a start without a window). The heap is trimmed; the executable's pages that were
//! never written are unmapped (`MADV_DONTNEED`). They stay in the kernel's page cache, so the
//! few the scheduler runs come back as cheap minor faults, and all of them when the window is
//! opened again. Mappings that were written (relocated data, the writable segments) are left
//! alone: unmapping those would lose what was written.

/// A mapping of the process (one `/proc/self/smaps` entry) as far as this module cares.
#[derive(Debug, PartialEq, Eq)]
struct Mapping {
    start: usize,
    end: usize,
    writable: bool,
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
            trim_heap();
            match drop_clean_executable_pages() {
                Ok(kb) => tracing::info!(
                    released_kb = kb,
                    "window closed: heap trimmed and the executable's unused pages handed back"
                ),
                Err(e) => tracing::debug!(error = %e, "could not hand back executable pages"),
            }
        });
}

/// Gives the allocator's free memory back to the system.
fn trim_heap() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator; it takes no pointer.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Unmaps the pages of the executable's never-written mappings; answers the kB that were
/// mapped in.
#[cfg(target_os = "linux")]
fn drop_clean_executable_pages() -> std::io::Result<u64> {
    let exe = std::fs::read_link("/proc/self/exe")?;
    let exe = exe.to_string_lossy();
    let exe = file_of(&exe);
    let smaps = std::fs::read_to_string("/proc/self/smaps")?;
    let mut released = 0;
    for m in clean_mappings_of(&parse_smaps(&smaps), exe) {
        // SAFETY: the range is one whole mapping of the executable that is not writable and
        // holds no page of the process's own (checked just above from smaps): every page in it
        // is the file's, and MADV_DONTNEED on such a private file mapping only unmaps them; the
        // next access maps the same bytes in again from the page cache.
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
fn drop_clean_executable_pages() -> std::io::Result<u64> {
    Ok(0)
}

/// The mappings of `exe` that can be unmapped without losing anything.
fn clean_mappings_of<'a>(maps: &'a [Mapping], exe: &'a str) -> impl Iterator<Item = &'a Mapping> {
    maps.iter()
        .filter(move |m| m.path == exe && !m.writable && m.anonymous_kb == 0)
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
        .map(|p| file_of(p.trim()).to_owned())
        .unwrap_or_default();
    Some(Mapping {
        start,
        end,
        writable: perms.as_bytes()[1] == b'w',
        path,
        anonymous_kb: 0,
        rss_kb: 0,
    })
}

/// The file a mapping or `/proc/self/exe` names: the kernel marks one replaced on disk (an
/// update installed while Tokdeck runs) with " (deleted)", and the mapping still holds it.
fn file_of(path: &str) -> &str {
    path.trim_end_matches(" (deleted)")
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
";

    #[test]
    fn only_the_executables_never_written_mappings_are_handed_back() {
        let maps = parse_smaps(SMAPS);
        assert_eq!(maps.len(), 6);
        let clean: Vec<_> = clean_mappings_of(&maps, "/opt/Tokdeck/bin/tok deck")
            .map(|m| (m.start, m.end))
            .collect();
        assert_eq!(
            clean,
            vec![
                (0x55d0c0000000, 0x55d0c0100000),
                (0x55d0c0100000, 0x55d0c0900000)
            ],
            "the relocated read-only data (written) and the writable data stay; so do libraries"
        );
        assert_eq!(maps[1].rss_kb, 6000);
    }

    #[test]
    fn a_replaced_executable_is_still_recognised() {
        let maps = parse_smaps(
            "55d0c0000000-55d0c0100000 r-xp 00000000 fe:01 42 /usr/bin/tokdeck (deleted)\nAnonymous: 0 kB\n",
        );
        assert_eq!(maps[0].path, "/usr/bin/tokdeck");
        assert_eq!(clean_mappings_of(&maps, "/usr/bin/tokdeck").count(), 1);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn handing_back_the_pages_leaves_the_process_working() {
        // The test binary's own code is unmapped under it; it must keep running.
        let released = drop_clean_executable_pages().expect("smaps is readable");
        assert!(released > 0, "the test binary had code pages mapped in");
        let v: Vec<u64> = (0..1000).map(|i| i * 2).collect();
        assert_eq!(v.iter().sum::<u64>(), 999_000);
    }
}
