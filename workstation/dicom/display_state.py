"""Plain values describing how an image is displayed: what a GSPS stores and restores.

The viewer fills these from its current display; the GSPS builder writes them and
``imaging.gsps`` reads them back, so a saved presentation state round-trips exactly.
Coordinates are DICOM image coordinates in PIXEL units: (column, row), 1-based pixel
centres as in Graphic Data and Displayed Area TLHC/BRHC.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from workstation.errors import BuildError

Point = tuple[float, float]


class VoiFunction(StrEnum):
    """VOI LUT Function (0028,1056)."""

    LINEAR = "LINEAR"
    LINEAR_EXACT = "LINEAR_EXACT"
    SIGMOID = "SIGMOID"


class PresentationSizeMode(StrEnum):
    """Presentation Size Mode (0070,0100)."""

    SCALE_TO_FIT = "SCALE TO FIT"
    TRUE_SIZE = "TRUE SIZE"
    MAGNIFY = "MAGNIFY"


class GraphicType(StrEnum):
    """Graphic Type (0070,0023) of a graphic object."""

    POINT = "POINT"
    POLYLINE = "POLYLINE"
    INTERPOLATED = "INTERPOLATED"
    CIRCLE = "CIRCLE"
    ELLIPSE = "ELLIPSE"


class Justification(StrEnum):
    """Bounding Box Text Horizontal Justification (0070,0012)."""

    LEFT = "LEFT"
    RIGHT = "RIGHT"
    CENTER = "CENTER"


@dataclass(frozen=True)
class Window:
    """A window (VOI) in modality values (after rescale)."""

    center: float
    width: float
    function: VoiFunction = VoiFunction.LINEAR
    explanation: str = ""


@dataclass(frozen=True)
class DisplayedArea:
    """The part of the image shown and how it is scaled (Displayed Area Selection)."""

    top_left: tuple[int, int]
    bottom_right: tuple[int, int]
    size_mode: PresentationSizeMode = PresentationSizeMode.SCALE_TO_FIT
    pixel_aspect_ratio: tuple[int, int] = (1, 1)  # row, column; used unless TRUE SIZE
    pixel_spacing: tuple[float, float] | None = None  # row, column mm; TRUE SIZE only
    magnification: float | None = None  # MAGNIFY only

    @classmethod
    def oriented(
        cls,
        box: tuple[tuple[int, int], tuple[int, int]],
        rotation: int = 0,
        flip_horizontal: bool = False,
    ) -> DisplayedArea:
        """The area showing ``box`` ((min column, min row), (max column, max row)) after the
        clockwise rotation and then the flip (PS3.3 C.10.6): TLHC and BRHC name the image
        pixels that end up at the displayed top left and bottom right (C.10.4), as
        dciodvfy checks."""
        (x0, y0), (x1, y1) = box
        corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]  # shown TL, TR, BR, BL
        for _ in range((rotation // 90) % 4):
            corners = [corners[3], corners[0], corners[1], corners[2]]
        if flip_horizontal:
            corners = [corners[1], corners[0], corners[3], corners[2]]
        return cls(corners[0], corners[2])

    def box(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """The area as ((min column, min row), (max column, max row)), whatever its
        orientation."""
        (a, b), (c, d) = self.top_left, self.bottom_right
        return (min(a, c), min(b, d)), (max(a, c), max(b, d))


@dataclass(frozen=True)
class Graphic:
    """One graphic object. POINT: 1 point; CIRCLE: centre and a point on the circle;
    ELLIPSE: the major axis end points then the minor axis end points."""

    type: GraphicType
    points: tuple[Point, ...]
    filled: bool = False


@dataclass(frozen=True)
class TextAnnotation:
    """A text object placed by its anchor point, its bounding box, or both."""

    text: str
    anchor: Point | None = None
    anchor_visible: bool = False
    bounding_box: tuple[Point, Point] | None = None  # top left, bottom right
    justification: Justification = Justification.LEFT


@dataclass(frozen=True)
class GraphicLayer:
    """A named layer of graphics and texts, drawn in ascending ``order``."""

    name: str
    order: int = 1
    description: str = ""
    graphics: tuple[Graphic, ...] = ()
    texts: tuple[TextAnnotation, ...] = ()


@dataclass(frozen=True)
class DisplayState:
    """The display of one image: everything a GSPS can carry that the viewer uses."""

    window: Window | None = None
    invert: bool = False
    displayed_area: DisplayedArea | None = None
    rotation: int = 0  # clockwise degrees: 0, 90, 180 or 270
    flip_horizontal: bool = False  # applied after the rotation (PS3.3 C.10.6)
    layers: tuple[GraphicLayer, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.rotation not in (0, 90, 180, 270):
            raise BuildError(
                iod="display state",
                reason=f"rotation must be 0, 90, 180 or 270, not {self.rotation}",
            )
