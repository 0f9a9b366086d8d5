"""The viewer registry: which viewer opens a stored series, which view shows one object.

Two tables with one rule: among the entries whose ``can_open`` accepts, the highest
``priority`` wins (ties: the first registered). A *series viewer* opens a series as a
main-window tab (the 2D image viewer; the object tab for reports, documents and
waveforms); an *object view* shows one non-image object inside the object tab (SR, PDF,
CDA, waveform). Predicates see only :class:`SeriesInfo` / :class:`ObjectInfo` and are
Qt-free; what an entry opens is a callable or a ``"module:attribute"`` name imported on
first use, so this module loads without Qt and imports none of the views (no cycle).

Adding a viewer: write the widget and a function that builds it, then add one
``register_series_viewer(...)`` or ``register_object_view(...)`` call (the built-ins are
at the end of this module).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar, runtime_checkable

from pydicom.dataset import Dataset

from workstation.imaging.encapsulated import ENCAPSULATED_CDA, ENCAPSULATED_PDF
from workstation.store.series_info import SeriesInfo

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

SR_PREFIX = "1.2.840.10008.5.1.4.1.1.88."  # Structured Report Storage classes (also KOS)
WAVEFORM_PREFIX = "1.2.840.10008.5.1.4.1.1.9."  # Waveform Storage classes (ECG, ...)


@dataclass(frozen=True)
class ObjectInfo:
    """What choosing a view may look at: the SOP class (all the index knows) and, once the
    file is read, its data set."""

    sop_class: str
    dataset: Dataset | None = None

    @classmethod
    def of(cls, ds: Dataset) -> ObjectInfo:
        return cls(str(ds.get("SOPClassUID", "") or ""), ds)


@runtime_checkable
class SeriesTab(Protocol):
    """What the main window needs of a series tab: a title for the tab, a ``message``
    signal (a status-bar line), ``take_focus()`` once shown, ``shutdown()`` when closed."""

    title: str
    message: Any

    def take_focus(self) -> None: ...

    def shutdown(self) -> None: ...


Info = TypeVar("Info", SeriesInfo, ObjectInfo)


@dataclass(frozen=True)
class Viewer(Generic[Info]):
    """One registered viewer: ``opens`` is what builds it, a callable or its
    ``"module:attribute"`` name (see :data:`SeriesViewer` and :data:`ObjectView`)."""

    name: str
    can_open: Callable[[Info], bool]
    opens: Callable[..., Any] | str
    priority: int = 0

    def build(self, *args: Any) -> Any:
        return resolve(self.opens)(*args)


#: a tab kind for a whole series: ``opens(store, info, title, parent) -> SeriesTab``; the
#: title may be "" (the tab then names itself from its first header); raises if it cannot
SeriesViewer = Viewer[SeriesInfo]
#: a view of one object: ``opens(ds, parent) -> QWidget``; raises DocumentRenderError for
#: an object of its kind that cannot be read
ObjectView = Viewer[ObjectInfo]


SERIES_VIEWERS: list[SeriesViewer] = []
OBJECT_VIEWS: list[ObjectView] = []


def resolve(target: Callable[..., Any] | str) -> Callable[..., Any]:
    """A callable, or the one named ``"package.module:attribute[.attribute]"``."""
    if callable(target):
        return target
    module_name, _colon, attribute = target.partition(":")
    found: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        found = getattr(found, part)
    return found


def _register(table: list[Viewer[Any]], entry: Viewer[Any]) -> None:
    """Add ``entry`` (replacing one of the same name), keeping the table best first."""
    table[:] = [e for e in table if e.name != entry.name] + [entry]
    table.sort(key=lambda e: -e.priority)  # stable: ties keep registration order


def register_series_viewer(viewer: SeriesViewer) -> None:
    _register(SERIES_VIEWERS, viewer)


def register_object_view(view: ObjectView) -> None:
    _register(OBJECT_VIEWS, view)


def series_viewers_for(info: SeriesInfo) -> list[SeriesViewer]:
    """Every series viewer that can open ``info``, best first."""
    return [v for v in SERIES_VIEWERS if v.can_open(info)]


def series_viewer_for(info: SeriesInfo) -> SeriesViewer | None:
    """The viewer a double-click opens ``info`` in; None when nothing can show it."""
    return next(iter(series_viewers_for(info)), None)


def object_view_for(info: ObjectInfo) -> ObjectView | None:
    """The view for one object; None when no view here fits."""
    return next((v for v in OBJECT_VIEWS if v.can_open(info)), None)


def viewable_objects(info: SeriesInfo) -> list[Path]:
    """The files of the series an object view can show, in instance order."""
    return [path for sop_class, path in info.instances if object_view_for(ObjectInfo(sop_class))]


def view_for(ds: Dataset, parent: QWidget | None = None) -> QWidget | None:
    """The view for ``ds``, or None when it is not an SR, encapsulated document or waveform.

    Raises :class:`~workstation.errors.DocumentRenderError` for an object of a known kind
    that cannot be read (no content tree, no document)."""
    view = object_view_for(ObjectInfo.of(ds))
    return view.build(ds, parent) if view is not None else None


# -- the built-in viewers -------------------------------------------------------------------
def _is_pdf(o: ObjectInfo) -> bool:
    return o.sop_class == ENCAPSULATED_PDF


def _is_cda(o: ObjectInfo) -> bool:
    return o.sop_class == ENCAPSULATED_CDA


def _is_sr(o: ObjectInfo) -> bool:
    ds = o.dataset
    by_content = ds is not None and ds.get("Modality") == "SR" and "ContentSequence" in ds
    return o.sop_class.startswith(SR_PREFIX) or by_content


def _is_waveform(o: ObjectInfo) -> bool:
    ds = o.dataset
    return o.sop_class.startswith(WAVEFORM_PREFIX) or (ds is not None and "WaveformSequence" in ds)


def _has_images(info: SeriesInfo) -> bool:
    return bool(info.images)


def _has_objects(info: SeriesInfo) -> bool:
    return any(object_view_for(ObjectInfo(sop_class)) for sop_class in info.sop_classes)


VIEWS = "workstation.ui.viewers."
# name, can_open, what builds it, priority
# fmt: off
register_series_viewer(SeriesViewer(
    "images", _has_images, "workstation.ui.viewer.viewer_tab:open_image_series", 100))
register_series_viewer(SeriesViewer(
    "objects", _has_objects, VIEWS + "object_tab:open_object_series", 10))
register_object_view(ObjectView("pdf", _is_pdf, VIEWS + "pdf_view:PdfView.from_dataset", 40))
register_object_view(ObjectView(
    "cda", _is_cda, VIEWS + "sr_view:DocumentTextView.from_dataset", 30))
register_object_view(ObjectView("sr", _is_sr, VIEWS + "sr_view:SrView", 20))
register_object_view(ObjectView("waveform", _is_waveform, VIEWS + "ecg_view:EcgView", 10))
# fmt: on
