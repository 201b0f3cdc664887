//! The override tree: config as a JSON-like tree, RON literals parsed into it, dotted paths applied.
//!
//! Raw config is serialised to a `serde_json::Value` (enums externally tagged, so
//! `Exponential(mean_ms: 5)` becomes `{"Exponential": {"mean_ms": 5}}`). An override value is a
//! RON literal, parsed here into the same shape (ron's own `Value` forgets enum variant names).
//! A path walks object keys; it passes through an enum tag transparently, so
//! `dns.lookup.ms` reaches `{"lookup": {"Constant": {"ms": 20}}}`.

use serde_json::{Map, Number, Value};

/// Parses a RON literal (numbers, strings, bools, lists, maps, `Some`/`None`, unit variants,
/// struct and tuple variants, anonymous structs) into the tree shape.
pub fn parse_ron_literal(text: &str) -> Result<Value, String> {
    let mut p = Parser {
        s: text.as_bytes(),
        i: 0,
    };
    let v = p.value()?;
    p.ws();
    if p.i != p.s.len() {
        return Err(format!("unexpected text after the value at byte {}", p.i));
    }
    Ok(v)
}

struct Parser<'a> {
    s: &'a [u8],
    i: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        loop {
            while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
                self.i += 1;
            }
            // `// …` and `/* … */` (nested), as the file's own comments are read.
            match super::comment_end(self.s, self.i) {
                Some(end) => self.i = end,
                None => return,
            }
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn eat(&mut self, c: u8) -> bool {
        if self.peek() == Some(c) {
            self.i += 1;
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(format!("expected `{}` at byte {}", c as char, self.i))
        }
    }
    fn ident(&mut self) -> String {
        self.ws();
        // A raw identifier, `r#name`, is the name.
        if self.s[self.i..].starts_with(b"r#")
            && self
                .s
                .get(self.i + 2)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            self.i += 2;
        }
        let st = self.i;
        while self.i < self.s.len()
            && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
        {
            self.i += 1;
        }
        String::from_utf8_lossy(&self.s[st..self.i]).into_owned()
    }
    fn string(&mut self) -> Result<String, String> {
        self.expect(b'"')?;
        let mut out = Vec::new();
        while self.i < self.s.len() {
            let c = self.s[self.i];
            self.i += 1;
            match c {
                b'"' => return String::from_utf8(out).map_err(|e| e.to_string()),
                b'\\' => {
                    let e = *self.s.get(self.i).ok_or("unterminated string")?;
                    self.i += 1;
                    match e {
                        b'n' => out.push(b'\n'),
                        b't' => out.push(b'\t'),
                        b'r' => out.push(b'\r'),
                        b'0' => out.push(0),
                        b'"' | b'\'' | b'\\' => out.push(e),
                        // A byte: consecutive ones may spell a UTF-8 character, as in ron
                        // (checked with the whole string at its closing quote).
                        b'x' => out.push(self.hex_escape(2, 2)? as u8),
                        b'u' => {
                            let at = self.i - 2;
                            if self.s.get(self.i) != Some(&b'{') {
                                return Err(format!("expected `{{` after `\\u` at byte {at}"));
                            }
                            self.i += 1;
                            let v = self.hex_escape(1, 6)?;
                            if self.s.get(self.i) != Some(&b'}') {
                                return Err(format!(
                                    "expected `}}` to end the `\\u{{…}}` escape at byte {at}"
                                ));
                            }
                            self.i += 1;
                            let c = char::from_u32(v).ok_or_else(|| {
                                format!("`\\u{{{v:x}}}` at byte {at} is not a character")
                            })?;
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                        }
                        other => {
                            return Err(format!(
                                "unknown escape `\\{}` at byte {}",
                                other as char,
                                self.i - 2
                            ));
                        }
                    }
                }
                _ => out.push(c),
            }
        }
        Err("unterminated string".into())
    }
    /// A raw string, `r"…"` or `r#"…"#` (as many `#` on both sides), at `r` (where
    /// [`string_end`](super::string_end) sees one open): no escapes.
    fn raw_string(&mut self) -> Result<String, String> {
        let at = self.i;
        let hashes = self.s[at + 1..].iter().take_while(|&&c| c == b'#').count();
        let end = super::string_end(self.s, at)
            .filter(|&end| end < self.s.len())
            .ok_or_else(|| format!("unterminated raw string at byte {at}"))?;
        self.i = end + 1;
        // Between the opening `r#…"` and the closing `"#…`.
        String::from_utf8(self.s[at + hashes + 2..end - hashes].to_vec()).map_err(|e| e.to_string())
    }
    /// `min..=max` hexadecimal digits (no sign), as a number.
    fn hex_escape(&mut self, min: usize, max: usize) -> Result<u32, String> {
        let start = self.i;
        while self.i - start < max && self.s.get(self.i).is_some_and(u8::is_ascii_hexdigit) {
            self.i += 1;
        }
        if self.i - start < min {
            return Err(format!(
                "expected {min} to {max} hexadecimal digits in the escape at byte {}",
                start.saturating_sub(2)
            ));
        }
        let hex = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("0");
        Ok(u32::from_str_radix(hex, 16).unwrap_or(0))
    }
    fn number(&mut self) -> Result<Value, String> {
        // An integer in hexadecimal, octal or binary (`0x1F`, `-0b101`), as RON writes them.
        let sign = usize::from(matches!(self.s[self.i], b'-' | b'+'));
        let radix = match self.s.get(self.i + sign..self.i + sign + 2) {
            Some(b"0x") => 16,
            Some(b"0o") => 8,
            Some(b"0b") => 2,
            _ => 10,
        };
        if radix != 10 {
            let st = self.i;
            self.i += sign + 2;
            let digits = self.i;
            while self.i < self.s.len()
                && (self.s[self.i].is_ascii_alphanumeric() || self.s[self.i] == b'_')
            {
                self.i += 1;
            }
            let text = String::from_utf8_lossy(&self.s[st..self.i]).into_owned();
            let body = String::from_utf8_lossy(&self.s[digits..self.i]).replace('_', "");
            let n = i128::from_str_radix(&body, radix)
                .map_err(|_| format!("`{text}` is not a number"))?;
            let n = if self.s[st] == b'-' { -n } else { n };
            return if let Ok(i) = i64::try_from(n) {
                Ok(Value::Number(i.into()))
            } else if let Ok(u) = u64::try_from(n) {
                Ok(Value::Number(u.into()))
            } else {
                Err(format!("`{text}` is too large"))
            };
        }
        let st = self.i;
        while self.i < self.s.len()
            && matches!(
                self.s[self.i],
                b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E' | b'_'
            )
        {
            self.i += 1;
        }
        let t: String = String::from_utf8_lossy(&self.s[st..self.i]).replace('_', "");
        if let Ok(i) = t.parse::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        if let Ok(u) = t.parse::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        let f: f64 = t.parse().map_err(|_| format!("`{t}` is not a number"))?;
        Number::from_f64(f)
            .map(Value::Number)
            .ok_or_else(|| format!("`{t}` is not a finite number"))
    }
    /// Comma-separated items up to `close`, allowing a trailing comma.
    fn items(
        &mut self,
        close: u8,
        mut item: impl FnMut(&mut Self) -> Result<(), String>,
    ) -> Result<(), String> {
        loop {
            if self.eat(close) {
                return Ok(());
            }
            item(self)?;
            if !self.eat(b',') {
                return self.expect(close);
            }
        }
    }
    /// After `(`: either `field: value, …` (a struct) or `value, …` (a tuple).
    fn paren_body(&mut self) -> Result<Value, String> {
        let save = self.i;
        let id = self.ident();
        let is_struct = !id.is_empty() && self.peek() == Some(b':');
        self.i = save;
        if is_struct {
            let mut m = Map::new();
            self.items(b')', |p| {
                let k = p.ident();
                p.expect(b':')?;
                let v = p.value()?;
                insert_once(&mut m, k, v)
            })?;
            Ok(Value::Object(m))
        } else {
            let mut v = vec![];
            self.items(b')', |p| {
                v.push(p.value()?);
                Ok(())
            })?;
            Ok(match v.len() {
                // `()`: a group with no field written (all defaults), as the file reads it.
                0 => Value::Object(Map::new()),
                1 => v.pop().unwrap(),
                _ => Value::Array(v),
            })
        }
    }
    fn value(&mut self) -> Result<Value, String> {
        match self.peek() {
            None => Err("expected a value, found the end".into()),
            Some(b'"') => Ok(Value::String(self.string()?)),
            Some(b'[') => {
                self.i += 1;
                let mut v = vec![];
                self.items(b']', |p| {
                    v.push(p.value()?);
                    Ok(())
                })?;
                Ok(Value::Array(v))
            }
            Some(b'{') => {
                self.i += 1;
                let mut m = Map::new();
                self.items(b'}', |p| {
                    let k = match p.value()? {
                        Value::String(s) => s,
                        other => other.to_string(),
                    };
                    p.expect(b':')?;
                    let v = p.value()?;
                    insert_once(&mut m, k, v)
                })?;
                Ok(Value::Object(m))
            }
            Some(b'(') => {
                self.i += 1;
                self.paren_body()
            }
            Some(c) if c.is_ascii_digit() || c == b'-' || c == b'+' || c == b'.' => self.number(),
            Some(b'r') if super::string_end(self.s, self.i).is_some() => {
                Ok(Value::String(self.raw_string()?))
            }
            Some(c) if c.is_ascii_alphabetic() || c == b'_' => {
                let id = self.ident();
                match id.as_str() {
                    "true" => return Ok(Value::Bool(true)),
                    "false" => return Ok(Value::Bool(false)),
                    "None" => return Ok(Value::Null),
                    "inf" | "NaN" => return Err(format!("`{id}` is not a finite number")),
                    _ => {}
                }
                if self.eat(b'(') {
                    let body = self.paren_body()?;
                    if id == "Some" {
                        return Ok(body);
                    }
                    let mut m = Map::new();
                    m.insert(id, body);
                    Ok(Value::Object(m))
                } else {
                    Ok(Value::String(id))
                }
            }
            Some(c) => Err(format!("unexpected `{}` at byte {}", c as char, self.i)),
        }
    }
}

/// Inserts a struct field or map entry, refusing a name written twice (the later one would
/// silently replace the earlier, as the file's own maps are refused for).
fn insert_once(m: &mut Map<String, Value>, k: String, v: Value) -> Result<(), String> {
    if m.contains_key(&k) {
        return Err(format!(
            "`{k}` is written twice: each name may appear once (the later entry would silently replace the earlier)"
        ));
    }
    m.insert(k, v);
    Ok(())
}

/// The value at dotted `path` of a tree, through enum tags as [`set_path`] walks them.
pub fn get_path<'v>(tree: &'v Value, path: &str) -> Option<&'v Value> {
    let mut cur = tree;
    for seg in path.split('.') {
        if let Some(tag) = enum_tag(cur)
            && tag != seg
        {
            cur = &cur[tag];
        }
        cur = match cur {
            Value::Object(m) => m.get(seg)?,
            Value::Array(a) => a.get(seg.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// A struct written with its name (`Client(retries: 3)`) reads as `{"Client": {…}}`. Where
/// the file's tree (`schema`) holds a group of fields there, not an enum's tag, and the
/// name is none of them while the fields written are, the name is dropped, so that a later
/// override of a field inside (`client.timeout_ms`) finds the group; likewise in its fields.
pub fn drop_struct_names(v: &mut Value, schema: &Value) {
    let Value::Object(fields) = schema else {
        return;
    };
    let schema_tag = enum_tag(schema);
    if schema_tag.is_none()
        && let Some(tag) = enum_tag(v).map(str::to_owned)
        && !fields.contains_key(&tag)
        && v[&tag]
            .as_object()
            .is_some_and(|inner| inner.keys().all(|k| fields.contains_key(k)))
    {
        *v = v[&tag].take();
    }
    if let Value::Object(m) = v {
        for (k, inner) in m.iter_mut() {
            // Through an enum's tag the schema shares.
            let s = match schema_tag {
                Some(t) if t == k => fields.get(k),
                Some(_) => None,
                None => fields.get(k),
            };
            if let Some(s) = s {
                drop_struct_names(inner, s);
            }
        }
    }
}

/// True for `{"Variant": …}`: an externally tagged enum (one key, capitalised).
fn enum_tag(v: &Value) -> Option<&str> {
    match v {
        Value::Object(m) if m.len() == 1 => {
            let k = m.keys().next()?;
            k.starts_with(|c: char| c.is_ascii_uppercase())
                .then_some(k.as_str())
        }
        _ => None,
    }
}

/// The tree as a serde deserializer that reads it as the RON loader would: a `( … )` group
/// of fields must be a map. serde's derived structs also accept a list, field by field, so
/// through `serde_json::Value` an override `"client": (1000, 500)` or `[1]` would set the
/// first fields and silently default the rest. Its messages name the config's own types
/// (`Dns`, `Design`) and list an enum's variants rather than the internal `Raw*` names.
pub struct Strict(pub Value);

type StrictError = serde::de::value::Error;

impl Strict {
    fn unexpected(&self) -> serde::de::Unexpected<'_> {
        use serde::de::Unexpected;
        match &self.0 {
            Value::Null => Unexpected::Unit,
            Value::Bool(b) => Unexpected::Bool(*b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => Unexpected::Unsigned(u),
                (None, Some(i)) => Unexpected::Signed(i),
                _ => Unexpected::Float(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Unexpected::Str(s),
            Value::Array(_) => Unexpected::Other("list or tuple"),
            Value::Object(_) => Unexpected::Map,
        }
    }

    /// The error for this value where `want` was expected.
    fn wrong(&self, want: &str) -> StrictError {
        serde::de::Error::invalid_type(self.unexpected(), &want)
    }
}

impl<'de> serde::de::IntoDeserializer<'de, StrictError> for Strict {
    type Deserializer = Strict;
    fn into_deserializer(self) -> Strict {
        self
    }
}

/// One externally tagged variant, `{tag: value}`, read as the RON loader reads it: a struct
/// variant from fields only, a tuple variant from a list only.
struct StrictVariant {
    enum_name: &'static str,
    tag: String,
    value: Value,
}

impl<'de> serde::de::EnumAccess<'de> for StrictVariant {
    type Error = StrictError;
    type Variant = StrictVariant;

    fn variant_seed<V: serde::de::DeserializeSeed<'de>>(
        self,
        seed: V,
    ) -> Result<(V::Value, StrictVariant), StrictError> {
        let tag = seed.deserialize(
            serde::de::IntoDeserializer::<StrictError>::into_deserializer(self.tag.clone()),
        )?;
        Ok((tag, self))
    }
}

impl<'de> serde::de::VariantAccess<'de> for StrictVariant {
    type Error = StrictError;

    fn unit_variant(self) -> Result<(), StrictError> {
        match self.value {
            Value::Null => Ok(()),
            _ => {
                Err(Strict(self.value)
                    .wrong(&format!("`{}` alone, with nothing after it", self.tag)))
            }
        }
    }

    fn newtype_variant_seed<T: serde::de::DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<T::Value, StrictError> {
        seed.deserialize(Strict(self.value))
    }

    fn tuple_variant<V: serde::de::Visitor<'de>>(
        self,
        len: usize,
        v: V,
    ) -> Result<V::Value, StrictError> {
        if !self.value.is_array() {
            let want = format!(
                "a `{}::{}`, written `{}(value, …)` with {len} values",
                self.enum_name, self.tag, self.tag
            );
            return Err(Strict(self.value).wrong(&want));
        }
        serde::Deserializer::deserialize_any(Strict(self.value), v)
    }

    fn struct_variant<V: serde::de::Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, StrictError> {
        if !self.value.is_object() {
            let want = format!(
                "a `{}::{}`, written `{}(field: value, …)`",
                self.enum_name, self.tag, self.tag
            );
            return Err(Strict(self.value).wrong(&want));
        }
        serde::Deserializer::deserialize_any(Strict(self.value), v)
    }
}

impl<'de> serde::Deserializer<'de> for Strict {
    type Error = StrictError;

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, StrictError> {
        use serde::de::value::{MapDeserializer, SeqDeserializer};
        match self.0 {
            Value::Null => v.visit_unit(),
            Value::Bool(b) => v.visit_bool(b),
            Value::Number(n) => match (n.as_u64(), n.as_i64()) {
                (Some(u), _) => v.visit_u64(u),
                (None, Some(i)) => v.visit_i64(i),
                _ => v.visit_f64(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => v.visit_string(s),
            Value::Array(a) => {
                let mut seq = SeqDeserializer::new(a.into_iter().map(Strict));
                let out = v.visit_seq(&mut seq)?;
                seq.end()?;
                Ok(out)
            }
            Value::Object(m) => {
                let mut map = MapDeserializer::new(m.into_iter().map(|(k, x)| (k, Strict(x))));
                let out = v.visit_map(&mut map)?;
                map.end()?;
                Ok(out)
            }
        }
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, StrictError> {
        match self.0 {
            Value::Null => v.visit_none(),
            _ => v.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        v: V,
    ) -> Result<V::Value, StrictError> {
        v.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, StrictError> {
        if !self.0.is_object() {
            let want = format!("a `{name}`, written `(field: value, …)`");
            return Err(self.wrong(&want));
        }
        // A struct written with its name, `Client(retries: 3)`, as RON allows: the name is not
        // a field. Another name than the struct's RON refuses too.
        if let Some(tag) = enum_tag(&self.0)
            && !fields.contains(&tag)
            && self.0[tag].is_object()
        {
            if tag != name {
                return Err(serde::de::Error::custom(format!(
                    "a `{name}` written with the name `{tag}`"
                )));
            }
            let mut named = self.0;
            return Strict(named[name].take()).deserialize_any(v);
        }
        self.deserialize_any(v)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, StrictError> {
        match self.0 {
            Value::String(s) => v.visit_enum(serde::de::IntoDeserializer::into_deserializer(s)),
            Value::Object(m) if m.len() == 1 => {
                let (tag, value) = m.into_iter().next().expect("one entry");
                v.visit_enum(StrictVariant {
                    enum_name: name,
                    tag,
                    value,
                })
            }
            _ => {
                let want = format!("a `{name}`: one of {}", variants.join(", "));
                Err(self.wrong(&want))
            }
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

/// Why a dotted path cannot be set: the message, and a suggestion for the help line.
#[derive(Debug, Clone, PartialEq)]
pub struct PathError {
    pub message: String,
    pub help: Option<String>,
}

impl From<String> for PathError {
    fn from(message: String) -> Self {
        PathError {
            message,
            help: None,
        }
    }
}

/// Sets the value at dotted `path` in `tree`. Every segment but the last must exist; the last
/// must exist too (every field is present in a serialised raw tree), so a misspelt path is
/// reported with the closest valid key.
pub fn set_path(tree: &mut Value, path: &str, value: Value) -> Result<(), PathError> {
    set_path_with(tree, path, value, None)
}

/// [`set_path`] on a tree in which earlier overrides may have replaced a group by a partial
/// value (`"dns": (ttl_s: 30)` holds only `ttl_s`): a last segment missing there but present at
/// the same place in `schema` (the file's tree, every field serialised) is added, so a later
/// override of `dns.fail_open` is not refused as unknown.
pub fn set_path_with(
    tree: &mut Value,
    path: &str,
    value: Value,
    schema: Option<&Value>,
) -> Result<(), PathError> {
    let mut sch = schema;
    let segs: Vec<&str> = path.split('.').collect();
    if path.is_empty() || segs.iter().any(|s| s.is_empty()) {
        return Err(format!("`{path}` is not a dotted path").into());
    }
    if path == "topology" {
        let region = tree["topology"]["regions"]
            .as_object()
            .and_then(|m| m.keys().next().cloned())
            .unwrap_or_else(|| "eastus".into());
        return Err(format!(
            "`topology` cannot be overridden as a whole: every variant runs on the experiment's \
             topology file; override a part of it (`topology.regions.{region}.servers`), or \
             write one experiment per topology file"
        )
        .into());
    }
    let mut cur = tree;
    let mut walked = String::new();
    for (i, seg) in segs.iter().enumerate() {
        // Pass through an enum tag unless the segment names it.
        if let Some(tag) = enum_tag(cur).map(str::to_owned)
            && tag != *seg
        {
            // The schema follows only while it has the same variant.
            sch = sch.and_then(|s| (enum_tag(s) == Some(tag.as_str())).then(|| &s[&tag]));
            cur = cur.get_mut(&tag).expect("tag exists");
        }
        let last = i + 1 == segs.len();
        // The file's keys here, for the suggestions (an earlier override may have replaced
        // this group with fewer fields).
        let schema_keys: Vec<&str> = sch
            .and_then(Value::as_object)
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let in_schema = sch.and_then(|s| s.get(*seg));
        sch = in_schema;
        match cur {
            Value::Object(m) => {
                if last && !m.contains_key(*seg) && in_schema.is_some() {
                    m.insert((*seg).to_owned(), value);
                    return Ok(());
                }
                if !m.contains_key(*seg) {
                    let mut keys: Vec<&str> = m.keys().map(String::as_str).collect();
                    for k in &schema_keys {
                        if !keys.contains(k) {
                            keys.push(k);
                        }
                    }
                    let help = crate::config::did_you_mean(seg, keys.iter().copied())
                        .map(|s| format!("did you mean `{}`?", join(&walked, s)))
                        .unwrap_or_else(|| format!("valid keys here: {}", keys.join(", ")));
                    return Err(PathError {
                        message: format!(
                            "unknown path `{path}`: `{}` has no `{seg}`",
                            if walked.is_empty() { "<root>" } else { &walked }
                        ),
                        help: Some(help),
                    });
                }
                if last {
                    m.insert((*seg).to_owned(), value);
                    return Ok(());
                }
                cur = m.get_mut(*seg).expect("checked");
            }
            Value::Array(a) => {
                let idx: usize = seg.parse().map_err(|_| {
                    format!("unknown path `{path}`: `{walked}` is a list; index it by number")
                })?;
                let len = a.len();
                let slot = a
                    .get_mut(idx)
                    .ok_or_else(|| format!("unknown path `{path}`: `{walked}` has {len} items"))?;
                if last {
                    *slot = value;
                    return Ok(());
                }
                cur = slot;
            }
            Value::Null => {
                return Err(format!(
                    "cannot set `{path}`: `{walked}` is not set in this file; set `{walked}` in the file first, or override `{walked}` as a whole"
                )
                .into());
            }
            _ => {
                return Err(format!(
                    "unknown path `{path}`: `{walked}` is a single value, not a group"
                )
                .into());
            }
        }
        walked = join(&walked, seg);
    }
    unreachable!("loop returns on the last segment")
}

/// The field a dotted `path` names in `tree`, spelt one way: enum tags dropped (`dns.lookup.ms`
/// and `dns.lookup.Constant.ms` reach the same field) and list indices as plain numbers
/// (`faults.00` is `faults.0`). Segments past the end of the tree are kept as written.
pub fn canonical_path(tree: &Value, path: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = Some(tree);
    for seg in path.split('.') {
        let Some(mut c) = cur else {
            out.push(seg.to_owned());
            continue;
        };
        if let Some(tag) = enum_tag(c) {
            let inner = &c[tag];
            if tag == seg {
                // Naming the tag reaches what passing through it reaches.
                cur = Some(inner);
                continue;
            }
            c = inner;
        }
        match c {
            Value::Object(m) => {
                cur = m.get(seg);
                out.push(seg.to_owned());
            }
            Value::Array(a) => match seg.parse::<usize>() {
                Ok(i) => {
                    cur = a.get(i);
                    out.push(i.to_string());
                }
                Err(_) => {
                    cur = None;
                    out.push(seg.to_owned());
                }
            },
            _ => {
                cur = None;
                out.push(seg.to_owned());
            }
        }
    }
    out
}

fn join(prefix: &str, seg: &str) -> String {
    if prefix.is_empty() {
        seg.to_owned()
    } else {
        format!("{prefix}.{seg}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(rename = "Pair", deny_unknown_fields)]
    struct RawPair {
        a: u32,
        #[serde(default)]
        b: Option<f64>,
    }

    #[derive(serde::Deserialize, Debug, PartialEq)]
    #[serde(rename = "Shape")]
    enum RawShape {
        Dot,
        Line(u32),
        Box { pair: RawPair },
        Span(u32, u32),
    }

    #[test]
    fn strict_reads_groups_as_maps_only_and_names_the_config_types() {
        let read = |v: Value| -> Result<Vec<RawShape>, String> {
            serde::Deserialize::deserialize(Strict(v)).map_err(|e| e.to_string())
        };
        let ok = read(json!(["Dot", {"Line": 3}, {"Box": {"pair": {"a": 1, "b": 2}}}])).unwrap();
        assert_eq!(
            ok,
            vec![
                RawShape::Dot,
                RawShape::Line(3),
                RawShape::Box {
                    pair: RawPair { a: 1, b: Some(2.0) }
                }
            ]
        );
        // serde_json's own reader fills a struct from a list, field by field.
        let lax: RawPair = serde_json::from_value(json!([7])).unwrap();
        assert_eq!(lax, RawPair { a: 7, b: None });
        let e = read(json!([{"Box": {"pair": [7]}}])).unwrap_err();
        assert_eq!(
            e,
            "invalid type: list or tuple, expected a `Pair`, written `(field: value, …)`"
        );
        let e = read(json!([3])).unwrap_err();
        assert_eq!(
            e,
            "invalid type: integer `3`, expected a `Shape`: one of Dot, Line, Box, Span"
        );
        // A struct variant from a list, or a tuple variant from one value, is refused too.
        let e = read(json!([{"Box": [[7]]}])).unwrap_err();
        assert_eq!(
            e,
            "invalid type: list or tuple, expected a `Shape::Box`, written `Box(field: value, …)`"
        );
        assert!(read(json!([{"Dot": 1}])).is_err());
        // A map of two entries is not one variant.
        assert!(read(json!([{"Dot": null, "Line": 1}])).is_err());
        // Unknown fields and negative counts are refused as before.
        assert!(read(json!([{"Box": {"pair": {"a": 1, "c": 2}}}])).is_err());
        assert!(read(json!([{"Line": -1}])).is_err());
        assert_eq!(
            read(json!([{"Span": [1, 2]}])).unwrap(),
            vec![RawShape::Span(1, 2)]
        );
        assert!(read(json!([{"Span": 1}])).is_err());
        assert_eq!(
            parse_ron_literal("18446744073709551615").unwrap(),
            json!(u64::MAX)
        );
    }

    #[test]
    fn parses_ron_literals_keeping_variant_names() {
        assert_eq!(parse_ron_literal("250").unwrap(), json!(250));
        assert_eq!(parse_ron_literal("2.5e1").unwrap(), json!(25.0));
        assert_eq!(
            parse_ron_literal(r#"["a", "b",]"#).unwrap(),
            json!(["a", "b"])
        );
        assert_eq!(parse_ron_literal("Latency").unwrap(), json!("Latency"));
        assert_eq!(parse_ron_literal("Some(3)").unwrap(), json!(3));
        assert_eq!(parse_ron_literal("None").unwrap(), json!(null));
        assert_eq!(
            parse_ron_literal(r#"ActiveActive(regions: ["x"])"#).unwrap(),
            json!({"ActiveActive": {"regions": ["x"]}})
        );
        assert_eq!(
            parse_ron_literal("(a: 1, b: true)").unwrap(),
            json!({"a": 1, "b": true})
        );
        assert_eq!(parse_ron_literal(r#"{"k": 1}"#).unwrap(), json!({"k": 1}));
        assert!(parse_ron_literal("[1, 2").is_err());
        // RON's escapes, as the file's own strings read them (ron 0.12's `parse_escape`).
        assert_eq!(
            parse_ron_literal(r#""us-\u{65}ast \u{e9}\x41\xC3\xA9\"\\\n\'""#).unwrap(),
            json!("us-east éAé\"\\\n'")
        );
        for bad in [
            r#""\q""#,
            r#""\u{110000}""#,
            r#""\u00e9""#,
            r#""\u{65""#,
            r#""\u{}""#,
            r#""\u{+41}""#,
            r#""\x+4""#,
            r#""\xC3""#,
            r#""\b""#,
            r#""\/""#,
        ] {
            assert!(parse_ron_literal(bad).is_err(), "{bad}");
        }
        // A name written twice is refused, in a struct and in a map.
        let e = parse_ron_literal("(a: 1, b: 2, a: 3)").unwrap_err();
        assert!(e.contains("`a` is written twice"), "{e}");
        let e = parse_ron_literal(r#"{"k": 1, "k": 2}"#).unwrap_err();
        assert!(e.contains("`k` is written twice"), "{e}");
        assert!(parse_ron_literal("1 2").is_err());
    }

    #[test]
    fn set_path_passes_through_enum_tags_and_suggests() {
        let mut t = json!({"dns": {"lookup": {"Constant": {"ms": 20}}, "ttl_s": 60}});
        set_path(&mut t, "dns.lookup.ms", json!(5)).unwrap();
        assert_eq!(t["dns"]["lookup"]["Constant"]["ms"], json!(5));
        set_path(&mut t, "dns.lookup", json!({"Exponential": {"mean_ms": 3}})).unwrap();
        let e = set_path(&mut t, "dns.tll_s", json!(1)).unwrap_err();
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `dns.ttl_s`?"),
            "{e:?}"
        );
        assert!(set_path(&mut t, "dns.ttl_s.x", json!(1)).is_err());
        assert!(set_path(&mut t, "", json!(1)).is_err());
    }

    #[test]
    fn set_path_with_a_schema_adds_a_field_a_partial_group_lacks() {
        let schema = json!({
            "dns": {"ttl_s": 60, "fail_open": true},
            "design": {"ActiveActive": {"regions": ["a"], "read_local": false}},
        });
        // An earlier override replaced `dns` and `design` by partial values.
        let mut t = json!({"dns": {"ttl_s": 30}, "design": {"ActiveActive": {"regions": ["b"]}}});
        assert!(set_path(&mut t.clone(), "dns.fail_open", json!(false)).is_err());
        set_path_with(&mut t, "dns.fail_open", json!(false), Some(&schema)).unwrap();
        assert_eq!(t["dns"], json!({"ttl_s": 30, "fail_open": false}));
        // Through an enum tag the schema shares.
        set_path_with(&mut t, "design.read_local", json!(true), Some(&schema)).unwrap();
        assert_eq!(t["design"]["ActiveActive"]["read_local"], json!(true));
        // A name the schema does not know either is still refused, with a suggestion.
        let e = set_path_with(&mut t, "dns.fail_opne", json!(1), Some(&schema)).unwrap_err();
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `dns.fail_open`?"),
            "{e:?}"
        );
        // Another variant than the schema's: the schema says nothing about it.
        let mut p = json!({"design": {"ActivePassive": {"primary": "a"}}});
        assert!(set_path_with(&mut p, "design.read_local", json!(true), Some(&schema)).is_err());
        // The suggestions know the file's keys, not only the partial group's.
        let mut q = json!({"dns": {"ttl_s": 30}});
        let e = set_path_with(&mut q, "dns.xyz", json!(1), Some(&schema)).unwrap_err();
        assert_eq!(
            e.help.as_deref(),
            Some("valid keys here: ttl_s, fail_open"),
            "{e:?}"
        );
    }

    #[test]
    fn ron_literals_read_comments_raw_strings_and_radix_integers() {
        assert_eq!(
            parse_ron_literal("(/* a /* nested */ one */ ttl_s: 5 /* end */)").unwrap(),
            json!({"ttl_s": 5})
        );
        assert_eq!(
            parse_ron_literal("/* lead */ 5 // trail").unwrap(),
            json!(5)
        );
        assert_eq!(parse_ron_literal(r#"r"US""#).unwrap(), json!("US"));
        assert_eq!(
            parse_ron_literal(r###"r##"a "# b"##"###).unwrap(),
            json!("a \"# b")
        );
        assert_eq!(parse_ron_literal("0x1F").unwrap(), json!(31));
        assert_eq!(parse_ron_literal("-0b101").unwrap(), json!(-5));
        assert_eq!(parse_ron_literal("0o1_7").unwrap(), json!(15));
        assert!(
            parse_ron_literal("0xZZ")
                .unwrap_err()
                .contains("not a number")
        );
        assert_eq!(
            parse_ron_literal("0xFFFFFFFFFFFFFFFF").unwrap(),
            json!(u64::MAX)
        );
        assert_eq!(
            parse_ron_literal("-0x8000000000000000").unwrap(),
            json!(i64::MIN)
        );
        assert!(
            parse_ron_literal("0x1FFFFFFFFFFFFFFFF")
                .unwrap_err()
                .contains("too large")
        );
        // An empty group is a group with every field defaulted; a raw identifier is the name.
        assert_eq!(parse_ron_literal("()").unwrap(), json!({}));
        assert_eq!(
            parse_ron_literal("r#Tag(r#regions: [r#\"a\"#])").unwrap(),
            json!({"Tag": {"regions": ["a"]}})
        );
        assert!(
            parse_ron_literal(r#"r#"open"#)
                .unwrap_err()
                .contains("unterminated")
        );
        assert!(parse_ron_literal("/* open").is_err());
        // A struct may be written with its name; the name is not a field.
        let read = |v: Value| -> Result<RawPair, String> {
            serde::Deserialize::deserialize(Strict(v)).map_err(|e: StrictError| e.to_string())
        };
        assert_eq!(
            read(parse_ron_literal("Pair(a: 1)").unwrap()).unwrap(),
            RawPair { a: 1, b: None }
        );
        let e = read(parse_ron_literal("Other(a: 1)").unwrap()).unwrap_err();
        assert!(e.contains("a `Pair` written with the name `Other`"), "{e}");
        // Against the file's tree the name is dropped, so paths inside find the fields; a
        // map entry (keys not among the fields) and an enum's tag are kept.
        let schema = json!({"pair": {"a": 1, "b": null, "inner": {"c": 1}}, "map": {"x": {"a": 1}},
                            "e": {"Tag": {"a": 1}}});
        let mut v = parse_ron_literal("Pair(a: 2, inner: Inner(c: 3))").unwrap();
        drop_struct_names(&mut v, &schema["pair"]);
        assert_eq!(v, json!({"a": 2, "inner": {"c": 3}}));
        let mut m = parse_ron_literal(r#"{"Boston": (a: 1)}"#).unwrap();
        drop_struct_names(&mut m, &schema["map"]);
        assert_eq!(m, json!({"Boston": {"a": 1}}));
        let mut e = parse_ron_literal("Other(a: 1)").unwrap();
        drop_struct_names(&mut e, &schema["e"]);
        assert_eq!(e, json!({"Other": {"a": 1}}));
        assert_eq!(get_path(&schema, "e.a"), Some(&json!(1)));
        assert_eq!(get_path(&schema, "pair.inner.c"), Some(&json!(1)));
        assert_eq!(get_path(&schema, "pair.zzz"), None);
    }

    #[test]
    fn canonical_path_spells_one_field_one_way() {
        let t = json!({"dns": {"lookup": {"Constant": {"ms": 20}}, "ttl_s": 60}, "faults": [{"RegionOutage": {"at_s": 1}}]});
        let c = |p: &str| canonical_path(&t, p).join(".");
        assert_eq!(c("dns.lookup.ms"), "dns.lookup.ms");
        assert_eq!(c("dns.lookup.Constant.ms"), "dns.lookup.ms");
        assert_eq!(c("dns.lookup.Constant"), "dns.lookup");
        assert_eq!(c("faults.00.at_s"), "faults.0.at_s");
        assert_eq!(c("faults.0.RegionOutage.at_s"), "faults.0.at_s");
        assert_eq!(c("dns.tll_s.x"), "dns.tll_s.x");
    }
}
