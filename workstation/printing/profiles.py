"""Printer profiles: what a DICOM printer takes, and the film spec a print to it uses.

The profile models live in :mod:`workstation.config.settings` (the settings file holds
them; config is the lowest layer) and are re-exported here for the printing code.
"""

from __future__ import annotations

from workstation.config.settings import FilmSizeEntry, PrinterProfile, PrintersSettings
from workstation.errors import FilmLayoutError
from workstation.printing.film import DisplayFormat, FilmSpec, Orientation, film_size

__all__ = [
    "FilmSizeEntry",
    "PrinterProfile",
    "PrintersSettings",
    "find_printer",
    "matrix_for",
    "spec_for",
]


def find_printer(settings: PrintersSettings, name: str = "") -> PrinterProfile:
    """The profile called ``name``; empty: the default printer, else the first one."""
    wanted = name.strip() or settings.default_printer.strip()
    if not settings.printers:
        raise FilmLayoutError(reason="no printer is configured")
    if not wanted:
        return settings.printers[0]
    for printer in settings.printers:
        if printer.name == wanted:
            return printer
    raise FilmLayoutError(reason=f"no printer called {wanted!r} is configured")


def matrix_for(entry: FilmSizeEntry) -> tuple[int, int]:
    """(columns, rows) of the printer's PORTRAIT matrix for a film size: as configured,
    or from its dpi and the film's size in inches."""
    if entry.matrix_cols and entry.matrix_rows:
        return entry.matrix_cols, entry.matrix_rows
    size = film_size(entry.id)
    return (
        max(1, round(size.width_mm / 25.4 * entry.dpi)),
        max(1, round(size.height_mm / 25.4 * entry.dpi)),
    )


def spec_for(
    printer: PrinterProfile,
    film_size_id: str | None = None,
    display_format: str | None = None,
    *,
    orientation: str | None = None,
    copies: int = 1,
    medium: str | None = None,
    destination: str | None = None,
    color: bool | None = None,
    annotations: bool = False,
    true_size: bool = False,
) -> FilmSpec:
    """The film spec for a print to ``printer`` (its defaults where an argument is None).

    Raises :class:`FilmLayoutError` for a film size, display format, medium, destination
    or number of copies the printer does not take, and for colour on a grey printer."""
    entry = printer.film_size(film_size_id) if film_size_id else printer.film_sizes[0]
    if entry is None:
        taken = ", ".join(s.id for s in printer.film_sizes)
        raise FilmLayoutError(
            reason=f"printer {printer.name} takes no {film_size_id} film (it takes {taken})"
        )
    fmt = str(DisplayFormat.parse(display_format or printer.display_formats[0]))
    if fmt not in printer.display_formats:
        raise FilmLayoutError(
            reason=f"printer {printer.name} does not take the display format {fmt} "
            f"(it takes {', '.join(printer.display_formats)})"
        )
    if not 1 <= copies <= printer.max_copies:
        raise FilmLayoutError(
            reason=f"{copies} copies: printer {printer.name} takes 1 to {printer.max_copies}"
        )
    medium = (medium or (printer.mediums[0] if printer.mediums else "")).strip().upper()
    if printer.mediums and medium not in printer.mediums:
        raise FilmLayoutError(reason=f"printer {printer.name} has no medium {medium}")
    destination = (
        (destination or (printer.destinations[0] if printer.destinations else "")).strip().upper()
    )
    if printer.destinations and destination not in printer.destinations:
        raise FilmLayoutError(reason=f"printer {printer.name} has no destination {destination}")
    want_color = printer.color if color is None else color
    if want_color and not printer.color:
        raise FilmLayoutError(reason=f"printer {printer.name} prints grey only")
    cols, rows = matrix_for(entry)
    return FilmSpec(
        display_format=fmt,
        film_size_id=entry.id,
        orientation=Orientation((orientation or printer.orientation).strip().upper()),
        matrix_cols=cols,
        matrix_rows=rows,
        color=want_color,
        bits=8 if want_color else printer.bits,
        magnification=printer.magnification,
        smoothing=printer.smoothing,
        border_density=printer.border_density,
        empty_image_density=printer.empty_image_density,
        min_density=printer.min_density,
        max_density=printer.max_density,
        medium=medium,
        destination=destination,
        copies=copies,
        priority=printer.priority,
        presentation_lut=printer.presentation_lut,
        annotations=annotations,
        true_size=true_size,
        annotation_mm=printer.annotation_mm,
    )
