"""The error family and the package's top level are generated from the
description (``surface/errors.toml``, the ``[package]`` table of
``surface/client.toml``): the classes must be what the description says,
the native module must raise only described classes, and the generator must
refuse an error family or a top level it cannot build."""

from __future__ import annotations

import builtins
import re
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "surface"))

import gen  # noqa: E402
import python_backend  # noqa: E402

import inkbox  # noqa: E402
from inkbox import exceptions  # noqa: E402


def _errors() -> dict[str, Any]:
    return {e.name: e for d in gen.load().values() for e in d.errors}


def _build(name: str, kind: str) -> Any:
    cls = getattr(exceptions, name)
    if kind == "root" or kind == "message":
        return cls("message")
    if kind == "decode":
        return cls("message", status_code=200, body=b"{}")
    detail: Any = {"existing_rule_id": str(uuid.UUID(int=7))}
    if name == "HandleUnavailableError":
        return cls(409, "taken", "mail")
    return cls(409, detail)


def test_every_described_error_is_built_as_described() -> None:
    errors = _errors()
    domains = gen.load()
    assert len(errors) >= 25
    for name, e in errors.items():
        cls = getattr(exceptions, name)
        kind = gen.error_kind(domains, e)
        if e.base is not None:
            assert cls.__bases__[0] is getattr(exceptions, e.base), name
        for extra in e.python_bases:
            assert issubclass(cls, getattr(builtins, extra)), name
        code, walk = None, e
        while code is None and walk is not None:
            code, walk = walk.code, errors.get(walk.base) if walk.base else None
        err = _build(name, kind)
        assert isinstance(err, exceptions.InkboxError)
        assert err.code == code, name
        assert err.retry_after is None
        if kind == "http":
            assert err.status_code == 409 and isinstance(err, exceptions.InkboxAPIError)
        if kind == "decode":
            assert err.status_code == 200 and err.body == b"{}"


def test_detail_fields_and_params_are_read_as_described() -> None:
    rid = uuid.uuid4()
    dup = exceptions.DuplicateContactRuleError(409, {"existing_rule_id": str(rid)}, code="x", retry_after=2.0)
    assert dup.existing_rule_id == rid and dup.code == "x" and dup.retry_after == 2.0
    with pytest.raises(KeyError):
        exceptions.DuplicateContactRuleError(409, {})
    blocked = exceptions.RecipientBlockedError(403, {"address": "a@b.c"})
    assert blocked.matched_rule_id is None and blocked.address == "a@b.c" and blocked.reason == ""
    blocked = exceptions.RecipientBlockedError(403, {"matched_rule_id": str(rid), "reason": "rule"})
    assert blocked.matched_rule_id == rid and blocked.reason == "rule"
    grant = exceptions.RedundantContactAccessGrantError(409, {"detail": "wildcard exists"})
    assert grant.error == "redundant_grant" and grant.detail_message == "wildcard exists"
    taken = exceptions.HandleUnavailableError(409, "taken", "tunnels")
    assert taken.blocking_namespace == "tunnels" and str(taken) == "HTTP 409: taken"
    invalid = exceptions.InkboxValidationError("bad", field="path.email")
    assert invalid.field == "path.email" and isinstance(invalid, ValueError)
    assert exceptions.InkboxValidationError("bad").field is None


def test_the_native_module_raises_only_described_classes() -> None:
    # The native module's own class names, and the bodies of core's
    # ErrorClass::error_class, the mapping it raises through.
    core = "\n".join(p.read_text() for p in sorted((ROOT / "core" / "src").glob("**/error.rs")))
    mapping = re.findall(r"fn error_class\(&self\) -> &'static str \{\n(.*?)\n    \}\n", core, re.S)
    assert len(mapping) >= 5, "core's ErrorClass impls not found"
    source = "\n".join([(ROOT / "ffi-python" / "src" / "errors.rs").read_text(), *mapping])
    named = set(re.findall(r'"((?:Inkbox|Tunnel)\w*|\w+Error)"', source))
    assert len(named) >= 15
    assert named <= set(_errors()), sorted(named - set(_errors()))


def test_top_level_exports_every_described_name_from_its_module() -> None:
    domains = gen.load()
    hidden = {"mail.MessageStatus"}
    py_names = {lit.name: lit.python_name for d in domains.values() for lit in d.literals if lit.python_name}
    for d in domains.values():
        for n in d.order:
            py = py_names.get(n, n)
            if f"{d.name}.{py}" in hidden:
                continue
            assert py in inkbox.__all__, py
    for n in inkbox.__all__:
        assert getattr(inkbox, n) is not None, n
    # The hidden enum stays in its module; the top level's is the webhook literal.
    from inkbox.mail.types import MessageStatus as MailMessageStatus
    from inkbox.webhooks import MessageStatus

    assert inkbox.MessageStatus is MessageStatus is not MailMessageStatus


def _write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "x.toml").write_text(text)
    return tmp_path


ROOT_ERR = '[[error]]\nname = "E"\nkind = "root"\n'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[error]]\nname = "E"\nbase = "F"\n', "root"),
        (ROOT_ERR + '[[error]]\nname = "F"\nkind = "root"\n', "exactly one root"),
        (ROOT_ERR + '[[error]]\nname = "F"\nbase = "G"\n', "extends unknown G"),
        (ROOT_ERR + '[[error]]\nname = "F"\nbase = "E"\nkind = "fatal"\n', "unknown kind"),
        (ROOT_ERR + '[[error]]\nname = "F"\nbase = "E"\ndetail_fields = ["a: string"]\n', "not an HTTP error"),
        (ROOT_ERR + '[[error]]\nname = "F"\nbase = "E"\nparams = ["a: Missing"]\n', "unknown type Missing"),
        (ROOT_ERR + '[[error]]\nname = "F"\nbase = "E"\nstatus = 409\n', "unknown key"),
        ('[package]\nexports = []\n', "unknown key"),
    ],
)
def test_bad_error_families_are_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(gen.DescriptionError, match=message):
        gen.load(_write(tmp_path, text))


def test_backend_refuses_what_it_cannot_write(tmp_path: Path) -> None:
    bad_param = ROOT_ERR + '[[error]]\nname = "F"\nbase = "E"\nparams = ["a: string"]\n'
    with pytest.raises(ValueError, match="needs a default"):
        python_backend.render(gen.load(_write(tmp_path, bad_param)), tmp_path)
    clash = '[[enum]]\nname = "A"\nvalues = ["a"]\n[package]\n[package.python_exports]\n"m" = ["A"]\n'
    with pytest.raises(ValueError, match="comes from"):
        python_backend.render(gen.load(_write(tmp_path, clash)), tmp_path)
    unknown = '[[enum]]\nname = "A"\nvalues = ["a"]\n[package]\npython_hidden = ["x.B"]\n'
    with pytest.raises(ValueError, match="python_hidden"):
        python_backend.render(gen.load(_write(tmp_path, unknown)), tmp_path)


def test_auth_placement_is_only_for_class_methods(tmp_path: Path) -> None:
    text = (
        '[[model]]\nname = "M"\nfields = []\n'
        '[[resource]]\nname = "R"\nmodule = "x.resources.r"\n'
        '[[resource.method]]\nname = "get"\nop = "x.get"\nreturns = "M"\nparams = ["api_key: string @auth"]\n'
    )
    with pytest.raises(ValueError, match="@auth"):
        python_backend.render(gen.load(_write(tmp_path, text)), tmp_path)
    unsent = '[[client.static]]\nname = "s"\nop = "x.s"\nreturns = "M"\nparams = ["a: string"]\n'
    with pytest.raises(gen.DescriptionError, match="not sent"):
        gen.load(_write(tmp_path, unsent))
