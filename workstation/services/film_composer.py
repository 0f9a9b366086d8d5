"""What the film composer edits (Qt-free): images in film order, the film spec, sheets.

A :class:`FilmComposer` holds the images (:class:`~workstation.services.print_compose.PrintImage`,
each with its stored instance's header for the film annotations) in the order they flow
onto the films, and the :class:`~workstation.printing.film.FilmSpec` of the chosen
printer. :meth:`FilmComposer.sheets` cuts them into sheets the way ``workstation print``
does (a new sheet with every study, each study across as many sheets as it needs), so a
film's annotations hold for every image on it. The sheets go, unchanged, to
:func:`~workstation.imaging.film_render.render_sheet` for the preview, to the "print" job
(:meth:`FilmComposer.job_params`), to PDF and to the system printer: the preview shows
the raster that is sent.

Every edit bumps :attr:`FilmComposer.revision`; a rendered raster is good for the
revision it was made at (the composer tab renders off the GUI thread and drops results
of an older revision).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from pydicom.dataset import Dataset

from workstation.errors import FilmLayoutError, PrintSelectionError
from workstation.imaging import luts
from workstation.imaging.pipeline import FrameSource
from workstation.printing.film import BoxContent, FilmSpec, Sheet
from workstation.services import print_job
from workstation.services.print_compose import (
    PrintImage,
    printable_images,
    sheet_annotations,
    sheet_groups,
)
from workstation.services.viewer_objects import key_images_for_series
from workstation.store.local_store import LocalStore

SCALE_LABEL = "1 cm"  # the film annotation under the scale bar
EDITABLE = ("window", "zoom", "pan", "rotate", "flip_h", "invert")


@dataclass(frozen=True)
class AddResult:
    """What an add did: images added, instances left out (no pixel data, unreadable) and
    images left out because only key images were asked for."""

    added: int
    skipped: tuple[str, ...] = ()
    not_key: int = 0


@dataclass(frozen=True)
class Placement:
    """Where an image is: its sheet and box (0-based)."""

    sheet: int
    box: int


class FilmComposer:
    """The composition being edited. Not thread-safe: edit on one thread; hand
    :meth:`sheets` (immutable) to other threads."""

    def __init__(self, store: LocalStore, spec: FilmSpec) -> None:
        self.store = store
        self.spec = spec
        self.images: list[PrintImage] = []
        self.headers: dict[str, Dataset] = {}
        self.revision = 0
        self._layout: list[list[int]] | None = None
        self._windows: dict[tuple[str, int], tuple[float, float] | None] = {}

    # -- edits -----------------------------------------------------------------------------
    def _changed(self) -> None:
        self.revision += 1
        self._layout = None

    def set_spec(self, spec: FilmSpec) -> bool:
        """Use ``spec``; True when it changed anything."""
        if spec == self.spec:
            return False
        self.spec = spec
        self._changed()
        return True

    def add_uids(
        self,
        uids: Iterable[str],
        *,
        at: int | None = None,
        key_images_only: bool = False,
    ) -> AddResult:
        """The images (one per frame) of studies, series or instances, in index order,
        inserted before image ``at`` (default: at the end). ``key_images_only``: only the
        images a key object note in the store flags.

        Raises :class:`PrintSelectionError` when a UID is not in the store."""
        found, skipped = printable_images(self.store, uids)
        not_key = 0
        if key_images_only:
            keys: set[str] = set()
            for series in dict.fromkeys(image.series_uid for image, _ in found):
                keys |= key_images_for_series(self.store, series)
            kept = [(image, ds) for image, ds in found if image.sop_uid in keys]
            not_key = len(found) - len(kept)
            found = kept
        return AddResult(self.insert(found, at), tuple(skipped), not_key)

    def add_image(
        self,
        sop_uid: str,
        frame: int = 0,
        *,
        at: int | None = None,
        **display: Any,
    ) -> AddResult:
        """One image (``frame`` of a stored instance) shown as ``display`` says (window,
        zoom, pan, rotate, flip_h, invert: what the viewer shows)."""
        found, skipped = printable_images(self.store, [sop_uid])
        chosen = [(image, ds) for image, ds in found if image.frame == frame]
        if not chosen:
            if skipped:
                return AddResult(0, tuple(skipped))
            raise PrintSelectionError(reason=f"image {sop_uid} has no frame {frame + 1}")
        image, ds = chosen[0]
        image = replace(image, content=image.content.with_(**_display(display)))
        return AddResult(self.insert([(image, ds)], at))

    def insert(self, images: Sequence[tuple[PrintImage, Dataset]], at: int | None = None) -> int:
        """Insert ``images`` (with their headers) before image ``at``; how many."""
        where = len(self.images) if at is None else max(0, min(int(at), len(self.images)))
        self.images[where:where] = [image for image, _ in images]
        for image, ds in images:
            self.headers.setdefault(image.sop_uid, ds)
        if images:
            self._changed()
        return len(images)

    def update(self, index: int, **changes: Any) -> None:
        """Change how image ``index`` is shown (window, zoom, pan, rotate, flip_h,
        invert); :class:`FilmLayoutError` for a value a box cannot take."""
        image = self.images[index]
        content = image.content.with_(**_display(changes))
        if content != image.content:
            self.images[index] = replace(image, content=content)
            self._changed()

    def reset(self, index: int) -> None:
        """Image ``index`` shown as it first was: default window, fitted, upright."""
        self.update(index, window=None, zoom=1.0, pan=(0.0, 0.0), rotate=0, flip_h=False,
                    invert=False)  # fmt: skip

    def remove(self, index: int) -> None:
        if 0 <= index < len(self.images):
            del self.images[index]
            self._changed()

    def move(self, index: int, to: int) -> None:
        """Move image ``index`` so that it becomes image ``to``."""
        if not 0 <= index < len(self.images):
            return
        to = max(0, min(int(to), len(self.images) - 1))
        if to != index:
            self.images.insert(to, self.images.pop(index))
            self._changed()

    def clear(self) -> None:
        if self.images:
            self.images.clear()
            self.headers.clear()
            self._windows.clear()
            self._changed()

    # -- sheets ----------------------------------------------------------------------------
    def layout(self) -> list[list[int]]:
        """The image indices on each sheet: a new sheet with every study; at least one
        (empty) sheet."""
        if self._layout is None:
            self._layout = sheet_groups(self.images, self.spec.boxes_per_film)
        return self._layout

    @property
    def sheet_count(self) -> int:
        return len(self.layout())

    def sheet(self, number: int) -> Sheet:
        """Sheet ``number`` (0-based) as it is printed: boxes and film annotations."""
        indices = self.layout()[number]
        images = [self.images[i] for i in indices]
        texts: dict[str, str] = {}
        if self.spec.annotations and images:
            texts = sheet_annotations(self.headers[images[0].sop_uid], images, SCALE_LABEL)
        return Sheet(self.spec, tuple(i.content for i in images), texts)

    def sheets(self) -> list[Sheet]:
        """Every sheet with an image (none when the composition is empty)."""
        if not self.images:
            return []
        return [self.sheet(n) for n in range(self.sheet_count)]

    def image_at(self, sheet: int, box: int) -> int | None:
        """The image shown in ``box`` of ``sheet``, or None (empty box)."""
        layout = self.layout()
        if not 0 <= sheet < len(layout) or not 0 <= box < len(layout[sheet]):
            return None
        return layout[sheet][box]

    def placement(self, index: int) -> Placement | None:
        """Where image ``index`` is on the films."""
        for sheet, indices in enumerate(self.layout()):
            if index in indices:
                return Placement(sheet, indices.index(index))
        return None

    def insert_index(self, sheet: int, box: int) -> int:
        """The image index a drop on ``box`` of ``sheet`` inserts before: that box's
        image, or after the sheet's last image when the box is empty."""
        at = self.image_at(sheet, box)
        if at is not None:
            return at
        layout = self.layout()
        if 0 <= sheet < len(layout) and layout[sheet]:
            return layout[sheet][-1] + 1
        return len(self.images)

    def describe(self, index: int) -> str:
        """``Se 2 Im 14`` (``Fr 3`` for a frame of a multi-frame image) of image ``index``."""
        image = self.images[index]
        se = image.series_number if image.series_number is not None else "-"
        im = image.instance_number if image.instance_number is not None else "-"
        text = f"Se {se} Im {im}"
        return text + (f" Fr {image.frame + 1}" if image.frames > 1 else "")

    def window_of(self, index: int) -> tuple[float, float] | None:
        """The window image ``index`` is shown with: its own, else the one the viewer
        opens it with (a VOI LUT's range as a window); None for colour images. The
        default is found once per image (it decodes the pixels)."""
        content = self.images[index].content
        if content.window is not None:
            return content.window
        key = (str(content.path), content.frame)
        if key not in self._windows:
            self._windows[key] = default_window(content)
        return self._windows[key]

    # -- output ----------------------------------------------------------------------------
    def job_params(self, printer: str, first: int = 0, count: int | None = None) -> dict[str, Any]:
        """The "print" job's parameters for sheets ``first`` .. ``first + count`` on the
        printer profile ``printer``. :class:`PrintSelectionError` when nothing to print."""
        if not self.images:
            raise PrintSelectionError(reason="the films hold no image")
        end = self.sheet_count if count is None else min(first + count, self.sheet_count)
        return print_job.print_params(printer, [self.sheet(n) for n in range(first, end)])

    def job_batches(self, queue_limit: int) -> list[tuple[int, int]]:
        """(first sheet, count) of each print job: at most ``queue_limit`` sheets per job
        (the printer's queue holds that many, extract-001 5.4), in film order."""
        if queue_limit < 1:
            raise FilmLayoutError(reason=f"queue limit {queue_limit}: at least 1")
        total = self.sheet_count if self.images else 0
        return [(first, min(queue_limit, total - first)) for first in range(0, total, queue_limit)]


def _display(values: dict[str, Any]) -> dict[str, Any]:
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise FilmLayoutError(reason=f"a box has no {', '.join(sorted(unknown))}")
    out = dict(values)
    if "window" in out and out["window"] is not None:
        centre, width = (float(v) for v in out["window"])
        if not width > 0:
            raise FilmLayoutError(reason=f"window width {width}: must be above 0")
        out["window"] = (centre, width)
    if "pan" in out:
        out["pan"] = tuple(float(v) for v in out["pan"])
    if "rotate" in out:
        out["rotate"] = int(out["rotate"]) % 360
    return out


def default_window(content: BoxContent) -> tuple[float, float] | None:
    """(centre, width) the viewer opens ``content``'s frame with; None for colour."""
    frames = FrameSource(content.path)
    if frames.is_colour:
        return None
    window = frames.default_window(content.frame)
    if not isinstance(window, luts.Window):  # a VOI LUT (or none): its values' range
        values = luts.modality_lut(frames.stored(content.frame), frames.ds, content.frame)
        window = luts.auto_window(values)
    return float(window.center), float(window.width)
