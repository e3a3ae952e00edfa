//! MP4 / MOV: the top-level boxes are walked by their headers (seeking over `mdat`, wherever
//! `moov` is); `moov` alone is read into memory, its box tree checked here, and only then handed
//! to `mp4parse`.

use std::io::{Read, Seek};
use std::path::Path;

use super::facts::{damaged, Container, ProbeError, VideoCodec, VideoFacts};
use super::io::{Budget, Src};

/// The largest `moov` box Tokdeck reads into memory. Real ones are well under 1 MB for the
/// 10 minutes TikTok accepts (a few MB for hours); mp4parse's tables take about as much again.
const MAX_MOOV_BYTES: u64 = 16 * 1024 * 1024;
/// Top-level boxes walked before giving up. A plain MP4 has about five; a fragmented one two per
/// fragment (and is refused later anyway for having no sample table).
const MAX_TOP_LEVEL_BOXES: u64 = 20_000;
/// Boxes inside `moov` (about 40 per track in real files).
const MAX_MOOV_BOXES: u64 = 50_000;
/// Nesting inside `moov` (real files: 6 or 7 down to `stsd`).
const MAX_DEPTH: usize = 12;

pub(super) fn is_box_type(t: &[u8]) -> bool {
    matches!(
        t,
        b"ftyp" | b"moov" | b"mdat" | b"wide" | b"free" | b"skip" | b"pnot" | b"uuid"
    )
}

pub(super) fn probe<R: Read + Seek>(
    r: R,
    size: u64,
    path: &Path,
) -> Result<VideoFacts, ProbeError> {
    let mut src = Src::new(r, size);
    let io = |e: std::io::Error| damaged(path, e.to_string());
    let cut = || damaged(path, "the file ends in the middle of a box");
    let mut budget = Budget::new(MAX_TOP_LEVEL_BOXES);
    let mut pos = 0u64;
    let mut brand: Option<[u8; 4]> = None;
    let mut moov: Option<(u64, u64)> = None; // (offset of content, content length)
    let mut saw_mdat = false;
    while pos < size {
        budget.visit().map_err(|e| damaged(path, e))?;
        if size - pos < 8 {
            if moov.is_some() {
                break; // a few bytes of trailing padding after complete boxes
            }
            return Err(cut());
        }
        let mut hdr = [0u8; 8];
        if !src.read_at(pos, &mut hdr).map_err(io)? {
            return Err(cut());
        }
        let size32 = u64::from(u32::from_be_bytes([hdr[0], hdr[1], hdr[2], hdr[3]]));
        let typ: [u8; 4] = [hdr[4], hdr[5], hdr[6], hdr[7]];
        let (box_len, header_len) = match size32 {
            0 => (size - pos, 8), // to the end of the file
            1 => {
                let mut large = [0u8; 8];
                if !src.read_at(pos + 8, &mut large).map_err(io)? {
                    return Err(cut());
                }
                (u64::from_be_bytes(large), 16)
            }
            l => (l, 8),
        };
        if box_len < header_len {
            return Err(damaged(path, "a box has an impossible size"));
        }
        let end = pos
            .checked_add(box_len)
            .ok_or_else(|| damaged(path, "a box has an impossible size"))?;
        if pos == 0 && !is_box_type(&typ) {
            return Err(ProbeError::NotVideo(path.to_path_buf()));
        }
        match &typ {
            b"ftyp" => {
                let mut b = [0u8; 4];
                if box_len >= header_len + 4 && src.read_at(pos + header_len, &mut b).map_err(io)? {
                    brand = Some(b);
                }
            }
            b"moov" => {
                if end > size {
                    return Err(damaged(
                        path,
                        "the movie header (moov) is cut off; the file was not completely written or copied",
                    ));
                }
                // The first one counts; a second would only be a way to make the walk reread.
                if moov.is_none() {
                    moov = Some((pos + header_len, box_len - header_len));
                }
            }
            b"mdat" => saw_mdat = true,
            _ => {}
        }
        if end > size {
            // Only a trailing `mdat` may be cut off (and then `moov` is missing anyway).
            if moov.is_some() && typ == *b"mdat" {
                return Err(damaged(
                    path,
                    format!("the video data stops at {} of {} bytes", size, end),
                ));
            }
            if moov.is_none() {
                return Err(damaged(
                    path,
                    "the movie header (moov) is missing; the file was not completely written or copied",
                ));
            }
            break;
        }
        pos = end;
    }
    let Some((moov_off, moov_len)) = moov else {
        return Err(if saw_mdat || brand.is_some() {
            damaged(
                path,
                "the movie header (moov) is missing; the file was not completely written or copied",
            )
        } else {
            ProbeError::NotVideo(path.to_path_buf())
        });
    };
    if moov_len > MAX_MOOV_BYTES {
        return Err(damaged(
            path,
            format!(
                "its movie header claims {} MB, far more than a video needs",
                moov_len / (1024 * 1024)
            ),
        ));
    }
    // mp4parse gets the moov box alone (header included), from memory.
    let total = moov_len + 8;
    let content = src
        .read_vec(moov_off, moov_len as usize)
        .map_err(io)?
        .ok_or_else(|| damaged(path, "the movie header (moov) is cut off"))?;
    let mut buf = Vec::with_capacity(total as usize);
    buf.extend_from_slice(&(total as u32).to_be_bytes());
    buf.extend_from_slice(b"moov");
    buf.extend_from_slice(&content);
    drop(content);
    check_moov_tree(&buf[8..]).map_err(|e| damaged(path, e))?;
    let ctx = mp4parse::read_mp4(&mut std::io::Cursor::new(&buf[..]))
        .map_err(|e| damaged(path, format!("its movie header could not be read ({e:?})")))?;

    let container = match brand.as_ref() {
        Some(b"qt  ") => Container::Mov,
        _ => {
            let ext = path
                .extension()
                .and_then(|e| e.to_str())
                .map(|e| e.to_ascii_lowercase());
            if brand.is_none() && ext.as_deref() == Some("mov") {
                Container::Mov
            } else {
                Container::Mp4
            }
        }
    };
    let tags = stsd_video_tags(&buf);
    let (idx, track) = ctx
        .tracks
        .iter()
        .enumerate()
        .find(|(_, t)| t.track_type == mp4parse::TrackType::Video)
        .ok_or_else(|| ProbeError::NoVideoTrack(path.to_path_buf()))?;
    let tag = tags.get(idx).cloned().flatten().unwrap_or_default();
    let codec = match tag.as_str() {
        "avc1" | "avc2" | "avc3" | "avc4" => VideoCodec::H264,
        "hvc1" | "hev1" | "dvh1" | "dvhe" => VideoCodec::H265,
        "vp08" => VideoCodec::Vp8,
        "vp09" => VideoCodec::Vp9,
        "av01" => VideoCodec::Av1,
        _ => VideoCodec::Other,
    };
    let (mut width, mut height) = (0u32, 0u32);
    if let Some(stsd) = &track.stsd {
        if let Some(mp4parse::SampleEntry::Video(v)) = stsd.descriptions.first() {
            width = u32::from(v.width);
            height = u32::from(v.height);
        }
    }
    if width == 0 || height == 0 {
        if let Some(tkhd) = &track.tkhd {
            width = tkhd.width >> 16;
            height = tkhd.height >> 16;
        }
    }
    let timescale = track.timescale.map(|t| t.0).unwrap_or(0);
    let stts_total: (u64, u64) = track
        .stts
        .as_ref()
        .map(|s| {
            s.samples.iter().fold((0u64, 0u64), |(n, d), x| {
                (
                    n.saturating_add(u64::from(x.sample_count)),
                    d.saturating_add(u64::from(x.sample_count) * u64::from(x.sample_delta)),
                )
            })
        })
        .unwrap_or((0, 0));
    let media_duration = match track.duration.map(|d| d.0) {
        Some(d) if d > 0 => d,
        _ => stts_total.1,
    };
    if timescale == 0 || media_duration == 0 || stts_total.0 == 0 {
        return Err(damaged(
            path,
            "the video track has no timing information (no frames listed)",
        ));
    }
    let duration_ms = media_duration.saturating_mul(1000) / timescale;
    let frame_rate = stts_total.0 as f64 * timescale as f64 / media_duration as f64;
    Ok(VideoFacts {
        container,
        codec,
        codec_tag: tag,
        width,
        height,
        frame_rate,
        duration_ms,
        size_bytes: size,
    })
}

/// The plain containers mp4parse descends into on the way to the sample tables. `udta` and
/// `meta` are left alone: QuickTime and ISO lay `meta` out differently, and nothing in them is
/// allocated by a declared count.
fn is_container(t: &[u8]) -> bool {
    matches!(
        t,
        b"moov" | b"trak" | b"edts" | b"mdia" | b"minf" | b"stbl" | b"mvex" | b"dinf"
    )
}

/// For a table box, (bytes before the entries, bytes per entry), given the box's content.
fn table_layout(t: &[u8], content: &[u8]) -> Option<(usize, u64)> {
    let version = content.first().copied().unwrap_or(0);
    match t {
        b"stts" | b"ctts" | b"co64" => Some((8, 8)),
        b"stss" | b"stco" | b"stps" => Some((8, 4)),
        b"stsc" => Some((8, 12)),
        b"elst" => Some((8, if version == 1 { 20 } else { 12 })),
        // A constant sample size (non-zero) means no table follows.
        b"stsz" => {
            let fixed = content
                .get(4..8)
                .map(|b| u32::from_be_bytes(b.try_into().unwrap_or([0; 4])));
            (fixed == Some(0)).then_some((12, 4))
        }
        b"stsd" => Some((8, 8)),
        _ => None,
    }
}

/// Checks the box tree inside `moov` before mp4parse sees it: every box inside its parent, a
/// bounded count and depth, and every table's entry count within its box. mp4parse reserves
/// memory for the count a table declares, so a table claiming a billion entries is refused here.
pub(super) fn check_moov_tree(moov: &[u8]) -> Result<(), String> {
    let mut budget = Budget::new(MAX_MOOV_BOXES);
    // (slice of sibling boxes, depth)
    let mut stack: Vec<(&[u8], usize)> = vec![(moov, 1)];
    while let Some((data, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err("its movie header nests boxes deeper than a video does".to_owned());
        }
        let mut p = 0usize;
        while p < data.len() {
            budget.visit()?;
            let rest = &data[p..];
            if rest.len() < 8 {
                // mp4parse tolerates a few padding bytes at the end of a container.
                break;
            }
            let len32 = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]);
            let typ = &rest[4..8];
            let (hl, len) = match len32 {
                0 => (8usize, rest.len() as u64),
                1 => {
                    let l = rest
                        .get(8..16)
                        .ok_or("a box in its movie header is cut off")?;
                    (16, u64::from_be_bytes(l.try_into().unwrap_or([0; 8])))
                }
                l => (8, u64::from(l)),
            };
            if len < hl as u64 || len > rest.len() as u64 {
                return Err(format!(
                    "a '{}' box in its movie header claims {len} bytes but only {} are there",
                    String::from_utf8_lossy(typ).escape_default(),
                    rest.len()
                ));
            }
            let content = &rest[hl..len as usize];
            if let Some((head, per)) = table_layout(typ, content) {
                if let Some(n) = content.get(head - 4..head) {
                    let n = u64::from(u32::from_be_bytes(n.try_into().unwrap_or([0; 4])));
                    if n.saturating_mul(per) > (content.len() - head.min(content.len())) as u64 {
                        return Err(format!(
                            "its '{}' table claims {n} entries but its box cannot hold them",
                            String::from_utf8_lossy(typ).escape_default()
                        ));
                    }
                }
            }
            if is_container(typ) {
                stack.push((content, depth + 1));
            }
            p += len as usize;
        }
    }
    Ok(())
}

/// For each `trak` in a `moov` buffer (in order), the four-character code of its first sample
/// entry (`avc1`, `hvc1`, …). mp4parse does not name H.265, so the tag is read here.
fn stsd_video_tags(moov: &[u8]) -> Vec<Option<String>> {
    fn boxes(data: &[u8]) -> Vec<(&[u8], &[u8])> {
        let mut out = Vec::new();
        let mut p = 0usize;
        while p + 8 <= data.len() {
            let len = u32::from_be_bytes([data[p], data[p + 1], data[p + 2], data[p + 3]]) as usize;
            let typ = &data[p + 4..p + 8];
            let (hl, len) = match len {
                0 => (8, data.len() - p),
                1 => {
                    if p + 16 > data.len() {
                        break;
                    }
                    let l = u64::from_be_bytes(data[p + 8..p + 16].try_into().expect("8"));
                    (16, usize::try_from(l).unwrap_or(usize::MAX))
                }
                l => (8, l),
            };
            if len < hl || p.checked_add(len).is_none_or(|e| e > data.len()) {
                break;
            }
            out.push((typ, &data[p + hl..p + len]));
            p += len;
        }
        out
    }
    fn child<'a>(data: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
        boxes(data)
            .into_iter()
            .find(|(t, _)| *t == name)
            .map(|(_, c)| c)
    }
    let Some((_, moov_content)) = boxes(moov).into_iter().find(|(t, _)| *t == b"moov") else {
        return Vec::new();
    };
    boxes(moov_content)
        .into_iter()
        .filter(|(t, _)| *t == b"trak")
        .map(|(_, trak)| {
            let stsd = child(trak, b"mdia")
                .and_then(|m| child(m, b"minf"))
                .and_then(|m| child(m, b"stbl"))
                .and_then(|m| child(m, b"stsd"))?;
            // full box (4) + entry count (4), then the first entry's size (4) and type (4).
            let t = stsd.get(12..16)?;
            Some(String::from_utf8_lossy(t).into_owned())
        })
        .collect()
}
