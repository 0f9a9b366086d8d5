"""The film model: display formats, film sizes, the film spec, box contents, sheets.

Pure geometry and data, no pixels: :mod:`workstation.imaging.film_render` renders a
:class:`Sheet` at the printer's matrix, the Print SCU sends it, the composer shows it.

Coordinates are film pixels of the printer's matrix after orientation: ``x`` along
columns from the left, ``y`` along rows from the top. Boxes come in DICOM Image Position
order (PS3.3 C.13.5.1): STANDARD and ROW row by row, left to right; COL column by
column, top to bottom.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path

from workstation.errors import FilmLayoutError

#: the film annotations the composer offers (key -> what it shows); values are strings
ANNOTATION_KEYS = ("patient", "study", "date", "series", "institution", "scale")


class Orientation(StrEnum):
    PORTRAIT = "PORTRAIT"
    LANDSCAPE = "LANDSCAPE"


@dataclass(frozen=True)
class FilmSize:
    """A DICOM Film Size ID (2010,0050) and its size in mm, portrait (width <= height)."""

    id: str
    width_mm: float
    height_mm: float


_INCH = 25.4
FILM_SIZES: dict[str, FilmSize] = {
    s.id: s
    for s in (
        FilmSize("8INX10IN", 8 * _INCH, 10 * _INCH),
        FilmSize("8_5INX11IN", 8.5 * _INCH, 11 * _INCH),
        FilmSize("10INX12IN", 10 * _INCH, 12 * _INCH),
        FilmSize("10INX14IN", 10 * _INCH, 14 * _INCH),
        FilmSize("11INX14IN", 11 * _INCH, 14 * _INCH),
        FilmSize("11INX17IN", 11 * _INCH, 17 * _INCH),
        FilmSize("14INX14IN", 14 * _INCH, 14 * _INCH),
        FilmSize("14INX17IN", 14 * _INCH, 17 * _INCH),
        FilmSize("24CMX24CM", 240.0, 240.0),
        FilmSize("24CMX30CM", 240.0, 300.0),
        FilmSize("A4", 210.0, 297.0),
        FilmSize("A3", 297.0, 420.0),
    )
}


def film_size(film_size_id: str) -> FilmSize:
    """The film size for an ID; :class:`FilmLayoutError` for one we do not know."""
    found = FILM_SIZES.get(str(film_size_id).strip().upper())
    if found is None:
        raise FilmLayoutError(
            reason=f"unknown film size {film_size_id!r} (known: {', '.join(FILM_SIZES)})"
        )
    return found


@dataclass(frozen=True)
class BoxRect:
    """One image box on the film, in film pixels (x, y of the top-left corner)."""

    x: int
    y: int
    width: int
    height: int


_FORMAT = re.compile(r"^(STANDARD|ROW|COL)\\(\d+(?:,\d+)*)$")


@dataclass(frozen=True)
class DisplayFormat:
    """An Image Display Format (2010,0010): STANDARD\\C,R, ROW\\n1,n2,... or COL\\n1,n2,...

    ``counts``: STANDARD (columns, rows); ROW boxes per row (top to bottom); COL boxes
    per column (left to right)."""

    kind: str
    counts: tuple[int, ...]

    MAX_BOXES = 100  # per film; more is no film anyone can read

    @classmethod
    def parse(cls, text: str) -> DisplayFormat:
        value = str(text).strip().upper().replace(" ", "")
        match = _FORMAT.match(value)
        if match is None:
            raise FilmLayoutError(
                reason=f"display format {text!r} is not STANDARD\\C,R, ROW\\n,... or COL\\n,..."
            )
        kind, counts = match.group(1), tuple(int(c) for c in match.group(2).split(","))
        if kind == "STANDARD" and len(counts) != 2:
            raise FilmLayoutError(reason=f"display format {text!r}: STANDARD takes C,R")
        if any(c < 1 for c in counts):
            raise FilmLayoutError(reason=f"display format {text!r}: counts must be at least 1")
        fmt = cls(kind, counts)
        if fmt.box_count > cls.MAX_BOXES:
            raise FilmLayoutError(
                reason=f"display format {text!r}: {fmt.box_count} boxes, at most "
                f"{cls.MAX_BOXES} per film"
            )
        return fmt

    @property
    def box_count(self) -> int:
        if self.kind == "STANDARD":
            return self.counts[0] * self.counts[1]
        return sum(self.counts)

    def __str__(self) -> str:
        return f"{self.kind}\\{','.join(str(c) for c in self.counts)}"


def _split(total: int, parts: int, border: int) -> list[tuple[int, int]]:
    """``parts`` spans (start, length) filling ``total`` with ``border`` pixels before,
    between and after them; lengths differ by at most one pixel."""
    inner = total - border * (parts + 1)
    if inner < parts:
        raise FilmLayoutError(
            reason=f"{parts} boxes with a {border}-pixel border do not fit {total} pixels"
        )
    spans, start = [], border
    for i in range(parts):
        length = inner * (i + 1) // parts - inner * i // parts
        spans.append((start, length))
        start += length + border
    return spans


def layout(
    fmt: DisplayFormat | str, film_cols: int, film_rows: int, border_px: int = 0
) -> list[BoxRect]:
    """The image boxes of ``fmt`` on a film of ``film_cols`` x ``film_rows`` pixels, in
    Image Position order, ``border_px`` apart and from the film's edges."""
    if isinstance(fmt, str):
        fmt = DisplayFormat.parse(fmt)
    if film_cols < 1 or film_rows < 1 or border_px < 0:
        raise FilmLayoutError(reason=f"film matrix {film_cols} x {film_rows} is not usable")
    boxes: list[BoxRect] = []
    if fmt.kind == "STANDARD":
        cols, rows = fmt.counts
        for y, h in _split(film_rows, rows, border_px):
            for x, w in _split(film_cols, cols, border_px):
                boxes.append(BoxRect(x, y, w, h))
    elif fmt.kind == "ROW":
        for (y, h), n in zip(_split(film_rows, len(fmt.counts), border_px), fmt.counts, strict=True):
            for x, w in _split(film_cols, n, border_px):
                boxes.append(BoxRect(x, y, w, h))
    else:  # COL
        for (x, w), n in zip(_split(film_cols, len(fmt.counts), border_px), fmt.counts, strict=True):
            for y, h in _split(film_rows, n, border_px):
                boxes.append(BoxRect(x, y, w, h))
    return boxes


@dataclass(frozen=True)
class FilmSpec:
    """Everything about one film but its images: layout, size, matrix and the printer
    attributes the film session / film box carry.

    ``matrix_cols`` x ``matrix_rows`` is the printer's pixel matrix for the film size in
    PORTRAIT; LANDSCAPE swaps it (see :attr:`film_px`). Densities are in hundredths of
    optical density (as DICOM sends them); ``border_density`` and ``empty_image_density``
    are DICOM's strings (BLACK, WHITE or a number)."""

    display_format: str = "STANDARD\\1,1"
    film_size_id: str = "14INX17IN"
    orientation: Orientation = Orientation.PORTRAIT
    matrix_cols: int = 2048
    matrix_rows: int = 2488
    color: bool = False
    bits: int = 8  # 8 or 12 (grey); colour is always 8 bits per sample
    magnification: str = "CUBIC"  # REPLICATE | BILINEAR | CUBIC | NONE
    smoothing: str = ""
    border_density: str = "BLACK"
    empty_image_density: str = "BLACK"
    min_density: int | None = None
    max_density: int | None = None
    medium: str = "BLUE FILM"
    destination: str = "MAGAZINE"
    copies: int = 1
    priority: str = "MED"
    presentation_lut: bool = False
    annotations: bool = False
    true_size: bool = False
    border_px: int = 0  # film pixels between boxes and around them
    annotation_mm: float = 4.0  # height of film annotation text on film

    def __post_init__(self) -> None:
        DisplayFormat.parse(self.display_format)
        film_size(self.film_size_id)
        object.__setattr__(self, "orientation", Orientation(str(self.orientation).upper()))
        if self.bits not in (8, 12):
            raise FilmLayoutError(reason=f"{self.bits} bits: a film is 8 or 12 bits")
        if self.matrix_cols < 1 or self.matrix_rows < 1:
            raise FilmLayoutError(
                reason=f"film matrix {self.matrix_cols} x {self.matrix_rows} is not usable"
            )
        if not 1 <= self.copies <= 99:
            raise FilmLayoutError(reason=f"{self.copies} copies: 1 to 99")

    @property
    def format(self) -> DisplayFormat:
        return DisplayFormat.parse(self.display_format)

    @property
    def size(self) -> FilmSize:
        return film_size(self.film_size_id)

    @property
    def landscape(self) -> bool:
        return self.orientation == Orientation.LANDSCAPE

    @property
    def film_mm(self) -> tuple[float, float]:
        """(width, height) of the film in mm as it lies (after orientation)."""
        size = self.size
        w, h = size.width_mm, size.height_mm
        return (h, w) if self.landscape else (w, h)

    @property
    def film_px(self) -> tuple[int, int]:
        """(columns, rows) of the printer's matrix as the film lies (after orientation)."""
        c, r = self.matrix_cols, self.matrix_rows
        return (r, c) if self.landscape else (c, r)

    @property
    def pixel_mm(self) -> float:
        """Film mm per printer pixel (the mean of both axes; they agree for a printer
        whose matrix has square pixels)."""
        (wmm, hmm), (cols, rows) = self.film_mm, self.film_px
        return (wmm / cols + hmm / rows) / 2.0

    @property
    def boxes_per_film(self) -> int:
        return self.format.box_count

    def boxes(self) -> list[BoxRect]:
        """The image boxes on the film (film pixels), in Image Position order."""
        cols, rows = self.film_px
        return layout(self.format, cols, rows, self.border_px)

    def with_(self, **changes) -> FilmSpec:
        """A copy with ``changes`` (validated again)."""
        return replace(self, **changes)


@dataclass(frozen=True)
class BoxContent:
    """What one image box shows and how, as the viewer would show it.

    ``source``: the file, or (SOP Instance UID, file). ``frame``: 0-based. ``window``:
    (centre, width) in modality units, None for the image's default (colour: ignored).
    ``zoom``: on top of fitting the image in the box (1 = fit). ``pan``: (dx, dy) in box
    pixels after zoom. ``rotate``: clockwise degrees, applied before ``flip_h`` (as a
    presentation state orders them). ``invert``: grey inverted."""

    source: Path | str | tuple[str, Path | str]
    frame: int = 0
    window: tuple[float, float] | None = None
    zoom: float = 1.0
    pan: tuple[float, float] = (0.0, 0.0)
    rotate: int = 0
    flip_h: bool = False
    invert: bool = False

    def __post_init__(self) -> None:
        if self.rotate % 90 or self.rotate not in (0, 90, 180, 270):
            raise FilmLayoutError(reason=f"rotation {self.rotate}: 0, 90, 180 or 270 degrees")
        if not (self.zoom > 0 and math.isfinite(self.zoom)):
            raise FilmLayoutError(reason=f"zoom {self.zoom}: must be above 0")
        if self.frame < 0:
            raise FilmLayoutError(reason=f"frame {self.frame}: frames count from 0")

    @property
    def path(self) -> Path:
        src = self.source
        return Path(src[1]) if isinstance(src, tuple) else Path(src)

    @property
    def sop_instance_uid(self) -> str | None:
        return str(self.source[0]) if isinstance(self.source, tuple) else None

    def with_(self, **changes) -> BoxContent:
        return replace(self, **changes)


@dataclass(frozen=True)
class Sheet:
    """One film: its spec, one content (or None: empty box) per image box in Image
    Position order, and the film annotations (key -> text, see ANNOTATION_KEYS)."""

    spec: FilmSpec
    boxes: tuple[BoxContent | None, ...] = ()
    annotations: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        boxes = tuple(self.boxes)
        count = self.spec.boxes_per_film
        if len(boxes) > count:
            raise FilmLayoutError(
                reason=f"{len(boxes)} images for {count} boxes of {self.spec.display_format}"
            )
        object.__setattr__(self, "boxes", boxes + (None,) * (count - len(boxes)))
        object.__setattr__(self, "annotations", dict(self.annotations))

    @property
    def used(self) -> int:
        """The number of boxes with an image."""
        return sum(b is not None for b in self.boxes)


def paginate(
    items: Sequence[BoxContent],
    spec: FilmSpec,
    annotations: dict[str, str] | None = None,
) -> list[Sheet]:
    """``items`` flowed in order across as many sheets of ``spec`` as they need (the last
    one padded with empty boxes); no items, no sheets."""
    per = spec.boxes_per_film
    items = list(items)
    return [
        Sheet(spec, tuple(items[i : i + per]), dict(annotations or {}))
        for i in range(0, len(items), per)
    ]
