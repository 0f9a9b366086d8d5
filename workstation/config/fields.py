"""What the settings sections share: the rules for AE titles, hosts and code strings,
the section base class, and a peer's address (name, AE title, host, port) with its rules."""

from __future__ import annotations

import ipaddress
import re
import socket

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

_HOSTNAME_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
CODE_STRING = re.compile(r"^[A-Z0-9_ ]{0,16}$")  # a CS value (PS3.5 6.2)


def check_ae_title(value: str) -> str:
    """Return the AE title without padding, or raise a ValueError (with a rule code)."""
    if not isinstance(value, str):
        raise PydanticCustomError("not_text", "must be text")
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
        raise PydanticCustomError("control_characters", "must not contain control characters")
    if "\\" in value:
        raise PydanticCustomError("backslash", "must not contain a backslash")
    if any(ord(c) > 0x7E for c in value):
        raise PydanticCustomError("not_ascii", "must use ASCII characters only")
    stripped = value.strip(" ")
    if not stripped:
        raise PydanticCustomError("empty", "must not be empty")
    if len(stripped) > 16:
        raise PydanticCustomError(
            "string_too_long", "must be at most {max_length} characters", {"max_length": 16}
        )
    return stripped


def check_host(value: str) -> str:
    """Return the host (an IP address or a host name), or raise a ValueError (rule code)."""
    value = value.strip()
    if not value:
        raise PydanticCustomError("empty", "must not be empty")
    try:
        ipaddress.ip_address(value)
        return value
    except ValueError:
        pass
    if len(value) > 253 or not all(_HOSTNAME_LABEL.match(p) for p in value.rstrip(".").split(".")):
        raise PydanticCustomError(
            "not_host", "must be an IP address or a host name (letters, digits, '-', '.')"
        )
    return value


def default_ae_title() -> str:
    """The host name upper-cased, reduced to allowed characters and cut to 16."""
    name = re.sub(r"[^A-Z0-9_-]", "", socket.gethostname().split(".")[0].upper())
    return (name or "WORKSTATION")[:16]


def check_code_string(
    value: str, message: str = "must be 1-16 capital letters, digits, '_' or spaces"
) -> str:
    """``value`` stripped and upper-cased if it is a non-empty CS value, else a ValueError."""
    v = value.strip().upper()
    if not v or not CODE_STRING.match(v):
        raise PydanticCustomError("not_code_string", message)
    return v


class Section(BaseModel):
    """One section of the settings: frozen, unknown fields refused, defaults validated."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class PeerAddress(BaseModel):
    """A DICOM peer by name and address: a remote node, a printer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    ae_title: str
    host: str
    port: int = Field(ge=1, le=65535)

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not v:
            raise PydanticCustomError("empty", "must not be empty")
        if any(ord(c) < 0x20 for c in v):
            raise PydanticCustomError("control_characters", "must not contain control characters")
        return v

    @field_validator("ae_title")
    @classmethod
    def _aet(cls, v: str) -> str:
        return check_ae_title(v)

    @field_validator("host")
    @classmethod
    def _host(cls, v: str) -> str:
        return check_host(v)
