//! A `serde::Serializer` that writes core's parsed models straight into
//! Python objects, and the registry of the Python model classes.
//!
//! Maps become `dict`, sequences `list`, strings, numbers, booleans and
//! `None` stay themselves. A struct whose serde name (the Rust type name) is
//! registered with `register_models` becomes an instance of the registered
//! class, made as `cls.__new__(cls)` makes it (the class's `tp_alloc` directly
//! when `__new__` is `object.__new__`) and given its fields as `obj._d`
//! (no `__init__` call); an unregistered struct is a `dict`. A unit (or
//! newtype) enum variant whose enum name is registered becomes
//! `cls(value)`, or the plain value when the class refuses it.
//!
//! Speed: one parse call looks up each class once and creates each field
//! name once (serde hands struct field names out as `&'static str`, so the
//! caches are keyed by the string's address and length, not its text);
//! later instances of a struct start from a copy of the first one's field
//! layout (see [`Template`]), so their dicts are not grown key by key.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;
use std::sync::{Arc, PoisonError, RwLock};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyDict, PyFloat, PyList, PyString, PyType};
use serde::ser::{self, Serialize};

use crate::errors::guard;

// ---------------------------------------------------------------- registry

/// Serde type name → Python class.
type Registry = HashMap<String, Py<PyType>>;

static REGISTRY: RwLock<Option<Arc<Registry>>> = RwLock::new(None);

fn registry() -> Option<Arc<Registry>> {
    REGISTRY.read().unwrap_or_else(PoisonError::into_inner).clone()
}

/// Registers Python classes under the serde names of core's models (the
/// Rust type names, e.g. `"Message"`, `"CursorPage"`). Later calls add to
/// (and override) earlier ones; a value of `None` removes a name.
#[pyfunction]
pub(crate) fn register_models(py: Python<'_>, mapping: &Bound<'_, PyDict>) -> PyResult<()> {
    guard(py, || {
        let mut changes = Vec::with_capacity(mapping.len());
        for (name, cls) in mapping.iter() {
            let name = name.cast::<PyString>().map_err(|_| PyTypeError::new_err("model names must be str"))?;
            let cls = if cls.is_none() {
                None
            } else {
                Some(cls.cast::<PyType>().map_err(|_| PyTypeError::new_err("models must be classes"))?.clone().unbind())
            };
            changes.push((name.to_cow()?.into_owned(), cls));
        }
        let mut slot = REGISTRY.write().unwrap_or_else(PoisonError::into_inner);
        let mut next: Registry =
            slot.as_deref().map(|r| r.iter().map(|(k, v)| (k.clone(), v.clone_ref(py))).collect()).unwrap_or_default();
        for (name, cls) in changes {
            match cls {
                Some(cls) => next.insert(name, cls),
                None => next.remove(&name),
            };
        }
        *slot = Some(Arc::new(next));
        Ok(())
    })
}

/// The registered classes, by serde name.
#[pyfunction]
pub(crate) fn registered_models(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    guard(py, || {
        let out = PyDict::new(py);
        for (name, cls) in registry().iter().flat_map(|r| r.iter()) {
            out.set_item(name, cls.bind(py))?;
        }
        Ok(out)
    })
}

// ------------------------------------------------------------------ caches

/// A hasher for `(address, length)` keys.
#[derive(Default)]
struct PtrHasher(u64);

impl Hasher for PtrHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(u64::from(*b));
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

type PtrMap<V> = HashMap<(usize, usize), V, BuildHasherDefault<PtrHasher>>;

fn ptr_key(s: &'static str) -> (usize, usize) {
    (s.as_ptr() as usize, s.len())
}

/// Short strings already created in this call, by content: values that
/// repeat across the items of a page (mailbox ids, addresses, enum values)
/// become one `str` object each instead of one per item. Direct-mapped on a
/// hash of the bytes; a miss creates the string and takes the slot.
#[derive(Default)]
struct StrCache<'py> {
    /// `entry index + 1` per slot; 0: empty. Allocated on first use.
    slots: Vec<u32>,
    /// (hash, start in `bytes`, length, the string).
    entries: Vec<(u64, usize, usize, Bound<'py, PyString>)>,
    bytes: Vec<u8>,
}

impl<'py> StrCache<'py> {
    const SLOTS: usize = 512;
    /// Longer strings (subjects, snippets, bodies) rarely repeat.
    const MAX_LEN: usize = 48;

    /// The length and the first and last 8 bytes (a collision only costs a
    /// miss: hits compare every byte).
    fn hash(b: &[u8]) -> u64 {
        fn word(b: Option<&[u8]>) -> u64 {
            b.and_then(|b| <[u8; 8]>::try_from(b).ok()).map_or(0, u64::from_le_bytes)
        }
        let (head, tail) = if b.len() >= 8 {
            (word(b.get(..8)), word(b.get(b.len() - 8..)))
        } else {
            let mut w = [0u8; 8];
            w.iter_mut().zip(b).for_each(|(w, c)| *w = *c);
            (u64::from_le_bytes(w), 0)
        };
        let h = (head ^ tail.rotate_left(29) ^ (b.len() as u64)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        h ^ (h >> 32)
    }

    fn get(&mut self, py: Python<'py>, s: &str) -> Bound<'py, PyString> {
        let b = s.as_bytes();
        if b.len() > Self::MAX_LEN {
            return PyString::new(py, s);
        }
        if self.slots.is_empty() {
            self.slots = vec![0; Self::SLOTS];
            self.entries.reserve(256);
            self.bytes.reserve(8192);
        }
        let h = Self::hash(b);
        let slot = (h as usize) & (Self::SLOTS - 1);
        let found = self.slots.get(slot).and_then(|&i| self.entries.get((i as usize).checked_sub(1)?));
        if let Some((eh, start, len, obj)) = found
            && *eh == h
            && self.bytes.get(*start..*start + *len) == Some(b)
        {
            return obj.clone();
        }
        let obj = PyString::new(py, s);
        let start = self.bytes.len();
        self.bytes.extend_from_slice(b);
        self.entries.push((h, start, b.len(), obj.clone()));
        if let (Some(dst), Ok(n)) = (self.slots.get_mut(slot), u32::try_from(self.entries.len())) {
            *dst = n;
        }
        obj
    }
}

/// A registered class and its `__new__`.
struct Model<'py> {
    cls: Bound<'py, PyType>,
    new: Bound<'py, PyAny>,
    /// The class's `tp_alloc` when `cls.__new__` is `object.__new__` and the
    /// class is not abstract: what `object.__new__(cls)` would call.
    alloc: Option<pyo3::ffi::allocfunc>,
}

/// `cls`'s `tp_alloc` when `object.__new__(cls)` amounts to calling it:
/// `cls.__new__` is `object.__new__` and the class is not abstract
/// (`object.__new__` checks only that, and its arguments, before it
/// allocates).
pub(crate) fn plain_alloc(cls: &Bound<'_, PyType>, new: &Bound<'_, PyAny>) -> PyResult<Option<pyo3::ffi::allocfunc>> {
    let py = cls.py();
    let object_new = py.get_type::<pyo3::types::PyAny>().getattr(intern!(py, "__new__"))?;
    if !new.is(&object_new) {
        return Ok(None);
    }
    #[allow(unsafe_code)]
    // SAFETY: `cls` is a live type object and the GIL is held;
    // `PyType_GetFlags` and `PyType_GetSlot` only read it. A null slot
    // (impossible for a class) reads as `None`.
    let alloc = unsafe {
        let tp = cls.as_type_ptr();
        if pyo3::ffi::PyType_GetFlags(tp) & pyo3::ffi::Py_TPFLAGS_IS_ABSTRACT != 0 {
            return Ok(None);
        }
        let slot = pyo3::ffi::PyType_GetSlot(tp, pyo3::ffi::Py_tp_alloc);
        if slot.is_null() {
            None
        } else {
            Some(std::mem::transmute::<*mut std::ffi::c_void, pyo3::ffi::allocfunc>(slot))
        }
    };
    Ok(alloc)
}

/// The fields of a struct as its first instance in a call had them: a dict
/// of the field names in order (values `None`) that later instances start
/// from as a copy. Setting the fields of a copy replaces values in place, so
/// the dict is not grown (and rehashed) field by field.
#[derive(Debug)]
struct Template<'py> {
    dict: Bound<'py, PyDict>,
    /// The field names and their dict keys, in order.
    keys: Vec<(&'static str, Bound<'py, PyString>)>,
}

/// Structs with fewer fields fit a new dict's first table: no template.
const TEMPLATE_MIN_FIELDS: usize = 6;

/// How a [`MapSer`]'s dict is being filled.
#[derive(Debug)]
enum Layout<'py> {
    /// Inserted key by key (maps, struct variants, small structs).
    Plain,
    /// The first instance of a struct in this call: its field names are
    /// recorded to become the struct's [`Template`].
    Record(Vec<&'static str>),
    /// A copy of the struct's template whose first `next` fields have been
    /// set, in the template's order.
    Copied { template: Rc<Template<'py>>, next: usize },
}

/// The state of one parse call.
pub(crate) struct Ctx<'py> {
    py: Python<'py>,
    registry: Option<Arc<Registry>>,
    keys: RefCell<PtrMap<Bound<'py, PyString>>>,
    models: RefCell<PtrMap<Option<Rc<Model<'py>>>>>,
    templates: RefCell<PtrMap<Rc<Template<'py>>>>,
    strs: RefCell<StrCache<'py>>,
    d_attr: Bound<'py, PyString>,
}

impl fmt::Debug for Ctx<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ctx").finish_non_exhaustive()
    }
}

impl<'py> Ctx<'py> {
    pub(crate) fn new(py: Python<'py>) -> Self {
        Ctx {
            py,
            registry: registry(),
            keys: RefCell::new(PtrMap::default()),
            models: RefCell::new(PtrMap::default()),
            templates: RefCell::new(PtrMap::default()),
            strs: RefCell::new(StrCache::default()),
            d_attr: intern!(py, "_d").clone(),
        }
    }

    /// The dict key of a struct field, created once per call.
    fn key(&self, name: &'static str) -> Bound<'py, PyString> {
        let mut keys = self.keys.borrow_mut();
        keys.entry(ptr_key(name)).or_insert_with(|| PyString::intern(self.py, name)).clone()
    }

    /// `dict[key] = value` for a struct field, with the cached key borrowed.
    fn set_field(&self, dict: &Bound<'py, PyDict>, name: &'static str, value: Bound<'py, PyAny>) -> PyResult<()> {
        let mut keys = self.keys.borrow_mut();
        let key = keys.entry(ptr_key(name)).or_insert_with(|| PyString::intern(self.py, name));
        dict.set_item(&*key, value)
    }

    /// The dict a struct named `name` with `len` fields starts from, and how
    /// it is to be filled.
    fn struct_dict(&self, name: &'static str, len: usize) -> PyResult<(Bound<'py, PyDict>, Layout<'py>)> {
        if len < TEMPLATE_MIN_FIELDS {
            return Ok((PyDict::new(self.py), Layout::Plain));
        }
        match self.templates.borrow().get(&ptr_key(name)) {
            Some(template) => Ok((template.dict.copy()?, Layout::Copied { template: template.clone(), next: 0 })),
            None => Ok((PyDict::new(self.py), Layout::Record(Vec::with_capacity(len)))),
        }
    }

    /// Keeps the field names of the first instance of struct `name`.
    fn remember(&self, name: &'static str, keys: Vec<&'static str>) -> PyResult<()> {
        let dict = PyDict::new(self.py);
        let keys: Vec<_> = keys.into_iter().map(|name| (name, self.key(name))).collect();
        for (_, key) in &keys {
            dict.set_item(key, self.py.None())?;
        }
        self.templates.borrow_mut().insert(ptr_key(name), Rc::new(Template { dict, keys }));
        Ok(())
    }

    /// A new dict with the first `n` fields of `copied` (a copy of
    /// `template` whose first `n` fields were set): what inserting them one
    /// by one would have made, for an instance whose fields leave the
    /// template's order.
    fn prefix(&self, template: &Template<'py>, copied: &Bound<'py, PyDict>, n: usize) -> PyResult<Bound<'py, PyDict>> {
        let dict = PyDict::new(self.py);
        for (_, key) in template.keys.iter().take(n) {
            if let Some(value) = copied.get_item(key)? {
                dict.set_item(key, value)?;
            }
        }
        Ok(dict)
    }

    /// The class registered under `name`, looked up once per call.
    fn model(&self, name: &'static str) -> PyResult<Option<Rc<Model<'py>>>> {
        if let Some(found) = self.models.borrow().get(&ptr_key(name)) {
            return Ok(found.clone());
        }
        let found = match self.registry.as_ref().and_then(|r| r.get(name)) {
            Some(cls) => {
                let cls = cls.bind(self.py).clone();
                let new = cls.getattr(intern!(self.py, "__new__"))?;
                let alloc = plain_alloc(&cls, &new)?;
                Some(Rc::new(Model { cls, new, alloc }))
            }
            None => None,
        };
        self.models.borrow_mut().insert(ptr_key(name), found.clone());
        Ok(found)
    }

    /// `cls.__new__(cls)` with `_d = fields`.
    fn instance(&self, model: &Model<'py>, fields: Bound<'py, PyDict>) -> PyResult<Bound<'py, PyAny>> {
        let obj = match model.alloc {
            #[allow(unsafe_code)]
            // SAFETY: `alloc` is `cls`'s own `tp_alloc` (see `plain_alloc`),
            // called as `object.__new__` calls it, with the GIL held; it
            // returns a new reference or null with an exception set.
            Some(alloc) => unsafe { Bound::from_owned_ptr_or_err(self.py, alloc(model.cls.as_type_ptr(), 0))? },
            None => model.new.call1((&model.cls,))?,
        };
        obj.setattr(&self.d_attr, fields)?;
        Ok(obj)
    }

    /// `dict` or, when `name` is registered, an instance of its class.
    fn finish_struct(&self, name: Option<&'static str>, fields: Bound<'py, PyDict>) -> PyResult<Bound<'py, PyAny>> {
        match name.map(|n| self.model(n)).transpose()?.flatten() {
            Some(model) => self.instance(&model, fields),
            None => Ok(fields.into_any()),
        }
    }

    /// `cls(value)` for a registered enum, else (or on `ValueError`) the value.
    fn enum_value(&self, name: &'static str, value: Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        match self.model(name)? {
            Some(model) => match model.cls.call1((&value,)) {
                Ok(member) => Ok(member),
                Err(e) if e.is_instance_of::<PyValueError>(self.py) => Ok(value),
                Err(e) => Err(e),
            },
            None => Ok(value),
        }
    }
}

// --------------------------------------------------------------- the error

/// A Python exception raised while building objects, or a serde message.
pub(crate) struct SerError(pub(crate) PyErr);

impl fmt::Debug for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl fmt::Display for SerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        SerError(PyValueError::new_err(msg.to_string()))
    }
}

impl From<PyErr> for SerError {
    fn from(e: PyErr) -> Self {
        SerError(e)
    }
}

// -------------------------------------------------------------- serializer

/// What a top-level map (a model with `#[serde(flatten)]` members, or one
/// serialized by hand) is, since serde gives such maps no type name.
#[derive(Clone, Copy, Debug)]
pub(crate) enum MapHint {
    /// A registered model name.
    Model(&'static str),
    /// `WhoamiApiKey` when `auth_type == "api_key"`, else `WhoamiJwt`.
    Whoami,
}

/// The serializer of one value.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PySer<'a, 'py> {
    ctx: &'a Ctx<'py>,
    hint: Option<MapHint>,
}

impl<'a, 'py> PySer<'a, 'py> {
    /// A top-level serializer; `hint` names what a top-level map is.
    pub(crate) fn new(ctx: &'a Ctx<'py>, hint: Option<MapHint>) -> Self {
        PySer { ctx, hint }
    }

    fn inner(self) -> Self {
        PySer { ctx: self.ctx, hint: None }
    }

    fn py(&self) -> Python<'py> {
        self.ctx.py
    }
}

type Out<'py> = Bound<'py, PyAny>;

/// A short string formatted without allocating (`collect_str`); writing
/// more than it holds fails.
struct StackStr {
    buf: [u8; 64],
    len: usize,
}

impl Default for StackStr {
    fn default() -> Self {
        StackStr { buf: [0; 64], len: 0 }
    }
}

impl StackStr {
    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in.
        self.buf.get(..self.len).and_then(|b| std::str::from_utf8(b).ok()).unwrap_or_default()
    }
}

impl fmt::Write for StackStr {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// A list being filled (sequences, tuples).
#[derive(Debug)]
pub(crate) struct SeqSer<'a, 'py> {
    ser: PySer<'a, 'py>,
    list: Bound<'py, PyList>,
    /// For a tuple variant: `{variant: [...]}`.
    variant: Option<&'static str>,
}

/// A dict being filled (maps, structs, struct variants).
#[derive(Debug)]
pub(crate) struct MapSer<'a, 'py> {
    ser: PySer<'a, 'py>,
    dict: Bound<'py, PyDict>,
    key: Option<Out<'py>>,
    /// The struct's serde name (registered models become instances).
    name: Option<&'static str>,
    /// For a struct variant: `{variant: {...}}`.
    variant: Option<&'static str>,
    hint: Option<MapHint>,
    layout: Layout<'py>,
}

impl<'a, 'py> ser::Serializer for PySer<'a, 'py> {
    type Ok = Out<'py>;
    type Error = SerError;
    type SerializeSeq = SeqSer<'a, 'py>;
    type SerializeTuple = SeqSer<'a, 'py>;
    type SerializeTupleStruct = SeqSer<'a, 'py>;
    type SerializeTupleVariant = SeqSer<'a, 'py>;
    type SerializeMap = MapSer<'a, 'py>;
    type SerializeStruct = MapSer<'a, 'py>;
    type SerializeStructVariant = MapSer<'a, 'py>;

    fn serialize_bool(self, v: bool) -> Result<Out<'py>, SerError> {
        Ok(PyBool::new(self.py(), v).to_owned().into_any())
    }

    fn serialize_i8(self, v: i8) -> Result<Out<'py>, SerError> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i16(self, v: i16) -> Result<Out<'py>, SerError> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i32(self, v: i32) -> Result<Out<'py>, SerError> {
        self.serialize_i64(i64::from(v))
    }

    fn serialize_i64(self, v: i64) -> Result<Out<'py>, SerError> {
        Ok(v.into_pyobject(self.py()).map(|o| o.into_any()).unwrap_or_else(|e| match e {}))
    }

    fn serialize_i128(self, v: i128) -> Result<Out<'py>, SerError> {
        Ok(v.into_pyobject(self.py()).map(|o| o.into_any()).unwrap_or_else(|e| match e {}))
    }

    fn serialize_u8(self, v: u8) -> Result<Out<'py>, SerError> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u16(self, v: u16) -> Result<Out<'py>, SerError> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u32(self, v: u32) -> Result<Out<'py>, SerError> {
        self.serialize_u64(u64::from(v))
    }

    fn serialize_u64(self, v: u64) -> Result<Out<'py>, SerError> {
        Ok(v.into_pyobject(self.py()).map(|o| o.into_any()).unwrap_or_else(|e| match e {}))
    }

    fn serialize_u128(self, v: u128) -> Result<Out<'py>, SerError> {
        Ok(v.into_pyobject(self.py()).map(|o| o.into_any()).unwrap_or_else(|e| match e {}))
    }

    fn serialize_f32(self, v: f32) -> Result<Out<'py>, SerError> {
        self.serialize_f64(f64::from(v))
    }

    fn serialize_f64(self, v: f64) -> Result<Out<'py>, SerError> {
        Ok(PyFloat::new(self.py(), v).into_any())
    }

    fn serialize_char(self, v: char) -> Result<Out<'py>, SerError> {
        let mut buf = [0u8; 4];
        self.serialize_str(v.encode_utf8(&mut buf))
    }

    fn serialize_str(self, v: &str) -> Result<Out<'py>, SerError> {
        Ok(self.ctx.strs.borrow_mut().get(self.py(), v).into_any())
    }

    fn collect_str<T: ?Sized + fmt::Display>(self, value: &T) -> Result<Out<'py>, SerError> {
        // Timestamps and the like: formatted on the stack when they fit.
        let mut buf = StackStr::default();
        if fmt::write(&mut buf, format_args!("{value}")).is_ok() {
            return self.serialize_str(buf.as_str());
        }
        self.serialize_str(&value.to_string())
    }

    fn serialize_bytes(self, v: &[u8]) -> Result<Out<'py>, SerError> {
        Ok(PyBytes::new(self.py(), v).into_any())
    }

    fn serialize_none(self) -> Result<Out<'py>, SerError> {
        Ok(self.py().None().into_bound(self.py()))
    }

    fn serialize_some<T: ?Sized + Serialize>(self, value: &T) -> Result<Out<'py>, SerError> {
        value.serialize(self)
    }

    fn serialize_unit(self) -> Result<Out<'py>, SerError> {
        self.serialize_none()
    }

    fn serialize_unit_struct(self, _name: &'static str) -> Result<Out<'py>, SerError> {
        self.serialize_none()
    }

    fn serialize_unit_variant(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<Out<'py>, SerError> {
        let value = self.serialize_str(variant)?;
        Ok(self.ctx.enum_value(name, value)?)
    }

    fn serialize_newtype_struct<T: ?Sized + Serialize>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<Out<'py>, SerError> {
        value.serialize(self)
    }

    fn serialize_newtype_variant<T: ?Sized + Serialize>(
        self,
        name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<Out<'py>, SerError> {
        let inner = value.serialize(self.inner())?;
        if self.ctx.model(name)?.is_some() {
            return Ok(self.ctx.enum_value(name, inner)?);
        }
        // serde's external tagging, as serde_json writes it.
        let dict = PyDict::new(self.py());
        dict.set_item(self.ctx.key(variant), inner)?;
        Ok(dict.into_any())
    }

    fn serialize_seq(self, _len: Option<usize>) -> Result<SeqSer<'a, 'py>, SerError> {
        Ok(SeqSer { ser: self.inner(), list: PyList::empty(self.py()), variant: None })
    }

    fn serialize_tuple(self, len: usize) -> Result<SeqSer<'a, 'py>, SerError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<SeqSer<'a, 'py>, SerError> {
        self.serialize_seq(Some(len))
    }

    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<SeqSer<'a, 'py>, SerError> {
        Ok(SeqSer { ser: self.inner(), list: PyList::empty(self.py()), variant: Some(variant) })
    }

    fn serialize_map(self, _len: Option<usize>) -> Result<MapSer<'a, 'py>, SerError> {
        Ok(MapSer {
            ser: self.inner(),
            dict: PyDict::new(self.py()),
            key: None,
            name: None,
            variant: None,
            hint: self.hint,
            layout: Layout::Plain,
        })
    }

    fn serialize_struct(self, name: &'static str, len: usize) -> Result<MapSer<'a, 'py>, SerError> {
        let (dict, layout) = self.ctx.struct_dict(name, len)?;
        Ok(MapSer { ser: self.inner(), dict, key: None, name: Some(name), variant: None, hint: None, layout })
    }

    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<MapSer<'a, 'py>, SerError> {
        Ok(MapSer {
            ser: self.inner(),
            dict: PyDict::new(self.py()),
            key: None,
            name: None,
            variant: Some(variant),
            hint: None,
            layout: Layout::Plain,
        })
    }
}

impl<'py> SeqSer<'_, 'py> {
    fn push<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), SerError> {
        self.list.append(value.serialize(self.ser)?)?;
        Ok(())
    }

    fn done(self) -> Result<Out<'py>, SerError> {
        match self.variant {
            None => Ok(self.list.into_any()),
            Some(variant) => {
                let dict = PyDict::new(self.ser.py());
                dict.set_item(self.ser.ctx.key(variant), self.list)?;
                Ok(dict.into_any())
            }
        }
    }
}

impl<'py> ser::SerializeSeq for SeqSer<'_, 'py> {
    type Ok = Out<'py>;
    type Error = SerError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), SerError> {
        self.push(value)
    }

    fn end(self) -> Result<Out<'py>, SerError> {
        self.done()
    }
}

impl<'py> ser::SerializeTuple for SeqSer<'_, 'py> {
    type Ok = Out<'py>;
    type Error = SerError;

    fn serialize_element<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), SerError> {
        self.push(value)
    }

    fn end(self) -> Result<Out<'py>, SerError> {
        self.done()
    }
}

impl<'py> ser::SerializeTupleStruct for SeqSer<'_, 'py> {
    type Ok = Out<'py>;
    type Error = SerError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), SerError> {
        self.push(value)
    }

    fn end(self) -> Result<Out<'py>, SerError> {
        self.done()
    }
}

impl<'py> ser::SerializeTupleVariant for SeqSer<'_, 'py> {
    type Ok = Out<'py>;
    type Error = SerError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), SerError> {
        self.push(value)
    }

    fn end(self) -> Result<Out<'py>, SerError> {
        self.done()
    }
}

impl<'py> MapSer<'_, 'py> {
    fn field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), SerError> {
        let value = value.serialize(self.ser)?;
        let ctx = self.ser.ctx;
        match &mut self.layout {
            Layout::Plain => {}
            Layout::Record(keys) => keys.push(key),
            Layout::Copied { template, next } => {
                // The template's own key object: no lookup by name.
                if let Some((_, dict_key)) = template.keys.get(*next).filter(|(k, _)| ptr_key(k) == ptr_key(key)) {
                    self.dict.set_item(dict_key, value)?;
                    *next += 1;
                    return Ok(());
                }
                self.dict = ctx.prefix(template, &self.dict, *next)?;
                self.layout = Layout::Plain;
            }
        }
        ctx.set_field(&self.dict, key, value)?;
        Ok(())
    }

    fn done(mut self) -> Result<Out<'py>, SerError> {
        let ctx = self.ser.ctx;
        match std::mem::replace(&mut self.layout, Layout::Plain) {
            Layout::Plain => {}
            Layout::Record(keys) => {
                if let Some(name) = self.name {
                    ctx.remember(name, keys)?;
                }
            }
            Layout::Copied { template, next } => {
                if next != template.keys.len() {
                    self.dict = ctx.prefix(&template, &self.dict, next)?;
                }
            }
        }
        if let Some(variant) = self.variant {
            let outer = PyDict::new(ctx.py);
            outer.set_item(ctx.key(variant), self.dict)?;
            return Ok(outer.into_any());
        }
        let name = match self.hint {
            None => self.name,
            Some(MapHint::Model(name)) => Some(name),
            Some(MapHint::Whoami) => {
                let api_key = self
                    .dict
                    .get_item(intern!(ctx.py, "auth_type"))?
                    .is_some_and(|t| t.cast::<PyString>().is_ok_and(|s| s.to_cow().is_ok_and(|s| s == "api_key")));
                Some(if api_key { "WhoamiApiKey" } else { "WhoamiJwt" })
            }
        };
        Ok(ctx.finish_struct(name, self.dict)?)
    }
}

impl<'py> ser::SerializeMap for MapSer<'_, 'py> {
    type Ok = Out<'py>;
    type Error = SerError;

    fn serialize_key<T: ?Sized + Serialize>(&mut self, key: &T) -> Result<(), SerError> {
        self.key = Some(key.serialize(self.ser)?);
        Ok(())
    }

    fn serialize_value<T: ?Sized + Serialize>(&mut self, value: &T) -> Result<(), SerError> {
        let key = self.key.take().ok_or_else(|| SerError(PyValueError::new_err("map value without a key")))?;
        self.dict.set_item(key, value.serialize(self.ser)?)?;
        Ok(())
    }

    fn end(self) -> Result<Out<'py>, SerError> {
        self.done()
    }
}

impl<'py> ser::SerializeStruct for MapSer<'_, 'py> {
    type Ok = Out<'py>;
    type Error = SerError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), SerError> {
        self.field(key, value)
    }

    fn end(self) -> Result<Out<'py>, SerError> {
        self.done()
    }
}

impl<'py> ser::SerializeStructVariant for MapSer<'_, 'py> {
    type Ok = Out<'py>;
    type Error = SerError;

    fn serialize_field<T: ?Sized + Serialize>(&mut self, key: &'static str, value: &T) -> Result<(), SerError> {
        self.field(key, value)
    }

    fn end(self) -> Result<Out<'py>, SerError> {
        self.done()
    }
}
