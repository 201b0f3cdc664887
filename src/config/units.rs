//! The hint for a unit written into a number (`duration_s: "2h"`, `timeout_ms: 2s`).
//!
//! RON only says `Expected float` or `Expected comma` there. Numbers in regionsim's files carry
//! their unit in the field's name (`_s` seconds, `_ms` milliseconds, `_h` hours, `_per_s` per
//! second; SPEC §5), so the hint names the field, its unit and the number to write instead.
//! Everything here works on arbitrary (fuzzed) text: it returns `None` rather than guess.

/// A help line for the value at 1-based (`line`, `col`: characters) of `text`, when that value
/// is a number field written with a unit or as a string. `type_error` is true when RON
/// expected a number there (a quoted value is only suspicious then).
pub(crate) fn unit_hint(text: &str, line: usize, col: usize, type_error: bool) -> Option<String> {
    let off = offset(text, line, col)?;
    let is_token = |c: char| c.is_alphanumeric() || matches!(c, '.' | '_' | '+' | '-' | 'µ');
    // The error may point inside the value (`2h`: at the `h`) or at the blank before it.
    let token_start = text[..off]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_token(c))
        .last()
        .map_or(off, |(i, _)| i);
    let before = &text[..token_start];
    let rest = text[token_start..].trim_start_matches([' ', '\t']);
    let (value, quoted) = if let Some(q) = rest.strip_prefix('"') {
        let end = q.find(['"', '\n'])?;
        (&q[..end], true)
    } else {
        let end = rest.find(|c: char| !is_token(c)).unwrap_or(rest.len());
        (&rest[..end], false)
    };
    if quoted && !type_error {
        return None;
    }
    let field = field_before(before)?;
    let Some((number, unit)) = split_number(value.trim()) else {
        // Not a number at all: worth a word only where a string was given for one.
        let (_, what) = field_unit(field).filter(|_| quoted && type_error)?;
        return Some(format!("`{field}` is {what}, not a string"));
    };
    if !quoted && unit.is_empty() {
        // A bare number: not the problem.
        return None;
    }
    let Some((per_field, what)) = field_unit(field) else {
        // A field without a unit in its name: only the quotes can be wrong.
        return (quoted && unit.is_empty()).then(|| {
            format!("`{field}` takes a number: write `{field}: {value}`, without quotes")
        });
    };
    if unit.is_empty() {
        return Some(format!(
            "`{field}` is {what}: write `{field}: {}`, without quotes",
            value.trim()
        ));
    }
    // A rate (per second is its only unit) or a unit not known: no number to suggest.
    let Some(seconds) = unit_seconds(unit).filter(|_| per_field != 0.0) else {
        return Some(format!("`{field}` is {what}, written without a unit"));
    };
    let converted = number * seconds / per_field;
    Some(format!(
        "`{field}` is {what}, written without a unit: for {} {unit} write `{field}: {}`",
        value.trim().trim_end_matches(unit).trim(),
        show(converted)
    ))
}

/// The hint for a value the deserialiser refused as `invalid type: string "…", expected …`
/// at dotted `path` (an override's or a swept value): what [`unit_hint`] says of the same
/// value written in a file.
pub(crate) fn string_value_hint(path: &str, why: &str) -> Option<String> {
    let quoted = why.strip_prefix("invalid type: string \"")?;
    let value = &quoted[..quoted.find('"')?];
    let field = path.rsplit(['.', '[', ']']).find(|p| !p.is_empty())?;
    let text = format!("{field}: \"{value}\"");
    unit_hint(&text, 1, field.chars().count() + 3, true)
}

/// Byte offset of 1-based (`line`, `col`), the column in characters; `None` outside the text.
fn offset(text: &str, line: usize, col: usize) -> Option<usize> {
    let mut start = 0usize;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let this = &text[start..];
    let this = &this[..this.find('\n').unwrap_or(this.len())];
    match this.char_indices().nth(col.checked_sub(1)?) {
        Some((i, _)) => Some(start + i),
        None if col - 1 == this.chars().count() => Some(start + this.len()),
        None => None,
    }
}

/// The text of `line` before 1-based `col` (in characters), from the start of that line.
pub(super) fn line_before(text: &str, line: usize, col: usize) -> Option<&str> {
    let off = offset(text, line, col)?;
    let start = text[..off].rfind('\n').map_or(0, |i| i + 1);
    Some(&text[start..off])
}

/// The identifier (ASCII letters, digits, `_`) that ends `text`, possibly empty.
pub(super) fn word_before(text: &str) -> &str {
    let start = text
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_ascii_alphanumeric() || c == '_')
        .last()
        .map_or(text.len(), |(i, _)| i);
    &text[start..]
}

/// The field name of `name: ` ending `before` (a plain identifier, not a quoted map key).
pub(super) fn field_before(before: &str) -> Option<&str> {
    let b = before.trim_end_matches([' ', '\t']).strip_suffix(':')?;
    let name = word_before(b.trim_end_matches([' ', '\t']));
    name.starts_with(|c: char| c.is_ascii_alphabetic())
        .then_some(name)
}

/// Splits `7200s` into (7200.0, "s"); `None` when it does not start with a number.
fn split_number(value: &str) -> Option<(f64, &str)> {
    let end = value
        .char_indices()
        .find(|&(i, c)| {
            !(c.is_ascii_digit()
                || c == '.'
                || c == '_'
                || (i == 0 && (c == '-' || c == '+'))
                || ((c == 'e' || c == 'E')
                    && value[i + 1..].starts_with(|d: char| d.is_ascii_digit() || d == '-')))
        })
        .map_or(value.len(), |(i, _)| i);
    let number: f64 = value[..end].replace('_', "").parse().ok()?;
    Some((number, value[end..].trim()))
}

/// The unit a field's name carries: (its length in seconds, what the field is); 0 s for a rate.
fn field_unit(field: &str) -> Option<(f64, &'static str)> {
    if field.ends_with("_per_s") {
        Some((0.0, "a number per second"))
    } else if field.ends_with("_ms") {
        Some((1e-3, "a number of milliseconds"))
    } else if field.ends_with("_s") {
        Some((1.0, "a number of seconds"))
    } else if field.ends_with("_h") {
        Some((3600.0, "a number of hours"))
    } else {
        None
    }
}

/// Seconds in one of a written unit.
fn unit_seconds(unit: &str) -> Option<f64> {
    Some(match unit.to_ascii_lowercase().as_str() {
        "ns" => 1e-9,
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" | "sec" | "secs" | "second" | "seconds" => 1.0,
        "m" | "min" | "mins" | "minute" | "minutes" => 60.0,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "week" | "weeks" => 604_800.0,
        _ => return None,
    })
}

/// A number as a reader writes it: no trailing zeros, at most 6 significant digits.
pub(crate) fn show(x: f64) -> String {
    if !x.is_finite() || x.abs() >= 1e15 || (x != 0.0 && x.abs() < 1e-6) {
        format!("{x:e}")
    } else if x == x.round() {
        format!("{x:.0}")
    } else {
        let s = format!("{:.6}", x);
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_swept_or_overridden_string_for_a_number_gets_the_files_hint() {
        assert_eq!(
            string_value_hint("dns.ttl_s", r#"invalid type: string "5s", expected f64"#).as_deref(),
            Some(
                "`ttl_s` is a number of seconds, written without a unit: for 5 s write `ttl_s: 5`"
            )
        );
        assert_eq!(
            string_value_hint(
                "faults[0].for_s",
                r#"invalid type: string "90", expected f64"#
            )
            .as_deref(),
            Some("`for_s` is a number of seconds: write `for_s: 90`, without quotes")
        );
        // Not a string, or a field without a unit: nothing to say.
        assert_eq!(
            string_value_hint("dns.ttl_s", "invalid type: map, expected f64"),
            None
        );
        assert_eq!(
            string_value_hint(
                "design.primary",
                r#"invalid type: string "x", expected u32"#
            ),
            None
        );
    }

    #[test]
    fn a_unit_in_a_value_names_the_field_and_the_number_to_write() {
        // (text, line, column, RON expected a number there, the hint)
        let cases = [
            (
                "Experiment(\n    duration_s: \"2h\",\n",
                2,
                16,
                true,
                "`duration_s` is a number of seconds, written without a unit: for 2 h write `duration_s: 7200`",
            ),
            // Unquoted, RON stops at the unit letter.
            (
                "x(\n  timeout_ms: 2s,\n",
                2,
                16,
                false,
                "`timeout_ms` is a number of milliseconds, written without a unit: for 2 s write `timeout_ms: 2000`",
            ),
            (
                "x(mtbf_h: 30d)",
                1,
                13,
                false,
                "`mtbf_h` is a number of hours, written without a unit: for 30 d write `mtbf_h: 720`",
            ),
            (
                "x(rate_per_s: \"5/s\")",
                1,
                14,
                true,
                "`rate_per_s` is a number per second, written without a unit",
            ),
            (
                "x(duration_s: \"120\")",
                1,
                14,
                true,
                "`duration_s` is a number of seconds: write `duration_s: 120`, without quotes",
            ),
            (
                "x(rate_per_s: \"5\")",
                1,
                14,
                true,
                "`rate_per_s` is a number per second: write `rate_per_s: 5`, without quotes",
            ),
            (
                "x(duration_s: \"two hours\")",
                1,
                14,
                true,
                "`duration_s` is a number of seconds, not a string",
            ),
            (
                "x(servers: \"4\")",
                1,
                11,
                true,
                "`servers` takes a number: write `servers: 4`, without quotes",
            ),
        ];
        for (text, line, col, type_error, hint) in cases {
            assert_eq!(
                unit_hint(text, line, col, type_error).as_deref(),
                Some(hint),
                "{text:?}"
            );
        }
        assert_eq!(show(0.25), "0.25");
        assert_eq!(show(1.0 / 3.0), "0.333333");
    }

    #[test]
    fn other_mistakes_and_odd_text_get_no_hint() {
        // A missing comma after a plain number.
        assert_eq!(unit_hint("x(at_s: 300 for_s: 4)", 1, 13, false), None);
        // A string where one belongs, a quoted map key, positions off the text.
        assert_eq!(unit_hint("x(name: \"a\" b)", 1, 12, false), None);
        assert_eq!(unit_hint("{\"tokyo\": 2h}", 1, 12, false), None);
        for (l, c) in [(0, 0), (1, 0), (9, 1), (1, 99), (2, 1)] {
            assert_eq!(unit_hint("x(a_s: 2ß€)", l, c, false), None);
        }
        // Every position of a text with multibyte characters: no panic.
        let t = "ß(dürätion_s: \"2ħ\", t_ms: 3µs,\n é_s: 1e99d, -: ";
        for l in 0..4 {
            for c in 0..40 {
                let _ = unit_hint(t, l, c, true);
                let _ = unit_hint(t, l, c, false);
            }
        }
    }
}
