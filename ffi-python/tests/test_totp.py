"""TOTPConfig's Python surface: validation on every assignment, the host
clock, enum members, bad input as InkboxTOTPError (a ValueError)."""

from __future__ import annotations

import time

import pytest

from inkbox import InkboxTOTPError, TOTPAlgorithm, TOTPCode, TOTPConfig, generate_totp, parse_totp_uri

SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"


def test_defaults_and_enum() -> None:
    c = TOTPConfig(SECRET)
    assert (c.algorithm, c.digits, c.period, c.issuer, c.account_name) == (TOTPAlgorithm.SHA1, 6, 30, None, None)
    assert c.algorithm is TOTPAlgorithm.SHA1
    c.algorithm = TOTPAlgorithm.SHA512
    assert c.algorithm is TOTPAlgorithm.SHA512
    c.algorithm = "sha256"
    assert c.algorithm == "sha256"


def test_assignments_are_validated() -> None:
    c = TOTPConfig(SECRET, digits=8, period=60, issuer="Ex", account_name="bob")
    for attr, value, code in [
        ("digits", 7, "totp.invalid_digits"),
        ("period", 45, "totp.invalid_period"),
        ("algorithm", "SHA1", "totp.invalid_algorithm"),
        ("secret", "not base32!", "totp.invalid_secret"),
        ("secret", "   ", "totp.empty_secret"),
    ]:
        with pytest.raises(InkboxTOTPError) as info:
            setattr(c, attr, value)
        assert info.value.code == code
    assert (c.digits, c.period, c.secret) == (8, 60, SECRET)
    c.secret = "jbswy3dpehpk3pxp"
    assert c.secret == "jbswy3dpehpk3pxp" and c.issuer == "Ex"
    with pytest.raises(TypeError):
        c.digits = "8"  # type: ignore[assignment]


def test_generate_with_clock_and_times() -> None:
    c = TOTPConfig(SECRET, digits=8)
    assert generate_totp(c, now=59).code == "94287082"
    assert generate_totp(c, now=59.999).code == "94287082"
    now = int(time.time())
    code = c.generate_code()
    assert isinstance(code, TOTPCode)
    assert code.period_start <= now + 1 and 1 <= code.seconds_remaining <= 30
    assert c.verify(code.code)
    assert not c.verify("00000000" if code.code != "00000000" else "11111111", now=0, window=0)
    assert not c.verify("12ab", now=59)
    for bad in (-1, float("nan"), float("inf"), 2**64):
        with pytest.raises(InkboxTOTPError) as info:
            c.generate_code(now=bad)
        assert info.value.code == "totp.invalid_time"
    with pytest.raises(TypeError):
        c.generate_code(now="59")  # type: ignore[arg-type]
    with pytest.raises((OverflowError, ValueError)):
        c.verify("94287082", now=59, window=256)


def test_code_value_object() -> None:
    c = TOTPConfig(SECRET, digits=8)
    a, b = c.generate_code(now=59), c.generate_code(now=59.5)
    assert a == b and hash(a) == hash(b)
    assert "94287082" in repr(a)
    with pytest.raises(AttributeError):
        a.code = "0"  # type: ignore[misc]


def test_repr_and_errors_never_show_the_secret() -> None:
    c = TOTPConfig(SECRET, issuer="Example")
    assert SECRET not in repr(c) and "Example" in repr(c)
    with pytest.raises(InkboxTOTPError) as info:
        parse_totp_uri("otpauth://totp/x?secret=ABC!DEF")
    assert "ABC" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_dict_and_uri_round_trip() -> None:
    c = TOTPConfig(SECRET, algorithm="sha512", digits=8, period=60, issuer="Ex ample", account_name="a@b")
    assert TOTPConfig.from_dict(c.to_dict()) == c
    assert parse_totp_uri(c.to_uri()) == c
    assert TOTPConfig.from_dict(c) == c
    for bad in ([], "x", {"secret": 5}, {"secret": SECRET, "digits": "6"}):
        with pytest.raises((InkboxTOTPError, TypeError)):
            TOTPConfig.from_dict(bad)  # type: ignore[arg-type]


def test_bad_uris_never_crash() -> None:
    for uri in ["", "otpauth://", "otpauth://totp/%ff?secret=%ff", "otpauth://[::1/x?secret=A", "\x00" * 10,
                "otpauth://totp/x?" + "a=b&" * 10_000, "otpauth://totp/x?secret=" + "A" * 100_000]:
        with pytest.raises(InkboxTOTPError):
            parse_totp_uri(uri)
