//! Loading RON files: parse to `Raw*` types, apply variant overrides, validate into the model.
//!
//! Every problem becomes a [`Diagnostic`] with the file, line and column, what was expected
//! and, for a misspelt name, the closest valid one (SPEC §5). Semantic problems are collected
//! across the whole experiment and reported together, before anything runs.

pub mod raw;
pub mod tree;
mod unique;
pub(crate) mod units;
mod validate;

use crate::model::Experiment;
use raw::{RawExperiment, RawTopology};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub use validate::{MAX_SEEDS, TopologyModel};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in an input file.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub file: String,
    /// 1-based line and column, when the place is known.
    pub line: Option<usize>,
    pub col: Option<usize>,
    pub message: String,
    pub help: Option<String>,
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sev = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{sev}: {}", self.file)?;
        if let (Some(l), Some(c)) = (self.line, self.col) {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// Why a file could not be turned into a model.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read. (The I/O error is part of the message, not a `source`, so
    /// that printing the error with its causes does not say it twice.)
    #[error("{path}: cannot read the file: {error}")]
    Io { path: String, error: std::io::Error },
    /// Syntax, type or semantic problems: the first syntax or type error of a file (parsing
    /// stops there), or else every semantic problem found. Each diagnostic prints with its
    /// own `error:` or `warning:`.
    #[error("{}", render(.0))]
    Invalid(Vec<Diagnostic>),
}

fn render(diags: &[Diagnostic]) -> String {
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let mut s: String = diags.iter().map(|d| format!("{d}\n")).collect();
    s.push_str(&format!(
        "{errors} error{} found; nothing was simulated",
        if errors == 1 { "" } else { "s" }
    ));
    s
}

impl ConfigError {
    /// The diagnostics, when the input was invalid.
    pub fn diagnostics(&self) -> &[Diagnostic] {
        match self {
            ConfigError::Invalid(d) => d,
            ConfigError::Io { .. } => &[],
        }
    }
}

/// The only candidate that starts like `lower` (a lower-cased word of at least three
/// letters): sharing its first four letters, or all of it when shorter, and at least two thirds
/// of it (`retry` → `retries`, `Auto` → `Automatic`: abbreviations and other endings that the
/// edit distance finds too far).
fn shared_start<'a>(lower: &str, candidates: &[&'a str]) -> Option<&'a str> {
    let n = lower.chars().count();
    if n < 3 {
        return None;
    }
    let need = n.min(4).max((2 * n).div_ceil(3));
    let mut found = candidates.iter().filter(|c| {
        let common = c
            .to_lowercase()
            .chars()
            .zip(lower.chars())
            .take_while(|(a, b)| a == b)
            .count();
        common >= need
    });
    match (found.next(), found.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

/// Unit suffixes of field names (`ttl_s`, `timeout_ms`, `mtbf_h`, `rate_per_s`, …).
const UNIT_SUFFIXES: [&str; 10] = [
    "s", "ms", "h", "per_s", "gb", "gb_month", "bytes", "usd", "ppm", "month",
];

/// The closest of `candidates` to `word`, when one is close enough to be a likely typo, or
/// else the only one that is `word` with a unit suffix (`at` → `at_s`, `ttl` → `ttl_s`: a name
/// written without its unit is too short for the edit distance to call it a typo).
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let lower = word.to_lowercase();
    let candidates: Vec<&str> = candidates.into_iter().collect();
    let mut best: Option<(&str, usize)> = None;
    let mut with_unit: Vec<&str> = vec![];
    for &c in &candidates {
        let cl = c.to_lowercase();
        let d = strsim::levenshtein(&lower, &cl);
        if best.is_none_or(|(_, bd)| d < bd) {
            best = Some((c, d));
        }
        if let Some(rest) = cl.strip_prefix(&lower).and_then(|r| r.strip_prefix('_'))
            && UNIT_SUFFIXES.contains(&rest)
            && !with_unit.contains(&c)
        {
            with_unit.push(c);
        }
    }
    let (c, d) = best?;
    let limit = (word.chars().count().max(c.chars().count()) / 3).max(1);
    if d <= limit && d > 0 || (d == 0 && c != word) {
        return Some(c);
    }
    if let [only] = with_unit[..]
        && !word.is_empty()
    {
        return Some(only);
    }
    shared_start(&lower, &candidates)
}

/// The largest input file read (RON or CSV): a path to something endless (`/dev/zero`) or
/// huge is refused instead of filling the memory.
pub const MAX_INPUT_BYTES: u64 = 64 << 20;

/// Reads a whole input file of at most [`MAX_INPUT_BYTES`].
pub fn read_capped(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read as _;
    let mut bytes = vec![];
    std::fs::File::open(path)?
        .take(MAX_INPUT_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_INPUT_BYTES {
        return Err(std::io::Error::other(format!(
            "the file is larger than {} MiB, the most regionsim reads",
            MAX_INPUT_BYTES >> 20
        )));
    }
    Ok(bytes)
}

/// Reads a whole UTF-8 input file of at most [`MAX_INPUT_BYTES`].
pub fn read_capped_string(path: &Path) -> std::io::Result<String> {
    String::from_utf8(read_capped(path)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

/// A loaded input file: where it is, how to call it in messages, and its text.
#[derive(Debug, Clone)]
pub struct Source {
    pub path: PathBuf,
    pub display: String,
    pub text: String,
    /// Where its comments, strings and lists are, worked out once for all its diagnostics (a
    /// file with thousands of errors was located in time quadratic in its length).
    index: std::sync::OnceLock<TextIndex>,
}

/// Where a RON text's comments and strings are, and the elements of each of its lists, found
/// in one pass.
#[derive(Debug, Clone)]
struct TextIndex {
    /// Comments (`// …` to the end of the line, `/* … */` nested) and string literals, as
    /// sorted byte ranges `[start, end)`: for a string, from just after its opening quote to
    /// its closing one, so the quote itself is outside (a quoted key is found at it).
    hidden: Vec<(usize, usize)>,
    /// Byte offset of each list's `[` (outside comments and strings) → offsets of its
    /// elements' first characters.
    lists: BTreeMap<usize, Vec<usize>>,
}

impl TextIndex {
    fn of(text: &str) -> TextIndex {
        let b = text.as_bytes();
        let mut hidden = vec![];
        let mut lists: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
        // The open brackets; for a list, its `[` and whether an element starts next.
        let mut open: Vec<Option<(usize, bool)>> = vec![];
        let mut i = 0;
        while i < b.len() {
            if let Some(end) = comment_end(b, i) {
                hidden.push((i, end));
                i = end;
                continue;
            }
            let c = b[i];
            if let Some(Some((at, next))) = open.last_mut()
                && *next
                && !c.is_ascii_whitespace()
                && c != b']'
                && c != b','
            {
                lists.entry(*at).or_default().push(i);
                *next = false;
            }
            if let Some(end) = string_end(b, i) {
                // The opening quote stays visible; the rest, to the closing quote, is hidden.
                let quote = i + b[i..].iter().position(|&c| c == b'"').unwrap_or(0);
                hidden.push((quote + 1, end.min(b.len())));
                i = end + 1;
                continue;
            }
            match c {
                b'[' => {
                    lists.entry(i).or_default();
                    open.push(Some((i, true)));
                }
                b'(' | b'{' => open.push(None),
                b')' | b']' | b'}' => {
                    open.pop();
                }
                b',' => {
                    if let Some(Some((_, next))) = open.last_mut() {
                        *next = true;
                    }
                }
                _ => {}
            }
            i += 1;
        }
        TextIndex { hidden, lists }
    }
}

impl Source {
    /// Reads a file.
    pub fn read(path: &Path) -> Result<Source, ConfigError> {
        let mut bytes = read_capped(path).map_err(|error| ConfigError::Io {
            path: path.display().to_string(),
            error,
        })?;
        // A byte-order mark (what some editors write first) is not part of the text.
        if bytes.starts_with(b"\xEF\xBB\xBF") {
            bytes.drain(..3);
        }
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                // Locate the first byte that is not UTF-8 (SPEC §5: file, line, column).
                let at = e.utf8_error().valid_up_to();
                let good = std::str::from_utf8(&e.as_bytes()[..at]).unwrap_or_default();
                let line = good.matches('\n').count() + 1;
                let col = good[good.rfind('\n').map_or(0, |i| i + 1)..]
                    .chars()
                    .count()
                    + 1;
                return Err(ConfigError::Invalid(vec![Diagnostic {
                    severity: Severity::Error,
                    file: path.display().to_string(),
                    line: Some(line),
                    col: Some(col),
                    message: format!(
                        "byte 0x{:02X} is not UTF-8: save the file as UTF-8 (RON files are text in UTF-8)",
                        e.as_bytes()[at]
                    ),
                    help: None,
                }]));
            }
        };
        Ok(Source {
            path: path.to_path_buf(),
            display: path.display().to_string(),
            text,
            index: std::sync::OnceLock::new(),
        })
    }

    /// The directory that relative paths in this file are relative to.
    pub fn dir(&self) -> PathBuf {
        self.path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default()
    }

    fn index(&self) -> &TextIndex {
        self.index.get_or_init(|| TextIndex::of(&self.text))
    }

    /// Hex SHA-256 of the text.
    pub fn digest(&self) -> String {
        digest_hex(self.text.as_bytes())
    }

    /// A diagnostic located at the field reached by `path` (best effort: each segment is
    /// searched as a key or quoted name after the previous one; unknown places get no position).
    pub fn diag(
        &self,
        severity: Severity,
        path: &[&str],
        message: String,
        help: Option<String>,
    ) -> Diagnostic {
        let (line, col) = match locate_in(&self.text, self.index(), path) {
            Some((l, c)) => (Some(l), Some(c)),
            None => (None, None),
        };
        Diagnostic {
            severity,
            file: self.display.clone(),
            line,
            col,
            message,
            help,
        }
    }

    /// [`Source::diag`], located further inside the value `path` reaches: at the keys of
    /// `inner` that are written there ([`locate_within`]).
    pub fn diag_within(
        &self,
        severity: Severity,
        path: &[&str],
        inner: &[&str],
        message: String,
        help: Option<String>,
    ) -> Diagnostic {
        let mut d = self.diag(severity, path, message, help);
        if let Some((l, c)) = locate_within_in(&self.text, self.index(), path, inner) {
            (d.line, d.col) = (Some(l), Some(c));
        }
        d
    }

    /// Parses the text as `T`, turning ron's error into a located diagnostic with a did-you-mean.
    pub fn parse<T: serde::de::DeserializeOwned>(&self) -> Result<T, Diagnostic> {
        let opts = ron::Options::default()
            .with_default_extension(ron::extensions::Extensions::IMPLICIT_SOME);
        opts.from_str::<T>(&self.text).map_err(|e| {
            let help = match &e.code {
                // The message already lists what was expected: the help only adds a guess.
                ron::Error::NoSuchStructField {
                    expected,
                    found,
                    outer,
                } => did_you_mean(found, expected.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
                    .or_else(|| {
                        // Nothing like it among the struct's fields, and a bracket short: most
                        // likely the field belongs outside and the struct was never closed.
                        (!Brackets::of(&self.text).balanced).then(|| {
                            let inside = outer.as_deref().map_or("the struct before it".to_owned(), |o| format!("`{o}`"));
                            format!("if `{found}` belongs outside {inside}, the `)` that closes {inside} is missing before it")
                        })
                    }),
                ron::Error::NoSuchEnumVariant {
                    expected, found, ..
                } => did_you_mean(found, expected.iter().copied())
                    .map(|s| format!("did you mean `{s}`?")),
                ron::Error::ExpectedStructLike | ron::Error::ExpectedNamedStructLike(_) => {
                    fields_hint(&self.text, e.span.start.line, e.span.start.col)
                }
                ron::Error::SuggestRawIdentifier(found) if found.parse::<f64>().is_ok() => {
                    Some(number_for_name_hint(
                        &self.text,
                        e.span.start.line,
                        e.span.start.col,
                        found,
                    ))
                }
                code => {
                    let type_error = matches!(
                        code,
                        ron::Error::ExpectedFloat
                            | ron::Error::ExpectedInteger
                            | ron::Error::InvalidValueForType { .. }
                    );
                    units::unit_hint(&self.text, e.span.start.line, e.span.start.col, type_error)
                        .or_else(|| {
                            matches!(code, ron::Error::ExpectedComma)
                                .then(|| comma_hint(&self.text, e.span.start.line, e.span.start.col))
                                .flatten()
                        })
                }
            };
            let blank = self
                .text
                .lines()
                .all(|l| l.trim().is_empty() || l.trim_start().starts_with("//"));
            let (mut line, mut col) = (e.span.start.line, e.span.start.col);
            let brackets = Brackets::of(&self.text);
            let mut help = help;
            let message = if blank {
                "the file is empty (or only comments): expected `Experiment( … )`, `Topology( … )` or `Prices( … )`".to_owned()
            } else if let ron::Error::MissingStructField { field, outer } = &e.code {
                // ron reports the struct's closing parenthesis: point at its opening one.
                let at = offset_of(&self.text, line, col);
                if let Some(&(open, _)) = brackets
                    .pairs
                    .iter()
                    .filter(|(_, close)| *close <= at)
                    .max_by_key(|(_, close)| *close)
                {
                    (line, col) = line_col(&self.text, open);
                }
                help = Some(format!("add `{field}: …` between these parentheses"));
                match outer {
                    Some(o) => format!("`{o}` is missing its required field `{field}`"),
                    None => format!("this struct is missing its required field `{field}`"),
                }
            } else if !brackets.balanced
                && (matches!(e.code, ron::Error::Eof)
                    || self
                        .text
                        .lines()
                        .enumerate()
                        .filter(|(_, l)| !l.trim().is_empty())
                        .last()
                        .is_some_and(|(last, _)| e.span.start.line > last))
            {
                // The error is on the file's last line with content (or past it).
                format!(
                    "{}: the file ends here, so a closing quote, `)`, `]` or `}}` is missing, or the file was cut short",
                    e.code
                )
            } else if let ron::Error::SuggestRawIdentifier(found) = &e.code
                && found.parse::<f64>().is_ok()
            {
                // ron reads a name here and suggests `r#2.0`, which is never what is meant.
                format!("expected a name here (such as `Async`, or a distribution such as `Constant(ms: …)`), found the number `{found}`")
            } else if matches!(e.code, ron::Error::ExceededRecursionLimit) {
                // ron's own message tells the caller to raise a limit in its code.
                "values are nested too deeply here (more than 128 levels of brackets; no regionsim setting nests more than a few)".to_owned()
            } else {
                e.code.to_string()
            };
            Diagnostic {
                severity: Severity::Error,
                file: self.display.clone(),
                line: Some(line),
                col: Some(col),
                message,
                help,
            }
        })
    }
}

/// The byte offset of 1-based `line` and `col` (in characters), clamped to the text.
fn offset_of(text: &str, line: usize, col: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let rest = &text[start.min(text.len())..];
    start.min(text.len())
        + rest
            .char_indices()
            .nth(col.saturating_sub(1))
            .map_or(rest.len(), |(i, _)| i)
}

/// 1-based line and column (in characters) of byte offset `at`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let line = text[..at].matches('\n').count() + 1;
    let col = text[text[..at].rfind('\n').map_or(0, |i| i + 1)..at]
        .chars()
        .count()
        + 1;
    (line, col)
}

/// The brackets of RON text, outside strings, characters and comments.
struct Brackets {
    /// Byte offsets of each matched opening and closing bracket.
    pairs: Vec<(usize, usize)>,
    /// Every bracket, quote and comment is closed, in order: the text is not cut short.
    balanced: bool,
}

impl Brackets {
    fn of(text: &str) -> Brackets {
        let b = text.as_bytes();
        let mut stack: Vec<(u8, usize)> = vec![];
        let mut pairs = vec![];
        let mut balanced = true;
        let mut i = 0;
        while i < b.len() {
            if let Some(end) = string_end(b, i) {
                balanced &= end < b.len();
                i = end + 1;
                continue;
            }
            match b[i] {
                b'/' if b.get(i + 1) == Some(&b'/') => {
                    i = text[i..].find('\n').map_or(b.len(), |n| i + n);
                    continue;
                }
                b'/' if b.get(i + 1) == Some(&b'*') => {
                    // Block comments nest in RON.
                    let mut depth = 0usize;
                    while i < b.len() {
                        if b[i..].starts_with(b"/*") {
                            depth += 1;
                            i += 2;
                        } else if b[i..].starts_with(b"*/") {
                            depth -= 1;
                            i += 2;
                            if depth == 0 {
                                break;
                            }
                        } else {
                            i += 1;
                        }
                    }
                    balanced &= depth == 0;
                    continue;
                }
                b'\'' => {
                    i += 1;
                    while i < b.len() && b[i] != b'\'' {
                        i += if b[i] == b'\\' { 2 } else { 1 };
                    }
                    balanced &= i < b.len();
                }
                b'(' | b'[' | b'{' => stack.push((b[i], i)),
                c @ (b')' | b']' | b'}') => {
                    let want = match c {
                        b')' => b'(',
                        b']' => b'[',
                        _ => b'{',
                    };
                    match stack.pop() {
                        Some((o, at)) if o == want => pairs.push((at, i)),
                        _ => balanced = false,
                    }
                }
                _ => {}
            }
            i += 1;
        }
        Brackets {
            pairs,
            balanced: balanced && stack.is_empty(),
        }
    }
}

/// If a string literal starts at byte `i` of RON text (`"…"` with escapes, or a raw string
/// `r"…"`, `r#"…"#`, where a backslash is just a backslash), the offset of its last byte
/// (the closing quote or its last `#`), or `b.len()` when it is never closed.
fn string_end(b: &[u8], i: usize) -> Option<usize> {
    let ident = |j: usize| b[j].is_ascii_alphanumeric() || b[j] == b'_';
    match b[i] {
        b'"' => {
            let mut j = i + 1;
            while j < b.len() && b[j] != b'"' {
                j += if b[j] == b'\\' { 2 } else { 1 };
            }
            Some(j.min(b.len()))
        }
        b'r' => {
            // `r` opens a raw string unless it ends an identifier (`br"…"` is a raw byte string).
            let starts = i == 0 || !ident(i - 1) || (b[i - 1] == b'b' && (i == 1 || !ident(i - 2)));
            let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
            let open = i + 1 + hashes;
            if !starts || b.get(open) != Some(&b'"') {
                return None;
            }
            let mut j = open + 1;
            while j < b.len() {
                if b[j] == b'"'
                    && b.get(j + 1..j + 1 + hashes)
                        .is_some_and(|h| h.iter().all(|&c| c == b'#'))
                {
                    return Some(j + hashes);
                }
                j += 1;
            }
            Some(b.len())
        }
        _ => None,
    }
}

/// Hex SHA-256 of some bytes.
pub fn digest_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Hex encoding.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Line and column (1-based, the column in characters) of the field reached by `path` in RON `text`.
pub fn locate(text: &str, path: &[&str]) -> Option<(usize, usize)> {
    locate_in(text, &TextIndex::of(text), path)
}

fn locate_in(text: &str, index: &TextIndex, path: &[&str]) -> Option<(usize, usize)> {
    let (at, _) = locate_offset(text, index, path)?;
    Some(line_col(text, at))
}

/// Like [`locate`], then, inside the value of the field `path` reaches, the parts of `inner` in
/// turn, each among the direct keys of the value reached so far (a field, a quoted map key) or,
/// when it is a number and no key is, as an element of its list; those not written there (an
/// enum's tag) are passed over. A problem inside an override's value is shown where it is
/// (`regionz` inside `"design": ActiveActive(…)`, the second outage's `at_s`), not where the
/// value starts; without `path`'s field, `None`.
pub fn locate_within(text: &str, path: &[&str], inner: &[&str]) -> Option<(usize, usize)> {
    locate_within_in(text, &TextIndex::of(text), path, inner)
}

fn locate_within_in(
    text: &str,
    index: &TextIndex,
    path: &[&str],
    inner: &[&str],
) -> Option<(usize, usize)> {
    let (mut at, mut from) = locate_offset(text, index, path)?;
    let mut end = value_end(text, from);
    for seg in inner {
        if seg.is_empty() {
            continue;
        }
        let found = child_key(text, from, end, seg).or_else(|| {
            let k = seg.parse::<usize>().ok()?;
            let h = list_element(index, from, k).filter(|&h| h < end)?;
            Some((h, h))
        });
        if let Some((h, e)) = found {
            at = h;
            from = e;
            end = value_end(text, from);
        }
    }
    Some(line_col(text, at))
}

/// A direct key `seg` of the value that starts at byte `from` and ends by `end` (a bare name or
/// a quoted one, followed by `:`, in the value's own brackets, not in one nested inside them
/// and not in a string or comment): its offset (the opening quote of a quoted key) and the
/// offset just past its name (and closing quote).
fn child_key(text: &str, from: usize, end: usize, seg: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    // Past blanks and comments.
    let blanks_end = |mut i: usize| {
        while i < b.len() {
            match comment_end(b, i) {
                Some(e) => i = e,
                None if b[i].is_ascii_whitespace() => i += 1,
                None => break,
            }
        }
        i
    };
    let colon_after = |i: usize| b.get(blanks_end(i)) == Some(&b':');
    let mut depth = 0usize;
    let mut i = from;
    while i < end.min(b.len()) {
        if let Some(e) = comment_end(b, i) {
            i = e;
            continue;
        }
        // `Some( … )` around the value (an optional group): its keys are the value's.
        if depth == 0
            && text[i..].starts_with("Some")
            && (i == 0 || !ident(b[i - 1]))
            && b.get(i + 4).is_none_or(|&c| !ident(c))
        {
            let open = blanks_end(i + 4);
            if b.get(open) == Some(&b'(') {
                i = open + 1;
                continue;
            }
        }
        if let Some(e) = string_end(b, i) {
            if depth == 1
                && b[i] == b'"'
                && text.get(i + 1..e) == Some(seg)
                && e < b.len()
                && colon_after(e + 1)
            {
                return Some((i, e + 1));
            }
            i = e + 1;
            continue;
        }
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth <= 1 => return None,
            b')' | b']' | b'}' => depth -= 1,
            c if depth == 1
                && ident(c)
                && (i == 0 || !ident(b[i - 1]))
                && text[i..].starts_with(seg)
                && colon_after(i + seg.len()) =>
            {
                return Some((i, i + seg.len()));
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// Byte offsets of the field reached by `path` (the last segment found) and of the end of its
/// name; `None` when not even the first segment is found.
fn locate_offset(text: &str, index: &TextIndex, path: &[&str]) -> Option<(usize, usize)> {
    let hidden = &index.hidden;
    let mut from = 0usize;
    let mut found_any = None;
    for seg in path {
        if let Some(k) = seg.strip_prefix('#').and_then(|k| k.parse::<usize>().ok()) {
            // The k-th element of the next list.
            match list_element(index, from, k) {
                Some(h) => {
                    found_any = Some((h, h));
                    from = h;
                    continue;
                }
                None => break,
            }
        }
        if seg.is_empty() {
            // An empty segment (`a..b` in an override path) names nothing; searching for it
            // would match everywhere without moving on.
            break;
        }
        match find_key(text, hidden, from, seg) {
            Some((h, end)) => {
                found_any = Some((h, end));
                from = end;
            }
            None => break,
        }
    }
    found_any
}

/// The first key `seg` (a bare name followed by `:`, or a quoted one) at or after byte `from`,
/// outside comments and strings: its offset (the opening quote of a quoted key) and the offset
/// just past its name (and closing quote).
fn find_key(
    text: &str,
    hidden: &[(usize, usize)],
    from: usize,
    seg: &str,
) -> Option<(usize, usize)> {
    // Inside a comment, or inside a string (other than at its first character): never a key.
    let is_hidden = |at: usize| {
        let k = hidden.partition_point(|&(s, _)| s <= at);
        k > 0 && at < hidden[k - 1].1
    };
    let mut search = from;
    while let Some(i) = text[search..].find(seg) {
        let at = search + i;
        // Byte-wise checks: `at - 1` may fall inside a multibyte character.
        let before = at.checked_sub(1).map(|i| text.as_bytes()[i]);
        let before_ok = before.is_none_or(|b| !b.is_ascii_alphanumeric() && b != b'_');
        let after = &text[at + seg.len()..];
        let is_key = before_ok && after.trim_start().starts_with(':') && !is_hidden(at);
        // A quoted key: the whole string is the name (a string's span starts just after its
        // opening quote).
        let is_quoted = before == Some(b'"')
            && after.starts_with('"')
            && !is_hidden(at - 1)
            && hidden.binary_search_by_key(&at, |&(s, _)| s).is_ok();
        if is_key || is_quoted {
            // Report a quoted key at its opening quote; search on after the key, past its
            // closing quote (which would otherwise open a string).
            return Some(if is_quoted {
                (at - 1, at + seg.len() + 1)
            } else {
                (at, at + seg.len())
            });
        }
        search = at + seg.len();
    }
    None
}

/// The byte offset where the value after the key ending at `from` ends: the `,` or closing
/// bracket that follows it at its own depth, skipping strings, comments and nested brackets
/// (the end of the text when there is none).
fn value_end(text: &str, from: usize) -> usize {
    let b = text.as_bytes();
    let mut i = from;
    let mut depth = 0usize;
    while i < b.len() {
        if let Some(end) = comment_end(b, i) {
            i = end;
            continue;
        }
        if let Some(end) = string_end(b, i) {
            i = end + 1;
            continue;
        }
        match b[i] {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' if depth == 0 => return i,
            b')' | b']' | b'}' => depth -= 1,
            b',' if depth == 0 => return i,
            _ => {}
        }
        i += 1;
    }
    b.len()
}

/// The byte offset just past the comment that starts at `i` (`// …` up to its line break,
/// `/* … */` with nesting, as RON reads them), or `None` when no comment starts there.
fn comment_end(b: &[u8], i: usize) -> Option<usize> {
    if b.get(i) != Some(&b'/') {
        return None;
    }
    match b.get(i + 1) {
        Some(b'/') => Some(
            b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |n| i + n),
        ),
        Some(b'*') => {
            let (mut j, mut depth) = (i + 2, 1);
            while j < b.len() && depth > 0 {
                if b[j] == b'/' && b.get(j + 1) == Some(&b'*') {
                    depth += 1;
                    j += 2;
                } else if b[j] == b'*' && b.get(j + 1) == Some(&b'/') {
                    depth -= 1;
                    j += 2;
                } else {
                    j += 1;
                }
            }
            Some(j.min(b.len()))
        }
        _ => None,
    }
}

/// Byte offset of the first character of element `k` of the first `[ … ]` list at or after
/// `from` (not one in a comment or string before it).
fn list_element(index: &TextIndex, from: usize, k: usize) -> Option<usize> {
    let (_, elements) = index.lists.range(from..).next()?;
    elements.get(k).copied()
}

/// What `check` found in one file.
pub enum Checked {
    Topology(TopologyModel),
    Experiment(Experiment),
    /// A price file: its name and currency.
    Prices {
        name: String,
        currency: String,
    },
}

/// Loads and checks a price file on its own (figures only; region names are checked against
/// a topology when an experiment uses it).
pub fn load_prices(path: &Path) -> Result<(raw::RawPrices, Vec<Diagnostic>), ConfigError> {
    let src = Source::read(path)?;
    let raw: raw::RawPrices = src.parse().map_err(|d| ConfigError::Invalid(vec![d]))?;
    let mut diags = vec![];
    let ok = validate::prices_standalone(&raw, &src, &mut diags).is_some();
    finish(ok.then_some(raw), diags)
}

/// Loads and validates a topology file.
pub fn load_topology(path: &Path) -> Result<(TopologyModel, Vec<Diagnostic>), ConfigError> {
    let src = Source::read(path)?;
    let raw: RawTopology = src.parse().map_err(|d| ConfigError::Invalid(vec![d]))?;
    let mut diags = vec![];
    let mut inputs = vec![];
    let topo = validate::topology(&raw, &src, &mut diags, &mut inputs);
    finish(topo, diags)
}

fn finish<T>(
    value: Option<T>,
    mut diags: Vec<Diagnostic>,
) -> Result<(T, Vec<Diagnostic>), ConfigError> {
    // Files in the order they were first mentioned, then by position within each file.
    let mut files: Vec<String> = vec![];
    for d in &diags {
        if !files.contains(&d.file) {
            files.push(d.file.clone());
        }
    }
    diags.sort_by_key(|d| {
        (
            files.iter().position(|f| *f == d.file),
            d.line.unwrap_or(usize::MAX),
            d.col.unwrap_or(usize::MAX),
        )
    });
    diags.dedup();
    if diags.iter().any(|d| d.severity == Severity::Error) {
        return Err(ConfigError::Invalid(diags));
    }
    match value {
        Some(v) => Ok((v, diags)),
        None => Err(ConfigError::Invalid(diags)),
    }
}

/// Help for ron's "Expected comma" at 1-based `line`, `col`: in mid-line, the comma is missing
/// right before it; at the first thing on a line, most likely at the end of the line with
/// content before it.
fn comma_hint(text: &str, line: usize, col: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let here = lines.get(line.checked_sub(1)?)?;
    let before: String = here.chars().take(col.saturating_sub(1)).collect();
    if let Some(last) = before.split_whitespace().last() {
        // Mid-line: the comma belongs right before this value.
        return Some(format!("add a comma after `{last}`"));
    }
    let (n, prev) = lines[..line - 1]
        .iter()
        .enumerate()
        .rev()
        .find(|(_, l)| !l.trim().is_empty() && !l.trim_start().starts_with("//"))?;
    let prev = prev.trim();
    (!prev.ends_with(',') && !prev.ends_with('(') && !prev.ends_with('[') && !prev.ends_with('{'))
        .then(|| format!("add a comma at the end of line {} (`{prev}`)", n + 1))
}

/// How variants that take fields are written, for the help of a variant written bare.
const WITH_FIELDS: &[(&str, &str)] = &[
    ("Automatic", "Automatic(promotion_s: 60)"),
    ("Manual", "Manual(delay_s: 600)"),
    ("Planned", "Planned(after_s: 300, max_lag_ms: 1000)"),
    ("SemiSync", "SemiSync(1)"),
    ("Quorum", "Quorum(n: 3, r: 1, w: 1)"),
    ("Chain", "Chain(order: [\"eastus\", \"westus2\"])"),
    (
        "Geo",
        "Geo(rules: {\"EU\": [\"westeurope\"], \"*\": [\"eastus\"]})",
    ),
    ("Constant", "Constant(ms: 10.0)"),
    ("Exponential", "Exponential(mean_ms: 10.0)"),
    ("Uniform", "Uniform(min_ms: 0.0, max_ms: 20.0)"),
    ("Normal", "Normal(mean_ms: 10.0, std_ms: 2.0)"),
    ("LogNormal", "LogNormal(median_ms: 300.0, p99_ms: 1000.0)"),
    ("Pareto", "Pareto(scale_ms: 1.0, shape: 2.0)"),
    (
        "ActivePassive",
        "ActivePassive(primary: \"eastus\", standbys: [\"westus2\"])",
    ),
    (
        "ActiveActive",
        "ActiveActive(regions: [\"eastus\", \"westeurope\"])",
    ),
];

/// Help for a `(` ron expected after a name: a variant that takes fields, written bare
/// (`failover: Automatic`), with how it is written.
fn fields_hint(text: &str, line: usize, col: usize) -> Option<String> {
    let name = units::word_before(units::line_before(text, line, col)?.trim_end());
    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
        return None;
    }
    Some(match WITH_FIELDS.iter().find(|(n, _)| *n == name) {
        Some((_, example)) => {
            format!("`{name}` takes its settings in parentheses, e.g. `{example}`")
        }
        None => format!("`{name}` takes its settings in parentheses: `{name}(…)`"),
    })
}

/// Help for a number where a name is expected (`clock_skew: 2.0`): a distribution, when the
/// field is one, written with the number.
fn number_for_name_hint(text: &str, line: usize, col: usize, found: &str) -> String {
    const DISTRIBUTIONS: &[&str] = &[
        "read_service",
        "write_service",
        "jitter",
        "clock_skew",
        "lag",
        "lookup",
        "hold",
    ];
    let field = units::line_before(text, line, col).and_then(units::field_before);
    match field {
        Some(f) if DISTRIBUTIONS.contains(&f) => format!(
            "`{f}` is a distribution in milliseconds: `Constant(ms: {found})`, `Uniform(min_ms: 0.0, max_ms: {found})`, `Exponential(mean_ms: {found})` or `LogNormal(median_ms: …, p99_ms: …)`"
        ),
        Some(f) => {
            format!("`{f}` takes a named value, not a number: see its line in the README reference")
        }
        _ => "a named value is expected here, not a number".to_owned(),
    }
}

/// Help for a topology file that cannot be read: a file of a similar name in the directory it
/// names, or else where the path is taken from.
fn topology_hint(written: &str, path: &Path) -> String {
    let relative = "the path is relative to the experiment file's directory";
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|n| n.to_str())) else {
        return relative.to_owned();
    };
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok()?.file_name().into_string().ok())
                .filter(|n| n.ends_with(".ron"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    match did_you_mean(name, names.iter().map(String::as_str)) {
        Some(similar) => {
            let prefix = written.strip_suffix(name).unwrap_or_default();
            format!("did you mean `{prefix}{similar}`? ({relative})")
        }
        None => relative.to_owned(),
    }
}

/// Loads an experiment, its topology and every variant; validates them all.
/// Returns the experiment and any warnings.
pub fn load_experiment(path: &Path) -> Result<(Experiment, Vec<Diagnostic>), ConfigError> {
    let src = Source::read(path)?;
    let raw: RawExperiment = src.parse().map_err(|d| ConfigError::Invalid(vec![d]))?;
    let topo_path = src.dir().join(&raw.topology);
    let topo_src = Source::read(&topo_path).map_err(|e| match e {
        ConfigError::Io { error, .. } => ConfigError::Invalid(vec![src.diag(
            Severity::Error,
            &["topology"],
            format!("cannot read topology file {}: {error}", topo_path.display()),
            Some(topology_hint(&raw.topology, &topo_path)),
        )]),
        other => other,
    })?;
    let raw_topo: RawTopology = topo_src
        .parse()
        .map_err(|d| ConfigError::Invalid(vec![d]))?;
    validate::experiment(raw, raw_topo, &src, &topo_src)
}

/// What a RON file holds, from its first struct name (comments, `#![…]` attributes and
/// space skipped). An unnamed struct, `( … )`, which the loaders accept too, is taken by its
/// fields: an experiment names its `topology`, a price list its `currency`.
fn file_kind(text: &str) -> &str {
    let mut rest = text;
    loop {
        rest = rest.trim_start();
        if let Some(end) = comment_end(rest.as_bytes(), 0) {
            rest = &rest[end..];
        } else if rest.starts_with("#!") {
            rest = rest.split_once('\n').map_or("", |(_, r)| r);
        } else {
            break;
        }
    }
    if rest.starts_with('(') {
        // A field name: the word, then (after any space) a colon.
        let has = |field: &str| {
            rest.match_indices(field).any(|(i, _)| {
                rest[i + field.len()..].trim_start().starts_with(':')
                    && !rest[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_')
            })
        };
        return if has("topology") {
            "Experiment"
        } else if has("currency") {
            "Prices"
        } else {
            "Topology"
        };
    }
    rest
}

/// Checks a topology, experiment or price file, deciding which by its first struct name.
pub fn check_file(path: &Path) -> Result<(Checked, Vec<Diagnostic>), ConfigError> {
    let src = Source::read(path)?;
    let first = file_kind(&src.text);
    if first.starts_with("Topology") {
        load_topology(path).map(|(t, w)| (Checked::Topology(t), w))
    } else if first.starts_with("Experiment") {
        load_experiment(path).map(|(e, w)| (Checked::Experiment(e), w))
    } else if first.starts_with("Prices") {
        load_prices(path).map(|(p, w)| {
            (
                Checked::Prices {
                    name: p.name,
                    currency: p.currency,
                },
                w,
            )
        })
    } else {
        Err(ConfigError::Invalid(vec![src.diag(
            Severity::Error,
            &[],
            "expected a `Topology(…)`, an `Experiment(…)` or a `Prices(…)` file".into(),
            None,
        )]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_you_mean_finds_typos_only() {
        let regions = ["us-east", "us-west", "eu-central"];
        assert_eq!(did_you_mean("us-eats", regions), Some("us-east"));
        assert_eq!(did_you_mean("US-EAST", regions), Some("us-east"));
        assert_eq!(did_you_mean("tokyo", regions), None);
        // A name without its unit.
        let fault = ["region", "at_s", "for_s"];
        assert_eq!(did_you_mean("at", fault), Some("at_s"));
        assert_eq!(did_you_mean("for", fault), Some("for_s"));
        assert_eq!(
            did_you_mean("ttl", ["policy", "ttl_s", "lookup"]),
            Some("ttl_s")
        );
        // Not a unit, or two fields that would fit: no guess.
        assert_eq!(did_you_mean("at", ["at_most"]), None);
        assert_eq!(did_you_mean("lag", ["lag_s", "lag_ms"]), None);
        assert_eq!(did_you_mean("", ["_s"]), None);
        // Another ending or an abbreviation: the one name that starts the same way.
        let client = [
            "timeout_ms",
            "retries",
            "re_resolve_on_failure",
            "deadline_ms",
        ];
        assert_eq!(did_you_mean("retry", client), Some("retries"));
        assert_eq!(
            did_you_mean("Auto", ["Off", "Manual", "Automatic"]),
            Some("Automatic")
        );
        assert_eq!(did_you_mean("dead", client), Some("deadline_ms"));
        // Two that start alike, or too little in common: no guess.
        assert_eq!(did_you_mean("re", client), None);
        assert_eq!(did_you_mean("repl", ["replication", "replicas"]), None);
        assert_eq!(did_you_mean("retain", client), None);
    }

    #[test]
    fn brackets_tell_a_cut_file_from_a_whole_one() {
        let whole = "Experiment(\n  // a ( in a comment\n  name: \"x)\", m: {\"k\": [1]},\n)\n";
        let b = Brackets::of(whole);
        assert!(b.balanced);
        assert_eq!(b.pairs.len(), 3);
        assert_eq!(line_col(whole, b.pairs[2].0), (1, 11));
        for cut in [
            "Experiment(\n  name: \"x\",\n",
            "Experiment(name: \"x)",
            "A(/* x",
            "A(])",
        ] {
            assert!(!Brackets::of(cut).balanced, "{cut}");
        }
        // A backslash in a raw string escapes nothing; `r` inside a name opens nothing.
        let raw = "A(q: r\"C:\\\", s: r#\"a\"(\"#, bar: \"x\", br: br\"\\\")";
        let b = Brackets::of(raw);
        assert!(b.balanced, "{raw}");
        assert_eq!(b.pairs, vec![(1, raw.len() - 1)]);
        assert!(!Brackets::of("A(q: r#\"a)\"").balanced);
        assert_eq!(string_end(b"r##\"a\"#\"##x", 0), Some(9));
        assert_eq!(string_end(b"bar\"", 2), None);
        assert_eq!(offset_of("ab\ncd", 2, 2), 4);
        assert_eq!(offset_of("ab\ncd", 9, 1), 5);
    }

    #[test]
    fn locate_within_stays_inside_the_value() {
        let text = "variants: [(name: \"a\", overrides: {\n  \"design\": ActiveActive(\n    regionz: [\"x\"],\n  ),\n  \"dns\": (ttl_s: 1, regionz: 2),\n})]";
        let at = ["variants", "a", "design"];
        assert_eq!(locate(text, &at), Some((2, 3)));
        // The enum tag is not a key: passed over; the unknown field is found inside the value.
        assert_eq!(
            locate_within(text, &at, &["ActiveActive", "regionz"]),
            Some((3, 5))
        );
        // A key of the same name after the value (in the next override) is not taken.
        assert_eq!(locate_within(text, &at, &["ttl_s"]), Some((2, 3)));
        assert_eq!(
            locate_within(text, &["variants", "a", "dns"], &["regionz"]),
            Some((5, 21))
        );
        assert_eq!(locate_within(text, &["nothing"], &["regionz"]), None);
    }

    #[test]
    fn locate_within_takes_direct_keys_and_list_elements() {
        let text = "o: {\n  \"f\": [A(at: 1), A(at: \"x\")],\n  \"d\": (v: (fraction: 1), fraction: 2),\n  \"h\": (c: [\"interval\"], interval: 3),\n  \"p\": {\"Boston\": (r: 1)},\n}";
        // The second element's `at`, not the first's.
        assert_eq!(
            locate_within(text, &["o", "f"], &["1", "A", "at"]),
            Some((2, 21))
        );
        // The outer `fraction`, not the one nested in `v`.
        assert_eq!(
            locate_within(text, &["o", "d"], &["fraction"]),
            Some((3, 27))
        );
        // The key `interval`, not a string of that name.
        assert_eq!(
            locate_within(text, &["o", "h"], &["interval"]),
            Some((4, 26))
        );
        // A capitalised map key is a key.
        assert_eq!(
            locate_within(text, &["o", "p"], &["Boston", "r"]),
            Some((5, 20))
        );
        // Inside `Some( … )`, and past a comment before the colon.
        let t2 = "h: Some((a: 1, b /* c */ : 2))";
        assert_eq!(locate_within(t2, &["h"], &["b"]), Some((1, 16)));
        // An index past the list, or a name it lacks, stays at the value's key.
        assert_eq!(locate_within(text, &["o", "f"], &["5", "at"]), Some((2, 3)));
    }

    #[test]
    fn list_element_skips_a_list_in_a_comment() {
        let text = "r: // e.g. [0, 1, 2]\n  [7, 8]";
        assert_eq!(locate(text, &["r", "#1"]), Some((2, 7)));
        let text = "x: \"[a]\" [1, [2, 3], /* [4] */ 5,]";
        let index = TextIndex::of(text);
        assert_eq!(list_element(&index, 0, 0), Some(10));
        assert_eq!(list_element(&index, 0, 1), Some(13));
        assert_eq!(list_element(&index, 0, 2), Some(31));
        assert_eq!(list_element(&index, 0, 3), None);
        assert_eq!(list_element(&index, 12, 1), Some(17));
    }

    #[test]
    fn locate_walks_keys_and_quoted_names() {
        let text = "Experiment(\n  populations: {\n    \"tokyo\": (\n      anchor: \"x\",\n";
        assert_eq!(
            locate(text, &["populations", "tokyo", "anchor"]),
            Some((4, 7))
        );
        assert_eq!(locate(text, &["populations"]), Some((2, 3)));
        assert_eq!(locate(text, &["nothing"]), None);
        // List elements by index: `#k`, skipping nested lists, strings and comments.
        let text = "faults: [\n  A(x: [1, 2], s: \"a,]\"),\n  // b, c\n  B(region: \"r\"),\n]";
        assert_eq!(locate(text, &["faults", "#1", "region"]), Some((4, 5)));
        assert_eq!(locate(text, &["faults", "#0"]), Some((2, 3)));
        assert_eq!(locate(text, &["faults", "#2"]), Some((1, 1)));
        // A key right after a multibyte character is found, not a panic; columns count
        // characters.
        assert_eq!(locate("// a—b\n—rate: 1", &["rate"]), Some((2, 2)));
        // An empty segment (an override path `populations..rate`) stops the walk where it is
        // (it used to loop forever: found by the random-overrides fuzzer).
        let text = "Experiment(\n  populations: {\n    \"tokyo\": (rate: 1),\n";
        assert_eq!(locate(text, &["populations", "", "rate"]), Some((2, 3)));
        assert_eq!(locate(text, &[""]), None);
        // A quoted name ending in a multibyte character: the walk goes on after its closing
        // quote (it used to restart one byte before the end of the name, inside `ß`: found by
        // the mutated-experiments fuzzer).
        let text = "populations: {\n  \"new-yorkß\": (lat: 1e99, lon: 0),\n}";
        assert_eq!(
            locate(text, &["populations", "new-yorkß", "lat"]),
            Some((2, 17))
        );
    }

    /// A field's name in a comment or inside a string is not the field: errors used to point
    /// at a comment on line 1 ("the warmup_s: field must …") or into the `question`.
    #[test]
    fn locate_skips_comments_and_strings() {
        let text = r##"// the warmup_s: field must be shorter than the run
Experiment(
  /* old: window_s: 5, /* nested */ window_s: 6 */
  question: "does window_s: matter? \"warmup_s\": no",
  populations: {"eastus": (w: 1)},
  warmup_s: 30, window_s: -1,
)"##;
        assert_eq!(locate(text, &["warmup_s"]), Some((6, 3)));
        assert_eq!(locate(text, &["window_s"]), Some((6, 17)));
        assert_eq!(locate(text, &["populations", "eastus", "w"]), Some((5, 28)));
    }
}
