"""``workstation export-image``: one frame as PNG, as the viewer shows it at 1:1."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any


def cmd_export_image(args: argparse.Namespace) -> int:
    """Render one frame through the display pipeline and write it as PNG."""
    from workstation.services.export_image import export_image

    result = export_image(
        args.file,
        args.out,
        frame=args.frame,
        window=args.window,
        presentation_state=args.presentation_state,
    )
    voi = result.window
    how = (
        f"window {voi.center:g}/{voi.width:g}"
        if voi is not None and hasattr(voi, "center")
        else ("VOI LUT" if voi is not None else "colour")
    )
    print(f"{result.path}: {result.columns} x {result.rows}, frame {result.frame}, {how}")
    return 0


def add_command(sub: Any) -> None:
    """Register ``export-image`` on the command's subparsers."""
    p = sub.add_parser("export-image", help="write one frame as PNG, as the viewer shows it at 1:1")
    p.add_argument("file", type=Path, help="a DICOM image file")
    p.add_argument("--out", type=Path, required=True, help="the PNG file to write")
    p.add_argument("--frame", type=int, default=1, help="frame number, from 1 (default 1)")
    p.add_argument(
        "--window",
        type=float,
        nargs=2,
        metavar=("CENTER", "WIDTH"),
        help="VOI window in modality units (default: the file's first window, else min/max)",
    )
    p.add_argument(
        "--presentation-state",
        type=Path,
        metavar="GSPS_FILE",
        help="apply this GSPS: window, graphics, displayed area, flip and rotation",
    )
    p.set_defaults(func=cmd_export_image)
