//! Small conversions between Python values and what core takes.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyByteArray, PyBytes, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};

/// The host clock in whole Unix seconds (the FFI layer supplies the clock;
/// core reads none).
pub(crate) fn now_unix() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
}

/// A time argument: `None` (the host clock), an `int` of Unix seconds, or a
/// `float` truncated toward zero (as `int(time.time())`). `Err(())` for a
/// negative, non-finite or out-of-range value; each caller maps it to its
/// domain's error.
pub(crate) fn unix_time(now: Option<&Bound<'_, PyAny>>) -> PyResult<Result<u64, ()>> {
    let Some(now) = now else { return Ok(Ok(now_unix())) };
    if now.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err("time must be an int or a float of Unix seconds, not bool"));
    }
    if now.is_instance_of::<PyInt>() {
        return Ok(now.extract::<u64>().map_err(|_| ()));
    }
    if let Ok(f) = now.cast::<PyFloat>() {
        return Ok(inkbox_core::totp::unix_secs_from_f64(f.value()).map_err(|_| ()));
    }
    Err(PyTypeError::new_err("time must be an int or a float of Unix seconds"))
}

/// Bytes borrowed from a Python `bytes` object, or owned (from `str`,
/// `bytearray`, `memoryview`).
pub(crate) enum PyBytesArg<'py> {
    Borrowed(Bound<'py, PyBytes>),
    Owned(Vec<u8>),
}

impl AsRef<[u8]> for PyBytesArg<'_> {
    fn as_ref(&self) -> &[u8] {
        match self {
            Self::Borrowed(b) => b.as_bytes(),
            Self::Owned(v) => v,
        }
    }
}

/// `bytes`, `bytearray` or `memoryview` as bytes, `str` as its UTF-8.
/// `None` for any other type.
pub(crate) fn bytes_or_str<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Option<PyBytesArg<'py>>> {
    if let Ok(b) = obj.cast::<PyBytes>() {
        return Ok(Some(PyBytesArg::Borrowed(b.clone())));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        let encoded =
            s.encode_utf8().map_err(|_| PyValueError::new_err("string is not encodable as UTF-8 (lone surrogate)"))?;
        return Ok(Some(PyBytesArg::Borrowed(encoded)));
    }
    if let Ok(b) = obj.cast::<PyByteArray>() {
        return Ok(Some(PyBytesArg::Owned(b.to_vec())));
    }
    if let Ok(v) = obj.extract::<Cow<'_, [u8]>>() {
        return Ok(Some(PyBytesArg::Owned(v.into_owned())));
    }
    Ok(None)
}

/// A `str` as UTF-8. A string that has no UTF-8 form (lone surrogates) is a
/// `ValueError` naming no content.
pub(crate) fn utf8_of<'a>(s: &'a Bound<'_, PyString>) -> PyResult<Cow<'a, str>> {
    s.to_cow().map_err(|_| PyValueError::new_err("string is not encodable as UTF-8 (lone surrogate)"))
}

/// A text argument given as `str`, or as UTF-8 `bytes`.
pub(crate) fn text_arg(obj: &Bound<'_, PyAny>, what: &str) -> PyResult<String> {
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(utf8_of(s)?.into_owned());
    }
    if let Ok(b) = obj.cast::<PyBytes>() {
        return std::str::from_utf8(b.as_bytes())
            .map(str::to_owned)
            .map_err(|_| PyValueError::new_err(format!("{what} is not valid UTF-8")));
    }
    Err(PyTypeError::new_err(format!("{what} must be str or bytes")))
}

/// A JSON-like Python value (dict with str keys, list/tuple, str, int, float,
/// bool, None) as a `serde_json::Value`.
pub(crate) fn to_json(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    if depth > 64 {
        return Err(PyValueError::new_err("value is nested too deeply"));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Value::String(utf8_of(s)?.into_owned()));
    }
    if obj.is_instance_of::<PyInt>() {
        if let Ok(u) = obj.extract::<u64>() {
            return Ok(Value::Number(u.into()));
        }
        if let Ok(i) = obj.extract::<i64>() {
            return Ok(Value::Number(i.into()));
        }
        return Err(PyValueError::new_err("integer out of range"));
    }
    if let Ok(f) = obj.cast::<PyFloat>() {
        return Number::from_f64(f.value()).map(Value::Number).ok_or_else(|| PyValueError::new_err("non-finite float"));
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key = k.cast::<PyString>().map_err(|_| PyTypeError::new_err("dict keys must be str"))?;
            map.insert(utf8_of(key)?.into_owned(), to_json(&v, depth + 1)?);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for item in obj.try_iter()? {
            items.push(to_json(&item?, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    Err(PyTypeError::new_err("expected a JSON-compatible value (dict, list, str, int, float, bool, None)"))
}

/// `repr()` of an optional string, as Python writes it.
pub(crate) fn repr_opt(py: Python<'_>, value: Option<&str>) -> PyResult<String> {
    match value {
        Some(s) => Ok(PyString::new(py, s).repr()?.to_cow()?.into_owned()),
        None => Ok("None".to_owned()),
    }
}

/// `enum.Enum`, `datetime.date` (and so `datetime`) and `datetime.time`,
/// looked up once.
static WIRE_TYPES: PyOnceLock<(Py<PyAny>, Py<PyAny>, Py<PyAny>)> = PyOnceLock::new();

fn wire_types(py: Python<'_>) -> PyResult<&(Py<PyAny>, Py<PyAny>, Py<PyAny>)> {
    WIRE_TYPES.get_or_try_init(py, || {
        let enum_class = py.import("enum")?.getattr("Enum")?.unbind();
        let datetime = py.import("datetime")?;
        Ok((enum_class, datetime.getattr("date")?.unbind(), datetime.getattr("time")?.unbind()))
    })
}

/// A Python argument value as JSON for a request: what [`to_json`] takes,
/// plus any object with a `_to_wire()` method (replaced by its result), an
/// `enum.Enum` (its `.value`) and `date`/`datetime`/`time` (ISO 8601).
pub(crate) fn to_wire_json(obj: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    wire_json(obj, depth, &String::new)
}

/// [`to_wire_json`] of argument `name`: errors name their location from it
/// (`totp.secret`).
pub(crate) fn to_wire_json_at(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<Value> {
    wire_json(obj, 0, &|| name.to_owned())
}

/// `a.b`, or `b` at the top.
fn join_path(parent: &str, key: &str) -> String {
    if parent.is_empty() { key.to_owned() } else { format!("{parent}.{key}") }
}

/// A location for an error message: `value` at the top.
fn field_or_value(at: String) -> String {
    if at.is_empty() { "value".to_owned() } else { at }
}

/// A Python `int` as a JSON number; one beyond 64 bits is an
/// `InkboxValidationError` whose `field` is where it was (`query.limit`),
/// as core names the fields it refuses.
fn int_json(obj: &Bound<'_, PyAny>, at: &dyn Fn() -> String) -> PyResult<Value> {
    if let Ok(u) = obj.extract::<u64>() {
        return Ok(Value::Number(u.into()));
    }
    if let Ok(i) = obj.extract::<i64>() {
        return Ok(Value::Number(i.into()));
    }
    Err(crate::args::invalid_arg(obj.py(), &field_or_value(at()), "integer out of range (-2**63 to 2**64 - 1)"))
}

/// [`to_wire_json`], with `at` giving the dotted location of `obj` (only
/// computed for an error).
fn wire_json(obj: &Bound<'_, PyAny>, depth: usize, at: &dyn Fn() -> String) -> PyResult<Value> {
    let py = obj.py();
    if depth > 64 {
        return Err(PyValueError::new_err("value is nested too deeply"));
    }
    if obj.is_none() {
        return Ok(Value::Null);
    }
    if let Ok(b) = obj.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        // Argument values include secrets (`api_key`, `body.password`): one
        // without a UTF-8 form is refused by where it is, never quoted.
        return match s.to_str() {
            Ok(text) => Ok(Value::String(text.to_owned())),
            Err(_) => Err(crate::args::invalid_arg(
                py,
                &field_or_value(at()),
                "not encodable as UTF-8 (it contains a lone surrogate); the value is not shown",
            )),
        };
    }
    if obj.is_instance_of::<PyInt>() {
        return int_json(obj, at);
    }
    if obj.is_instance_of::<PyFloat>() {
        return to_json(obj, depth);
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, v) in d.iter() {
            let key = k.cast::<PyString>().map_err(|_| PyTypeError::new_err("dict keys must be str"))?;
            let key = utf8_of(key)?.into_owned();
            let value = wire_json(&v, depth + 1, &|| join_path(&at(), &key))?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if obj.is_instance_of::<PyList>() || obj.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (i, item) in obj.try_iter()?.enumerate() {
            items.push(wire_json(&item?, depth + 1, &|| format!("{}[{i}]", at()))?);
        }
        return Ok(Value::Array(items));
    }
    if let Ok(to_wire) = obj.getattr(intern!(py, "_to_wire")) {
        return wire_json(&to_wire.call0()?, depth + 1, at);
    }
    let (enum_class, date, time) = wire_types(py)?;
    if obj.is_instance(enum_class.bind(py))? {
        return wire_json(&obj.getattr(intern!(py, "value"))?, depth + 1, at);
    }
    if obj.is_instance(date.bind(py))? || obj.is_instance(time.bind(py))? {
        let iso = obj.call_method0(intern!(py, "isoformat"))?;
        let iso = iso.cast::<PyString>().map_err(|_| PyTypeError::new_err("isoformat() did not return a str"))?;
        return Ok(Value::String(utf8_of(iso)?.into_owned()));
    }
    Err(PyTypeError::new_err(format!(
        "cannot send a value of type {} (expected dict, list, str, int, float, bool, None, an enum, a datetime or a model)",
        obj.get_type().name()?
    )))
}

/// A JSON value as plain Python objects (dict, list, str, int, float, bool,
/// None).
pub(crate) fn json_to_py<'py>(py: Python<'py>, value: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match value {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else {
                PyFloat::new(py, n.as_f64().unwrap_or(f64::NAN)).into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(json_to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, v) in map {
                dict.set_item(k, json_to_py(py, v)?)?;
            }
            dict.into_any()
        }
    })
}
