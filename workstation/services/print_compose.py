"""Films composed from the store: study, series or instance UIDs -> sheets of a film spec.

The UIDs are taken in the order given (a UID already covered by an earlier one adds
nothing); the instances of each in index order (series number, instance number). Every
image fills one box; a multi-frame image one box per frame. Instances without pixel data
(SR, KOS, presentation states) are left out and reported. A new sheet starts with every
study, so that each film's annotations (patient, study, date, institution) hold for every
image on it; a study flows across as many sheets as it needs (:func:`sheet_groups`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from pydicom.dataset import Dataset

from workstation.dicom.read import read_dicom
from workstation.errors import PrintSelectionError, WorkstationError
from workstation.imaging import pixels
from workstation.printing.film import BoxContent, FilmSpec, Sheet
from workstation.store.local_store import LocalStore
from workstation.store.selection import StoredInstance, select_instances


@dataclass(frozen=True)
class PrintImage:
    """One box's image: what it shows and where it comes from (for the annotations)."""

    content: BoxContent
    study_uid: str
    series_uid: str
    sop_uid: str
    series_number: int | None
    instance_number: int | None
    frame: int  # 0-based
    frames: int


@dataclass(frozen=True)
class Composition:
    """The sheets, the images on them in order, and the instances left out (no pixels)."""

    sheets: tuple[Sheet, ...]
    images: tuple[PrintImage, ...]
    skipped: tuple[str, ...]


def _number(value: object) -> int | None:
    try:
        return int(str(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def _date(value: object) -> str:
    text = str(value or "").strip()
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if len(text) == 8 and text.isdigit() else text


def _name(ds: Dataset) -> str:
    name = ds.get("PatientName")
    if not name:
        return ""
    try:
        text = name.family_comma_given()
    except (AttributeError, TypeError):
        text = str(name)
    return text.strip(", ") or str(name)


def _series_text(images: Sequence[PrintImage]) -> str:
    """``Se 2 Im 1-20`` per series on the sheet (frames as ``Im 5 Fr 1-10``)."""
    parts: list[str] = []
    runs: dict[str, list[PrintImage]] = {}
    for image in images:
        runs.setdefault(image.series_uid, []).append(image)
    for run in runs.values():
        se = run[0].series_number
        label = f"Se {se}" if se is not None else "Se -"
        numbers = [i.instance_number for i in run if i.instance_number is not None]
        if run[0].frames > 1 and all(i.sop_uid == run[0].sop_uid for i in run):
            im = run[0].instance_number
            frames = f"Fr {run[0].frame + 1}-{run[-1].frame + 1}"
            parts.append(f"{label} Im {im if im is not None else '-'} {frames}")
        elif numbers:
            lo, hi = min(numbers), max(numbers)
            parts.append(f"{label} Im {lo}" + (f"-{hi}" if hi != lo else ""))
        else:
            parts.append(label)
    return "; ".join(parts)


def sheet_annotations(header: Dataset, images: Sequence[PrintImage], scale: str = "") -> dict:
    """The film annotations (film.ANNOTATION_KEYS) of a sheet from its study's header."""
    patient = _name(header)
    pid = str(header.get("PatientID", "") or "").strip()
    study = " ".join(
        str(header.get(k, "") or "").strip() for k in ("StudyDescription", "AccessionNumber")
    ).strip()
    texts = {
        "patient": f"{patient} ({pid})" if pid and patient else patient or pid,
        "study": study,
        "date": _date(header.get("StudyDate") or header.get("SeriesDate")),
        "series": _series_text(images),
        "institution": str(header.get("InstitutionName", "") or "").strip(),
        "scale": scale,
    }
    return {k: v for k, v in texts.items() if v}


def _ordered(store: LocalStore, uids: Iterable[str]) -> list[StoredInstance]:
    wanted = list(dict.fromkeys(u.strip() for u in uids if u and u.strip()))
    unknown = select_instances(store, wanted).unknown
    if unknown:
        raise PrintSelectionError(
            reason=f"{len(unknown)} UID(s) not in the local store: {', '.join(unknown)}"
        )
    seen: set[str] = set()
    out: list[StoredInstance] = []
    for uid in wanted:
        for inst in select_instances(store, [uid]).instances:
            if inst.sop_uid not in seen:
                seen.add(inst.sop_uid)
                out.append(inst)
    return out


def printable_images(
    store: LocalStore, uids: Iterable[str], *, window: tuple[float, float] | None = None
) -> tuple[list[tuple[PrintImage, Dataset]], list[str]]:
    """The boxes' images for ``uids`` in print order, each with its header (no pixels),
    and the SOP Instance UIDs left out (no pixel data, unreadable)."""
    headers: list[tuple[StoredInstance, Dataset]] = []
    skipped: list[str] = []
    for inst in _ordered(store, uids):
        try:
            ds = read_dicom(inst.path, stop_before_pixels=True)
        except (WorkstationError, OSError, ValueError):
            skipped.append(inst.sop_uid)
            continue
        headers.append((inst, ds))
    # within a UID's instances the index orders by series UID: use the series number
    order = {id(ds): n for n, (_, ds) in enumerate(headers)}
    study_first = {}
    for n, (inst, _) in enumerate(headers):
        study_first.setdefault(inst.study_uid, n)

    def key(item: tuple[StoredInstance, Dataset]) -> tuple:
        inst, ds = item
        se = _number(ds.get("SeriesNumber"))
        im = _number(ds.get("InstanceNumber"))
        return (study_first[inst.study_uid], se if se is not None else 1 << 31,
                inst.series_uid, im if im is not None else 1 << 31, order[id(ds)])  # fmt: skip

    images: list[tuple[PrintImage, Dataset]] = []
    for inst, ds in sorted(headers, key=key):
        # the header is read without Pixel Data: an image is what has Rows and Columns
        if "Rows" not in ds or "Columns" not in ds:
            skipped.append(inst.sop_uid)
            continue
        frames = pixels.frame_count(ds)
        for frame in range(frames):
            content = BoxContent(source=(inst.sop_uid, inst.path), frame=frame, window=window)
            image = PrintImage(content, inst.study_uid, inst.series_uid, inst.sop_uid,
                               _number(ds.get("SeriesNumber")),
                               _number(ds.get("InstanceNumber")), frame, frames)  # fmt: skip
            images.append((image, ds))
    return images, skipped


def sheet_groups(images: Sequence[PrintImage], per: int) -> list[list[int]]:
    """The indices of ``images`` on each sheet of ``per`` boxes: in order, a new sheet
    with every study (so that a film's annotations hold for all its images); at least
    one (empty) sheet."""
    sheets: list[list[int]] = []
    current: list[int] = []
    study = None
    for index, image in enumerate(images):
        if current and (len(current) == per or image.study_uid != study):
            sheets.append(current)
            current = []
        current.append(index)
        study = image.study_uid
    sheets.append(current)
    return sheets


def compose(
    store: LocalStore,
    uids: Iterable[str],
    spec: FilmSpec,
    *,
    window: tuple[float, float] | None = None,
    scale: str = "",
) -> Composition:
    """The sheets of ``spec`` showing every image (or frame) the UIDs name, a new sheet
    per study; film annotations filled when ``spec.annotations``.

    Raises :class:`PrintSelectionError` for UIDs not in the store or nothing printable."""
    images, skipped = printable_images(store, uids, window=window)
    if not images:
        raise PrintSelectionError(reason="the UIDs name no image with pixel data")
    sheets: list[Sheet] = []
    for group in sheet_groups([image for image, _ in images], spec.boxes_per_film):
        on_sheet = [images[i][0] for i in group]
        texts = sheet_annotations(images[group[0]][1], on_sheet, scale) if spec.annotations else {}
        sheets.append(Sheet(spec, tuple(i.content for i in on_sheet), texts))
    return Composition(tuple(sheets), tuple(i for i, _ in images), tuple(skipped))


# -- printing a composition with the Print SCU -------------------------------------------
def _density(value: str | None) -> str | int | None:
    text = str(value or "").strip().upper()
    if not text:
        return None
    return int(text) if text.isdigit() else text


def print_sheet_for(sheet: Sheet, rendered: object | None = None) -> object:
    """The Print SCU's ``PrintSheet`` of ``sheet``: film box values from its spec, each
    box rendered at the printer's matrix (None for an empty box), film annotations as
    annotation box texts (1: patient, date, institution; 2: study, series, scale)."""
    from workstation.dicom.builders.print import FilmBoxValues
    from workstation.imaging.film_render import render_sheet
    from workstation.net.scu.print import PrintSheet

    spec = sheet.spec
    if rendered is None:
        rendered = render_sheet(sheet)
    boxes = [
        pixels if content is not None else None
        for content, pixels in zip(sheet.boxes, rendered.boxes, strict=False)
    ]
    film = FilmBoxValues(
        display_format=spec.display_format, film_size_id=spec.film_size_id,
        orientation=str(spec.orientation), magnification=spec.magnification or None,
        smoothing=spec.smoothing or None, border_density=_density(spec.border_density),
        empty_image_density=_density(spec.empty_image_density),
        min_density=spec.min_density, max_density=spec.max_density,
    )  # fmt: skip
    texts = sheet.annotations
    annotations: dict[int, str] = {}
    if spec.annotations and texts:
        first = "  ".join(texts[k] for k in ("patient", "date", "institution") if texts.get(k))
        second = "  ".join(texts[k] for k in ("study", "series", "scale") if texts.get(k))
        annotations = {n: t[:64] for n, t in ((1, first), (2, second)) if t}
    return PrintSheet(film=film, boxes=boxes, annotations=annotations)


def print_composition(printer, settings, sheets: Sequence[Sheet], *, cancel=None,
                      on_sheet=None, on_event=None):  # fmt: skip
    """Print ``sheets`` (one spec) on ``printer`` (a PrinterProfile) in one film session,
    directly with the Print SCU; returns its ``PrintOutcome``."""
    from workstation.dicom.builders.print import FilmSessionValues
    from workstation.net.association import LocalAE
    from workstation.net.scu.print import print_sheets

    spec = sheets[0].spec
    session = FilmSessionValues(copies=spec.copies, priority=spec.priority,
                                medium=spec.medium or None,
                                destination=spec.destination or None)  # fmt: skip
    return print_sheets(
        printer, LocalAE.from_settings(settings), session,
        [print_sheet_for(s) for s in sheets], color=spec.color, bits=spec.bits,
        presentation_lut=spec.presentation_lut, cancel=cancel, on_event=on_event,
        on_sheet=on_sheet,
    )  # fmt: skip
