//! `Field`: the descriptor of a model field.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyString, PyType};

/// A model field: reads `obj._d.get(name)` and converts it, writes
/// `obj._d[name] = value`. What the field properties of `inkbox._models`
/// did, without a Python frame per read.
///
/// A read returns, in this order: the member of `members` the wire value
/// maps to (enums); for a `uuid` field, the `uuid.UUID` of a `str` value in
/// the canonical 8-4-4-4-12 hex form (built natively, as `UUID(value)`
/// would build it); `parse(value)` for a `str` value unless it raises
/// `ValueError` (datetimes); `None` for `None`; `convert(value)`; the value.
#[pyclass(module = "inkbox._native", name = "Field", frozen)]
pub(crate) struct Field {
    name: Py<PyString>,
    members: Option<Py<PyDict>>,
    uuid: bool,
    parse: Option<Py<PyAny>>,
    convert: Option<Py<PyAny>>,
}

/// `uuid.UUID`, `uuid.SafeUUID.unknown` and the class's `tp_alloc` (when
/// `UUID.__new__` is `object.__new__`, as in CPython).
struct UuidClass {
    cls: Py<PyType>,
    unknown: Py<PyAny>,
    alloc: Option<pyo3::ffi::allocfunc>,
    /// The `int` and `is_safe` slot descriptors of `UUID` and their type's
    /// `tp_descr_set` (what `object.__setattr__` ends up calling).
    slots: Option<SlotSetters>,
}

/// The `int` and `is_safe` descriptors and the setter of their type.
type SlotSetters = (Py<PyAny>, Py<PyAny>, pyo3::ffi::descrsetfunc);

/// The slot descriptors `int` and `is_safe` of `cls` and their setter, when
/// both are member descriptors of one type with a `tp_descr_set`.
fn slot_setters(cls: &Bound<'_, PyType>) -> PyResult<Option<SlotSetters>> {
    let py = cls.py();
    let dict = cls.getattr(intern!(py, "__dict__"))?;
    let (Ok(int), Ok(safe)) = (dict.get_item("int"), dict.get_item("is_safe")) else { return Ok(None) };
    if !int.get_type().is(safe.get_type()) || int.get_type().name()?.to_str()? != "member_descriptor" {
        return Ok(None);
    }
    #[allow(unsafe_code)]
    // SAFETY: the GIL is held and `int`'s type is a live type object that
    // `PyType_GetSlot` only reads (a null slot reads as `None`).
    let set = unsafe {
        let slot = pyo3::ffi::PyType_GetSlot(int.get_type().as_type_ptr(), pyo3::ffi::Py_tp_descr_set);
        if slot.is_null() {
            return Ok(None);
        }
        std::mem::transmute::<*mut std::ffi::c_void, pyo3::ffi::descrsetfunc>(slot)
    };
    Ok(Some((int.unbind(), safe.unbind(), set)))
}

static UUID_CLASS: PyOnceLock<UuidClass> = PyOnceLock::new();

fn uuid_class(py: Python<'_>) -> PyResult<&UuidClass> {
    UUID_CLASS.get_or_try_init(py, || {
        let module = py.import("uuid")?;
        let cls = module.getattr("UUID")?.cast_into::<PyType>()?;
        let unknown = module.getattr("SafeUUID")?.getattr("unknown")?;
        let new = cls.getattr(intern!(py, "__new__"))?;
        let alloc = crate::pyser::plain_alloc(&cls, &new)?;
        let slots = slot_setters(&cls)?;
        Ok(UuidClass { cls: cls.unbind(), unknown: unknown.unbind(), alloc, slots })
    })
}

/// The 32 hex digits of a canonical UUID string (NUL-terminated), or `None`
/// for any other form (which `UUID(value)` then reads, or refuses).
fn canonical_hex(s: &str) -> Option<[u8; 33]> {
    let b = s.as_bytes();
    if b.len() != 36 {
        return None;
    }
    let mut hex = [0u8; 33];
    let mut n = 0;
    for (i, &c) in b.iter().enumerate() {
        if matches!(i, 8 | 13 | 18 | 23) {
            if c != b'-' {
                return None;
            }
        } else if c.is_ascii_hexdigit() {
            *hex.get_mut(n)? = c;
            n += 1;
        } else {
            return None;
        }
    }
    Some(hex)
}

/// `uuid.UUID(s)` for a canonical `s`, without running `UUID.__init__`:
/// the object is allocated as `object.__new__(UUID)` allocates it and its
/// two slots are set as `__init__` sets them (`object.__setattr__`).
fn fast_uuid<'py>(py: Python<'py>, s: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    let Some(hex) = canonical_hex(s) else { return Ok(None) };
    let kit = uuid_class(py)?;
    let (Some(alloc), Some((int_slot, safe_slot, set))) = (kit.alloc, &kit.slots) else { return Ok(None) };
    #[allow(unsafe_code)]
    // SAFETY: the GIL is held. `hex` is NUL-terminated ASCII hex, which
    // `PyLong_FromString` reads in base 16 (a new reference, or null with an
    // exception set). `alloc` is `UUID`'s own `tp_alloc` (see `plain_alloc`),
    // called as `object.__new__` calls it. `set` is the `tp_descr_set` of the
    // `int` and `is_safe` member descriptors of `UUID` (see `slot_setters`):
    // what `object.__setattr__` calls in `UUID.__init__`, given the
    // descriptor, an instance of its class and the value. Every pointer
    // passed is a live object owned for the duration of the call.
    unsafe {
        let int = Bound::from_owned_ptr_or_err(
            py,
            pyo3::ffi::PyLong_FromString(hex.as_ptr().cast(), std::ptr::null_mut(), 16),
        )?;
        let obj = Bound::from_owned_ptr_or_err(py, alloc(kit.cls.bind(py).as_type_ptr(), 0))?;
        for (slot, value) in [(int_slot, &int), (safe_slot, kit.unknown.bind(py))] {
            if set(slot.as_ptr(), obj.as_ptr(), value.as_ptr()) != 0 {
                return Err(PyErr::fetch(py));
            }
        }
        Ok(Some(obj))
    }
}

impl Field {
    fn read<'py>(&self, py: Python<'py>, obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
        let name = self.name.bind(py);
        let d = obj.getattr(intern!(py, "_d"))?;
        let value = match d.cast_exact::<PyDict>() {
            Ok(d) => d.get_item(name)?.unwrap_or_else(|| py.None().into_bound(py)),
            // Whatever `_d` was replaced with is read through its `get`.
            Err(_) => d.call_method1(intern!(py, "get"), (name,))?,
        };
        if let Some(members) = &self.members {
            match members.bind(py).get_item(&value) {
                Ok(Some(member)) => return Ok(member),
                Ok(None) => {}
                // An unhashable value is no member.
                Err(e) if e.is_instance_of::<PyTypeError>(py) => {}
                Err(e) => return Err(e),
            }
        }
        if self.uuid
            && let Ok(text) = value.cast_exact::<PyString>()
            && let Some(id) = fast_uuid(py, text.to_str()?)?
        {
            return Ok(id);
        }
        if let Some(parse) = &self.parse
            && value.is_exact_instance_of::<PyString>()
        {
            match parse.bind(py).call1((&value,)) {
                Ok(parsed) => return Ok(parsed),
                Err(e) if e.is_instance_of::<PyValueError>(py) => {}
                Err(e) => return Err(e),
            }
        }
        match &self.convert {
            Some(convert) if !value.is_none() => convert.bind(py).call1((value,)),
            _ => Ok(value),
        }
    }
}

#[pymethods]
impl Field {
    #[new]
    #[pyo3(signature = (name, *, members=None, uuid=false, parse=None, convert=None))]
    fn new(
        name: Bound<'_, PyString>,
        members: Option<Bound<'_, PyDict>>,
        uuid: bool,
        parse: Option<Bound<'_, PyAny>>,
        convert: Option<Bound<'_, PyAny>>,
    ) -> Self {
        Field {
            name: name.unbind(),
            members: members.map(Bound::unbind),
            uuid,
            parse: parse.map(Bound::unbind),
            convert: convert.map(Bound::unbind),
        }
    }

    fn __get__<'py>(
        slf: &Bound<'py, Self>,
        obj: Bound<'py, PyAny>,
        _owner: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        if obj.is_none() {
            return Ok(slf.clone().into_any());
        }
        slf.get().read(slf.py(), &obj)
    }

    fn __set__(&self, obj: &Bound<'_, PyAny>, value: &Bound<'_, PyAny>) -> PyResult<()> {
        let py = obj.py();
        obj.getattr(intern!(py, "_d"))?.set_item(self.name.bind(py), value)
    }
}
