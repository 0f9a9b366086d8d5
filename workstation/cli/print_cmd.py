"""``workstation print``: stored studies, series or instances on film, or to a PDF, headless.

Composes the images the UIDs name (``services/print_compose``: the UIDs in the order
given, index order within each, one image or frame per box, a new sheet per study, as
many sheets as needed), renders each sheet at the printer's matrix and prints it with
the Print SCU (``--to``) in one film session, or writes a PDF at the film's physical
size (``--pdf``). The matrix comes from the printer profile (``--printer`` or the one
whose address ``--to`` names) that lists the film size; else from the film size at
``--dpi`` (300). One summary line per sheet on stdout. Exit status: 0 when every sheet
was printed (or written), 1 when the printer or the network failed, 2 for bad input.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from workstation.cli.options import effective_settings, guarded, settings_options
from workstation.config.settings import PrinterProfile, Settings
from workstation.errors import FilmLayoutError, SettingsError, WorkstationError

DEFAULT_DPI = 300.0


def find_profile(settings: Settings, spec: str | None) -> PrinterProfile | None:
    """The configured printer named ``spec``, or whose AET@HOST:PORT it is."""
    if not spec:
        return None
    for p in settings.printers.printers:
        if p.name.casefold() == spec.strip().casefold():
            return p
        if f"{p.ae_title}@{p.host}:{p.port}" == spec.strip():
            return p
    return None


def parse_address(spec: str) -> tuple[str, str, int]:
    aet, at, rest = spec.strip().rpartition("@")
    host, colon, port = rest.rpartition(":")
    if not at or not aet or not colon or not port.isdigit():
        raise SettingsError(field="to", rule_code="not_address", limits={},
                            rule="must look like AET@HOST:PORT", value=spec)  # fmt: skip
    return aet, host, int(port)


def film_matrix(film_size_id: str, profile: PrinterProfile | None, dpi: float) -> tuple[int, int]:
    """(columns, rows) in PORTRAIT: the profile's entry for the film size, else ``dpi``."""
    from workstation.printing.film import film_size

    size = film_size(film_size_id)
    entry = profile.film_size(size.id) if profile is not None else None
    if entry is not None and entry.matrix_cols:
        return entry.matrix_cols, entry.matrix_rows
    per_inch = entry.dpi if entry is not None and entry.dpi else dpi
    return round(size.width_mm / 25.4 * per_inch), round(size.height_mm / 25.4 * per_inch)


def film_spec(args: argparse.Namespace, profile: PrinterProfile | None) -> Any:
    """The FilmSpec of the command line over the printer profile's values."""
    from workstation.printing.film import FilmSpec, film_size

    size_id = film_size(args.film_size).id
    if profile is not None and profile.film_size(size_id) is None:
        raise FilmLayoutError(reason=f"the printer {profile.name} does not take {size_id}")
    if args.color and profile is not None and not profile.color:
        raise FilmLayoutError(reason=f"the printer {profile.name} prints grey only")
    if profile is not None and args.copies > profile.max_copies:
        raise FilmLayoutError(
            reason=f"{args.copies} copies: the printer {profile.name} takes at most "
            f"{profile.max_copies}"
        )
    cols, rows = film_matrix(size_id, profile, args.dpi)
    values: dict[str, Any] = dict(
        display_format=args.format, film_size_id=size_id, matrix_cols=cols, matrix_rows=rows,
        color=bool(args.color), copies=args.copies, annotations=bool(args.annotations),
        true_size=bool(args.true_size),
    )  # fmt: skip
    if profile is not None:
        values.update(
            orientation=profile.orientation, bits=8 if args.color else profile.bits,
            magnification=profile.magnification, smoothing=profile.smoothing,
            border_density=profile.border_density,
            empty_image_density=profile.empty_image_density, min_density=profile.min_density,
            max_density=profile.max_density, medium=profile.mediums[0],
            destination=profile.destinations[0], priority=profile.priority,
            presentation_lut=profile.presentation_lut, annotation_mm=profile.annotation_mm,
        )  # fmt: skip
    elif args.bits:
        values["bits"] = 8 if args.color else args.bits
    if args.orientation:
        values["orientation"] = args.orientation
    if args.medium:
        values["medium"] = args.medium.strip().upper()
    return FilmSpec(**values)


def sheet_line(number: int, total: int, sheet: Any, what: str) -> str:
    spec = sheet.spec
    fmt = spec.format
    shape = "x".join(str(c) for c in fmt.counts) if fmt.kind == "STANDARD" else str(fmt)
    return (f"sheet {number}/{total}: {sheet.used} boxes, {shape}, {spec.film_size_id}, "
            f"{spec.orientation}, {spec.film_px[0]}x{spec.film_px[1]}, {what}")  # fmt: skip


def cmd_print(args: argparse.Namespace) -> int:
    from workstation.cli.options import shared_store
    from workstation.services.print_compose import compose

    if bool(args.to) == bool(args.pdf):
        print("error: give --to AET@HOST:PORT or --pdf OUT.pdf", file=sys.stderr)
        return 2
    settings = effective_settings(args)
    profile = find_profile(settings, args.printer or args.to)
    if args.printer and profile is None:
        print(f"error: no printer profile named {args.printer}", file=sys.stderr)
        return 2
    if args.to and profile is None:
        parse_address(args.to)
    spec = film_spec(args, profile)
    store = shared_store(settings)
    try:
        composition = compose(store, args.uids, spec,
                              window=tuple(args.window) if args.window else None)  # fmt: skip
    finally:
        store.close()
    for uid in composition.skipped:
        print(f"left out {uid}: no pixel data", file=sys.stderr)
    sheets = composition.sheets
    if args.pdf:
        from workstation.services.print_pdf import write_sheets_pdf

        write_sheets_pdf(args.pdf, sheets, title="films")
        for n, sheet in enumerate(sheets, start=1):
            print(sheet_line(n, len(sheets), sheet, f"written to {args.pdf}"))
        return 0
    return _send(args, settings, profile, sheets)


def _send(args: argparse.Namespace, settings: Settings, profile: PrinterProfile | None,
          sheets: Any) -> int:  # fmt: skip
    """Print directly with the Print SCU in this process (one film session)."""
    from workstation.services.print_compose import print_composition

    if profile is None:
        aet, host, port = parse_address(args.to)
        profile = PrinterProfile(name=args.to.strip(), ae_title=aet, host=host, port=port)
    printed = 0

    def on_sheet(done: int, total: int) -> None:
        nonlocal printed
        printed = done
        print(sheet_line(done, total, sheets[done - 1], f"printed on {profile.name}"),
              flush=True)  # fmt: skip

    try:
        outcome = print_composition(profile, settings, sheets, on_sheet=on_sheet)
    except WorkstationError as exc:
        for n in range(printed + 1, len(sheets) + 1):
            print(sheet_line(n, len(sheets), sheets[n - 1], "not printed"))
        print(f"error: {exc.message()}", file=sys.stderr)
        return 1
    status = outcome.printer
    print(f"printer {profile.name}: {status.status}" + (f" ({status.info})" if status.info else ""),
          file=sys.stderr)  # fmt: skip
    for warning in outcome.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    return 0 if outcome.sheets_printed == len(sheets) else 1


def add_command(sub: Any) -> None:
    """Register ``print`` on the command's subparsers."""
    p = sub.add_parser("print", help="print stored images on film (Print SCU) or to a PDF")
    p.add_argument("uids", nargs="+", metavar="UID", help="study, series or instance UIDs")
    out = p.add_mutually_exclusive_group()
    out.add_argument("--to", metavar="AET@HOST:PORT", help="the printer (or a profile's name)")
    out.add_argument("--pdf", metavar="OUT.pdf", help="write a PDF at the film's size instead")
    p.add_argument("--printer", metavar="NAME", help="the printer profile whose matrix to use")
    p.add_argument("--format", required=True, metavar="'STANDARD\\C,R'",
                   help="image display format: STANDARD\\C,R, ROW\\n,... or COL\\n,...")  # fmt: skip
    p.add_argument("--film-size", required=True, metavar="ID", help="Film Size ID, e.g. 14INX17IN")
    p.add_argument("--orientation", type=str.upper, choices=["PORTRAIT", "LANDSCAPE"])
    p.add_argument("--copies", type=int, default=1, help="copies of each film (default 1)")
    p.add_argument("--medium", help="medium type, e.g. 'BLUE FILM', PAPER")
    p.add_argument("--color", action="store_true", help="RGB films (colour printer)")
    p.add_argument("--true-size", action="store_true",
                   help="1 cm on the patient = 1 cm on film (from Pixel Spacing)")  # fmt: skip
    p.add_argument("--annotations", action="store_true",
                   help="patient, study, date, series/image numbers, institution, scale")  # fmt: skip
    p.add_argument("--window", type=float, nargs=2, metavar=("C", "W"),
                   help="VOI window for every box (default: each image's own)")  # fmt: skip
    p.add_argument("--dpi", type=float, default=DEFAULT_DPI,
                   help="printer resolution without a profile (default 300)")  # fmt: skip
    p.add_argument("--bits", type=int, choices=[8, 12],
                   help="grey bits without a profile (default 8)")  # fmt: skip
    settings_options(p)
    p.set_defaults(func=guarded(cmd_print))
