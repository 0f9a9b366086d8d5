"""The service-mode password: a salted scrypt hash in a file beside the settings.

Only the hash, its salt and the cost parameters are stored, never the password. The
password is set on first use (typed twice, at least :data:`MIN_LENGTH` characters) and
verified afterwards with a constant-time comparison. Every refusal is a typed
:class:`PasswordError` whose ``code`` the GUI turns into a translated message.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workstation.config.persistence import default_config_path
from workstation.errors import WorkstationError

MIN_LENGTH = 8
FILE_NAME = "service-password.json"
FORMAT_VERSION = 1

# scrypt cost: 16 MiB of memory and a few tens of milliseconds per try, which makes
# guessing from a copied file slow without making the service login feel slow.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32


class PasswordError(WorkstationError):
    """Base of the service-password refusals."""

    code = "password.error"
    template = "Service password: {detail}"


class PasswordTooShortError(PasswordError):
    code = "password.too_short"
    template = "The password must have at least {min_length} characters"


class PasswordMismatchError(PasswordError):
    code = "password.mismatch"
    template = "The two passwords are not the same"


class WrongPasswordError(PasswordError):
    code = "password.wrong"
    template = "The password is not correct"


class PasswordNotSetError(PasswordError):
    code = "password.not_set"
    template = "No service password has been set yet"


class PasswordAlreadySetError(PasswordError):
    code = "password.already_set"
    template = "A service password is already set"


class PasswordFileError(PasswordError):
    code = "password.file"
    template = "Service password file {path} cannot be used: {reason}"


def default_password_path(settings_path: Path | None = None) -> Path:
    """The password file beside ``settings_path`` (default: the user's settings file)."""
    return (settings_path or default_config_path()).with_name(FILE_NAME)


@dataclass(frozen=True, slots=True)
class _Record:
    salt: bytes
    digest: bytes
    n: int
    r: int
    p: int

    def to_json(self) -> dict[str, Any]:
        return {
            "version": FORMAT_VERSION,
            "algorithm": "scrypt",
            "n": self.n,
            "r": self.r,
            "p": self.p,
            "salt": base64.b64encode(self.salt).decode("ascii"),
            "hash": base64.b64encode(self.digest).decode("ascii"),
        }


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=n,
        r=r,
        p=p,
        maxmem=256 * 1024 * 1024,
        dklen=HASH_BYTES,
    )


class ServicePassword:
    """The service password kept in ``path`` (see :func:`default_password_path`)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_password_path()

    def is_set(self) -> bool:
        return self.path.exists()

    def set(self, password: str, confirmation: str) -> None:
        """Set the first password (raises when one is set, too short or not confirmed)."""
        if self.is_set():
            raise PasswordAlreadySetError()
        self._store(password, confirmation)

    def change(self, current: str, password: str, confirmation: str) -> None:
        """Replace the password after verifying the current one."""
        self.verify(current)
        self._store(password, confirmation)

    def verify(self, password: str) -> None:
        """Return quietly when ``password`` is right; raise WrongPasswordError otherwise."""
        record = self._load()
        digest = _derive(password, record.salt, record.n, record.r, record.p)
        if not hmac.compare_digest(digest, record.digest):
            raise WrongPasswordError()

    # -- file ---------------------------------------------------------------------------
    def _store(self, password: str, confirmation: str) -> None:
        if len(password) < MIN_LENGTH:
            raise PasswordTooShortError(min_length=MIN_LENGTH)
        if not hmac.compare_digest(password.encode("utf-8"), confirmation.encode("utf-8")):
            raise PasswordMismatchError()
        salt = secrets.token_bytes(SALT_BYTES)
        record = _Record(salt, _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P),
                         SCRYPT_N, SCRYPT_R, SCRYPT_P)  # fmt: skip
        self._write(json.dumps(record.to_json(), indent=2) + "\n")

    def _write(self, text: str) -> None:
        """Write atomically and readable by the owner only."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(f".{self.path.name}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(text)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
        except OSError as exc:
            raise PasswordFileError(path=self.path, reason=exc.strerror or str(exc)) from None

    def _load(self) -> _Record:
        if not self.is_set():
            raise PasswordNotSetError()
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") != FORMAT_VERSION or data.get("algorithm") != "scrypt":
                raise ValueError("unknown format")
            record = _Record(
                salt=base64.b64decode(data["salt"], validate=True),
                digest=base64.b64decode(data["hash"], validate=True),
                n=int(data["n"]),
                r=int(data["r"]),
                p=int(data["p"]),
            )
            if len(record.salt) < 8 or len(record.digest) != HASH_BYTES:
                raise ValueError("salt or hash has the wrong length")
            if record.n < 2 or record.n & (record.n - 1) or record.r < 1 or record.p < 1:
                raise ValueError("cost parameters are not valid")
        except (
            OSError,
            UnicodeDecodeError,
            ValueError,
            KeyError,
            TypeError,
            AttributeError,
        ) as exc:
            raise PasswordFileError(path=self.path, reason=str(exc)) from None
        return record
