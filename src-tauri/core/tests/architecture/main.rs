//! The engine's shape, checked on its own sources (docs/architecture.md states the rules):
//! - the import graph between files has no cycle;
//! - only the composition root (`engine/`) names `Engine`; services get their dependencies;
//! - SQL is written only under `db/`, and `db/` imports no service;
//! - shared types (events, DTO files) import no service;
//! - no source, test or bench file grows past the size limit;
//! - docs/architecture.md names every module.

mod modgraph;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use modgraph::Crate;

/// A source file longer than this is split along its responsibilities.
const MAX_LINES: usize = 600;

fn core_src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Files that hold services: they carry a `Ctx` (or are the composition root).
fn service_files(krate: &Crate) -> BTreeSet<String> {
    krate
        .files
        .iter()
        .filter(|f| {
            f.rel.starts_with("engine/")
                || (f.rel != "ctx.rs" && (f.code.contains("Ctx") || f.code.contains("ctx::")))
        })
        .map(|f| f.rel.clone())
        .collect()
}

#[test]
fn the_engine_has_no_import_cycle() {
    let krate = Crate::read(&core_src());
    let cycles = modgraph::cycles(&krate.edges());
    assert!(
        cycles.is_empty(),
        "files that import each other in a cycle (import a type from the file that defines it, \
         move shared types to a leaf file, or pass a dependency in):\n{}",
        cycles
            .iter()
            .map(|c| format!("  - {}", c.join(" ⇄ ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn only_the_composition_root_names_the_engine() {
    let krate = Crate::read(&core_src());
    let edges = krate.edges();
    let mut offenders = Vec::new();
    for f in &krate.files {
        if f.rel.starts_with("engine/") || f.rel == "lib.rs" {
            continue;
        }
        let mentions = f.code.contains("crate::engine")
            || edges[&f.rel].iter().any(|t| t.starts_with("engine/"));
        if mentions {
            offenders.push(f.rel.clone());
        }
    }
    assert!(
        offenders.is_empty(),
        "these files reach the engine; give them the services they need instead: {offenders:?}"
    );
}

/// Text that only SQL-running code contains.
const SQL_MARKERS: [&str; 10] = [
    "sqlx::query",
    "sqlx::raw_sql",
    "query_as::<",
    "query_scalar::<",
    "\"SELECT ",
    "\"UPDATE ",
    "\"INSERT ",
    "\"DELETE ",
    "\"WITH ",
    "pool.begin()",
];

#[test]
fn sql_is_written_only_under_db() {
    let krate = Crate::read(&core_src());
    let mut offenders = BTreeMap::new();
    for f in &krate.files {
        if f.rel.starts_with("db/") {
            continue;
        }
        let found: Vec<&str> = SQL_MARKERS
            .iter()
            .copied()
            .filter(|m| f.code.contains(m))
            .collect();
        if !found.is_empty() {
            offenders.insert(f.rel.clone(), found);
        }
    }
    assert!(
        offenders.is_empty(),
        "SQL outside db/ (move it into the table's db module): {offenders:#?}"
    );
}

/// A deferred `BEGIN` that reads and then writes fails at once under a concurrent writer
/// ("database is locked"); every transaction starts through `db::begin_write` instead.
#[test]
fn transactions_take_the_write_lock_up_front() {
    let krate = Crate::read(&core_src());
    let offenders: Vec<&str> = krate
        .files
        .iter()
        .filter(|f| f.rel != "db/mod.rs")
        .filter(|f| f.code.contains(".begin()") || f.code.contains("begin_with("))
        .map(|f| f.rel.as_str())
        .collect();
    assert!(
        offenders.is_empty(),
        "start transactions with db::begin_write: {offenders:?}"
    );
}

#[test]
fn db_and_shared_types_import_no_service() {
    let krate = Crate::read(&core_src());
    let edges = krate.edges();
    let services = service_files(&krate);
    let mut offenders = Vec::new();
    for f in &krate.files {
        let is_leaf = f.rel.starts_with("db/") || f.rel == "events.rs" || f.rel.ends_with("dto.rs");
        if !is_leaf {
            continue;
        }
        for t in &edges[&f.rel] {
            if services.contains(t) {
                offenders.push(format!("{} → {}", f.rel, t));
            }
        }
    }
    assert!(
        offenders.is_empty(),
        "db modules and shared type files must not import services: {offenders:#?}"
    );
}

/// Every source file under `dir` (Rust, TypeScript, Svelte), with its line count; generated
/// files and dependencies are skipped.
fn source_files(dir: &Path, out: &mut Vec<(PathBuf, usize)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries {
        let p = e.expect("dir entry").path();
        let name = p.file_name().unwrap_or_default().to_string_lossy();
        if p.is_dir() {
            if name != "node_modules" && name != "target" {
                source_files(&p, out);
            }
        } else if ["rs", "ts", "svelte"]
            .iter()
            .any(|x| p.extension().is_some_and(|e| e == *x))
            && name != "bindings.ts"
        {
            let n = std::fs::read_to_string(&p).expect("read").lines().count();
            out.push((p, n));
        }
    }
}

#[test]
fn no_source_file_is_longer_than_the_limit() {
    let root = repo_root();
    let mut files = Vec::new();
    // Sources, tests and benches of every crate, the app's E2E tests and the UI; the one
    // generated file (`ui/src/lib/bindings.ts`) is skipped.
    for dir in ["src-tauri", "tests", "ui/src"] {
        source_files(&root.join(dir), &mut files);
    }
    let long: Vec<String> = files
        .iter()
        .filter(|(_, n)| *n > MAX_LINES)
        .map(|(p, n)| format!("{} ({n} lines)", p.strip_prefix(&root).unwrap().display()))
        .collect();
    assert!(
        long.is_empty(),
        "split these along their responsibilities (limit {MAX_LINES} lines): {long:#?}"
    );
}

#[test]
fn the_architecture_doc_names_every_module() {
    let doc = std::fs::read_to_string(repo_root().join("docs/architecture.md"))
        .expect("docs/architecture.md exists");
    let krate = Crate::read(&core_src());
    let missing: Vec<String> = krate
        .files
        .iter()
        .filter(|f| f.rel != "lib.rs")
        .map(|f| {
            // A directory module is named once as `dir/`; its files by their own name.
            match f.rel.strip_suffix("/mod.rs") {
                Some(dir) => format!("{dir}/"),
                None => f.rel.clone(),
            }
        })
        .filter(|name| !doc.contains(&format!("`{name}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/architecture.md does not name these modules (as `path`): {missing:#?}"
    );
}

#[test]
fn the_reader_sees_through_reexports_and_test_modules() {
    // The tool itself: a cycle through a re-export is found, one through a test module is not.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path();
    std::fs::create_dir_all(src.join("a")).unwrap();
    std::fs::write(src.join("lib.rs"), "pub mod a;\npub mod b;\n").unwrap();
    std::fs::write(
        src.join("a/mod.rs"),
        "mod dto;\nmod service;\npub use dto::Thing;\npub use service::Service;\n",
    )
    .unwrap();
    std::fs::write(src.join("a/dto.rs"), "pub struct Thing;\n").unwrap();
    std::fs::write(
        src.join("a/service.rs"),
        "use crate::b::Helper;\npub struct Service(Helper);\n",
    )
    .unwrap();
    std::fs::write(
        src.join("b.rs"),
        "use crate::a::Thing;\npub struct Helper;\n#[cfg(test)]\nmod tests {\n    use crate::a::Service;\n}\n",
    )
    .unwrap();
    let krate = Crate::read(src);
    let edges = krate.edges();
    assert!(edges["b.rs"].contains("a/dto.rs"), "{edges:?}");
    assert!(!edges["b.rs"].contains("a/service.rs"), "{edges:?}");
    assert!(modgraph::cycles(&edges).is_empty(), "{edges:?}");
    // Now b names the service outside its tests: a real cycle.
    std::fs::write(
        src.join("b.rs"),
        "use crate::a::{Thing, Service};\npub struct Helper;\n",
    )
    .unwrap();
    let edges = Crate::read(src).edges();
    assert_eq!(
        modgraph::cycles(&edges),
        vec![vec!["a/service.rs".to_owned(), "b.rs".to_owned()]]
    );
}

#[test]
#[ignore]
fn print_edges() {
    let krate = Crate::read(&core_src());
    for (f, ts) in krate.edges() {
        println!("{f} -> {ts:?}");
    }
}
