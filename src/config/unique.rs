//! Maps of a configuration file whose keys must be unique: a key written twice is an error at
//! its place in the file, not a silent overwrite by the later entry.

use indexmap::IndexMap;
use serde::de::{Deserialize, Deserializer, Error, MapAccess, Visitor};
use std::fmt;
use std::marker::PhantomData;

/// A map read with a check for repeated keys.
struct Unique<V>(IndexMap<String, V>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Unique<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Keys<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for Keys<V> {
            type Value = Unique<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Self::Value, A::Error> {
                let mut m = IndexMap::new();
                while let Some(k) = a.next_key::<String>()? {
                    if m.contains_key(&k) {
                        return Err(A::Error::custom(format!(
                            "`{k}` is written twice in this map: each name may appear once (the later entry would silently replace the earlier)"
                        )));
                    }
                    let v = a.next_value()?;
                    m.insert(k, v);
                }
                Ok(Unique(m))
            }
        }
        d.deserialize_map(Keys(PhantomData))
    }
}

/// `#[serde(deserialize_with = "unique::map")]`: a map whose keys must not repeat.
pub fn map<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
    d: D,
) -> Result<IndexMap<String, V>, D::Error> {
    Unique::deserialize(d).map(|u| u.0)
}

/// The same for a map of maps (a matrix written by rows): no row and no cell may repeat.
pub fn nested<'de, D: Deserializer<'de>, V: Deserialize<'de>>(
    d: D,
) -> Result<IndexMap<String, IndexMap<String, V>>, D::Error> {
    Unique::<Unique<V>>::deserialize(d).map(|u| u.0.into_iter().map(|(k, v)| (k, v.0)).collect())
}
