"""The printers section: DICOM printer profiles (film sizes with their pixel matrix,
display formats, densities, mediums, limits of the conformance target)."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from workstation.config.fields import PeerAddress, Section, check_code_string


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
        return check_code_string(v, "must be a Film Size ID (e.g. 14INX17IN)")

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


class PrinterProfile(PeerAddress):
    """A DICOM printer (Basic Grayscale/Color Print Management SCP) and what it takes."""

    film_sizes: tuple[FilmSizeEntry, ...] = Field(default_factory=_default_film_sizes)
    display_formats: tuple[str, ...] = (
        "STANDARD\\1,1",
        "STANDARD\\1,2",
        "STANDARD\\2,2",
        "STANDARD\\3,4",
        "STANDARD\\4,5",
    )
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
                    "not_display_format",
                    "{value} is not STANDARD\\C,R, ROW\\n,... or COL\\n,...",
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
        return tuple(check_code_string(s) for s in v)

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
