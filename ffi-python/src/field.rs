//! `Field`: the descriptor of a model field.

use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyString};

/// A model field: reads `obj._d.get(name)` and converts it, writes
/// `obj._d[name] = value`. What the field properties of `inkbox._models`
/// did, without a Python frame per read.
///
/// A read returns, in this order: the member of `members` the wire value
/// maps to (enums); `parse(value)` for a `str` value unless it raises
/// `ValueError` (datetimes); `None` for `None`; `convert(value)`; the value.
#[pyclass(module = "inkbox._native", name = "Field", frozen)]
pub(crate) struct Field {
    name: Py<PyString>,
    members: Option<Py<PyDict>>,
    parse: Option<Py<PyAny>>,
    convert: Option<Py<PyAny>>,
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
    #[pyo3(signature = (name, *, members=None, parse=None, convert=None))]
    fn new(
        name: Bound<'_, PyString>,
        members: Option<Bound<'_, PyDict>>,
        parse: Option<Bound<'_, PyAny>>,
        convert: Option<Bound<'_, PyAny>>,
    ) -> Self {
        Field {
            name: name.unbind(),
            members: members.map(Bound::unbind),
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
