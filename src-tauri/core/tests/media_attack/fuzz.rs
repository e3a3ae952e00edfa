//! Structure-aware fuzzing of the header trees, run in one child process.

use super::*;

// ---------------------------------------------------------------------------------------------
// Fuzzing

#[derive(Debug, Clone)]
enum Mutation {
    /// Declare this size instead of the real one.
    Claim(usize, u64),
    Wide(usize),
    Open(usize),
    /// Repeat the node.
    Duplicate(usize, usize),
    /// Wrap the node in this many copies of its parent's kind.
    Nest(usize, usize),
    /// Insert this many empty siblings before the node.
    Flood(usize, usize),
    Remove(usize),
}

fn claim_value() -> impl Strategy<Value = u64> {
    prop_oneof![
        Just(0u64),
        Just(1),
        2..64u64,
        Just(u64::from(u32::MAX)),
        Just(GIB),
        Just(64 * GIB),
        Just(u64::MAX >> 8),
        any::<u64>(),
    ]
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let at = any::<usize>();
    prop_oneof![
        4 => (at, claim_value()).prop_map(|(a, v)| Mutation::Claim(a, v)),
        1 => at.prop_map(Mutation::Wide),
        1 => at.prop_map(Mutation::Open),
        1 => (at, 1..40usize).prop_map(|(a, n)| Mutation::Duplicate(a, n)),
        1 => (at, 1..300usize).prop_map(|(a, n)| Mutation::Nest(a, n)),
        1 => (at, 1..200_000usize).prop_map(|(a, n)| Mutation::Flood(a, n)),
        1 => at.prop_map(Mutation::Remove),
    ]
}

fn apply(fmt: Format, tree: &mut Vec<Node>, m: &Mutation) {
    let mut all = Vec::new();
    paths(tree, &mut Vec::new(), &mut all);
    if all.is_empty() {
        return;
    }
    let pick = |a: usize| all[a % all.len()].clone();
    let filler = || match fmt {
        Format::Ebml => Node {
            id: vec![0xEC],
            size: Size::Exact,
            width: 0,
            body: Body::Data(Vec::new()),
        },
        Format::Bmff => Node {
            id: b"free".to_vec(),
            size: Size::Exact,
            width: 0,
            body: Body::Data(Vec::new()),
        },
    };
    match *m {
        Mutation::Claim(a, v) => {
            let p = pick(a);
            siblings_mut(tree, &p)[*p.last().unwrap()].size = Size::Claim(v);
        }
        Mutation::Wide(a) => {
            let p = pick(a);
            siblings_mut(tree, &p)[*p.last().unwrap()].size = Size::Wide;
        }
        Mutation::Open(a) => {
            let p = pick(a);
            siblings_mut(tree, &p)[*p.last().unwrap()].size = Size::Open;
        }
        Mutation::Duplicate(a, n) => {
            let p = pick(a);
            let i = *p.last().unwrap();
            let sib = siblings_mut(tree, &p);
            let copy = sib[i].clone();
            sib.splice(i..i, std::iter::repeat_n(copy, n));
        }
        Mutation::Nest(a, n) => {
            let p = pick(a);
            let wrapper_id = if p.len() > 1 {
                siblings_mut(tree, &p[..p.len() - 1])[p[p.len() - 2]]
                    .id
                    .clone()
            } else {
                siblings_mut(tree, &p)[p[0]].id.clone()
            };
            let i = *p.last().unwrap();
            let sib = siblings_mut(tree, &p);
            let mut node = sib[i].clone();
            for _ in 0..n {
                node = Node {
                    id: wrapper_id.clone(),
                    size: Size::Exact,
                    width: 0,
                    body: Body::Kids(vec![node]),
                };
            }
            sib[i] = node;
        }
        Mutation::Flood(a, n) => {
            let p = pick(a);
            let i = *p.last().unwrap();
            siblings_mut(tree, &p).splice(i..i, std::iter::repeat_n(filler(), n));
        }
        Mutation::Remove(a) => {
            let p = pick(a);
            let i = *p.last().unwrap();
            siblings_mut(tree, &p).remove(i);
        }
    }
}

fn fuzz_cases() -> u32 {
    std::env::var(FUZZ_CASES_ENV)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(40)
}

pub(super) fn fuzz_in_child() {
    let dir = tempfile::tempdir().unwrap();
    let bases: Vec<(Format, Vec<u8>, &str)> = vec![
        (
            Format::Bmff,
            std::fs::read(mp4(dir.path(), "a.mp4", true)).unwrap(),
            "mp4",
        ),
        (
            Format::Bmff,
            std::fs::read(mp4(dir.path(), "b.mp4", false)).unwrap(),
            "mp4",
        ),
        (
            Format::Bmff,
            std::fs::read(ffmpeg(
                dir.path(),
                "c.mov",
                "testsrc=size=360x360:rate=25",
                0.3,
                &["-c:v", "libx264", "-preset", "ultrafast"],
            ))
            .unwrap(),
            "mov",
        ),
        (
            Format::Ebml,
            std::fs::read(webm_vp8(dir.path(), "d.webm")).unwrap(),
            "webm",
        ),
        (
            Format::Ebml,
            std::fs::read(ffmpeg(
                dir.path(),
                "e.webm",
                "testsrc=size=360x360:rate=30",
                0.3,
                &[
                    "-c:v",
                    "libvpx-vp9",
                    "-deadline",
                    "realtime",
                    "-cpu-used",
                    "8",
                ],
            ))
            .unwrap(),
            "webm",
        ),
    ];
    let trees: Vec<_> = bases
        .iter()
        .map(|(fmt, data, ext)| (*fmt, parse(*fmt, data), *ext))
        .collect();
    // The untouched files parse back byte for byte, so the mutations start from real files.
    for ((fmt, data, _), (_, tree, _)) in bases.iter().zip(&trees) {
        assert!(
            &serialize(*fmt, tree) == data,
            "a base file does not round-trip"
        );
    }
    let target = dir.path().join("case");
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: fuzz_cases(),
        failure_persistence: None,
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    });
    let strategy = (
        0..trees.len(),
        prop::collection::vec(mutation(), 1..4),
        prop_oneof![Just(None), (0.0..1.0f64).prop_map(Some)],
        prop_oneof![Just(0u64), Just(GIB), Just(64 * GIB)],
    );
    let worst = std::cell::Cell::new((0u64, Duration::ZERO));
    let result = runner.run(&strategy, |(base, muts, cut, sparse)| {
        let (fmt, tree, ext) = &trees[base];
        let mut tree = tree.clone();
        for m in &muts {
            apply(*fmt, &mut tree, m);
        }
        let mut data = serialize(*fmt, &tree);
        if let Some(f) = cut {
            data.truncate(((data.len() as f64) * f) as usize);
        }
        let path = target.with_extension(ext);
        write_sparse(
            &path,
            &data,
            if sparse > 0 {
                sparse + data.len() as u64
            } else {
                0
            },
        );
        let panics_before = PANICS.load(Ordering::SeqCst);
        let m = measure(&path);
        let w = worst.get();
        worst.set((w.0.max(m.growth_kib), w.1.max(m.elapsed)));
        prop_assert_eq!(
            PANICS.load(Ordering::SeqCst),
            panics_before,
            "panicked: {}",
            m.outcome
        );
        prop_assert!(
            m.growth_kib <= MAX_GROWTH_KIB,
            "peak memory grew by {} KiB ({})",
            m.growth_kib,
            m.outcome
        );
        prop_assert!(
            m.elapsed <= MAX_PROBE_TIME,
            "took {:?} ({})",
            m.elapsed,
            m.outcome
        );
        Ok(())
    });
    println!(
        "fuzz: {} cases, worst peak RSS growth {} KiB, slowest {:?}",
        fuzz_cases(),
        worst.get().0,
        worst.get().1
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}

#[test]
fn fuzzed_headers_get_an_answer_in_bounded_memory_and_time() {
    let limit = Duration::from_secs(60 + u64::from(fuzz_cases()) * 2);
    let out = run_child("fuzz", limit);
    if let Some(l) = out.lines().find(|l| l.starts_with("fuzz:")) {
        println!("{l}");
    }
}
