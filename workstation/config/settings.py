"""The settings model, in sections. Every rule refuses with a :class:`SettingsError` naming
the field path, a rule code and its values."""

from __future__ import annotations

import ipaddress
import re
import socket
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

from workstation.errors import SettingsError

SCHEMA_VERSION = 2
APP_NAME = "workstation"

_HOSTNAME_LABEL = re.compile(r"^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$")
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


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME)) / "store"


class RemoteNode(BaseModel):
    """A DICOM node we know: allowed caller, send/query target, move destination."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    ae_title: str
    host: str
    port: int = Field(ge=1, le=65535)
    roles: frozenset[Role] = frozenset()
    # the transfer syntaxes a send to this node may use (net/send_plan.py)
    compression: CompressionPolicy = CompressionPolicy.LOSSLESS
    # ask this node for storage commitment after a successful send job (push model)
    storage_commitment: bool = False

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


class Section(BaseModel):
    """One section of the settings: frozen, unknown fields refused, defaults validated."""

    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


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


class WorklistDateWindow(StrEnum):
    """The Scheduled Procedure Step Start Date of the broad worklist query (extract-001 5.2)."""

    TODAY = "today"
    YESTERDAY_TODAY = "yesterday-today"
    TODAY_12H = "today-12h"  # today +/- 12 hours
    TODAY_24H = "today-24h"  # today +/- 24 hours
    ANY = "any"  # no date


class BroadKey(StrEnum):
    """The single-value keys of the broad query; each may be sent as a return key only."""

    STATION_AET = "ScheduledStationAETitle"
    START_DATE = "ScheduledProcedureStepStartDate"
    MODALITY = "Modality"


_CS_VALUE = re.compile(r"^[A-Z0-9_ ]{0,16}$")


class WorklistSettings(Section):
    """Modality Worklist (C-FIND SCU): which node, the broad query, refresh and limits."""

    node: str = ""  # the remote node's name; empty: the first node with the worklist role
    date_window: WorklistDateWindow = WorklistDateWindow.TODAY
    query_by_station_aet: bool = False  # own AE title as Scheduled Station AE Title
    query_by_modality: bool = True
    modality: str = "OT"  # this station's modality (0008,0060)
    return_only: frozenset[BroadKey] = frozenset()  # sent zero-length instead of matched
    refresh_minutes: int = Field(default=0, ge=0, le=1440)  # 0: no automatic refresh
    max_items: int = Field(default=500, ge=1, le=999)  # C-CANCEL when reached
    response_timeout_s: int = Field(default=30, ge=1, le=999)

    @field_validator("modality")
    @classmethod
    def _modality(cls, v: str) -> str:
        v = v.strip().upper()
        if not v or not _CS_VALUE.match(v):
            raise PydanticCustomError(
                "not_code_string", "must be 1-16 capital letters, digits, '_' or spaces"
            )
        return v


class MppsCompleteMode(StrEnum):
    """How a procedure step is ended (extract-001 5.3 "MPPS Complete" method)."""

    AUTOMATIC = "automatic"  # COMPLETED when the technologist closes the patient
    DIALOG = "dialog"  # a dialog on close: COMPLETED / IN PROGRESS / DISCONTINUED


class AfterExamAction(StrEnum):
    """What an after-exam rule does; print and burn are added by issues 14 and 15."""

    SEND = "send"  # send the step's instances, with storage commitment if the node has it


class AfterExamRule(BaseModel):
    """One rule: when a procedure step is completed, queue ``action`` to ``node``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    action: AfterExamAction = AfterExamAction.SEND
    node: str = Field(min_length=1, max_length=64)  # a remote node's name
    storage_commitment: bool = True
    enabled: bool = True
    on_discontinued: bool = False  # also when the step was discontinued


class ExamSettings(Section):
    """The examination: MPPS reporting and the rules run after a step ends (per station)."""

    mpps_node: str = ""  # the remote node's name; empty: the first node with the MPPS role
    mpps_enabled: bool = True
    complete_mode: MppsCompleteMode = MppsCompleteMode.DIALOG
    station_name: str = Field(default_factory=lambda: socket.gethostname()[:16])
    after_exam: tuple[AfterExamRule, ...] = ()


class FilmSizeEntry(BaseModel):
    """A film size a printer takes and its pixel matrix for it (PORTRAIT: columns across
    the short side); ``dpi`` instead of a matrix computes it from the film's size."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=16)  # Film Size ID (2010,0050), e.g. 14INX17IN
    matrix_cols: int = Field(default=0, ge=0, le=32_768)  # 0: from dpi
    matrix_rows: int = Field(default=0, ge=0, le=32_768)
    dpi: float = Field(default=0.0, ge=0, le=2400)

    @field_validator("id")
    @classmethod
    def _id(cls, v: str) -> str:
        v = v.strip().upper()
        if not _CS_VALUE.match(v) or not v:
            raise PydanticCustomError("not_code_string", "must be a Film Size ID (e.g. 14INX17IN)")
        return v

    @field_validator("dpi")
    @classmethod
    def _matrix_or_dpi(cls, v: float, info: ValidationInfo) -> float:
        cols, rows = info.data.get("matrix_cols"), info.data.get("matrix_rows")
        if cols is None or rows is None:
            return v
        if (cols == 0) != (rows == 0):
            raise PydanticCustomError("matrix_incomplete", "give both matrix columns and rows")
        if cols == 0 and v <= 0:
            raise PydanticCustomError("matrix_or_dpi", "give the pixel matrix or the dpi")
        return v


def _default_film_sizes() -> tuple[FilmSizeEntry, ...]:
    return (FilmSizeEntry(id="14INX17IN", matrix_cols=2048, matrix_rows=2488),)


class PrinterProfile(BaseModel):
    """A DICOM printer (Basic Grayscale/Color Print Management SCP) and what it takes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=64)
    ae_title: str
    host: str
    port: int = Field(ge=1, le=65535)
    film_sizes: tuple[FilmSizeEntry, ...] = Field(default_factory=_default_film_sizes)
    display_formats: tuple[str, ...] = ("STANDARD\\1,1", "STANDARD\\1,2", "STANDARD\\2,2",
                                        "STANDARD\\3,4", "STANDARD\\4,5")
    orientation: str = "PORTRAIT"  # the default: PORTRAIT | LANDSCAPE
    magnification: str = "CUBIC"  # REPLICATE | BILINEAR | CUBIC | NONE; "" = not sent
    smoothing: str = ""  # printer specific; "" = not sent
    border_density: str = "BLACK"  # BLACK | WHITE | hundredths of OD; "" = not sent
    empty_image_density: str = "BLACK"
    min_density: int | None = Field(default=None, ge=0, le=1000)  # hundredths of OD
    max_density: int | None = Field(default=None, ge=0, le=1000)
    mediums: tuple[str, ...] = ("BLUE FILM", "CLEAR FILM", "PAPER")  # first = default
    destinations: tuple[str, ...] = ("MAGAZINE", "PROCESSOR")  # first = default
    color: bool = False  # Basic Color Print Management (RGB image boxes)
    bits: int = Field(default=8)  # 8 or 12 bits stored per grey image box
    presentation_lut: bool = False  # create a Presentation LUT (IDENTITY) per session
    max_copies: int = Field(default=9, ge=1, le=99)  # extract-001 5.4: at most 9
    priority: str = "MED"  # HIGH | MED | LOW
    retries: int = Field(default=5, ge=0, le=5)  # extract-001 5.4: at most 5
    retry_delay_s: float = Field(default=300.0, ge=0, le=3 * 3600)  # 5-180 min, 0 = none
    dimse_timeout_s: float = Field(default=25.0, gt=0, le=3600)  # extract-001 5.4: 25 s
    annotation_mm: float = Field(default=4.0, gt=0, le=50)  # film annotation text height

    @field_validator("name")
    @classmethod
    def _name(cls, v: str) -> str:
        v = v.strip()
        if not v or any(ord(c) < 0x20 for c in v):
            raise PydanticCustomError("empty", "must not be empty")
        return v

    @field_validator("ae_title")
    @classmethod
    def _aet(cls, v: str) -> str:
        return check_ae_title(v)

    @field_validator("host")
    @classmethod
    def _host(cls, v: str) -> str:
        return check_host(v)

    @field_validator("orientation")
    @classmethod
    def _orientation(cls, v: str) -> str:
        v = v.strip().upper()
        if v not in ("PORTRAIT", "LANDSCAPE"):
            raise PydanticCustomError("not_orientation", "must be PORTRAIT or LANDSCAPE")
        return v

    @field_validator("priority")
    @classmethod
    def _priority(cls, v: str) -> str:
        v = v.strip().upper()
        if v not in ("HIGH", "MED", "LOW"):
            raise PydanticCustomError("not_priority", "must be HIGH, MED or LOW")
        return v

    @field_validator("bits")
    @classmethod
    def _bits(cls, v: int) -> int:
        if v not in (8, 12):
            raise PydanticCustomError("not_bits", "must be 8 or 12")
        return v

    @field_validator("display_formats")
    @classmethod
    def _formats(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        out = tuple(f.strip().upper().replace(" ", "") for f in v)
        for f in out:
            if not _DISPLAY_FORMAT.match(f):
                raise PydanticCustomError(
                    "not_display_format", "{value} is not STANDARD\\C,R, ROW\\n,... or COL\\n,...",
                    {"value": f},
                )
        if not out:
            raise PydanticCustomError("empty", "must not be empty")
        return out

    @field_validator("film_sizes")
    @classmethod
    def _sizes(cls, v: tuple[FilmSizeEntry, ...]) -> tuple[FilmSizeEntry, ...]:
        if not v:
            raise PydanticCustomError("empty", "must not be empty")
        ids = [s.id for s in v]
        if len(set(ids)) != len(ids):
            raise PydanticCustomError("duplicate", "a film size is listed twice")
        return v

    @field_validator("mediums", "destinations")
    @classmethod
    def _codes(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        out = tuple(s.strip().upper() for s in v)
        if not all(s and _CS_VALUE.match(s) for s in out):
            raise PydanticCustomError(
                "not_code_string", "must be 1-16 capital letters, digits, '_' or spaces"
            )
        return out

    def film_size(self, film_size_id: str) -> FilmSizeEntry | None:
        """The entry for a Film Size ID, or None when the printer does not take it."""
        wanted = film_size_id.strip().upper()
        return next((s for s in self.film_sizes if s.id == wanted), None)


_DISPLAY_FORMAT = re.compile(r"^(STANDARD\\\d+,\d+|(ROW|COL)\\\d+(,\d+)*)$")


class PrintersSettings(Section):
    """DICOM printers (issue 14): the profiles and which one a print goes to by default."""

    printers: tuple[PrinterProfile, ...] = ()
    default_printer: str = ""  # a profile's name; empty: the first profile
    queue_limit: int = Field(default=10, ge=1, le=1000)  # extract-001 5.4: 10 film sheets

    @field_validator("printers")
    @classmethod
    def _unique(cls, v: tuple[PrinterProfile, ...]) -> tuple[PrinterProfile, ...]:
        names = [p.name for p in v]
        if len(set(names)) != len(names):
            raise PydanticCustomError("duplicate", "two printers have the same name")
        return v


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
