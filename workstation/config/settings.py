"""The settings model, in sections. Every rule refuses with a :class:`SettingsError` naming
the field path, a rule code and its values."""

from __future__ import annotations

import ipaddress
import re
from enum import StrEnum
from pathlib import Path
from typing import Any

import platformdirs
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from workstation.config.exam import (  # noqa: F401 - the sections, named from here too
    AfterExamAction,
    AfterExamRule,
    BroadKey,
    ExamSettings,
    MppsCompleteMode,
    WorklistDateWindow,
    WorklistSettings,
)
from workstation.config.fields import (  # noqa: F401 - named from here too
    PeerAddress,
    Section,
    check_ae_title,
    check_host,
    default_ae_title,
)
from workstation.config.printers import (  # noqa: F401 - named from here too
    FilmSizeEntry,
    PrinterProfile,
    PrintersSettings,
)
from workstation.errors import SettingsError

SCHEMA_VERSION = 2
APP_NAME = "workstation"

_NODE_SPEC = re.compile(r"^(?P<name>[^=]+)=(?P<aet>[^@]+)@(?P<host>.+):(?P<port>\d+)$")


class Role(StrEnum):
    """What a remote node is used for."""

    STORE = "store"  # we send to it (C-STORE SCU)
    QUERY = "query"  # we query it (C-FIND SCU)
    RETRIEVE = "retrieve"  # we retrieve from it (C-MOVE / C-GET SCU)
    MOVE_DESTINATION = "move_destination"  # it may be named as a C-MOVE destination
    COMMITMENT = "commitment"  # storage commitment SCP
    WORKLIST = "worklist"
    MPPS = "mpps"
    PRINT = "print"


class Language(StrEnum):
    """The GUI languages shipped (translations/workstation_<code>.ts)."""

    EN = "en"
    DE = "de"


class CompressionPolicy(StrEnum):
    """Which transfer syntaxes we may use when sending to a node (CONFORMANCE.md, Storage SCU).

    A stored instance goes as stored when its syntax is allowed and accepted; otherwise it
    is decompressed (or re-encoded) to an uncompressed syntax the peer accepted. Nothing is
    ever compressed, and a lossy image sent decompressed keeps Lossy Image Compression 01.
    """

    UNCOMPRESSED = "uncompressed"  # Explicit/Implicit VR Little Endian (and stored Big Endian)
    LOSSLESS = "lossless"  # also lossless-compressed syntaxes (JPEG lossless, JPEG-LS, RLE, ...)
    LOSSY = "lossy"  # also lossy syntaxes (JPEG baseline, JPEG 2000, ...): lossy files as stored


class DuplicatePolicy(StrEnum):
    """What to do when an instance with a stored SOP Instance UID arrives again."""

    KEEP = "keep"  # keep the first copy, discard the new one (default)
    REPLACE = "replace"  # the new copy replaces the stored one


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "store"


class RemoteNode(PeerAddress):
    """A DICOM node we know: allowed caller, send/query target, move destination."""

    roles: frozenset[Role] = frozenset()
    # the transfer syntaxes a send to this node may use (net/send_plan.py)
    compression: CompressionPolicy = CompressionPolicy.LOSSLESS
    # ask this node for storage commitment after a successful send job (push model)
    storage_commitment: bool = False


class NodeSettings(Section):
    """Our DICOM node: who we are on the network and whom we accept."""

    ae_title: str = Field(default_factory=default_ae_title)
    port: int = Field(default=11112, ge=1, le=65535)
    bind_address: str = "0.0.0.0"
    max_associations: int = Field(default=12, ge=1, le=127)
    require_known_callers: bool = True
    check_called_ae: bool = True  # refuse requests not addressed to ae_title (reason 7)

    @field_validator("ae_title")
    @classmethod
    def _aet(cls, v: str) -> str:
        return check_ae_title(v)

    @field_validator("bind_address")
    @classmethod
    def _bind(cls, v: str) -> str:
        try:
            ipaddress.ip_address(v)
        except ValueError:
            raise PydanticCustomError(
                "not_local_address", "must be an IP address of this machine (0.0.0.0 for all)"
            ) from None
        return v


class NetworkSettings(Section):
    """How every association, ours or a peer's, is run (net/association.py)."""

    max_pdu: int = Field(default=65536, ge=0, le=2**32 - 1)
    connect_timeout_s: float = Field(default=15.0, gt=0, le=3600)
    acse_timeout_s: float = Field(default=30.0, gt=0, le=3600)
    dimse_timeout_s: float = Field(default=60.0, gt=0, le=3600)
    network_timeout_s: float = Field(default=60.0, gt=0, le=3600)
    # the TLS key material the service dialog records (used from issue 19 on)
    tls_certificate: Path | None = None
    tls_private_key: Path | None = None

    @field_validator("max_pdu")
    @classmethod
    def _pdu(cls, v: int) -> int:
        if v != 0 and v < 4096:
            raise PydanticCustomError(
                "pdu_too_small", "must be 0 (unlimited) or at least {min} bytes", {"min": 4096}
            )
        return v

    @field_validator("tls_certificate", "tls_private_key", mode="before")
    @classmethod
    def _tls_file(cls, v: Any) -> Any:
        if v is None or not str(v).strip():
            return None  # not set
        path = Path(str(v).strip()).expanduser()
        if not path.is_file():
            raise PydanticCustomError("not_a_file", "must be an existing file")
        return path


class ServicesSettings(Section):
    """The services we call: send, storage commitment, query/retrieve."""

    # Storage commitment (net/scu/commitment.py): how long to wait for the N-EVENT-REPORT
    # on the N-ACTION association (0 = release at once), and after how long a transaction
    # still without a report is "commit failed".
    commit_wait_same_association_s: float = Field(default=10.0, ge=0, le=3600)
    commit_timeout_s: float = Field(default=3600.0, gt=0, le=30 * 86400)
    # Storage SCU (net/scu/store.py, services/send_job.py): tries of a send job when the
    # association fails or breaks (timeout, abort; not a rejection), the delay before the
    # second try (doubled for each further one), and the wait for each C-STORE response.
    send_retries: int = Field(default=3, ge=1, le=20)
    send_retry_delay_s: float = Field(default=30.0, ge=0, le=86_400)
    send_timeout_s: float = Field(default=60.0, gt=0, le=3600)
    # Query/Retrieve SCU (net/scu/find.py, net/scu/move.py): matches kept per C-FIND
    # (then C-CANCEL and the list is marked incomplete), and the longest wait for the
    # next C-MOVE/C-GET response (a PACS may send no pending responses at all).
    query_result_limit: int = Field(default=500, ge=1, le=100_000)
    retrieve_timeout_s: float = Field(default=600.0, gt=0, le=86_400)


class StorageSettings(Section):
    """The local store and its automatic cleanup (store/cleanup.py): below the low-water
    mark of free space, the oldest unprotected studies go until the high-water mark."""

    data_dir: Path = Field(default_factory=default_data_dir)
    min_free_space_mb: int = Field(default=500, ge=0, le=10_000_000)
    duplicate_policy: DuplicatePolicy = DuplicatePolicy.KEEP
    cleanup_enabled: bool = False
    cleanup_low_water_mb: int = Field(default=2_000, ge=0, le=10_000_000)
    cleanup_high_water_mb: int = Field(default=5_000, ge=1, le=10_000_000)

    @field_validator("data_dir", mode="before")
    @classmethod
    def _data_dir(cls, v: Any) -> Any:
        # before pydantic's conversion, which turns "" into Path(".")
        if isinstance(v, (str, Path)):
            if not str(v).strip():
                raise PydanticCustomError("empty", "must not be empty")
            return Path(str(v).strip()).expanduser()
        return v

    @field_validator("cleanup_high_water_mb")
    @classmethod
    def _high_above_low(cls, v: int, info: ValidationInfo) -> int:
        low = info.data.get("cleanup_low_water_mb")
        if low is not None and v <= low:
            raise PydanticCustomError(
                "below_low_water", "must be above the low-water mark ({low} MB)", {"low": low}
            )
        return v


class ViewerSettings(Section):
    """The desktop: its language (ui/i18n.py; translations/workstation_<code>.ts)."""

    language: Language = Language.EN


class MediaSettings(Section):
    """CD/DVD/USB export (issue 15)."""


#: The sections in file order; a field name belongs to exactly one of them.
SECTIONS: dict[str, type[Section]] = {
    "node": NodeSettings,
    "network": NetworkSettings,
    "services": ServicesSettings,
    "storage": StorageSettings,
    "viewer": ViewerSettings,
    "worklist": WorklistSettings,
    "exam": ExamSettings,
    "printers": PrintersSettings,
    "media": MediaSettings,
}
FIELD_SECTION: dict[str, str] = {
    field: name for name, model in SECTIONS.items() for field in model.model_fields
}


def sectioned(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with every field given by its own name (``port``) moved into its section
    (``node.port``); sections given whole are merged with it. The v1 migration uses it."""
    out: dict[str, Any] = {}
    for key, value in data.items():
        if key in SECTIONS:
            section = value.model_dump() if isinstance(value, BaseModel) else value
            if isinstance(section, dict):
                out.setdefault(key, {}).update(section)
            else:
                out[key] = section  # refused by validation, with the section named
        elif key in FIELD_SECTION:
            out.setdefault(FIELD_SECTION[key], {})[key] = value
        else:
            out[key] = value
    return out


class Settings(BaseModel):
    """Everything the service engineer configures, in sections. Immutable; change with
    :meth:`updated`. Read a value through its section: ``settings.node.port``."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)

    schema_version: int = SCHEMA_VERSION
    node: NodeSettings = Field(default_factory=NodeSettings)
    network: NetworkSettings = Field(default_factory=NetworkSettings)
    services: ServicesSettings = Field(default_factory=ServicesSettings)
    storage: StorageSettings = Field(default_factory=StorageSettings)
    viewer: ViewerSettings = Field(default_factory=ViewerSettings)
    worklist: WorklistSettings = Field(default_factory=WorklistSettings)
    exam: ExamSettings = Field(default_factory=ExamSettings)
    printers: PrintersSettings = Field(default_factory=PrintersSettings)
    media: MediaSettings = Field(default_factory=MediaSettings)
    remote_nodes: tuple[RemoteNode, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _fields_by_name(cls, data: Any) -> Any:
        # Settings(port=104) and updated(port=104) name a field without its section
        return sectioned(data) if isinstance(data, dict) else data

    @field_validator("schema_version")
    @classmethod
    def _version(cls, v: int) -> int:
        if v != SCHEMA_VERSION:
            raise PydanticCustomError(
                "schema_version",
                "must be {expected} (migrate older settings first)",
                {"expected": SCHEMA_VERSION},
            )
        return v

    @field_validator("remote_nodes")
    @classmethod
    def _unique_nodes(cls, nodes: tuple[RemoteNode, ...]) -> tuple[RemoteNode, ...]:
        # a field validator, not a model validator: the error then names 'remote_nodes'
        seen: set[str] = set()
        for node in nodes:
            key = node.name.casefold()
            if key in seen:
                raise PydanticCustomError(
                    "duplicate_name",
                    "node name '{name}' is used twice (names ignore case)",
                    {"name": node.name},
                )
            seen.add(key)
        return nodes

    def updated(self, **changes: Any) -> Settings:
        """A validated copy with ``changes`` applied (raises SettingsError). A change
        names a field (``port=104``), a section (``node={"port": 104}``, merged with the
        section's other values) or ``remote_nodes``."""
        data = self.model_dump()
        for key, value in sectioned(changes).items():
            if key in SECTIONS and isinstance(value, dict):
                data[key] = {**data[key], **value}
            else:
                data[key] = value
        return validate_settings(data)

    def find_node(self, name: str) -> RemoteNode | None:
        return next((n for n in self.remote_nodes if n.name.casefold() == name.casefold()), None)

    def nodes_with_ae(self, ae_title: str) -> list[RemoteNode]:
        return [n for n in self.remote_nodes if n.ae_title == ae_title.strip()]


def needs_node_restart(old: Settings, new: Settings) -> bool:
    """Whether the running node must be restarted for ``new``: its own section, the
    network section (PDU size, timeouts, TLS) or the known nodes (allowed callers, move
    destinations) changed."""
    return (old.node, old.network, old.remote_nodes) != (new.node, new.network, new.remote_nodes)


def _plain(value: Any) -> Any:
    # ctx values as plain data: numbers and text stay, anything else becomes its text
    return value if isinstance(value, (int, float, str, bool)) or value is None else str(value)


def _settings_error(exc: ValidationError) -> SettingsError:
    """The first broken rule as a SettingsError: ``field`` (its path), ``rule_code`` (pydantic's
    error type or our own, e.g. ``greater_than_equal``, ``not_host``) with ``limits`` (the
    rule's values, e.g. ``{"ge": 1}``), ``value`` (the input) and ``rule`` (an English text
    for logs and the command line; the GUI builds its own from code and limits)."""
    errors = []
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "settings"
        ctx = {k: _plain(v) for k, v in (err.get("ctx") or {}).items() if k != "error"}
        rule = err["msg"].removeprefix("Value error, ")
        errors.append({"field": loc, "rule_code": err["type"], "limits": ctx, "rule": rule,
                       "value": err.get("input")})  # fmt: skip
    return SettingsError(**errors[0], errors=errors)


def validate_settings(data: dict[str, Any]) -> Settings:
    """Build Settings from plain data, raising SettingsError (field + rule) when invalid."""
    try:
        return Settings.model_validate(data)
    except ValidationError as exc:
        raise _settings_error(exc) from None


def make_node(**data: Any) -> RemoteNode:
    try:
        return RemoteNode.model_validate(data)
    except ValidationError as exc:
        err = _settings_error(exc)
        err.values["field"] = "remote_nodes." + err.values["field"]
        raise SettingsError(**err.values) from None


def make_printer(**data: Any) -> PrinterProfile:
    """A printer profile from ``data`` (raises SettingsError, field ``printers.printers.*``)."""
    try:
        return PrinterProfile.model_validate(data)
    except ValidationError as exc:
        err = _settings_error(exc)
        err.values["field"] = "printers.printers." + err.values["field"]
        raise SettingsError(**err.values) from None


def parse_node_spec(spec: str, roles: frozenset[Role] | None = None) -> RemoteNode:
    """Parse ``NAME=AET@HOST:PORT`` (the command line's ``--node``)."""
    m = _NODE_SPEC.match(spec.strip())
    if not m:
        raise SettingsError(field="node", rule_code="not_node_spec", limits={},
                            rule="must look like NAME=AET@HOST:PORT", value=spec)
    if roles is None:
        roles = frozenset(Role)
    return make_node(
        name=m["name"], ae_title=m["aet"], host=m["host"], port=int(m["port"]), roles=roles
    )
