"""Film rasters at the printer's matrix: each box rendered once from the source pixels.

One box: stored values -> the viewer's pipeline (:mod:`workstation.imaging.pipeline`:
modality LUT, VOI, MONOCHROME1/invert, overlays, shutters) as 0..1 values at the source
resolution -> rotate/flip (exact) -> one resample (Pillow, antialiased) straight to the
box's pixels -> 8 bit (uint8), 12 bit (uint16, 0..4095) or RGB (uint8). At the source's
own size nothing is resampled, so an 8-bit box is the viewer's image pixel for pixel.

A sheet: the boxes placed on the film raster (border and empty boxes at their
densities), the film annotations burned in at a height given in mm, and the boxes cut
back out of that raster, so what the preview shows is what is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from workstation.imaging import luts, pixels
from workstation.imaging.frame_cache import FrameCache
from workstation.imaging.pipeline import (
    FrameSource,
    grey_unit,
    overlay_masks,
    shutter_grey,
    shutter_mask,
)
from workstation.printing.film import BoxContent, BoxRect, FilmSpec, Sheet

FONT_PATHS = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)
RESAMPLE = {
    "REPLICATE": Image.Resampling.NEAREST,
    "BILINEAR": Image.Resampling.BILINEAR,
    "CUBIC": Image.Resampling.BICUBIC,
}
ANNOTATION_MARGIN_MM = 2.0
HALO_FRACTION = 0.12  # the black outline of film annotations, of the letters' height


@dataclass(frozen=True)
class RenderedBox:
    """One rendered box and how it was scaled.

    ``scale``: (x, y) box pixels per source pixel after rotation. ``true_size``: None
    when true size was not asked, else whether the box is at true size; ``reason`` says
    why not (or which spacing it used)."""

    pixels: np.ndarray
    scale: tuple[float, float] = (1.0, 1.0)
    true_size: bool | None = None
    reason: str = ""
    mm_per_source_px: tuple[float, float] | None = None  # (x, y) on the patient


@dataclass
class SheetRaster:
    """A rendered sheet: the film raster (rows, cols[, 3]), the boxes' rects on it (film
    pixels, Image Position order) and each box's pixels (cut from the film raster after
    the annotations, None for an empty box) with how it was rendered."""

    spec: FilmSpec
    film: np.ndarray
    rects: list[BoxRect]
    boxes: list[np.ndarray | None]
    rendered: list[RenderedBox | None] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        """The true-size reasons per box worth telling the user (box number: reason)."""
        return [
            f"box {i + 1}: {r.reason}"
            for i, r in enumerate(self.rendered)
            if r is not None and r.true_size is False
        ]


# -- source -> 0..1 ----------------------------------------------------------------------
def max_value(bits: int) -> int:
    return 4095 if bits == 12 else 255


def _unit_image(frames: FrameSource, frame: int, window, invert: bool) -> np.ndarray:
    """The frame as the viewer's pipeline shows it, as float 0..1 (H x W or H x W x 3):
    what :func:`pipeline.render_stored` returns before its 8-bit rounding."""
    ds = frames.ds
    pixels.check_frame(ds, frame, frames.name)
    stored = frames.stored(frame)
    photometric = pixels.photometric(ds)
    if photometric == "PALETTE COLOR":
        unit = pixels.palette_to_rgb(stored, ds).astype(np.float64) / 255.0
    elif stored.ndim == 3:
        bits = int(ds.get("BitsStored", 8) or 8)
        unit = pixels.colour_to_8bit(stored[..., :3], bits).astype(np.float64) / 255.0
    else:
        unit = grey_unit(stored, ds, frame, window)
        if luts.inverts(photometric) != invert:
            unit = 1.0 - unit
    if unit.ndim == 3 and invert:
        unit = 1.0 - unit
    shape = unit.shape[:2]
    masks = overlay_masks(ds, frame, shape, stored)
    open_ = shutter_mask(ds, shape)
    if masks or open_ is not None:
        unit = np.array(unit, dtype=np.float64, copy=True)
        for mask in masks:
            unit[mask] = 1.0
        if open_ is not None:
            unit[~open_] = shutter_grey(ds) / 255.0
    return unit


def pixel_spacing(ds, frame: int = 0) -> tuple[tuple[float, float] | None, str]:
    """(row spacing, column spacing) mm and where it came from: Pixel Spacing (top level
    or the frame's Pixel Measures), else Imager Pixel Spacing; (None, reason) without."""
    for source, what in (
        (ds, "Pixel Spacing"),
        (luts.frame_item(ds, frame, "PixelMeasuresSequence"), "Pixel Spacing"),
    ):
        if source is not None:
            values = luts.numbers(source.get("PixelSpacing"))
            if len(values) >= 2 and values[0] > 0 and values[1] > 0:
                return (values[0], values[1]), what
    values = luts.numbers(ds.get("ImagerPixelSpacing"))
    if len(values) >= 2 and values[0] > 0 and values[1] > 0:
        return (values[0], values[1]), "Imager Pixel Spacing (at the detector)"
    return None, "the image has no Pixel Spacing or Imager Pixel Spacing"


# -- geometry and resampling -------------------------------------------------------------
def _resample(unit: np.ndarray, size: tuple[int, int], box, method) -> np.ndarray:
    """``box`` (x0, y0, x1, y1, source pixels) of ``unit`` resampled to ``size`` (w, h)."""
    if unit.ndim == 3:
        return np.stack([_resample(unit[..., c], size, box, method) for c in range(3)], -1)
    image = Image.fromarray(np.ascontiguousarray(unit, dtype=np.float32), mode="F")
    return np.asarray(image.resize(size, method, box=box), dtype=np.float64)


def _place(
    unit: np.ndarray,
    width: int,
    height: int,
    scale: tuple[float, float],
    pan: tuple[float, float],
    method,
) -> np.ndarray:
    """``unit`` scaled by ``scale``, centred in a ``width`` x ``height`` box, moved by
    ``pan`` box pixels; outside the image 0 (black)."""
    rows, cols = unit.shape[:2]
    sx, sy = scale
    ox = (width - cols * sx) / 2.0 + pan[0]
    oy = (height - rows * sy) / 2.0 + pan[1]
    out = np.zeros((height, width, *unit.shape[2:]), dtype=np.float64)
    x0, x1 = max(0, round(ox)), min(width, round(ox + cols * sx))
    y0, y1 = max(0, round(oy)), min(height, round(oy + rows * sy))
    if x1 <= x0 or y1 <= y0:
        return out
    if sx == 1.0 and sy == 1.0 and ox == round(ox) and oy == round(oy):
        # the source's own size: cut, nothing resampled
        out[y0:y1, x0:x1] = unit[y0 - int(oy) : y1 - int(oy), x0 - int(ox) : x1 - int(ox)]
        return out
    box = ((x0 - ox) / sx, (y0 - oy) / sy, (x1 - ox) / sx, (y1 - oy) / sy)
    box = (max(0.0, box[0]), max(0.0, box[1]), min(float(cols), box[2]), min(float(rows), box[3]))
    out[y0:y1, x0:x1] = _resample(unit, (x1 - x0, y1 - y0), box, method)
    return out


def quantize(unit: np.ndarray, bits: int, color: bool) -> np.ndarray:
    """0..1 -> uint8 (8 bit, RGB) or uint16 0..4095 (12 bit); grey to RGB by copying,
    RGB to grey by luminance (Rec. 601)."""
    if color and unit.ndim == 2:
        unit = np.repeat(unit[..., None], 3, axis=2)
    elif not color and unit.ndim == 3:
        unit = unit @ np.array([0.299, 0.587, 0.114])
    if color or bits != 12:
        return luts.to_uint8(unit)
    return np.rint(np.clip(unit, 0.0, 1.0) * 4095.0).astype(np.uint16)


def _frames_for(content: BoxContent, cache: dict | None) -> FrameSource:
    key = str(content.path)
    if cache is not None and key in cache:
        return cache[key]
    frames = FrameSource(content.path, cache=FrameCache(), key=key)
    if cache is not None:
        cache[key] = frames
    return frames


# -- one box -----------------------------------------------------------------------------
def render_box_detail(
    content: BoxContent,
    width_px: int,
    height_px: int,
    *,
    bits: int = 8,
    color: bool = False,
    true_size_pixel_mm: float | None = None,
    magnification: str = "CUBIC",
    frames: FrameSource | None = None,
) -> RenderedBox:
    """Render ``content`` into a ``width_px`` x ``height_px`` box; see :func:`render_box`."""
    if frames is None:
        frames = _frames_for(content, None)
    window = None if frames.is_colour else content.window
    if window is None and not frames.is_colour:
        window = frames.default_window(content.frame)
    unit = _unit_image(frames, content.frame, window, content.invert)
    unit = np.rot90(unit, k=-(content.rotate // 90))
    if content.flip_h:
        unit = unit[:, ::-1]
    rows, cols = unit.shape[:2]
    fit = min(width_px / cols, height_px / rows)
    scale = (fit * content.zoom, fit * content.zoom)
    true_size, reason, mm = None, "", None
    spacing, where = pixel_spacing(frames.ds, content.frame)
    if spacing is not None:
        row_mm, col_mm = spacing
        mm = (row_mm, col_mm) if content.rotate in (90, 270) else (col_mm, row_mm)
    if true_size_pixel_mm is not None:
        if mm is None:
            true_size, reason = False, f"not at true size: {where}; fitted to the box"
        else:
            sx, sy = mm[0] / true_size_pixel_mm, mm[1] / true_size_pixel_mm
            if cols * sx > width_px + 0.5 or rows * sy > height_px + 0.5:
                need = (cols * mm[0], rows * mm[1])
                have = (width_px * true_size_pixel_mm, height_px * true_size_pixel_mm)
                true_size = False
                reason = (
                    f"not at true size: the image is {need[0]:.0f} x {need[1]:.0f} mm, the "
                    f"box {have[0]:.0f} x {have[1]:.0f} mm; fitted to the box"
                )
            else:
                true_size, scale = True, (sx, sy)
                reason = f"true size from {where}"
    method = RESAMPLE.get(magnification.strip().upper(), Image.Resampling.BICUBIC)
    placed = _place(unit, width_px, height_px, scale, content.pan, method)
    return RenderedBox(quantize(placed, bits, color), scale, true_size, reason, mm)


def render_box(
    content: BoxContent,
    width_px: int,
    height_px: int,
    *,
    bits: int = 8,
    color: bool = False,
    true_size_pixel_mm: float | None = None,
    magnification: str = "CUBIC",
    frames: FrameSource | None = None,
) -> np.ndarray:
    """``content`` rendered once from its source pixels into a box of ``width_px`` x
    ``height_px``: (rows, cols) uint8 / uint16 (12 bit, 0..4095) MONOCHROME2, or
    (rows, cols, 3) uint8 RGB when ``color``. Fitted (aspect kept, centred; then
    ``zoom``/``pan``), or at true size when ``true_size_pixel_mm`` (film mm per pixel)
    is given and the image's spacing allows it (else fitted: see
    :func:`render_box_detail`'s ``reason``). Outside the image: black."""
    return render_box_detail(
        content,
        width_px,
        height_px,
        bits=bits,
        color=color,
        true_size_pixel_mm=true_size_pixel_mm,
        magnification=magnification,
        frames=frames,
    ).pixels


# -- annotations -------------------------------------------------------------------------
def font_for(height_px: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A TrueType font whose capital letters are ``height_px`` tall (DejaVu Sans, else
    Pillow's built-in scalable font)."""
    target = max(1.0, float(height_px))

    def load(size: int):
        for path in FONT_PATHS:
            if path.is_file():
                return ImageFont.truetype(str(path), size)
        return ImageFont.load_default(size=size)

    probe = load(200)
    left, top, right, bottom = probe.getbbox("H")
    size = max(1, round(target * 200 / max(1, bottom - top)))
    for _ in range(4):  # hinting: correct to the pixel
        font = load(size)
        _, top, _, bottom = font.getbbox("H")
        ink = bottom - top
        if abs(ink - target) <= 0.5 or size <= 1:
            break
        size = max(1, size + (1 if ink < target else -1))
    return font


def _burn(raster: np.ndarray, mask: np.ndarray, value: float) -> None:
    """Blend ``value`` into ``raster`` where ``mask`` (uint8 coverage) is set."""
    ys, xs = np.nonzero(mask)  # only the inked pixels: text covers a sliver of a film
    alpha = mask[ys, xs].astype(np.float64) / 255.0
    if raster.ndim == 3:
        alpha = alpha[:, None]
    blended = raster[ys, xs].astype(np.float64) * (1.0 - alpha) + value * alpha
    raster[ys, xs] = np.rint(blended).astype(raster.dtype)


def annotate(
    raster: np.ndarray,
    texts: Mapping[str, str],
    spec: FilmSpec,
    *,
    scale_px_per_mm: float | None = None,
) -> np.ndarray:
    """Film annotations burned into ``raster`` (changed in place and returned), white
    with a black outline, capital letters ``spec.annotation_mm`` tall on film: patient
    top left, study and date top right, series bottom left, institution bottom right;
    ``scale`` (its text the label) as a 1 cm bar of ``scale_px_per_mm`` film pixels per
    patient mm, bottom centre."""
    rows, cols = raster.shape[:2]
    height = spec.annotation_mm / spec.pixel_mm
    font = font_for(height)
    margin = round(spec.border_px + ANNOTATION_MARGIN_MM / spec.pixel_mm)
    line = round(height * 1.5)
    mask = Image.new("L", (cols, rows), 0)
    draw = ImageDraw.Draw(mask)
    # a black outline around every letter and the bar, so that text stays readable
    # over white parts of an image (burned first, the white over it)
    halo = Image.new("L", (cols, rows), 0)
    halo_draw = ImageDraw.Draw(halo)
    stroke = max(1, round(height * HALO_FRACTION))
    top_ascent = font.getbbox("H")[1]

    def put(lines: list[str], left: bool, top: bool) -> None:
        lines = [s for s in lines if s]
        for i, text in enumerate(lines):
            width = draw.textlength(text, font=font)
            x = margin if left else cols - margin - width
            k = i if top else len(lines) - 1 - i
            y = margin + k * line if top else rows - margin - round(height) - k * line
            halo_draw.text((x, y - top_ascent), text, fill=255, font=font,
                           stroke_width=stroke, stroke_fill=255)  # fmt: skip
            draw.text((x, y - top_ascent), text, fill=255, font=font)

    get = {k: str(v) for k, v in texts.items() if v}
    put([get.get("patient", "")], left=True, top=True)
    put([get.get("study", ""), get.get("date", "")], left=False, top=True)
    put([get.get("series", "")], left=True, top=False)
    put([get.get("institution", "")], left=False, top=False)
    if "scale" in get and scale_px_per_mm:
        bar = round(10 * scale_px_per_mm)
        thick = max(1, round(0.5 / spec.pixel_mm))
        x0 = (cols - bar) // 2
        y1 = rows - margin
        halo_draw.rectangle((x0 - stroke, y1 - thick - stroke, x0 + bar - 1 + stroke,
                             y1 - 1 + stroke), fill=255)  # fmt: skip
        draw.rectangle((x0, y1 - thick, x0 + bar - 1, y1 - 1), fill=255)
        width = draw.textlength(get["scale"], font=font)
        y = y1 - thick - round(height * 0.5) - round(height)
        halo_draw.text(((cols - width) / 2, y - top_ascent), get["scale"], fill=255, font=font,
                       stroke_width=stroke, stroke_fill=255)  # fmt: skip
        draw.text(((cols - width) / 2, y - top_ascent), get["scale"], fill=255, font=font)
    value = 255 if raster.ndim == 3 or raster.dtype == np.uint8 else max_value(spec.bits)
    _burn(raster, np.asarray(halo), 0)
    _burn(raster, np.asarray(mask), value)
    return raster


# -- a sheet -----------------------------------------------------------------------------
def density_value(density: str, spec: FilmSpec) -> int:
    """A border / empty-image density as a pixel value: WHITE the top, else black (the
    printer applies numeric densities itself)."""
    return max_value(8 if spec.color else spec.bits) if density.strip().upper() == "WHITE" else 0


def render_sheet(sheet: Sheet, *, sources: dict | None = None) -> SheetRaster:
    """Every box of ``sheet`` rendered at its rect on the printer's matrix, the film
    annotations burned in (when the spec asks for them) and the boxes cut back out.
    ``sources``: a dict reused across sheets (path -> FrameSource) to read each file once."""
    spec = sheet.spec
    cols, rows = spec.film_px
    dtype = np.uint16 if spec.bits == 12 and not spec.color else np.uint8
    shape = (rows, cols, 3) if spec.color else (rows, cols)
    film = np.full(shape, density_value(spec.border_density, spec), dtype=dtype)
    rects = spec.boxes()
    rendered: list[RenderedBox | None] = []
    cache = sources if sources is not None else {}
    for rect, content in zip(rects, sheet.boxes, strict=True):
        target = film[rect.y : rect.y + rect.height, rect.x : rect.x + rect.width]
        if content is None:
            target[...] = density_value(spec.empty_image_density, spec)
            rendered.append(None)
            continue
        box = render_box_detail(
            content,
            rect.width,
            rect.height,
            bits=spec.bits,
            color=spec.color,
            true_size_pixel_mm=spec.pixel_mm if spec.true_size else None,
            magnification=spec.magnification,
            frames=_frames_for(content, cache),
        )
        target[...] = box.pixels
        rendered.append(box)
    if spec.annotations and sheet.annotations:
        annotate(film, sheet.annotations, spec, scale_px_per_mm=_common_scale(rendered))
    boxes = [
        None
        if content is None
        else film[r.y : r.y + r.height, r.x : r.x + r.width].copy()
        for r, content in zip(rects, sheet.boxes, strict=True)
    ]
    return SheetRaster(spec, film, rects, boxes, rendered)


SCALE_TOLERANCE = 0.005  # boxes of one layout differ by a pixel: 0.5 % is one scale


def _common_scale(rendered: list[RenderedBox | None]) -> float | None:
    """Film pixels per patient mm when every image box has the same one within
    :data:`SCALE_TOLERANCE` (a scale bar is only true then; the boxes of a layout differ
    in size by up to a pixel, and so do their fitted scales), else None."""
    scales = []
    for box in rendered:
        if box is None:
            continue
        if box.mm_per_source_px is None:
            return None
        scales.append(box.scale[0] / box.mm_per_source_px[0])
    if not scales or max(scales) > min(scales) * (1.0 + SCALE_TOLERANCE):
        return None
    return sum(scales) / len(scales)
