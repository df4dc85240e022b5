//! Any `Serialize` value → pairs: into caller buffers (no_std) or owned (feature `alloc`).

use super::{Arena, PairSink, PathBuf, MAX_DEPTH};
use crate::encode::Sink;
use crate::error::{Error, Field, Reason};
use core::fmt::{self, Write as _};
use serde::ser::{self, Impossible, Serialize};

/// The error the flattening serializer reports through serde (serde needs its own error
/// type); it carries the crate's [`Error`], which is what the flatten functions return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct SerError(Error);

impl fmt::Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl ser::StdError for SerError {}

impl ser::Error for SerError {
    fn custom<T: fmt::Display>(_msg: T) -> Self {
        SerError(Error::new(Field::ParamValue, Reason::Malformed))
    }
}

impl From<Error> for SerError {
    fn from(e: Error) -> Self {
        SerError(e)
    }
}

fn unsupported() -> SerError {
    SerError(Error::new(Field::ParamValue, Reason::Malformed))
}

/// Where flattened leaves go.
pub(super) trait Backend {
    fn push_seg(&mut self, seg: &str) -> Result<usize, Error>;
    fn push_index(&mut self, i: usize) -> Result<usize, Error>;
    fn truncate(&mut self, len: usize);
    fn leaf_static(&mut self, v: &'static str) -> Result<(), Error>;
    fn leaf_str(&mut self, v: &str) -> Result<(), Error>;
    fn leaf_fmt(&mut self, v: fmt::Arguments<'_>) -> Result<(), Error>;
}

struct NoAlloc<'a, 'p, P: ?Sized> {
    arena: Arena<'a>,
    path: PathBuf,
    out: &'p mut P,
}

impl<'a, P: PairSink<'a> + ?Sized> NoAlloc<'a, '_, P> {
    fn key(&mut self) -> Result<&'a str, Error> {
        self.arena.put(self.path.as_str().as_bytes());
        self.arena.take()
    }
}

impl<'a, P: PairSink<'a> + ?Sized> Backend for NoAlloc<'a, '_, P> {
    fn push_seg(&mut self, seg: &str) -> Result<usize, Error> {
        self.path.push(seg)
    }
    fn push_index(&mut self, i: usize) -> Result<usize, Error> {
        self.path.push_index(i)
    }
    fn truncate(&mut self, len: usize) {
        self.path.truncate(len)
    }
    fn leaf_static(&mut self, v: &'static str) -> Result<(), Error> {
        let k = self.key()?;
        self.out.push_pair(k, v)
    }
    fn leaf_str(&mut self, v: &str) -> Result<(), Error> {
        let k = self.key()?;
        self.arena.put(v.as_bytes());
        let v = self.arena.take()?;
        self.out.push_pair(k, v)
    }
    fn leaf_fmt(&mut self, v: fmt::Arguments<'_>) -> Result<(), Error> {
        let k = self.key()?;
        let _ = self.arena.write_fmt(v);
        let v = self.arena.take()?;
        self.out.push_pair(k, v)
    }
}

/// Flattens any `Serialize` value that serializes as a map or struct into pairs added to
/// `out`, with names and values written into `arena` (no allocation). See the module
/// docs for the rules; map keys must be strings (or chars), bytes are refused, unit
/// enum variants are their name, other enum variants `{"Variant": ...}`.
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Describe<'a> {
///     #[serde(rename = "Limit")]
///     limit: u32,
///     #[serde(rename = "Zones")]
///     zones: &'a [&'a str],
/// }
/// let mut arena = [0u8; 128];
/// let mut pairs: heapless::Vec<(&str, &str), 8> = heapless::Vec::new();
/// let req = Describe { limit: 10, zones: &["ap-guangzhou-3"] };
/// tc3::params::flatten_serialize(&req, &mut arena, &mut pairs)?;
/// assert_eq!(pairs, [("Limit", "10"), ("Zones.0", "ap-guangzhou-3")]);
/// # Ok::<(), tc3::Error>(())
/// ```
pub fn flatten_serialize<'a, T, P>(value: &T, arena: &'a mut [u8], out: &mut P) -> Result<(), Error>
where
    T: Serialize + ?Sized,
    P: PairSink<'a> + ?Sized,
{
    let mut b = NoAlloc {
        arena: Arena::new(arena),
        path: PathBuf::new(),
        out,
    };
    value
        .serialize(Flat {
            b: &mut b,
            depth: 0,
        })
        .map_err(|e| e.0)
}

#[cfg(feature = "alloc")]
mod owned {
    use super::Backend;
    use crate::error::{Error, Field, Reason};
    use alloc::string::String;
    use alloc::vec::Vec;
    use core::fmt;

    pub(super) struct Owned {
        pub(super) path: String,
        pub(super) out: Vec<(String, String)>,
    }

    impl Backend for Owned {
        fn push_seg(&mut self, seg: &str) -> Result<usize, Error> {
            let old = self.path.len();
            if old > 0 {
                self.path.push('.');
            }
            self.path.push_str(seg);
            if self.path.len() > 4096 {
                return Err(Error::new(Field::ParamName, Reason::TooLong));
            }
            Ok(old)
        }
        fn push_index(&mut self, i: usize) -> Result<usize, Error> {
            use core::fmt::Write as _;
            let old = self.path.len();
            if old > 0 {
                self.path.push('.');
            }
            let _ = write!(self.path, "{i}"); // writing to a `String` cannot fail
            Ok(old)
        }
        fn truncate(&mut self, len: usize) {
            self.path.truncate(len)
        }
        fn leaf_static(&mut self, v: &'static str) -> Result<(), Error> {
            self.leaf_str(v)
        }
        fn leaf_str(&mut self, v: &str) -> Result<(), Error> {
            self.out.push((self.path.clone(), String::from(v)));
            Ok(())
        }
        fn leaf_fmt(&mut self, v: fmt::Arguments<'_>) -> Result<(), Error> {
            self.out.push((self.path.clone(), alloc::fmt::format(v)));
            Ok(())
        }
    }
}

#[cfg(feature = "alloc")]
fn check_unique(pairs: &[(alloc::string::String, alloc::string::String)]) -> Result<(), Error> {
    let mut names: alloc::vec::Vec<&str> = pairs.iter().map(|(k, _)| k.as_str()).collect();
    names.sort_unstable();
    if names.windows(2).any(|w| matches!(w, [a, b] if a == b)) {
        return Err(Error::new(Field::ParamName, Reason::Duplicate));
    }
    Ok(())
}

/// Flattens any `Serialize` value (a map or struct at the top, e.g. a `serde_json::Value`
/// object) into owned pairs, in the value's own order. A name produced twice is
/// [`Reason::Duplicate`]. See the module docs for the rules.
///
/// ```
/// #[derive(serde::Serialize)]
/// struct Filter<'a> { #[serde(rename = "Name")] name: &'a str, #[serde(rename = "Values")] values: &'a [&'a str] }
/// #[derive(serde::Serialize)]
/// struct Describe<'a> { #[serde(rename = "Limit")] limit: u32, #[serde(rename = "Filters")] filters: &'a [Filter<'a>] }
///
/// let req = Describe { limit: 10, filters: &[Filter { name: "zone", values: &["ap-guangzhou-3"] }] };
/// let pairs = tc3::params::flatten(&req)?;
/// assert_eq!(pairs, [
///     ("Limit".to_string(), "10".to_string()),
///     ("Filters.0.Name".to_string(), "zone".to_string()),
///     ("Filters.0.Values.0".to_string(), "ap-guangzhou-3".to_string()),
/// ]);
/// # Ok::<(), tc3::Error>(())
/// ```
#[cfg(feature = "alloc")]
pub fn flatten<T: Serialize + ?Sized>(
    value: &T,
) -> Result<alloc::vec::Vec<(alloc::string::String, alloc::string::String)>, Error> {
    let mut b = owned::Owned {
        path: alloc::string::String::new(),
        out: alloc::vec::Vec::new(),
    };
    value
        .serialize(Flat {
            b: &mut b,
            depth: 0,
        })
        .map_err(|e| e.0)?;
    check_unique(&b.out)?;
    Ok(b.out)
}

/// The flattening serializer at one position of the tree.
struct Flat<'b, B: ?Sized> {
    b: &'b mut B,
    depth: usize,
}

impl<'b, B: Backend + ?Sized> Flat<'b, B> {
    fn leaf(self, f: impl FnOnce(&mut B) -> Result<(), Error>) -> Result<(), SerError> {
        if self.depth == 0 {
            // a bare scalar has no name
            return Err(SerError(Error::new(Field::Payload, Reason::Malformed)));
        }
        f(self.b).map_err(SerError)
    }

    fn nest(self) -> Result<Compound<'b, B>, SerError> {
        if self.depth >= MAX_DEPTH {
            return Err(SerError(Error::new(Field::Payload, Reason::TooLong)));
        }
        Ok(Compound {
            b: self.b,
            depth: self.depth + 1,
            index: 0,
            key_len: None,
            variant_len: None,
        })
    }
}

/// Serializes a sequence, map or struct: each element under its own path segment.
struct Compound<'b, B: ?Sized> {
    b: &'b mut B,
    depth: usize,
    index: usize,
    /// path length to restore after a map value
    key_len: Option<usize>,
    /// path length to restore at the end of an enum variant wrapper
    variant_len: Option<usize>,
}

impl<B: Backend + ?Sized> Compound<'_, B> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        let old = self.b.push_index(self.index)?;
        self.index += 1;
        value.serialize(Flat {
            b: &mut *self.b,
            depth: self.depth,
        })?;
        self.b.truncate(old);
        Ok(())
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), SerError> {
        let old = self.b.push_seg(key)?;
        value.serialize(Flat {
            b: &mut *self.b,
            depth: self.depth,
        })?;
        self.b.truncate(old);
        Ok(())
    }

    fn end(self) -> Result<(), SerError> {
        if let Some(l) = self.variant_len {
            self.b.truncate(l);
        }
        Ok(())
    }
}

macro_rules! leaf_fmt {
    ($($name:ident: $t:ty),*) => {$(
        fn $name(self, v: $t) -> Result<(), SerError> {
            self.leaf(|b| b.leaf_fmt(format_args!("{}", v)))
        }
    )*};
}

impl<'b, B: Backend + ?Sized> ser::Serializer for Flat<'b, B> {
    type Ok = ();
    type Error = SerError;
    type SerializeSeq = Compound<'b, B>;
    type SerializeTuple = Compound<'b, B>;
    type SerializeTupleStruct = Compound<'b, B>;
    type SerializeTupleVariant = Compound<'b, B>;
    type SerializeMap = Compound<'b, B>;
    type SerializeStruct = Compound<'b, B>;
    type SerializeStructVariant = Compound<'b, B>;

    fn serialize_bool(self, v: bool) -> Result<(), SerError> {
        self.leaf(|b| b.leaf_static(if v { "true" } else { "false" }))
    }
    leaf_fmt!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
        serialize_u64: u64, serialize_u128: u128);
    fn serialize_f32(self, v: f32) -> Result<(), SerError> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), SerError> {
        if !v.is_finite() {
            return Err(SerError(Error::new(Field::ParamValue, Reason::Malformed)));
        }
        self.leaf(|b| b.leaf_fmt(format_args!("{}", v)))
    }
    fn serialize_char(self, v: char) -> Result<(), SerError> {
        let mut buf = [0u8; 4];
        let s = v.encode_utf8(&mut buf);
        self.leaf(|b| b.leaf_str(s))
    }
    fn serialize_str(self, v: &str) -> Result<(), SerError> {
        self.leaf(|b| b.leaf_str(v))
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, v: &T) -> Result<(), SerError> {
        self.leaf(|b| b.leaf_fmt(format_args!("{}", v)))
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), SerError> {
        Err(unsupported())
    }
    fn serialize_none(self) -> Result<(), SerError> {
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), SerError> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), SerError> {
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), SerError> {
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), SerError> {
        self.leaf(|b| b.leaf_static(variant))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        let mut c = self.nest()?;
        c.field(variant, value)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'b, B>, SerError> {
        if self.depth == 0 {
            return Err(SerError(Error::new(Field::Payload, Reason::Malformed)));
        }
        self.nest()
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'b, B>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'b, B>, SerError> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'b, B>, SerError> {
        let mut c = self.nest()?;
        let old = c.b.push_seg(variant)?;
        c.variant_len = Some(old);
        Ok(c)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'b, B>, SerError> {
        self.nest()
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Compound<'b, B>, SerError> {
        self.nest()
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'b, B>, SerError> {
        let mut c = self.nest()?;
        let old = c.b.push_seg(variant)?;
        c.variant_len = Some(old);
        Ok(c)
    }
}

impl<B: Backend + ?Sized> ser::SerializeSeq for Compound<'_, B> {
    type Ok = ();
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.element(value)
    }
    fn end(self) -> Result<(), SerError> {
        Compound::end(self)
    }
}

impl<B: Backend + ?Sized> ser::SerializeTuple for Compound<'_, B> {
    type Ok = ();
    type Error = SerError;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.element(value)
    }
    fn end(self) -> Result<(), SerError> {
        Compound::end(self)
    }
}

impl<B: Backend + ?Sized> ser::SerializeTupleStruct for Compound<'_, B> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.element(value)
    }
    fn end(self) -> Result<(), SerError> {
        Compound::end(self)
    }
}

impl<B: Backend + ?Sized> ser::SerializeTupleVariant for Compound<'_, B> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        self.element(value)
    }
    fn end(self) -> Result<(), SerError> {
        Compound::end(self)
    }
}

impl<B: Backend + ?Sized> ser::SerializeStruct for Compound<'_, B> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), SerError> {
        Compound::end(self)
    }
}

impl<B: Backend + ?Sized> ser::SerializeStructVariant for Compound<'_, B> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), SerError> {
        self.field(key, value)
    }
    fn end(self) -> Result<(), SerError> {
        Compound::end(self)
    }
}

impl<B: Backend + ?Sized> ser::SerializeMap for Compound<'_, B> {
    type Ok = ();
    type Error = SerError;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), SerError> {
        let old = key.serialize(KeySer { b: &mut *self.b })?;
        self.key_len = Some(old);
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), SerError> {
        let old = self.key_len.take().ok_or_else(unsupported)?;
        value.serialize(Flat {
            b: &mut *self.b,
            depth: self.depth,
        })?;
        self.b.truncate(old);
        Ok(())
    }
    fn end(self) -> Result<(), SerError> {
        Compound::end(self)
    }
}

/// Serializes a map key into the path; only strings and chars are names.
struct KeySer<'b, B: ?Sized> {
    b: &'b mut B,
}

fn key_err() -> SerError {
    SerError(Error::new(Field::ParamName, Reason::Malformed))
}

macro_rules! key_refuse {
    ($($name:ident: $t:ty),*) => {$(
        fn $name(self, _v: $t) -> Result<usize, SerError> { Err(key_err()) }
    )*};
}

impl<B: Backend + ?Sized> ser::Serializer for KeySer<'_, B> {
    type Ok = usize;
    type Error = SerError;
    type SerializeSeq = Impossible<usize, SerError>;
    type SerializeTuple = Impossible<usize, SerError>;
    type SerializeTupleStruct = Impossible<usize, SerError>;
    type SerializeTupleVariant = Impossible<usize, SerError>;
    type SerializeMap = Impossible<usize, SerError>;
    type SerializeStruct = Impossible<usize, SerError>;
    type SerializeStructVariant = Impossible<usize, SerError>;

    fn serialize_str(self, v: &str) -> Result<usize, SerError> {
        Ok(self.b.push_seg(v)?)
    }
    fn collect_str<T: fmt::Display + ?Sized>(self, _v: &T) -> Result<usize, SerError> {
        Err(key_err())
    }
    fn serialize_char(self, v: char) -> Result<usize, SerError> {
        let mut buf = [0u8; 4];
        Ok(self.b.push_seg(v.encode_utf8(&mut buf))?)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<usize, SerError> {
        Ok(self.b.push_seg(variant)?)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<usize, SerError> {
        value.serialize(self)
    }
    key_refuse!(serialize_bool: bool, serialize_i8: i8, serialize_i16: i16,
        serialize_i32: i32, serialize_i64: i64, serialize_u8: u8, serialize_u16: u16,
        serialize_u32: u32, serialize_u64: u64, serialize_f32: f32, serialize_f64: f64,
        serialize_bytes: &[u8]);
    fn serialize_none(self) -> Result<usize, SerError> {
        Err(key_err())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _v: &T) -> Result<usize, SerError> {
        Err(key_err())
    }
    fn serialize_unit(self) -> Result<usize, SerError> {
        Err(key_err())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<usize, SerError> {
        Err(key_err())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<usize, SerError> {
        Err(key_err())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, SerError> {
        Err(key_err())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, SerError> {
        Err(key_err())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, SerError> {
        Err(key_err())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, SerError> {
        Err(key_err())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, SerError> {
        Err(key_err())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, SerError> {
        Err(key_err())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, SerError> {
        Err(key_err())
    }
}
