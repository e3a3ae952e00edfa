//! Matroska / WebM. `matroska-demuxer` trusts the sizes a file declares (it checks them only
//! against the end of the stream: a 1 GB `CodecPrivate` in a 1 GB file is a 1 GB allocation) and
//! walks the whole file when there is no SeekHead. So the top-level elements are found here with
//! bounded header reads, `Info` and `Tracks` are size-checked (every child inside its parent,
//! each under a cap), and the demuxer gets a small in-memory copy made of just the EBML header,
//! `Info` and `Tracks`: whatever it allocates is bounded by that copy. The frame rate, when the
//! track does not state it, is estimated from block timestamps read here, without reading frames.

use std::io::{Cursor, Read, Seek};
use std::path::Path;

use super::facts::{damaged, Container, ProbeError, VideoCodec, VideoFacts};
use super::io::{Budget, Src};

pub(super) const MAGIC: [u8; 4] = [0x1A, 0x45, 0xDF, 0xA3];

const ID_EBML: u32 = 0x1A45_DFA3;
const ID_SEGMENT: u32 = 0x1853_8067;
const ID_INFO: u32 = 0x1549_A966;
const ID_TRACKS: u32 = 0x1654_AE6B;
const ID_CLUSTER: u32 = 0x1F43_B675;
const ID_TIMESTAMP: u32 = 0xE7;
const ID_SIMPLE_BLOCK: u32 = 0xA3;
const ID_BLOCK_GROUP: u32 = 0xA0;
const ID_BLOCK: u32 = 0xA1;

/// The EBML header is about 40 bytes in real files.
const MAX_EBML_HEADER_BYTES: u64 = 4 * 1024;
/// Segment info: title, dates and a few numbers.
const MAX_INFO_BYTES: u64 = 64 * 1024;
/// All track entries together, codec setup data included (a few KB in real files).
const MAX_TRACKS_BYTES: u64 = 512 * 1024;
/// Elements looked at in one probe: top-level walk, header trees and block timestamps.
const MAX_ELEMENTS: u64 = 100_000;
/// Nesting inside `Info` / `Tracks` (real files: 4).
const MAX_DEPTH: usize = 8;
/// Frames read to estimate the frame rate when the track has no default duration.
const SAMPLE_FRAMES: usize = 120;

/// Master elements inside `Info` and `Tracks` whose children the demuxer reads.
fn is_master(id: u32) -> bool {
    matches!(
        id,
        0xAE // TrackEntry
            | 0xE0 // Video
            | 0xE1 // Audio
            | 0xE2 // TrackOperation
            | 0xE3 // TrackCombinePlanes
            | 0xE4 // TrackPlane
            | 0xE9 // TrackJoinBlocks
            | 0x55B0 // Colour
            | 0x55D0 // MasteringMetadata
            | 0x7670 // Projection
            | 0x6D80 // ContentEncodings
            | 0x6240 // ContentEncoding
            | 0x5034 // ContentCompression
            | 0x5035 // ContentEncryption
            | 0x47E7 // ContentEncAESSettings
            | 0x41E4 // BlockAdditionMapping
            | 0x6624 // TrackTranslate
            | 0x6924 // ChapterTranslate
    )
}

/// One element header: where its data starts and how long it says it is (`None`: unknown).
struct Header {
    id: u32,
    data: u64,
    size: Option<u64>,
}

/// Reads the element header at `pos`; `Ok(None)` when the file ends inside it.
fn header<R: Read + Seek>(src: &mut Src<R>, pos: u64) -> Result<Option<Header>, String> {
    let avail = src.len().saturating_sub(pos).min(12) as usize;
    let mut b = [0u8; 12];
    if avail == 0
        || !src
            .read_at(pos, &mut b[..avail])
            .map_err(|e| e.to_string())?
    {
        return Ok(None);
    }
    let b = &b[..avail];
    let id_len = match b[0] {
        x if x & 0x80 != 0 => 1,
        x if x & 0x40 != 0 => 2,
        x if x & 0x20 != 0 => 3,
        x if x & 0x10 != 0 => 4,
        _ => return Err("an element has an invalid ID".to_owned()),
    };
    if b.len() <= id_len {
        return Ok(None);
    }
    let id = b[..id_len]
        .iter()
        .fold(0u32, |a, &x| (a << 8) | u32::from(x));
    let first = b[id_len];
    if first == 0 {
        return Err("an element has an invalid size".to_owned());
    }
    let size_len = first.leading_zeros() as usize + 1;
    if b.len() < id_len + size_len {
        return Ok(None);
    }
    let mask = if size_len == 8 { 0 } else { 0xFFu8 >> size_len };
    let mut value = u64::from(first & mask);
    for &x in &b[id_len + 1..id_len + size_len] {
        value = (value << 8) | u64::from(x);
    }
    let all_ones = (1u64 << (7 * size_len)) - 1;
    Ok(Some(Header {
        id,
        data: pos + (id_len + size_len) as u64,
        size: (value != all_ones).then_some(value),
    }))
}

/// Checks an element tree held in memory: every child inside its parent with a known size,
/// bounded depth and count.
fn check_tree(data: &[u8], depth: usize, budget: &mut Budget) -> Result<(), String> {
    if depth > MAX_DEPTH {
        return Err("its track list nests elements deeper than a video does".to_owned());
    }
    let mut src = Src::new(Cursor::new(data), data.len() as u64);
    let mut pos = 0u64;
    while pos < data.len() as u64 {
        budget.visit()?;
        let h = header(&mut src, pos)?.ok_or("an element in its headers is cut off")?;
        let size = h
            .size
            .ok_or("an element in its headers has no size".to_owned())?;
        let end = h
            .data
            .checked_add(size)
            .filter(|&e| e <= data.len() as u64)
            .ok_or_else(|| {
                format!(
                    "an element in its headers claims {size} bytes but only {} are there",
                    data.len() as u64 - h.data.min(data.len() as u64)
                )
            })?;
        if is_master(h.id) {
            check_tree(&data[h.data as usize..end as usize], depth + 1, budget)?;
        }
        pos = end;
    }
    Ok(())
}

pub(super) fn probe<R: Read + Seek>(
    r: R,
    size: u64,
    path: &Path,
) -> Result<VideoFacts, ProbeError> {
    let mut src = Src::new(r, size);
    let mut budget = Budget::new(MAX_ELEMENTS);
    let dmg = |e: String| damaged(path, e);
    let cut = || damaged(path, "the file ends before its headers are complete");

    // EBML header.
    let h = header(&mut src, 0).map_err(dmg)?.ok_or_else(cut)?;
    if h.id != ID_EBML {
        return Err(ProbeError::NotVideo(path.to_path_buf()));
    }
    let ebml_size = h
        .size
        .ok_or_else(|| dmg("its EBML header has no size".into()))?;
    if ebml_size > MAX_EBML_HEADER_BYTES {
        return Err(dmg(format!(
            "its EBML header claims {ebml_size} bytes, far more than a video needs"
        )));
    }
    let ebml_end = h.data + ebml_size;
    if ebml_end > size {
        return Err(cut());
    }
    check_tree(
        &src.read_vec(h.data, ebml_size as usize)
            .map_err(|e| dmg(e.to_string()))?
            .ok_or_else(cut)?,
        1,
        &mut budget,
    )
    .map_err(dmg)?;
    let ebml_raw = src
        .read_vec(0, ebml_end as usize)
        .map_err(|e| dmg(e.to_string()))?
        .ok_or_else(cut)?;

    // Segment and its top-level elements.
    let seg = header(&mut src, ebml_end).map_err(dmg)?.ok_or_else(cut)?;
    if seg.id != ID_SEGMENT {
        return Err(dmg("its segment is missing".into()));
    }
    // A segment longer than the file was cut off; what is there may still hold the headers.
    let seg_end = seg
        .size
        .and_then(|s| seg.data.checked_add(s))
        .map_or(size, |e| e.min(size));
    let mut info: Option<Vec<u8>> = None;
    let mut tracks: Option<Vec<u8>> = None;
    let mut first_cluster: Option<u64> = None;
    let mut pos = seg.data;
    while pos < seg_end {
        budget.visit().map_err(dmg)?;
        let Some(e) = header(&mut src, pos).map_err(dmg)? else {
            break;
        };
        match e.id {
            ID_CLUSTER => {
                first_cluster.get_or_insert(pos);
            }
            ID_INFO | ID_TRACKS => {
                let (name, cap, slot) = if e.id == ID_INFO {
                    ("segment info", MAX_INFO_BYTES, &mut info)
                } else {
                    ("track list", MAX_TRACKS_BYTES, &mut tracks)
                };
                let s = e
                    .size
                    .ok_or_else(|| dmg(format!("its {name} has no size")))?;
                if s > cap {
                    return Err(dmg(format!(
                        "its {name} claims {s} bytes, far more than a video needs"
                    )));
                }
                if e.data + s > seg_end {
                    return Err(cut());
                }
                if slot.is_none() {
                    let raw = src
                        .read_vec(pos, (e.data + s - pos) as usize)
                        .map_err(|e| dmg(e.to_string()))?
                        .ok_or_else(cut)?;
                    check_tree(&raw[(e.data - pos) as usize..], 1, &mut budget).map_err(dmg)?;
                    *slot = Some(raw);
                }
            }
            _ => {}
        }
        if info.is_some() && tracks.is_some() && first_cluster.is_some() {
            break;
        }
        // An element of unknown size cannot be skipped; what follows is its content.
        let Some(s) = e.size else { break };
        match e.data.checked_add(s) {
            Some(next) => pos = next,
            None => break,
        }
    }
    let info = info.ok_or_else(|| dmg("its segment info is missing".into()))?;
    let tracks = tracks.ok_or_else(|| dmg("its track list is missing".into()))?;

    // The demuxer's view: EBML header, a segment with Info, Tracks and an empty Cluster.
    const EMPTY_CLUSTER: [u8; 5] = [0x1F, 0x43, 0xB6, 0x75, 0x80];
    let seg_len = (info.len() + tracks.len() + EMPTY_CLUSTER.len()) as u64;
    let mut view = ebml_raw;
    view.extend_from_slice(&[0x18, 0x53, 0x80, 0x67, 0x01]);
    view.extend_from_slice(&seg_len.to_be_bytes()[1..]);
    view.extend_from_slice(&info);
    view.extend_from_slice(&tracks);
    view.extend_from_slice(&EMPTY_CLUSTER);
    drop((info, tracks));

    use matroska_demuxer::{MatroskaFile, TrackType};
    let mkv = MatroskaFile::open(Cursor::new(view))
        .map_err(|e| dmg(format!("its headers could not be read ({e})")))?;
    let container = match mkv.ebml_header().doc_type() {
        "webm" => Container::Webm,
        "matroska" => Container::Matroska,
        _ => return Err(ProbeError::NotVideo(path.to_path_buf())),
    };
    let track = mkv
        .tracks()
        .iter()
        .find(|t| t.track_type() == TrackType::Video)
        .ok_or_else(|| ProbeError::NoVideoTrack(path.to_path_buf()))?;
    let track_number = track.track_number().get();
    let codec_tag = track.codec_id().to_owned();
    let codec = match codec_tag.as_str() {
        "V_MPEG4/ISO/AVC" => VideoCodec::H264,
        "V_MPEGH/ISO/HEVC" => VideoCodec::H265,
        "V_VP8" => VideoCodec::Vp8,
        "V_VP9" => VideoCodec::Vp9,
        "V_AV1" => VideoCodec::Av1,
        _ => VideoCodec::Other,
    };
    let (width, height) = track
        .video()
        .map(|v| {
            (
                u32::try_from(v.pixel_width().get()).unwrap_or(u32::MAX),
                u32::try_from(v.pixel_height().get()).unwrap_or(u32::MAX),
            )
        })
        .ok_or_else(|| dmg("the video track has no picture size".into()))?;
    let default_duration_ns = track.default_duration().map(|d| d.get());
    let scale_ns = mkv.info().timestamp_scale().get() as f64;
    let duration_ms = mkv
        .info()
        .duration()
        .filter(|d| d.is_finite() && *d > 0.0)
        .map(|d| (d * scale_ns / 1_000_000.0).round() as u64);
    let frame_rate = match default_duration_ns {
        Some(ns) if ns > 0 => 1e9 / ns as f64,
        _ => {
            let no_timing =
                || dmg("its frame rate cannot be read (no frame timing in the file)".into());
            let start = first_cluster.ok_or_else(no_timing)?;
            let mut stamps = block_timestamps(&mut src, start, seg_end, track_number, &mut budget)
                .map_err(dmg)?;
            stamps.sort_unstable();
            match (stamps.first(), stamps.last()) {
                (Some(a), Some(b)) if stamps.len() > 1 && b > a => {
                    (stamps.len() - 1) as f64 * 1e9 / ((b - a) as f64 * scale_ns)
                }
                _ => return Err(no_timing()),
            }
        }
    };
    let duration_ms = duration_ms.ok_or_else(|| {
        dmg("its duration is not recorded (a live recording?); re-export it".into())
    })?;
    Ok(VideoFacts {
        container,
        codec,
        codec_tag,
        width,
        height,
        frame_rate,
        duration_ms,
        size_bytes: size,
    })
}

/// Timestamps (in the segment's timestamp units) of the first blocks of `track`, walking
/// clusters from `start` by element headers: no frame data is read.
fn block_timestamps<R: Read + Seek>(
    src: &mut Src<R>,
    start: u64,
    end: u64,
    track: u64,
    budget: &mut Budget,
) -> Result<Vec<i64>, String> {
    let mut stamps = Vec::with_capacity(SAMPLE_FRAMES);
    let mut cluster_ts: i64 = 0;
    let mut pos = start;
    while pos < end && stamps.len() < SAMPLE_FRAMES {
        budget.visit()?;
        // A damaged tail just ends the sample.
        let Ok(Some(e)) = header(src, pos) else { break };
        match e.id {
            // Enter: their children are what matters (an unknown-size cluster is fine here).
            ID_CLUSTER | ID_BLOCK_GROUP => {
                pos = e.data;
                continue;
            }
            ID_TIMESTAMP => {
                let n = e.size.unwrap_or(0);
                if (1..=8).contains(&n) {
                    let mut b = [0u8; 8];
                    if src
                        .read_at(e.data, &mut b[8 - n as usize..])
                        .map_err(|e| e.to_string())?
                    {
                        cluster_ts = i64::try_from(u64::from_be_bytes(b)).unwrap_or(i64::MAX);
                    }
                }
            }
            ID_SIMPLE_BLOCK | ID_BLOCK => {
                // Track number (a size-style varint), then a signed 16-bit relative timestamp.
                let mut b = [0u8; 11];
                let avail = src.len().saturating_sub(e.data).min(11) as usize;
                if avail > 0
                    && src
                        .read_at(e.data, &mut b[..avail])
                        .map_err(|e| e.to_string())?
                {
                    let first = b[0];
                    if first != 0 {
                        let n = first.leading_zeros() as usize + 1;
                        if avail >= n + 2 {
                            let mask = if n == 8 { 0 } else { 0xFFu8 >> n };
                            let mut t = u64::from(first & mask);
                            for &x in &b[1..n] {
                                t = (t << 8) | u64::from(x);
                            }
                            if t == track {
                                let rel = i16::from_be_bytes([b[n], b[n + 1]]);
                                stamps.push(cluster_ts.saturating_add(i64::from(rel)));
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        let Some(s) = e.size else { break };
        match e.data.checked_add(s) {
            Some(next) => pos = next,
            None => break,
        }
    }
    Ok(stamps)
}
