//! CSV export of snapshots and samples (pure): RFC 4180, a header line, times in RFC 3339 UTC,
//! an empty field for a count TikTok did not give.

use crate::clock::rfc3339;

/// One field, quoted when it holds a comma, a quote or a line break. A leading `=`, `+`, `-`
/// or `@` gets a `'` so a spreadsheet never runs a caption as a formula.
pub fn field(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@']) {
        format!("'{s}")
    } else {
        s.to_owned()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

pub fn opt(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_default()
}

pub fn time(ms: i64) -> String {
    rfc3339(ms)
}

/// Lines joined with CRLF, as RFC 4180 writes them.
pub fn document(header: &str, rows: impl Iterator<Item = String>) -> String {
    let mut out = String::from(header);
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r);
        out.push_str("\r\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_and_formulas_defused() {
        assert_eq!(field("plain"), "plain");
        assert_eq!(field("a, \"b\""), "\"a, \"\"b\"\"\"");
        assert_eq!(field("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(opt(None), "");
        assert_eq!(
            document("a,b", ["1,2".to_owned()].into_iter()),
            "a,b\r\n1,2\r\n"
        );
    }
}
