//! The reproduced attacks on real files: huge declared sizes, floods of tiny boxes, and a WebM
//! without a default duration.

use super::*;

// ---------------------------------------------------------------------------------------------
// The reproduced attacks

#[test]
fn webm_claiming_a_huge_codec_private_is_refused_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read(webm_vp8(dir.path(), "base.webm")).unwrap();
    for (name, claim, lie) in [
        ("cp-64gib.webm", 64 * GIB, false),
        ("cp-1gib.webm", GIB, false),
        ("cp-1gib-parents.webm", GIB, true),
    ] {
        let data = webm_with_codec_private_claim(&base, claim, lie);
        let p = dir.path().join(name);
        // The claim is backed by the file's length (sparse: 8 KiB of real data).
        write_sparse(&p, &data, claim + data.len() as u64 + 4096);
        let err = probe_attack(&p);
        assert!(
            err.contains("looks incomplete or damaged")
                && (err.contains("claims") || err.contains("far more than a video needs")),
            "{name}: {err}"
        );
    }
}

#[test]
fn mp4_claiming_a_huge_movie_header_is_refused_with_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read(mp4(dir.path(), "base.mp4", true)).unwrap();
    let mut tree = parse(Format::Bmff, &base);
    let moov = find_path(&tree, &[b"moov"]).unwrap();
    // 200 MB moov: under the old 256 MB cap, so it used to be read into memory whole.
    let claim = 200 * 1024 * 1024;
    siblings_mut(&mut tree, &moov)[moov[0]].size = Size::Claim(claim);
    let data = serialize(Format::Bmff, &tree);
    let p = dir.path().join("moov-200mb.mp4");
    write_sparse(&p, &data, claim + 4096);
    let err = probe_attack(&p);
    assert!(err.contains("its movie header claims 199 MB"), "{err}");

    // A sample table declaring four billion entries in a box of a few bytes.
    let mut tree = parse(Format::Bmff, &base);
    let stsz = find_path(
        &tree,
        &[b"moov", b"trak", b"mdia", b"minf", b"stbl", b"stsz"],
    )
    .unwrap();
    let node = &mut siblings_mut(&mut tree, &stsz)[*stsz.last().unwrap()];
    let Body::Data(d) = &mut node.body else {
        unreachable!()
    };
    d[4..8].copy_from_slice(&0u32.to_be_bytes()); // per-sample sizes follow
    d[8..12].copy_from_slice(&u32::MAX.to_be_bytes());
    let p = dir.path().join("stsz-4g.mp4");
    std::fs::write(&p, serialize(Format::Bmff, &tree)).unwrap();
    let err = probe_attack(&p);
    assert!(
        err.contains("its 'stsz' table claims 4294967295 entries but its box cannot hold them"),
        "{err}"
    );
}

#[test]
fn millions_of_tiny_boxes_are_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read(mp4(dir.path(), "base.mp4", false)).unwrap();
    let tree = parse(Format::Bmff, &base);
    // Two million empty `free` boxes between ftyp and the rest (16 MB).
    let mut flood = Vec::with_capacity(2_000_001 * 8);
    write(Format::Bmff, &tree[..1], &mut flood);
    for _ in 0..2_000_000 {
        flood.extend_from_slice(&[0, 0, 0, 8, b'f', b'r', b'e', b'e']);
    }
    write(Format::Bmff, &tree[1..], &mut flood);
    let p = dir.path().join("flood-top.mp4");
    std::fs::write(&p, &flood).unwrap();
    let err = probe_attack(&p);
    assert!(err.contains("more than 20000 boxes or elements"), "{err}");

    // The same inside moov (in memory, where mp4parse walks).
    let mut tree = parse(Format::Bmff, &base);
    let moov = find_path(&tree, &[b"moov"]).unwrap();
    let Body::Kids(kids) = &mut siblings_mut(&mut tree, &moov)[moov[0]].body else {
        unreachable!()
    };
    let free = Node {
        id: b"free".to_vec(),
        size: Size::Exact,
        width: 0,
        body: Body::Data(Vec::new()),
    };
    kids.splice(0..0, std::iter::repeat_n(free, 1_000_000));
    let p = dir.path().join("flood-moov.mp4");
    std::fs::write(&p, serialize(Format::Bmff, &tree)).unwrap();
    let err = probe_attack(&p);
    assert!(err.contains("more than 50000 boxes or elements"), "{err}");

    // And a WebM with a million Void elements before its track list.
    let base = std::fs::read(webm_vp8(dir.path(), "base.webm")).unwrap();
    let mut tree = parse(Format::Ebml, &base);
    let seg = find_path(&tree, &[SEGMENT]).unwrap();
    let node = &mut siblings_mut(&mut tree, &seg)[seg[0]];
    node.size = Size::Exact;
    let Body::Kids(kids) = &mut node.body else {
        unreachable!()
    };
    let void = Node {
        id: vec![0xEC],
        size: Size::Exact,
        width: 0,
        body: Body::Data(Vec::new()),
    };
    kids.splice(0..0, std::iter::repeat_n(void, 1_000_000));
    let p = dir.path().join("flood.webm");
    std::fs::write(&p, serialize(Format::Ebml, &tree)).unwrap();
    let err = probe_attack(&p);
    assert!(err.contains("more than 100000 boxes or elements"), "{err}");
}

/// Without a default duration the frame rate comes from block timestamps, read from the
/// cluster headers here (the demuxer only sees the header copy).
#[test]
fn webm_without_default_duration_gets_its_frame_rate_from_block_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let base = std::fs::read(webm_vp8(dir.path(), "base.webm")).unwrap();
    let mut tree = parse(Format::Ebml, &base);
    let entry = find_path(&tree, &[SEGMENT, TRACKS, TRACK_ENTRY]).unwrap();
    let idx = *entry.last().unwrap();
    let Body::Kids(kids) = &mut siblings_mut(&mut tree, &entry)[idx].body else {
        unreachable!()
    };
    let before = kids.len();
    kids.retain(|k| k.id != [0x23, 0xE3, 0x83]); // DefaultDuration
    assert_eq!(kids.len(), before - 1, "ffmpeg wrote a default duration");
    let p = dir.path().join("no-default-duration.webm");
    std::fs::write(&p, serialize(Format::Ebml, &tree)).unwrap();
    let f = media::probe(&p).unwrap();
    assert!((f.frame_rate - 30.0).abs() < 0.5, "{f:?}");
    assert_eq!((f.width, f.height), (360, 360));
}
