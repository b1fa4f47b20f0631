"""Issue 18, item 4: a secret argument that has no UTF-8 form (a ``str``
with a lone surrogate) is refused with an error that names the argument and
carries none of its value.

pyo3's own conversion raised ``UnicodeEncodeError``, whose ``repr()``,
``.args`` and ``.object`` hold the whole string. Every secret-taking entry
point of ``inkbox._native`` now raises ``InkboxValidationError`` (a
``ValueError``, ``field`` = the argument) instead; the checks below walk the
exception, its attributes and its ``__cause__``/``__context__`` chain.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

from inkbox import _native
from inkbox.exceptions import InkboxValidationError

MARK = "SEKRIT"
# Built at run time, so no source line that a traceback could quote holds it.
SECRET = "hunter2-" + MARK + "\ud800"
ORG_ID = "org_L5tJekJjBskOINmKsplzL8GWUWT"
BASE = "http://127.0.0.1:9"
GOOD_VAULT_KEY = "Correct-Horse-Battery-9!"
TOTP_SECRET = "JBSWY3DPEHPK3PXP"


def _texts(exc: BaseException) -> list[str]:
    """Everything an exception shows: repr, str, args, every attribute (the
    ``object`` of a ``UnicodeError`` among them) and its notes."""
    out = [repr(exc), str(exc), repr(exc.args)]
    for name in ("object", "reason", "field", "code", "__notes__"):
        out.append(repr(getattr(exc, name, None)))
    out.extend(repr(v) for v in vars(exc).values())
    return out


def assert_hidden(exc: BaseException, name: str) -> None:
    """``exc`` names ``name`` and no exception in its chain shows the secret."""
    assert isinstance(exc, InkboxValidationError), repr(type(exc))
    assert isinstance(exc, ValueError)
    assert exc.field == name
    assert exc.code == "api.validation"
    assert name in str(exc)
    seen: set[int] = set()
    chain: list[BaseException] = [exc]
    while chain:
        e = chain.pop()
        if id(e) in seen:
            continue
        seen.add(id(e))
        assert not isinstance(e, UnicodeError), repr(type(e))
        for text in _texts(e):
            assert MARK not in text, f"{type(e).__name__} shows the secret: {text}"
        chain.extend(x for x in (e.__cause__, e.__context__) if x is not None)


def raised(fn: Callable[[], Any]) -> BaseException:
    with pytest.raises(Exception) as info:
        fn()
    return info.value


def unlocked() -> _native.UnlockedVault:
    return _native.UnlockedVault.from_org_key(_native.OrgKey.generate(), ORG_ID)


def zone() -> _native.TunnelZone:
    return _native.TunnelZone("localhost:80")


# (entry point, argument name, call with the secret in that argument)
CASES: list[tuple[str, str, Callable[[], Any]]] = [
    # Vault payloads: every field is encrypted content.
    ("LoginPayload", "password", lambda: _native.LoginPayload(SECRET)),
    ("LoginPayload", "username", lambda: _native.LoginPayload("pw", username=SECRET)),
    ("LoginPayload", "email", lambda: _native.LoginPayload("pw", email=SECRET)),
    ("LoginPayload", "url", lambda: _native.LoginPayload("pw", url=SECRET)),
    ("LoginPayload", "notes", lambda: _native.LoginPayload("pw", notes=SECRET)),
    ("LoginPayload.password=", "password", lambda: setattr(_native.LoginPayload("pw"), "password", SECRET)),
    ("LoginPayload.notes=", "notes", lambda: setattr(_native.LoginPayload("pw"), "notes", SECRET)),
    ("APIKeyPayload", "api_key", lambda: _native.APIKeyPayload(SECRET)),
    ("APIKeyPayload", "endpoint", lambda: _native.APIKeyPayload("k", endpoint=SECRET)),
    ("APIKeyPayload.api_key=", "api_key", lambda: setattr(_native.APIKeyPayload("k"), "api_key", SECRET)),
    ("KeyPairPayload", "access_key", lambda: _native.KeyPairPayload(SECRET, "s")),
    ("KeyPairPayload", "secret_key", lambda: _native.KeyPairPayload("a", SECRET)),
    ("KeyPairPayload.secret_key=", "secret_key", lambda: setattr(_native.KeyPairPayload("a", "s"), "secret_key", SECRET)),
    ("SSHKeyPayload", "private_key", lambda: _native.SSHKeyPayload(SECRET)),
    ("SSHKeyPayload", "passphrase", lambda: _native.SSHKeyPayload("k", passphrase=SECRET)),
    ("SSHKeyPayload.passphrase=", "passphrase", lambda: setattr(_native.SSHKeyPayload("k"), "passphrase", SECRET)),
    ("OtherPayload", "data", lambda: _native.OtherPayload(SECRET)),
    # TOTP.
    ("TOTPConfig", "secret", lambda: _native.TOTPConfig(SECRET)),
    ("TOTPConfig.secret=", "secret", lambda: setattr(_native.TOTPConfig(TOTP_SECRET), "secret", SECRET)),
    ("TOTPConfig.from_uri", "uri", lambda: _native.TOTPConfig.from_uri(f"otpauth://totp/x?secret={SECRET}")),
    ("parse_totp_uri", "uri", lambda: _native.parse_totp_uri(f"otpauth://totp/x?secret={SECRET}")),
    ("TOTPConfig.verify", "code", lambda: _native.TOTPConfig(TOTP_SECRET).verify(SECRET)),
    ("verify_totp", "code", lambda: _native.verify_totp(_native.TOTPConfig(TOTP_SECRET), SECRET)),
    ("TOTPConfig.from_dict", "data.secret", lambda: _native.TOTPConfig.from_dict({"secret": SECRET})),
    ("LoginPayload(totp=dict)", "totp.secret", lambda: _native.LoginPayload("pw", totp={"secret": SECRET})),
    (
        "LoginPayload.totp=",
        "totp.secret",
        lambda: setattr(_native.LoginPayload("pw"), "totp", {"secret": SECRET}),
    ),
    # Vault keys and flows.
    ("derive_master_key", "vault_key", lambda: _native.derive_master_key(SECRET, ORG_ID)),
    ("check_vault_key", "vault_key", lambda: _native.check_vault_key(SECRET)),
    (
        "generate_vault_key_material",
        "vault_key",
        lambda: _native.generate_vault_key_material(SECRET, ORG_ID, _native.OrgKey.generate()),
    ),
    ("UnlockFlow", "vault_key", lambda: _native.UnlockFlow(SECRET)),
    ("InitializeFlow", "vault_key", lambda: _native.InitializeFlow(SECRET)),
    ("UpdateKeyFlow", "new_key", lambda: _native.UpdateKeyFlow(SECRET, current_vault_key=GOOD_VAULT_KEY)),
    (
        "UpdateKeyFlow",
        "current_vault_key",
        lambda: _native.UpdateKeyFlow(GOOD_VAULT_KEY, current_vault_key=SECRET),
    ),
    ("UpdateKeyFlow", "recovery_code", lambda: _native.UpdateKeyFlow(GOOD_VAULT_KEY, recovery_code=SECRET)),
    (
        "TotpUpdateFlow",
        "totp",
        lambda: _native.TotpUpdateFlow(unlocked(), "s1", f"otpauth://totp/x?secret={SECRET}"),
    ),
    ("TotpUpdateFlow(dict)", "totp.secret", lambda: _native.TotpUpdateFlow(unlocked(), "s1", {"secret": SECRET})),
    # API keys on requests.
    ("prepare", "api_key", lambda: _native.prepare("whoami.get", None, BASE, SECRET)),
    ("Call", "api_key", lambda: _native.Call("whoami.get", None, BASE, SECRET, _native.CallOptions())),
    ("Flow.next_request", "api_key", lambda: _native.UnlockFlow(GOOD_VAULT_KEY).next_request(BASE, SECRET)),
    (
        "prepare(args)",
        "api_key",
        lambda: _native.prepare("signup.status", {"api_key": SECRET}, BASE, None),
    ),
    (
        "prepare(args.body)",
        "body.verification_code",
        lambda: _native.prepare("signup.verify", {"api_key": "k", "body": {"verification_code": SECRET}}, BASE, None),
    ),
    # Webhook secrets.
    ("verify_webhook", "secret", lambda: _native.verify_webhook(payload=b"{}", headers={}, secret=SECRET)),
    ("verify_webhook", "secret", lambda: _native.verify_webhook(payload=b"{}", headers={}, secret=["ok", SECRET])),
    ("verify_webhook_reason", "secret", lambda: _native.verify_webhook_reason(payload=b"{}", headers={}, secret=SECRET)),
    ("verify_webhook", "payload", lambda: _native.verify_webhook(payload=SECRET, headers={}, secret="whsec_x")),
    (
        "sign_webhook",
        "secret",
        lambda: _native.sign_webhook(payload=b"{}", secret=SECRET, request_id="r", timestamp=1),
    ),
    # Tunnel data-plane credentials.
    ("TunnelZone.hello_headers", "api_key", lambda: zone().hello_headers("t1", SECRET)),
    ("TunnelZone.intake_headers", "owner_token", lambda: zone().intake_headers("t1", SECRET, 0)),
    ("TunnelZone.response_headers", "api_key", lambda: zone().response_headers("t1", SECRET, "r1", 200, [])),
    ("TunnelZone.ws_connect_headers", "api_key", lambda: zone().ws_connect_headers("t1", SECRET, "w1")),
    ("TunnelZone.tcp_connect_headers", "api_key", lambda: zone().tcp_connect_headers("t1", SECRET, "c1")),
    # A passthrough tunnel's private key.
    (
        "TunnelKey.from_pem",
        "pem",
        lambda: _native.TunnelKey.from_pem(f"-----BEGIN PRIVATE KEY-----\n{SECRET}\n-----END PRIVATE KEY-----\n"),
    ),
]


@pytest.mark.parametrize(("entry", "name", "call"), CASES, ids=[f"{e}:{n}" for e, n, _ in CASES])
def test_secret_without_utf8_form_is_named_not_shown(entry: str, name: str, call: Callable[[], Any]) -> None:
    assert_hidden(raised(call), name)


def test_inside_an_except_block_no_secret_in_the_context() -> None:
    """Raised while another exception is handled, the error's ``__context__``
    is at most that exception, never one holding the secret."""
    try:
        raise KeyError("outer")
    except KeyError:
        exc = raised(lambda: _native.LoginPayload(SECRET))
    assert_hidden(exc, "password")
    assert exc.__context__ is None or isinstance(exc.__context__, KeyError)


def test_the_same_arguments_with_utf8_still_work() -> None:
    assert _native.LoginPayload("hunter2").password == "hunter2"
    assert _native.APIKeyPayload("k", endpoint="e").endpoint == "e"
    p = _native.SSHKeyPayload("k")
    p.passphrase = "pp"
    assert p.passphrase == "pp"
    assert _native.TOTPConfig(TOTP_SECRET).secret == TOTP_SECRET
    assert _native.prepare("whoami.get", None, BASE, "ApiKey_1").headers
    assert _native.verify_webhook(payload=b"{}", headers={}, secret="whsec_x") is False
    assert zone().hello_headers("t1", "ApiKey_1")


def test_wrong_types_stay_type_errors_without_the_value() -> None:
    with pytest.raises(TypeError) as info:
        _native.LoginPayload(12345678)  # type: ignore[arg-type]
    assert "password" in str(info.value) and "12345678" not in str(info.value)
