//! A small reader of the engine's own sources: which file imports which, with `pub use`
//! re-exports followed to the file that defines the item. Good enough for this code base's
//! style (rustfmt-formatted, `use` trees, `crate::`/`super::`/`self::` paths); it is a test
//! tool, not a Rust parser.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// One source file of the crate.
#[derive(Debug)]
pub struct SourceFile {
    /// Relative to `src/`, e.g. `posts/dto.rs`.
    pub rel: String,
    /// Module path segments, e.g. `["posts", "dto"]`; empty for `lib.rs`.
    pub module: Vec<String>,
    /// The text without comments and without `#[cfg(test)]` modules.
    pub code: String,
    /// The modules it declares (`mod x;`).
    pub children: Vec<String>,
}

pub struct Crate {
    pub files: Vec<SourceFile>,
    by_module: BTreeMap<Vec<String>, usize>,
}

impl Crate {
    pub fn read(src: &Path) -> Crate {
        let mut files = Vec::new();
        collect(src, src, &mut files);
        files.sort_by(|a, b| a.rel.cmp(&b.rel));
        let by_module = files
            .iter()
            .enumerate()
            .map(|(i, f)| (f.module.clone(), i))
            .collect();
        Crate { files, by_module }
    }

    pub fn file_of(&self, module: &[String]) -> Option<&SourceFile> {
        self.by_module.get(module).map(|&i| &self.files[i])
    }

    /// File → files it imports (by `rel`), re-exports followed.
    pub fn edges(&self) -> BTreeMap<String, BTreeSet<String>> {
        let mut out = BTreeMap::new();
        for f in &self.files {
            let mut targets = BTreeSet::new();
            for path in paths_of(f) {
                let Some(abs) = self.absolute(f, &path) else {
                    continue;
                };
                if let Some(target) = self.resolve(&abs, 0) {
                    if target != f.rel {
                        targets.insert(target);
                    }
                }
            }
            out.insert(f.rel.clone(), targets);
        }
        out
    }

    /// A path as written in `f` made absolute (segments after `crate`), or `None` for paths
    /// into other crates.
    fn absolute(&self, f: &SourceFile, path: &[String]) -> Option<Vec<String>> {
        let first = path.first()?;
        let is_dir_module = f.rel == "lib.rs" || f.rel.ends_with("mod.rs");
        // The module that `self` means in this file.
        let here = f.module.clone();
        let mut abs = match first.as_str() {
            "crate" => Vec::new(),
            "self" => here,
            "super" => {
                let mut m = here;
                let mut rest = path;
                while rest.first().map(String::as_str) == Some("super") {
                    m.pop();
                    rest = &rest[1..];
                }
                m.extend(rest.iter().cloned());
                return Some(m);
            }
            name => {
                // A child module named first (`use dto::PostDto;` in posts/mod.rs).
                let mut child = here.clone();
                child.push(name.to_owned());
                if is_dir_module && self.by_module.contains_key(&child) {
                    here
                } else {
                    return None;
                }
            }
        };
        let skip = usize::from(matches!(first.as_str(), "crate" | "self"));
        abs.extend(path[skip..].iter().cloned());
        Some(abs)
    }

    /// The file that defines what `abs` names: the deepest module on the path, or, when the
    /// path goes through a re-export, the file the re-export points to.
    fn resolve(&self, abs: &[String], depth: usize) -> Option<String> {
        if depth > 16 {
            return None;
        }
        let mut n = abs.len();
        while n > 0 && !self.by_module.contains_key(&abs[..n]) {
            n -= 1;
        }
        let module = abs[..n].to_vec();
        let file = self.file_of(&module)?;
        let Some(item) = abs.get(n) else {
            return Some(file.rel.clone());
        };
        if defines(file, item) {
            return Some(file.rel.clone());
        }
        // Re-exported here: follow it.
        for (name, target) in reexports(file) {
            if &name == item {
                // A re-export of another crate's item is no edge inside this one.
                return self
                    .absolute(file, &target)
                    .and_then(|t| self.resolve(&t, depth + 1));
            }
        }
        for glob in glob_reexports(file) {
            if let Some(mut t) = self.absolute(file, &glob) {
                t.push(item.clone());
                if let Some(found) = self.resolve(&t, depth + 1) {
                    if found != file.rel {
                        return Some(found);
                    }
                }
            }
        }
        Some(file.rel.clone())
    }
}

fn collect(root: &Path, dir: &Path, out: &mut Vec<SourceFile>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("read src dir")
        .map(|e| e.expect("dir entry").path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect(root, &p, out);
        } else if p.extension().is_some_and(|e| e == "rs") {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&p).expect("read source");
            let mut module: Vec<String> = rel
                .trim_end_matches(".rs")
                .split('/')
                .map(str::to_owned)
                .collect();
            if module.last().map(String::as_str) == Some("mod") {
                module.pop();
            }
            if rel == "lib.rs" || rel == "main.rs" {
                module.clear();
            }
            let children = text
                .lines()
                .filter_map(|l| {
                    let l = l.trim();
                    let l = l.strip_prefix("pub ").unwrap_or(l);
                    let l = l.strip_prefix("pub(crate) ").unwrap_or(l);
                    l.strip_prefix("mod ")?.strip_suffix(';').map(str::to_owned)
                })
                .collect();
            out.push(SourceFile {
                children,
                code: strip(&text),
                rel,
                module,
            });
        }
    }
}

/// Drops `//` comments and every `#[cfg(test)]` item (the test modules may reach anything).
pub fn strip(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let code = match line.find("//") {
            // A `//` inside a string literal (URLs) is rare here; keep lines with quotes whole.
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    let mut result = String::new();
    let mut rest = out.as_str();
    let next_test_item = |s: &str| {
        ["#[cfg(test)]", "#[cfg(all(test,"]
            .iter()
            .filter_map(|m| s.find(m))
            .min()
    };
    while let Some(i) = next_test_item(rest) {
        result.push_str(&rest[..i]);
        // Past the attribute itself (its own brackets hold no braces or semicolons).
        let after = &rest[i + rest[i..].find(']').map_or(0, |e| e + 1)..];
        // Skip the attributed item: up to its matching closing brace, or its `;`.
        let brace = after.find('{');
        let semi = after.find(';');
        match (brace, semi) {
            (Some(b), Some(s)) if s < b => rest = &after[s + 1..],
            (Some(b), _) => {
                let mut depth = 0usize;
                let mut end = after.len();
                for (j, c) in after[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + j + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &after[end..];
            }
            _ => rest = "",
        }
    }
    result.push_str(rest);
    result
}

fn is_ident(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// Every path the file names: expanded `use` trees and inline `crate::`/`super::` paths.
fn paths_of(f: &SourceFile) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    for tree in use_statements(&f.code) {
        out.extend(expand(&tree).into_iter().map(|(path, _)| path));
    }
    // Inline paths, outside the `use` statements already expanded above.
    let code = &without_use_statements(&f.code);
    for start in ["crate::", "super::"] {
        let mut from = 0;
        while let Some(i) = code[from..].find(start) {
            let at = from + i;
            from = at + start.len();
            if at > 0 && is_ident(code[..at].chars().last().unwrap()) {
                continue;
            }
            let tail: String = code[at..]
                .chars()
                .take_while(|&c| is_ident(c) || c == ':')
                .collect();
            let segs: Vec<String> = tail
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            out.push(segs);
        }
    }
    // In a directory module, `child::item` names a child module without a prefix.
    if f.rel == "lib.rs" || f.rel.ends_with("mod.rs") {
        for child in &f.children {
            let needle = format!("{child}::");
            let mut from = 0;
            while let Some(i) = code[from..].find(&needle) {
                let at = from + i;
                from = at + needle.len();
                if at > 0 && {
                    let c = code[..at].chars().last().unwrap();
                    is_ident(c) || c == ':'
                } {
                    continue;
                }
                let tail: String = code[at..]
                    .chars()
                    .take_while(|&c| is_ident(c) || c == ':')
                    .collect();
                out.push(
                    tail.split("::")
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned)
                        .collect(),
                );
            }
        }
    }
    out
}

fn without_use_statements(code: &str) -> String {
    let mut out = String::new();
    for stmt in code.split_inclusive(';') {
        let t = stmt.trim_start();
        let t = t
            .strip_prefix("pub(crate) ")
            .or_else(|| t.strip_prefix("pub(super) "))
            .or_else(|| t.strip_prefix("pub "))
            .unwrap_or(t);
        if !t.starts_with("use ") {
            out.push_str(stmt);
        }
    }
    out
}

/// The bodies of `use …;` statements (without `use` and `;`), `pub use` included.
fn use_statements(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = code[from..].find("use ") {
        let at = from + i;
        from = at + 4;
        let before = code[..at].trim_end();
        let starts_statement = before.is_empty()
            || before.ends_with(';')
            || before.ends_with('{')
            || before.ends_with('}')
            || before.ends_with(']')
            || before.ends_with("pub")
            || before.ends_with("pub(crate)")
            || before.ends_with("pub(super)");
        if !starts_statement || (at > 0 && is_ident(code[..at].chars().last().unwrap())) {
            continue;
        }
        if let Some(end) = code[from..].find(';') {
            out.push(
                code[from..from + end]
                    .split_whitespace()
                    .collect::<String>(),
            );
            from += end;
        }
    }
    out
}

/// Expands a use tree (`crate::{a::B, c::{D, E as F}}`) into (path, name it is bound to).
fn expand(tree: &str) -> Vec<(Vec<String>, String)> {
    fn go(prefix: &[String], tree: &str, out: &mut Vec<(Vec<String>, String)>) {
        let tree = tree.trim();
        if tree.is_empty() {
            return;
        }
        if let Some(open) = tree.find('{') {
            let head: Vec<String> = tree[..open]
                .split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect();
            let inner = &tree[open + 1..tree.rfind('}').unwrap_or(tree.len())];
            let mut p = prefix.to_vec();
            p.extend(head);
            let mut depth = 0;
            let mut part = String::new();
            for c in inner.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        part.push(c)
                    }
                    '}' => {
                        depth -= 1;
                        part.push(c)
                    }
                    ',' if depth == 0 => {
                        go(&p, &part, out);
                        part.clear();
                    }
                    _ => part.push(c),
                }
            }
            go(&p, &part, out);
            return;
        }
        let (path, alias) = match tree.split_once("as") {
            Some((p, a)) if !p.ends_with(':') && !a.starts_with(':') => (p, Some(a)),
            _ => (tree, None),
        };
        let mut p = prefix.to_vec();
        p.extend(
            path.split("::")
                .filter(|s| !s.is_empty())
                .map(str::to_owned),
        );
        if p.last().map(String::as_str) == Some("self") {
            p.pop();
        }
        let name = alias
            .map(str::to_owned)
            .or_else(|| p.last().cloned())
            .unwrap_or_default();
        out.push((p, name));
    }
    let mut out = Vec::new();
    go(&[], tree, &mut out);
    out
}

/// `pub use` items of a file: (name bound, path as written).
fn reexports(f: &SourceFile) -> Vec<(String, Vec<String>)> {
    pub_use_trees(f)
        .iter()
        .flat_map(|t| expand(t))
        .filter(|(p, _)| p.last().map(String::as_str) != Some("*"))
        .map(|(p, name)| (name, p))
        .collect()
}

fn glob_reexports(f: &SourceFile) -> Vec<Vec<String>> {
    pub_use_trees(f)
        .iter()
        .flat_map(|t| expand(t))
        .filter_map(|(mut p, _)| {
            (p.last().map(String::as_str) == Some("*")).then(|| {
                p.pop();
                p
            })
        })
        .collect()
}

fn pub_use_trees(f: &SourceFile) -> Vec<String> {
    let mut out = Vec::new();
    for marker in ["pub use ", "pub(crate) use "] {
        let mut from = 0;
        while let Some(i) = f.code[from..].find(marker) {
            let at = from + i + marker.len();
            let end = f.code[at..].find(';').map_or(f.code.len(), |e| at + e);
            out.push(f.code[at..end].split_whitespace().collect());
            from = end;
        }
    }
    out
}

/// Whether the file itself defines `item` (a type, function, constant, macro or module).
fn defines(f: &SourceFile, item: &str) -> bool {
    const KINDS: [&str; 9] = [
        "struct ", "enum ", "fn ", "const ", "static ", "type ", "trait ", "mod ", "union ",
    ];
    KINDS.iter().any(|k| {
        let needle = format!("{k}{item}");
        let mut from = 0;
        while let Some(i) = f.code[from..].find(&needle) {
            let at = from + i;
            let end = at + needle.len();
            from = end;
            let before_ok = at == 0 || !is_ident(f.code[..at].chars().last().unwrap());
            let after_ok = f.code[end..].chars().next().is_none_or(|c| !is_ident(c));
            if before_ok && after_ok {
                return true;
            }
        }
        false
    })
}

/// The strongly connected components with more than one file (Tarjan).
pub fn cycles(edges: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct T<'a> {
        edges: &'a BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'a str, usize>,
        low: BTreeMap<&'a str, usize>,
        stack: Vec<&'a str>,
        on: BTreeSet<&'a str>,
        next: usize,
        out: Vec<Vec<String>>,
    }
    impl<'a> T<'a> {
        fn visit(&mut self, v: &'a str) {
            self.index.insert(v, self.next);
            self.low.insert(v, self.next);
            self.next += 1;
            self.stack.push(v);
            self.on.insert(v);
            if let Some(ws) = self.edges.get(v) {
                for w in ws {
                    let w = w.as_str();
                    if !self.edges.contains_key(w) {
                        continue;
                    }
                    if !self.index.contains_key(w) {
                        self.visit(w);
                        let lw = self.low[w];
                        let lv = self.low.get_mut(v).unwrap();
                        *lv = (*lv).min(lw);
                    } else if self.on.contains(w) {
                        let iw = self.index[w];
                        let lv = self.low.get_mut(v).unwrap();
                        *lv = (*lv).min(iw);
                    }
                }
            }
            if self.low[v] == self.index[v] {
                let mut comp = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on.remove(w);
                    comp.push(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort();
                    self.out.push(comp);
                }
            }
        }
    }
    let mut t = T {
        edges,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        next: 0,
        out: Vec::new(),
    };
    for v in edges.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out
}
