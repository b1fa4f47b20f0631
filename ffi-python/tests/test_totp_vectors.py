"""totp.json through TOTPConfig / generate_totp / verify_totp / parse_totp_uri
(same expectations as core/tests/totp_vectors.rs)."""

from __future__ import annotations

from typing import Any

import pytest

from inkbox import InkboxTOTPError, TOTPAlgorithm, TOTPConfig, generate_totp, parse_totp_uri, verify_totp

U64_MAX = 2**64 - 1


def expected_code(message: str) -> str:
    """The error code for the reference's (informational) message."""
    m = message.lower()
    for needle, code in [
        ("non-empty base32", "totp.empty_secret"),
        ("invalid base32 secret", "totp.invalid_secret"),
        ("missing required 'secret'", "totp.missing_secret"),
        ("hotp is not supported", "totp.unsupported_otp_type"),
        ("invalid otp type", "totp.invalid_otp_type"),
        ("digits", "totp.invalid_digits"),
        ("period", "totp.invalid_period"),
        ("algorithm", "totp.invalid_algorithm"),
        ("invalid scheme", "totp.invalid_uri_scheme"),
    ]:
        if needle in m:
            return code
    raise AssertionError(f"no code mapped for {message!r}")


def config_of(d: dict[str, Any]) -> TOTPConfig:
    return TOTPConfig.from_dict(d)


def check_code(name: str, config: TOTPConfig, time: Any, expected: dict[str, Any]) -> None:
    got = generate_totp(config, now=time)
    assert got == config.generate_code(now=time), name
    for field in ("code", "counter", "period_start", "period_end", "seconds_remaining"):
        assert getattr(got, field) == expected[field], f"{name}: {field}"
    # The code verifies at its own step; its one-digit-flipped twin does not.
    assert verify_totp(config, got.code, now=got.period_start, window=0), name
    flipped = got.code[:-1] + str((int(got.code[-1]) + 1) % 10)
    assert not verify_totp(config, flipped, now=got.period_start, window=0), name
    assert config.verify(got.code, now=got.period_start + config.period, window=1), name


def test_rfc6238_appendix_b(totp_vectors: dict[str, Any]) -> None:
    for case in totp_vectors["rfc6238"]:
        config = config_of(case["config"])
        check_code(case["name"], config, case["time"], case["expected"])


def test_hotp_counters(totp_vectors: dict[str, Any]) -> None:
    checked = 0
    for case in totp_vectors["hotp"]:
        config = TOTPConfig(case["secret"], algorithm=case["algorithm"], digits=case["digits"], period=30)
        at = case["counter"] * 30
        if at + 30 > U64_MAX:
            # The Python surface generates by time; a counter this large has no time.
            with pytest.raises(InkboxTOTPError):
                config.generate_code(now=at)
            continue
        code = config.generate_code(now=at)
        assert (code.counter, code.code) == (case["counter"], case["expected_code"])
        checked += 1
    assert checked > 0


def test_generate(totp_vectors: dict[str, Any]) -> None:
    for case in totp_vectors["generate"]:
        check_code(case["name"], config_of(case["config"]), case["time"], case["expected"])


def test_config_valid(totp_vectors: dict[str, Any]) -> None:
    for case in totp_vectors["config_valid"]:
        config = config_of(case["input"])
        expected = case["expected"]
        assert config == config_of(expected), case["name"]
        for field in ("secret", "digits", "period", "issuer", "account_name"):
            assert getattr(config, field) == expected[field], f"{case['name']}: {field}"
        assert config.algorithm is TOTPAlgorithm(expected["algorithm"])
        assert config.to_dict() == case["expected_to_dict"], case["name"]
        assert list(config.to_dict()) == list(case["expected_to_dict"]), "key order"


def test_config_errors(totp_vectors: dict[str, Any]) -> None:
    for case in totp_vectors["config_errors"]:
        code = expected_code(case["error_message"])
        with pytest.raises(InkboxTOTPError) as info:
            TOTPConfig(**case["config"])
        assert info.value.code == code, case["name"]
        assert isinstance(info.value, ValueError)
        with pytest.raises(InkboxTOTPError) as info:
            TOTPConfig.from_dict(case["config"])
        assert info.value.code == code, case["name"]


def test_uri_valid_and_round_trip(totp_vectors: dict[str, Any]) -> None:
    for case in totp_vectors["uri_valid"]:
        parsed = parse_totp_uri(case["uri"])
        assert parsed == config_of(case["expected"]), case["name"]
        assert TOTPConfig.from_uri(case["uri"]) == parsed
        uri = parsed.to_uri()
        assert uri.startswith("otpauth://totp/")
        assert parse_totp_uri(uri) == parsed, case["name"]


def test_uri_invalid(totp_vectors: dict[str, Any]) -> None:
    for case in totp_vectors["uri_invalid"]:
        with pytest.raises(InkboxTOTPError) as info:
            parse_totp_uri(case["uri"])
        assert info.value.code == expected_code(case["error_message"]), case["name"]
        assert "secret=" not in str(info.value)
