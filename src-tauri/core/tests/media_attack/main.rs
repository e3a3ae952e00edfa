//! The probe under attack: real ffmpeg-made files whose headers are rewritten to declare huge
//! sizes, floods of tiny boxes, deep nesting and truncation; then structure-aware fuzzing of
//! MP4/MOV/WebM header trees with proptest. Each file must get an answer (no panic, no abort)
//! with bounded memory and time.
//!
//! Every probe runs in a child process of this test binary running only `attack_child`, so its
//! peak memory (VmHWM in /proc/self/status, reset per probe through /proc/self/clear_refs) is not
//! mixed with other tests', and an abort kills the child, not the test run.
//!
//! `TOKDECK_FUZZ_CASES` sets the number of fuzz cases (default 40; `make soak` raises it).

#[path = "../media_common/mod.rs"]
mod media_common;

mod attacks;
mod fuzz;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use media_common::ffmpeg;
use proptest::prelude::*;
use tokdeck_core::media;

const CHILD_ENV: &str = "TOKDECK_MEDIA_ATTACK_CHILD";
const FUZZ_CASES_ENV: &str = "TOKDECK_FUZZ_CASES";
const MAX_GROWTH_KIB: u64 = 64 * 1024;
const MAX_PROBE_TIME: Duration = Duration::from_secs(1);
const GIB: u64 = 1024 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Measuring, in the child

fn status_kib(field: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    s.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("{field} missing from /proc/self/status"))
}

struct Measured {
    growth_kib: u64,
    elapsed: Duration,
    outcome: String,
}

fn measure(path: &Path) -> Measured {
    // "5" resets the peak RSS to the current RSS (Linux ≥ 4.0).
    std::fs::write("/proc/self/clear_refs", "5").expect("reset VmHWM");
    let before = status_kib("VmRSS:");
    let t0 = Instant::now();
    let r = media::probe(path);
    let elapsed = t0.elapsed();
    let growth_kib = status_kib("VmHWM:").saturating_sub(before);
    let outcome = match r {
        Ok(f) => format!("ok {}x{} {}", f.width, f.height, f.codec_tag),
        Err(e) => format!("err {e}"),
    };
    Measured {
        growth_kib,
        elapsed,
        outcome,
    }
}

static PANICS: AtomicUsize = AtomicUsize::new(0);

/// Counts panics (the probe catches them; a caught panic is still a bug the fuzzer must see).
fn count_panics() {
    let prev = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        PANICS.fetch_add(1, Ordering::SeqCst);
        prev(info);
    }));
}

/// The child side: does nothing in a normal test run.
#[test]
fn attack_child() {
    let Ok(mode) = std::env::var(CHILD_ENV) else {
        return;
    };
    count_panics();
    if let Some(path) = mode.strip_prefix("probe:") {
        let m = measure(Path::new(path));
        println!(
            "\nATTACK growth_kib={} ms={} panics={} outcome={}",
            m.growth_kib,
            m.elapsed.as_millis(),
            PANICS.load(Ordering::SeqCst),
            m.outcome
        );
    } else if mode == "fuzz" {
        fuzz::fuzz_in_child();
    }
}

// ---------------------------------------------------------------------------------------------
// Running the child, in the parent

fn run_child(mode: &str, limit: Duration) -> String {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "attack_child", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, mode)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Drained while the child runs: a full pipe would stall it.
    let drain = |mut r: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut s = String::new();
            let _ = r.read_to_string(&mut s);
            s
        })
    };
    let out_t = drain(Box::new(child.stdout.take().unwrap()));
    let err_t = drain(Box::new(child.stderr.take().unwrap()));
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if t0.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{mode}: the probe process did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = out_t.join().unwrap();
    let err = err_t.join().unwrap();
    assert!(
        status.success(),
        "{mode}: the probe process died ({status}):\n{out}\n{err}"
    );
    out
}

/// Probes `path` in a child; asserts bounded memory and time and a plain error. Returns the
/// error text.
fn probe_attack(path: &Path) -> String {
    let out = run_child(
        &format!("probe:{}", path.display()),
        Duration::from_secs(60),
    );
    let line = out
        .lines()
        .find_map(|l| l.strip_prefix("ATTACK "))
        .unwrap_or_else(|| panic!("no result line:\n{out}"));
    let field = |name: &str| -> u64 {
        line.split_whitespace()
            .find_map(|w| w.strip_prefix(name))
            .and_then(|v| v.parse().ok())
            .unwrap()
    };
    let (growth, ms, panics) = (field("growth_kib="), field("ms="), field("panics="));
    let outcome = line.split_once("outcome=").unwrap().1.to_owned();
    println!(
        "{}: peak RSS growth {} KiB, {} ms: {outcome}",
        path.file_name().unwrap().to_string_lossy(),
        growth,
        ms
    );
    assert_eq!(panics, 0, "the probe panicked: {out}");
    assert!(growth <= MAX_GROWTH_KIB, "peak memory grew by {growth} KiB");
    assert!(
        ms <= MAX_PROBE_TIME.as_millis() as u64,
        "the probe took {ms} ms"
    );
    outcome
        .strip_prefix("err ")
        .unwrap_or_else(|| panic!("a crafted file was accepted: {outcome}"))
        .to_owned()
}

// ---------------------------------------------------------------------------------------------
// Header trees: just enough of EBML and ISO-BMFF to rewrite real files

/// How an element states its size.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Size {
    /// The real length, in the shortest form.
    Exact,
    /// The real length, in the widest form (EBML: 8-byte varint; MP4: 64-bit `largesize`).
    Wide,
    /// A lie: this value, whatever the content is.
    Claim(u64),
    /// EBML: unknown size; MP4: size 0 ("to the end of the file").
    Open,
}

#[derive(Debug, Clone)]
enum Body {
    Data(Vec<u8>),
    Kids(Vec<Node>),
}

#[derive(Debug, Clone)]
struct Node {
    /// EBML: the ID bytes; MP4: the four-character type.
    id: Vec<u8>,
    size: Size,
    /// EBML: the size field's width as found (1-8); MP4: 8, or 16 with a `largesize`.
    width: usize,
    body: Body,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Format {
    Ebml,
    Bmff,
}

const EBML_MASTERS: &[u32] = &[
    0x1A45_DFA3, // EBML
    0x1853_8067, // Segment
    0x114D_9B74, // SeekHead
    0x4DBB,      // Seek
    0x1549_A966, // Info
    0x1654_AE6B, // Tracks
    0xAE,        // TrackEntry
    0xE0,        // Video
    0xE1,        // Audio
    0x55B0,      // Colour
    0x1F43_B675, // Cluster
    0xA0,        // BlockGroup
    0x1C53_BB6B, // Cues
    0xBB,        // CuePoint
    0xB7,        // CueTrackPositions
    0x1254_C367, // Tags
    0x7373,      // Tag
    0x63C0,      // Targets
    0x67C8,      // SimpleTag
];
const BMFF_CONTAINERS: &[&[u8; 4]] = &[
    b"moov", b"trak", b"mdia", b"minf", b"stbl", b"edts", b"dinf", b"mvex", b"udta",
];

fn is_container(fmt: Format, id: &[u8]) -> bool {
    match fmt {
        Format::Ebml => {
            let v = id.iter().fold(0u32, |a, &b| (a << 8) | u32::from(b));
            EBML_MASTERS.contains(&v)
        }
        Format::Bmff => BMFF_CONTAINERS.iter().any(|c| c.as_slice() == id),
    }
}

fn parse(fmt: Format, data: &[u8]) -> Vec<Node> {
    let mut out = Vec::new();
    let mut p = 0;
    while p < data.len() {
        let Some((node, next)) = parse_one(fmt, data, p) else {
            // Keep whatever does not parse as an opaque tail.
            out.push(Node {
                id: Vec::new(),
                size: Size::Exact,
                width: 0,
                body: Body::Data(data[p..].to_vec()),
            });
            break;
        };
        out.push(node);
        p = next;
    }
    out
}

fn parse_one(fmt: Format, data: &[u8], p: usize) -> Option<(Node, usize)> {
    let (id, hl, len, width) = match fmt {
        Format::Ebml => {
            let b = *data.get(p)?;
            let il = (b.leading_zeros() + 1) as usize;
            if il > 4 {
                return None;
            }
            let id = data.get(p..p + il)?.to_vec();
            let s0 = *data.get(p + il)?;
            let sl = (s0.leading_zeros() + 1) as usize;
            if sl > 8 {
                return None;
            }
            let raw = data.get(p + il..p + il + sl)?;
            let mut v = u64::from(s0 & (0xFFu16 >> sl) as u8);
            for &x in &raw[1..] {
                v = (v << 8) | u64::from(x);
            }
            let unknown = v == (1u64 << (7 * sl)) - 1;
            if unknown {
                // Keep open-ended elements (live clusters) opaque.
                return None;
            }
            (id, il + sl, usize::try_from(v).ok()?, sl)
        }
        Format::Bmff => {
            let h = data.get(p..p + 8)?;
            let s = u32::from_be_bytes(h[..4].try_into().unwrap()) as usize;
            let id = h[4..8].to_vec();
            match s {
                0 => return None,
                1 => {
                    let l = u64::from_be_bytes(data.get(p + 8..p + 16)?.try_into().unwrap());
                    (id, 16, usize::try_from(l).ok()?.checked_sub(16)?, 16)
                }
                s => (id, 8, s.checked_sub(8)?, 8),
            }
        }
    };
    let end = (p + hl).checked_add(len).filter(|&e| e <= data.len())?;
    let content = &data[p + hl..end];
    let body = if is_container(fmt, &id) {
        Body::Kids(parse(fmt, content))
    } else {
        Body::Data(content.to_vec())
    };
    Some((
        Node {
            id,
            size: Size::Exact,
            width,
            body,
        },
        end,
    ))
}

fn ebml_size(v: u64, width: usize) -> Vec<u8> {
    let v = v.min((1u64 << (7 * width)) - 2);
    let mut b = v.to_be_bytes()[8 - width..].to_vec();
    b[0] |= 0x80 >> (width - 1);
    b
}

fn write(fmt: Format, nodes: &[Node], out: &mut Vec<u8>) {
    for n in nodes {
        let mut content = Vec::new();
        match &n.body {
            Body::Data(d) => content.extend_from_slice(d),
            Body::Kids(k) => write(fmt, k, &mut content),
        }
        if n.id.is_empty() {
            out.extend_from_slice(&content);
            continue;
        }
        let len = content.len() as u64;
        match fmt {
            Format::Ebml => {
                out.extend_from_slice(&n.id);
                match n.size {
                    Size::Exact => {
                        let fits = |w: usize| len < (1u64 << (7 * w)) - 1;
                        let w = if (1..=8).contains(&n.width) && fits(n.width) {
                            n.width
                        } else {
                            (1..=8).find(|&w| fits(w)).unwrap()
                        };
                        out.extend_from_slice(&ebml_size(len, w));
                    }
                    Size::Wide => out.extend_from_slice(&ebml_size(len, 8)),
                    Size::Claim(v) => out.extend_from_slice(&ebml_size(v, 8)),
                    Size::Open => {
                        out.extend_from_slice(&[0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
                    }
                }
            }
            Format::Bmff => match n.size {
                Size::Exact if n.width != 16 && len + 8 <= u64::from(u32::MAX) => {
                    out.extend_from_slice(&((len + 8) as u32).to_be_bytes());
                    out.extend_from_slice(&n.id);
                }
                Size::Exact | Size::Wide => {
                    out.extend_from_slice(&1u32.to_be_bytes());
                    out.extend_from_slice(&n.id);
                    out.extend_from_slice(&(len + 16).to_be_bytes());
                }
                Size::Claim(v) if v <= u64::from(u32::MAX) && v != 1 => {
                    out.extend_from_slice(&(v as u32).to_be_bytes());
                    out.extend_from_slice(&n.id);
                }
                Size::Claim(v) => {
                    out.extend_from_slice(&1u32.to_be_bytes());
                    out.extend_from_slice(&n.id);
                    out.extend_from_slice(&v.to_be_bytes());
                }
                Size::Open => {
                    out.extend_from_slice(&0u32.to_be_bytes());
                    out.extend_from_slice(&n.id);
                }
            },
        }
        out.extend_from_slice(&content);
    }
}

fn serialize(fmt: Format, nodes: &[Node]) -> Vec<u8> {
    let mut out = Vec::new();
    write(fmt, nodes, &mut out);
    out
}

/// Index paths of every node, depth first.
fn paths(nodes: &[Node], prefix: &mut Vec<usize>, out: &mut Vec<Vec<usize>>) {
    for (i, n) in nodes.iter().enumerate() {
        prefix.push(i);
        out.push(prefix.clone());
        if let Body::Kids(k) = &n.body {
            paths(k, prefix, out);
        }
        prefix.pop();
    }
}

fn siblings_mut<'a>(nodes: &'a mut Vec<Node>, path: &[usize]) -> &'a mut Vec<Node> {
    let mut cur = nodes;
    for &i in &path[..path.len() - 1] {
        cur = match &mut cur[i].body {
            Body::Kids(k) => k,
            Body::Data(_) => unreachable!("paths only descend into kids"),
        };
    }
    cur
}

fn find_path(nodes: &[Node], ids: &[&[u8]]) -> Option<Vec<usize>> {
    let mut all = Vec::new();
    paths(nodes, &mut Vec::new(), &mut all);
    all.into_iter().find(|p| {
        p.len() == ids.len() && {
            let mut cur = nodes;
            p.iter().zip(ids).all(|(&i, id)| {
                let ok = cur[i].id == *id;
                if let Body::Kids(k) = &cur[i].body {
                    cur = k;
                }
                ok
            })
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Real files

fn webm_vp8(dir: &Path, name: &str) -> PathBuf {
    ffmpeg(
        dir,
        name,
        "testsrc=size=360x360:rate=30",
        0.3,
        &["-c:v", "libvpx", "-deadline", "realtime", "-cpu-used", "8"],
    )
}

fn mp4(dir: &Path, name: &str, faststart: bool) -> PathBuf {
    let mut args = vec![
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
    ];
    if faststart {
        args.extend(["-movflags", "+faststart"]);
    }
    ffmpeg(dir, name, "testsrc=size=360x360:rate=30", 0.3, &args)
}

/// Writes `data` and makes the file `apparent_len` long without using the space (sparse), so
/// a huge declared size is "backed" by the file, as it would be on a big real file.
fn write_sparse(path: &Path, data: &[u8], apparent_len: u64) {
    let mut f = std::fs::File::create(path).unwrap();
    f.write_all(data).unwrap();
    if apparent_len > data.len() as u64 {
        f.set_len(apparent_len).unwrap();
    }
}

const SEGMENT: &[u8] = &[0x18, 0x53, 0x80, 0x67];
const TRACKS: &[u8] = &[0x16, 0x54, 0xAE, 0x6B];
const TRACK_ENTRY: &[u8] = &[0xAE];
const CODEC_PRIVATE: &[u8] = &[0x63, 0xA2];

/// A real WebM whose video track carries a `CodecPrivate` declaring `claim` bytes (holding 16).
/// Parents keep their real sizes (`lie_in_parents`: they claim to hold it too); the segment
/// becomes open-ended since the track list grew.
fn webm_with_codec_private_claim(base: &[u8], claim: u64, lie_in_parents: bool) -> Vec<u8> {
    let mut tree = parse(Format::Ebml, base);
    let seg = find_path(&tree, &[&[0x1A, 0x45, 0xDF, 0xA3][..], SEGMENT])
        .or_else(|| find_path(&tree, &[SEGMENT]))
        .unwrap();
    siblings_mut(&mut tree, &seg)[seg[seg.len() - 1]].size = Size::Open;
    let entry = find_path(&tree, &[SEGMENT, TRACKS, TRACK_ENTRY]).expect("a track entry");
    let idx = *entry.last().unwrap();
    let sib = siblings_mut(&mut tree, &entry);
    let Body::Kids(kids) = &mut sib[idx].body else {
        unreachable!()
    };
    kids.retain(|k| k.id != CODEC_PRIVATE);
    kids.push(Node {
        id: CODEC_PRIVATE.to_vec(),
        size: Size::Claim(claim),
        width: 8,
        body: Body::Data(vec![0x42; 16]),
    });
    if lie_in_parents {
        sib[idx].size = Size::Claim(claim + 64);
        let tracks = &entry[..entry.len() - 1];
        siblings_mut(&mut tree, tracks)[tracks[tracks.len() - 1]].size = Size::Claim(claim + 128);
    }
    serialize(Format::Ebml, &tree)
}
