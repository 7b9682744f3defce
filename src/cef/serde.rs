//! serde for the generic CEF types, in the JSON shape the `cef` tool
//! writes (`cef parse`) and reads (`cef render`): a parsed [`Line`]
//! serializes to it and an [`Event`] deserializes from it.
//!
//! Deserializing needs a self-describing format (JSON, YAML, ...): members
//! accept several types (`severity` a string or a number, `extensions` an
//! object or an array) and wrong types get messages that name what was found.

use std::borrow::Cow;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};

use super::event::Event;
use super::key::Key;
use super::line::{Line, Pair};
use super::severity::{Severity, Version};
use crate::error::ErrorKind;

/// Serializes as one JSON object of `cef parse`'s shape, `extensions` as
/// an object:
///
/// ```text
/// {"prefix":"...","version":"0","vendor":"...","product":"...","device_version":"...",
///  "event_class_id":"...","name":"...","severity":"...","unparsed":"...","extensions":{"key":"value",...}}
/// ```
///
/// Header fields and values are unescaped. `prefix` is left out when the
/// line has none, and `unparsed` (text before the first key, P14) when
/// there is none. `version` and `severity` are strings, as the line wrote
/// them. `extensions` keeps the line's order; a key that appears more than
/// once is written once, at its first position, with its last value (P12).
/// [`PairsForm`] writes every pair instead.
///
/// ```
/// let line = audit_cef::Parser::new().parse(br"host CEF:0|v|p|1|id|n|High|a=1 msg=x\=y a=2")?;
/// assert_eq!(
///     serde_json::to_string(&line).unwrap(),
///     r#"{"prefix":"host","version":"0","vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":"n","severity":"High","extensions":{"a":"2","msg":"x=y"}}"#
/// );
/// # Ok::<(), audit_cef::Error>(())
/// ```
impl Serialize for Line<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_line(self, ExtensionsAs::Object, serializer)
    }
}

/// A [`Line`] that serializes with `extensions` as an array of
/// `[key, value]` pairs in line order, duplicates included, instead of an
/// object; the other members are as [`Line`]'s own `Serialize` writes them.
///
/// ```
/// use audit_cef::{PairsForm, Parser};
/// let line = Parser::new().parse(b"CEF:0|v|p|1|id|n|5|a=1 b=2 a=3")?;
/// let json = serde_json::to_string(&PairsForm(&line)).unwrap();
/// assert!(json.ends_with(r#""extensions":[["a","1"],["b","2"],["a","3"]]}"#));
/// # Ok::<(), audit_cef::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct PairsForm<'l, 'a>(pub &'l Line<'a>);

impl Serialize for PairsForm<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_line(self.0, ExtensionsAs::Pairs, serializer)
    }
}

#[derive(Clone, Copy)]
enum ExtensionsAs {
    Object,
    Pairs,
}

fn serialize_line<S: Serializer>(line: &Line<'_>, form: ExtensionsAs, serializer: S) -> Result<S::Ok, S::Error> {
    let members = 8 + usize::from(line.prefix().is_some()) + usize::from(line.unparsed().is_some());
    let mut map = serializer.serialize_map(Some(members))?;
    if let Some(prefix) = line.prefix() {
        map.serialize_entry("prefix", prefix)?;
    }
    map.serialize_entry("version", line.version())?;
    map.serialize_entry("vendor", line.vendor())?;
    map.serialize_entry("product", line.product())?;
    map.serialize_entry("device_version", line.device_version())?;
    map.serialize_entry("event_class_id", line.event_class_id())?;
    map.serialize_entry("name", line.name())?;
    map.serialize_entry("severity", line.severity_str())?;
    if let Some(unparsed) = line.unparsed() {
        map.serialize_entry("unparsed", unparsed)?;
    }
    match form {
        ExtensionsAs::Object => map.serialize_entry("extensions", &ObjectOfPairs(line))?,
        ExtensionsAs::Pairs => map.serialize_entry("extensions", &ArrayOfPairs(line))?,
    }
    map.end()
}

/// `{"key":"value",...}`: each key once, at its first position, with its last value.
struct ObjectOfPairs<'l, 'a>(&'l Line<'a>);

impl Serialize for ObjectOfPairs<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Pairs are `Copy` and unescape lazily: only the winners' values are unescaped.
        let mut winners: Vec<Pair<'_>> = Vec::new();
        let mut first_at: HashMap<&str, usize> = HashMap::new();
        for pair in self.0.pairs() {
            match first_at.entry(pair.key()) {
                Entry::Occupied(seen) => {
                    if let Some(winner) = winners.get_mut(*seen.get()) {
                        *winner = pair;
                    }
                }
                Entry::Vacant(slot) => {
                    slot.insert(winners.len());
                    winners.push(pair);
                }
            }
        }
        serializer.collect_map(winners.iter().map(|pair| (pair.key(), pair.value())))
    }
}

/// `[["key","value"],...]`: every pair in line order.
struct ArrayOfPairs<'l, 'a>(&'l Line<'a>);

impl Serialize for ArrayOfPairs<'_, '_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.0.pairs().map(|pair| (pair.key(), pair.value())))
    }
}

/// Deserializes one object of the shape `cef parse` writes and `cef render`
/// reads, and checks it as [`Event::new`], [`Event::with_prefix`] and
/// [`Event::push`] do. Members:
///
/// | member | |
/// |---|---|
/// | `vendor`, `product`, `device_version`, `event_class_id`, `name` | required strings, unescaped; no CR or LF (E2) |
/// | `severity` | required: an integer 0-10 (number or string) or one of `Unknown`, `Low`, `Medium`, `High`, `Very-High` (exact spelling, E6) |
/// | `version` | optional: `"0"`, `"1"`, `0` or `1`; default 0 |
/// | `prefix` | optional string written before `CEF:` and a space |
/// | `extensions` | optional: an object `{"key":"value",...}` in its written order (a repeated key keeps its first position and its last value), or an array `[["key","value"],...]` that keeps every pair; keys follow E4, values are strings |
///
/// `null` counts as absent for the optional members. Any other member is
/// an error; so is `unparsed` (an event has no place for text before the
/// first key), and so is an error object of `cef parse` (`error` and
/// `kind`). A repeated member counts with its last value.
///
/// Errors go through [`serde::de::Error::custom`], with messages that name
/// the member and what was found. The whole object is read before it is
/// judged, so when several things are wrong the message names the first of,
/// whatever the member order: an error object, the first unknown or
/// `unparsed` member, a header member missing or not a string (table
/// order), `severity`, a line break in a header member, `version`,
/// `prefix`, then the extension pairs in order.
///
/// This impl owns every string; [`Event::deserialize_borrowed`] borrows
/// what it can from the input.
///
/// ```
/// let json = r#"{"vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":"n","severity":8,"extensions":[["msg","a=b"]]}"#;
/// let event: audit_cef::Event<'static> = serde_json::from_str(json).unwrap();
/// assert_eq!(event.to_string(), r"CEF:0|v|p|1|id|n|8|msg=a\=b");
///
/// let err = serde_json::from_str::<audit_cef::Event>(r#"{"vendor":"v"}"#).unwrap_err();
/// assert!(err.to_string().starts_with("missing member `product`"));
/// ```
impl<'de> Deserialize<'de> for Event<'static> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Event<'static>, D::Error> {
        Event::deserialize_borrowed(deserializer).map(Event::into_owned)
    }
}

impl<'de> Event<'de> {
    /// Deserializes as `Event`'s `Deserialize` impl does, borrowing every
    /// string the deserializer lends (with `serde_json`: those without a
    /// JSON escape), so that a clean line allocates no text.
    ///
    /// # Errors
    ///
    /// The deserializer's error, with the messages of the `Deserialize` impl.
    ///
    /// ```
    /// use std::borrow::Cow;
    /// let json = br#"{"vendor":"v","product":"p","device_version":"1","event_class_id":"id","name":"n","severity":"Low","extensions":{"a":"1"}}"#;
    /// let mut input = serde_json::Deserializer::from_slice(json);
    /// let event = audit_cef::Event::deserialize_borrowed(&mut input).unwrap();
    /// input.end().unwrap();
    /// assert!(matches!(event.extensions()[0].1, Cow::Borrowed("1")));
    /// assert_eq!(event.to_string(), "CEF:0|v|p|1|id|n|Low|a=1");
    /// ```
    pub fn deserialize_borrowed<D: Deserializer<'de>>(deserializer: D) -> Result<Event<'de>, D::Error> {
        deserializer.deserialize_any(Any(EventShape))
    }
}

/// What a value turned out to be, named as JSON names it, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Found {
    Null,
    Boolean,
    Number,
    String,
    Array,
    Object,
    Bytes,
}

impl fmt::Display for Found {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Found::Null => "null",
            Found::Boolean => "a boolean",
            Found::Number => "a number",
            Found::String => "a string",
            Found::Array => "an array",
            Found::Object => "an object",
            Found::Bytes => "bytes",
        })
    }
}

/// What one member's reader does with each kind of value: [`Any`] turns
/// serde's many `visit_*` calls into these few. Arrays and objects that a
/// shape does not want are read to their end, so a wrong member does not
/// stop the rest of the object from being read.
trait Shape<'de>: Sized {
    type Value;

    /// Any value the shape does not take.
    fn other<E: de::Error>(self, found: Found) -> Result<Self::Value, E>;

    fn text<E: de::Error>(self, _text: Cow<'de, str>) -> Result<Self::Value, E> {
        self.other(Found::String)
    }

    /// A non-negative integer; negative ones and floats are [`Found::Number`].
    fn unsigned<E: de::Error>(self, _number: u64) -> Result<Self::Value, E> {
        self.other(Found::Number)
    }

    fn null<E: de::Error>(self) -> Result<Self::Value, E> {
        self.other(Found::Null)
    }

    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        while map.next_key_seed(Any(Skip))?.is_some() {
            map.next_value_seed(Any(Skip))?;
        }
        self.other(Found::Object)
    }

    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element_seed(Any(Skip))?.is_some() {}
        self.other(Found::Array)
    }
}

/// Reads a value to its end and drops it. Unlike `IgnoredAny`, with which
/// serde_json skips strings and numbers unchecked, the value must be as
/// valid as any other: a bad escape or number is an error wherever it is.
struct Skip;

impl<'de> Shape<'de> for Skip {
    type Value = ();

    fn other<E: de::Error>(self, _found: Found) -> Result<(), E> {
        Ok(())
    }
}

/// Reads any value (`deserialize_any`) into a [`Shape`].
struct Any<S>(S);

impl<'de, S: Shape<'de>> DeserializeSeed<'de> for Any<S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, S: Shape<'de>> Visitor<'de> for Any<S> {
    type Value = S::Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value of the `cef parse` JSON shape")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<S::Value, E> {
        self.0.other(Found::Boolean)
    }

    fn visit_i64<E: de::Error>(self, number: i64) -> Result<S::Value, E> {
        self.visit_i128(i128::from(number))
    }

    fn visit_i128<E: de::Error>(self, number: i128) -> Result<S::Value, E> {
        match u64::try_from(number) {
            Ok(number) => self.0.unsigned(number),
            Err(_) => self.0.other(Found::Number),
        }
    }

    fn visit_u64<E: de::Error>(self, number: u64) -> Result<S::Value, E> {
        self.0.unsigned(number)
    }

    fn visit_u128<E: de::Error>(self, number: u128) -> Result<S::Value, E> {
        match u64::try_from(number) {
            Ok(number) => self.0.unsigned(number),
            Err(_) => self.0.other(Found::Number),
        }
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<S::Value, E> {
        self.0.other(Found::Number)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<S::Value, E> {
        self.0.text(Cow::Owned(text.to_owned()))
    }

    fn visit_borrowed_str<E: de::Error>(self, text: &'de str) -> Result<S::Value, E> {
        self.0.text(Cow::Borrowed(text))
    }

    fn visit_string<E: de::Error>(self, text: String) -> Result<S::Value, E> {
        self.0.text(Cow::Owned(text))
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<S::Value, E> {
        self.0.other(Found::Bytes)
    }

    fn visit_none<E: de::Error>(self) -> Result<S::Value, E> {
        self.0.null()
    }

    fn visit_unit<E: de::Error>(self) -> Result<S::Value, E> {
        self.0.null()
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, deserializer: D) -> Result<S::Value, D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<S::Value, A::Error> {
        self.0.seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<S::Value, A::Error> {
        self.0.map(map)
    }
}

/// A member value kept as found, judged once the whole object is read.
#[derive(Debug)]
enum Scalar<'de> {
    Text(Cow<'de, str>),
    Unsigned(u64),
    Null,
    Other(Found),
}

impl Scalar<'_> {
    fn found(&self) -> Found {
        match self {
            Scalar::Text(_) => Found::String,
            Scalar::Unsigned(_) => Found::Number,
            Scalar::Null => Found::Null,
            Scalar::Other(found) => *found,
        }
    }
}

struct ScalarShape;

impl<'de> Shape<'de> for ScalarShape {
    type Value = Scalar<'de>;

    fn other<E: de::Error>(self, found: Found) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Other(found))
    }

    fn text<E: de::Error>(self, text: Cow<'de, str>) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Text(text))
    }

    fn unsigned<E: de::Error>(self, number: u64) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Unsigned(number))
    }

    fn null<E: de::Error>(self) -> Result<Scalar<'de>, E> {
        Ok(Scalar::Null)
    }
}

/// An object key: JSON's are always strings.
struct KeyShape;

impl<'de> Shape<'de> for KeyShape {
    type Value = Cow<'de, str>;

    fn other<E: de::Error>(self, found: Found) -> Result<Cow<'de, str>, E> {
        Err(E::custom(format_args!("object keys must be strings, found {found}")))
    }

    fn text<E: de::Error>(self, text: Cow<'de, str>) -> Result<Cow<'de, str>, E> {
        Ok(text)
    }
}

/// The event object itself.
struct EventShape;

impl<'de> Shape<'de> for EventShape {
    type Value = Event<'de>;

    fn other<E: de::Error>(self, found: Found) -> Result<Event<'de>, E> {
        Err(E::custom(format_args!("expected a JSON object, found {found}")))
    }

    fn map<A: MapAccess<'de>>(self, map: A) -> Result<Event<'de>, A::Error> {
        Members::read(map)?.into_event().map_err(de::Error::custom)
    }
}

/// The `extensions` member in either form.
enum Extensions<'de> {
    Null,
    /// Each key once, at its first position, with its last value.
    Object(Vec<(Cow<'de, str>, Scalar<'de>)>),
    /// The pairs before the first element that is not two strings, and that
    /// element's index and what it was (nothing after it can matter).
    Pairs(Vec<(Cow<'de, str>, Cow<'de, str>)>, Option<(usize, BadPair)>),
    Other(Found),
}

struct ExtensionsShape;

impl<'de> Shape<'de> for ExtensionsShape {
    type Value = Extensions<'de>;

    fn other<E: de::Error>(self, found: Found) -> Result<Extensions<'de>, E> {
        Ok(Extensions::Other(found))
    }

    fn null<E: de::Error>(self) -> Result<Extensions<'de>, E> {
        Ok(Extensions::Null)
    }

    fn map<A: MapAccess<'de>>(self, mut map: A) -> Result<Extensions<'de>, A::Error> {
        let mut entries: Vec<(Cow<'de, str>, Scalar<'de>)> = Vec::new();
        let mut first_at: HashMap<Cow<'de, str>, usize> = HashMap::new();
        while let Some(key) = map.next_key_seed(Any(KeyShape))? {
            let value = map.next_value_seed(Any(ScalarShape))?;
            match first_at.entry(key) {
                Entry::Occupied(seen) => {
                    if let Some(entry) = entries.get_mut(*seen.get()) {
                        entry.1 = value;
                    }
                }
                Entry::Vacant(slot) => {
                    let at = entries.len();
                    entries.push((slot.key().clone(), value));
                    slot.insert(at);
                }
            }
        }
        Ok(Extensions::Object(entries))
    }

    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Extensions<'de>, A::Error> {
        let mut pairs = Vec::new();
        let mut bad = None;
        let mut index = 0usize;
        while let Some(element) = seq.next_element_seed(Any(PairShape))? {
            match element {
                Ok(pair) if bad.is_none() => pairs.push(pair),
                Err(what) if bad.is_none() => bad = Some((index, what)),
                _ => {}
            }
            index = index.saturating_add(1);
        }
        Ok(Extensions::Pairs(pairs, bad))
    }
}

/// An element of the array form that is not `[key, value]`: what it was.
#[derive(Debug)]
enum BadPair {
    NotArray(Found),
    Length(usize),
    Key(Found),
    Value(Found),
}

impl fmt::Display for BadPair {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadPair::NotArray(found) => write!(f, "{found}"),
            BadPair::Length(1) => f.write_str("an array of 1 element"),
            BadPair::Length(len) => write!(f, "an array of {len} elements"),
            BadPair::Key(found) => write!(f, "an array whose key is {found}"),
            BadPair::Value(found) => write!(f, "an array whose value is {found}"),
        }
    }
}

/// One `[key, value]` element of the array form.
struct PairShape;

impl<'de> Shape<'de> for PairShape {
    type Value = Result<(Cow<'de, str>, Cow<'de, str>), BadPair>;

    fn other<E: de::Error>(self, found: Found) -> Result<Self::Value, E> {
        Ok(Err(BadPair::NotArray(found)))
    }

    fn seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let key = seq.next_element_seed(Any(ScalarShape))?;
        let value = match key {
            Some(_) => seq.next_element_seed(Any(ScalarShape))?,
            None => None,
        };
        let mut len = usize::from(key.is_some()) + usize::from(value.is_some());
        if value.is_some() {
            while seq.next_element_seed(Any(Skip))?.is_some() {
                len = len.saturating_add(1);
            }
        }
        Ok(match (key, value) {
            _ if len != 2 => Err(BadPair::Length(len)),
            (Some(Scalar::Text(key)), Some(Scalar::Text(value))) => Ok((key, value)),
            (Some(Scalar::Text(_)), Some(value)) => Err(BadPair::Value(value.found())),
            (Some(key), _) => Err(BadPair::Key(key.found())),
            (None, _) => Err(BadPair::Length(0)),
        })
    }
}

/// The first member that makes the object no event, in input order.
enum Refused {
    Unparsed,
    Unknown(String),
}

/// Every member as found. An event is built only once the whole object is
/// read, so that which error is reported does not depend on member order,
/// and a repeated member counts with its last value (as a JSON object does).
#[derive(Default)]
struct Members<'de> {
    prefix: Option<Scalar<'de>>,
    version: Option<Scalar<'de>>,
    vendor: Option<Scalar<'de>>,
    product: Option<Scalar<'de>>,
    device_version: Option<Scalar<'de>>,
    event_class_id: Option<Scalar<'de>>,
    name: Option<Scalar<'de>>,
    severity: Option<Scalar<'de>>,
    extensions: Option<Extensions<'de>>,
    refused: Option<Refused>,
    /// `error` and `kind` together make an error object of `cef parse`.
    error: bool,
    kind: Option<Scalar<'de>>,
}

impl<'de> Members<'de> {
    fn read<A: MapAccess<'de>>(mut map: A) -> Result<Members<'de>, A::Error> {
        let mut members = Members::default();
        while let Some(key) = map.next_key_seed(Any(KeyShape))? {
            let slot = match &*key {
                "prefix" => &mut members.prefix,
                "version" => &mut members.version,
                "vendor" => &mut members.vendor,
                "product" => &mut members.product,
                "device_version" => &mut members.device_version,
                "event_class_id" => &mut members.event_class_id,
                "name" => &mut members.name,
                "severity" => &mut members.severity,
                "extensions" => {
                    members.extensions = Some(map.next_value_seed(Any(ExtensionsShape))?);
                    continue;
                }
                "kind" => {
                    members.refused.get_or_insert_with(|| Refused::Unknown(key.into_owned()));
                    &mut members.kind
                }
                other => {
                    members.error |= other == "error";
                    members.refused.get_or_insert_with(|| match other {
                        "unparsed" => Refused::Unparsed,
                        _ => Refused::Unknown(other.to_owned()),
                    });
                    map.next_value_seed(Any(Skip))?;
                    continue;
                }
            };
            *slot = Some(map.next_value_seed(Any(ScalarShape))?);
        }
        Ok(members)
    }

    /// The event, or the message for the first thing wrong.
    fn into_event(self) -> Result<Event<'de>, String> {
        if let (true, Some(kind)) = (self.error, &self.kind) {
            let kind = match kind {
                Scalar::Text(kind) => kind,
                _ => "?",
            };
            return Err(format!("this is a `cef parse` error object (kind `{kind}`), not an event"));
        }
        match self.refused {
            Some(Refused::Unparsed) => {
                return Err("member `unparsed` cannot be rendered: CEF has no place for text before the first \
                            extension key (remove the member to drop that text)"
                    .to_owned());
            }
            Some(Refused::Unknown(name)) => return Err(format!("unknown member {name:?}")),
            None => {}
        }
        let mut event = Event::new(
            required_text(self.vendor, "vendor")?,
            required_text(self.product, "product")?,
            required_text(self.device_version, "device_version")?,
            required_text(self.event_class_id, "event_class_id")?,
            required_text(self.name, "name")?,
            severity(self.severity)?,
        )
        .map_err(|err| err.to_string())?
        .with_version(version(self.version)?);
        match self.prefix {
            None | Some(Scalar::Null) => {}
            Some(Scalar::Text(prefix)) => {
                event = event.with_prefix(prefix).map_err(|err| format!("member `prefix`: {err}"))?;
            }
            Some(other) => return Err(format!("member `prefix` must be a string, found {}", other.found())),
        }
        match self.extensions {
            None | Some(Extensions::Null) => {}
            Some(Extensions::Object(entries)) => {
                for (key, value) in entries {
                    let Scalar::Text(value) = value else {
                        return Err(format!("extension {key:?}: value must be a string, found {}", value.found()));
                    };
                    push(&mut event, key, value, |key| format!("extension key {key:?}"))?;
                }
            }
            Some(Extensions::Pairs(pairs, bad)) => {
                for (index, (key, value)) in pairs.into_iter().enumerate() {
                    push(&mut event, key, value, |key| format!("extensions[{index}]: key {key:?}"))?;
                }
                if let Some((index, what)) = bad {
                    return Err(format!(
                        "extensions[{index}] must be a [key, value] array of two strings, found {what}"
                    ));
                }
            }
            Some(Extensions::Other(found)) => {
                return Err(format!(
                    "member `extensions` must be an object or an array of [key, value] pairs, found {found}"
                ));
            }
        }
        Ok(event)
    }
}

fn required_text<'de>(member: Option<Scalar<'de>>, name: &str) -> Result<Cow<'de, str>, String> {
    match member {
        Some(Scalar::Text(text)) => Ok(text),
        Some(other) => Err(format!("member `{name}` must be a string, found {}", other.found())),
        None => Err(format!("missing member `{name}`")),
    }
}

fn severity(member: Option<Scalar<'_>>) -> Result<Severity, String> {
    let parsed = match member {
        None => return Err("missing member `severity`".to_owned()),
        Some(Scalar::Text(text)) => text.parse::<Severity>().ok(),
        Some(Scalar::Unsigned(level)) => u8::try_from(level).ok().and_then(|level| Severity::from_level(level).ok()),
        Some(Scalar::Other(Found::Number)) => None,
        Some(other) => {
            return Err(format!("member `severity` must be a string or an integer, found {}", other.found()));
        }
    };
    parsed.ok_or_else(|| format!("member `severity`: {} (exact spelling)", ErrorKind::InvalidSeverity))
}

fn version(member: Option<Scalar<'_>>) -> Result<Version, String> {
    let parsed = match member {
        None | Some(Scalar::Null) => Some(Version::Zero),
        Some(Scalar::Text(text)) => text.parse::<Version>().ok(),
        Some(Scalar::Unsigned(0)) => Some(Version::Zero),
        Some(Scalar::Unsigned(1)) => Some(Version::One),
        Some(_) => None,
    };
    parsed.ok_or_else(|| "member `version` must be \"0\", \"1\", 0 or 1".to_owned())
}

/// Appends a pair; `context` words the message of an invalid key.
fn push<'de>(
    event: &mut Event<'de>,
    key: Cow<'de, str>,
    value: Cow<'de, str>,
    context: impl FnOnce(&str) -> String,
) -> Result<(), String> {
    // Checked on a borrow first so the message can still name the key.
    if let Err(err) = Key::new(&*key) {
        return Err(format!("{}: {err}", context(&key)));
    }
    event.push(key, value).map(|_| ()).map_err(|err| err.to_string())
}
