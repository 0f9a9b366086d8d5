"""Service password: salted scrypt hash beside the settings, typed refusals, no plain text."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from workstation.config.password import (
    FILE_NAME,
    MIN_LENGTH,
    PasswordAlreadySetError,
    PasswordFileError,
    PasswordMismatchError,
    PasswordNotSetError,
    PasswordTooShortError,
    ServicePassword,
    WrongPasswordError,
    default_password_path,
)

SECRET = "Service-2024!"


@pytest.fixture
def pw(tmp_path: Path) -> ServicePassword:
    return ServicePassword(tmp_path / "cfg" / FILE_NAME)


def test_file_lies_beside_the_settings(tmp_path: Path, monkeypatch) -> None:
    settings = tmp_path / "conf" / "settings.json"
    assert default_password_path(settings) == settings.parent / FILE_NAME
    monkeypatch.setenv("WORKSTATION_CONFIG", str(settings))
    assert default_password_path() == settings.parent / FILE_NAME


def test_first_set_then_verify(pw: ServicePassword) -> None:
    assert not pw.is_set()
    with pytest.raises(PasswordNotSetError):
        pw.verify(SECRET)
    pw.set(SECRET, SECRET)
    assert pw.is_set()
    pw.verify(SECRET)  # no exception
    with pytest.raises(WrongPasswordError) as info:
        pw.verify(SECRET + "x")
    assert info.value.code == "password.wrong"
    with pytest.raises(WrongPasswordError):
        pw.verify("")


def test_only_a_salted_hash_is_stored(pw: ServicePassword, tmp_path: Path) -> None:
    pw.set(SECRET, SECRET)
    text = pw.path.read_text()
    assert SECRET not in text
    data = json.loads(text)
    assert data["algorithm"] == "scrypt" and data["n"] >= 2**14
    assert set(data) == {"version", "algorithm", "n", "r", "p", "salt", "hash"}
    assert stat.S_IMODE(pw.path.stat().st_mode) == 0o600
    other = ServicePassword(tmp_path / "other" / FILE_NAME)
    other.set(SECRET, SECRET)
    # a random salt: the same password gives a different hash
    assert json.loads(other.path.read_text())["hash"] != data["hash"]
    assert json.loads(other.path.read_text())["salt"] != data["salt"]


def test_too_short_and_mismatch_refused(pw: ServicePassword) -> None:
    short = "x" * (MIN_LENGTH - 1)
    with pytest.raises(PasswordTooShortError) as info:
        pw.set(short, short)
    assert info.value.code == "password.too_short"
    assert info.value.values["min_length"] == MIN_LENGTH
    with pytest.raises(PasswordMismatchError):
        pw.set(SECRET, SECRET + "1")
    assert not pw.is_set()  # nothing written after a refusal


def test_second_set_refused_change_needs_current(pw: ServicePassword) -> None:
    pw.set(SECRET, SECRET)
    with pytest.raises(PasswordAlreadySetError):
        pw.set("another-one", "another-one")
    with pytest.raises(WrongPasswordError):
        pw.change("wrong-pass", "another-one", "another-one")
    pw.change(SECRET, "another-one", "another-one")
    pw.verify("another-one")
    with pytest.raises(WrongPasswordError):
        pw.verify(SECRET)


@pytest.mark.parametrize(
    "content",
    ["not json", "[]", '{"version": 1, "algorithm": "md5"}',
     '{"version": 1, "algorithm": "scrypt", "n": 3, "r": 8, "p": 1, "salt": "AAAAAAAAAAA=", "hash": "x"}'],
)  # fmt: skip
def test_damaged_file_is_a_typed_error(pw: ServicePassword, content: str) -> None:
    pw.path.parent.mkdir(parents=True)
    pw.path.write_text(content)
    with pytest.raises(PasswordFileError) as info:
        pw.verify(SECRET)
    assert info.value.code == "password.file"
    assert info.value.values["path"] == pw.path
