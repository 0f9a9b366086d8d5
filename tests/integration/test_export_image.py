"""``workstation export-image`` against DCMTK's ``dcmj2pnm`` on the same file and window.

Rule: every pixel within 1 grey level. Both map the same window to 0..255; we round to
the nearest level, DCMTK truncates, so values on a half step differ by exactly 1 and no
pixel may differ by more. The files include PALETTE COLOR in both byte orders and files
without preamble or file meta (shipped, and shipped ones written again that way).
"""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from tests.unit.test_dicom_read import write_without_preamble
from tests.unit.test_pixels import find

pytestmark = [pytest.mark.integration, pytest.mark.filterwarnings("ignore::UserWarning")]
TIMEOUT_S = 120


def read_png(path: Path) -> np.ndarray:
    """A non-interlaced 8-bit grey or RGB PNG (all five scanline filters) as uint8."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat = 8, b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and colour in (0, 2) and interlace == 0
        elif kind == b"IDAT":
            idat += body
    bpp = 3 if colour == 2 else 1
    stride = width * bpp
    raw = zlib.decompress(idat)
    out = np.zeros((height, stride), dtype=np.int64)
    prev = np.zeros(stride, dtype=np.int64)
    for y in range(height):
        start = y * (stride + 1)
        kind = raw[start]
        line = np.frombuffer(raw[start + 1 : start + 1 + stride], dtype=np.uint8).astype(np.int64)
        cur = line.copy()
        if kind == 2:
            cur = (line + prev) & 255
        elif kind in (1, 3, 4):
            for x in range(stride):
                a = cur[x - bpp] if x >= bpp else 0
                b = prev[x]
                c = prev[x - bpp] if x >= bpp else 0
                if kind == 1:
                    pred = a
                elif kind == 3:
                    pred = (a + b) // 2
                else:
                    p = a + b - c
                    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                    pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                cur[x] = (line[x] + pred) & 255
        out[y] = cur
        prev = cur
    return out.reshape(height, width, bpp).squeeze(axis=2 if bpp == 1 else ()).astype(np.uint8)


def source_of(name: str | Path) -> Path:
    return name if isinstance(name, Path) else find(name)


def ours(tmp_path: Path, name: str | Path, *options: str) -> np.ndarray:
    out = tmp_path / "ours.png"
    proc = subprocess.run(
        [sys.executable, "-m", "workstation", "export-image", str(source_of(name)),
         "--out", str(out), *options],
        capture_output=True, text=True, timeout=TIMEOUT_S,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return read_png(out)


def dcmtk(tmp_path: Path, name: str | Path, *options: str) -> np.ndarray:
    out = tmp_path / "dcmtk.png"
    proc = subprocess.run(
        ["dcmj2pnm", "+on", "-il", *options, str(source_of(name)), str(out)],
        capture_output=True, text=True, timeout=TIMEOUT_S,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return read_png(out)


CASES = [
    # (file, our options, dcmj2pnm options)
    ("CT_small.dcm", ["--window", "40", "400"], ["+Ww", "40", "400"]),
    ("mlut_18.dcm", ["--window", "1000", "2000"], ["+Ww", "1000", "2000"]),  # Modality LUT
    ("MR_small.dcm", [], ["+Wi", "1"]),  # the file's own window
    ("RG3_UNCR.dcm", [], ["+Wi", "1"]),  # MONOCHROME1, file window
    ("vlut_04.dcm", [], ["+Wl", "1"]),  # VOI LUT Sequence
    ("emri_small.dcm", ["--frame", "4"], ["+Wm", "+F", "4"]),  # no window: min/max, frame 4
    ("SC_rgb.dcm", [], []),
    ("SC_rgb_rle.dcm", [], []),  # RLE (DCMTK has no JPEG 2000 decoder to compare)
    ("color-pl.dcm", [], []),  # planar configuration 1
    ("OBXXXX1A.dcm", [], []),  # PALETTE COLOR
    ("OBXXXX1A_expb.dcm", [], []),  # PALETTE COLOR, big endian (pydicom 3.0 misreads it)
    ("OBXXXX1A_expb_2frame.dcm", ["--frame", "2"], ["+F", "2"]),
    ("OT-PAL-8-face.dcm", [], []),  # PALETTE COLOR without preamble or file meta
]


@pytest.mark.parametrize(("name", "our_options", "dcmtk_options"), CASES, ids=[c[0] for c in CASES])
def test_export_matches_dcmj2pnm_within_one_grey_level(
    tmp_path: Path, name: str, our_options: list[str], dcmtk_options: list[str]
) -> None:
    mine, theirs = ours(tmp_path, name, *our_options), dcmtk(tmp_path, name, *dcmtk_options)
    assert mine.shape == theirs.shape
    diff = np.abs(mine.astype(int) - theirs.astype(int))
    assert diff.max() <= 1, (name, int(diff.max()))


def test_export_of_a_file_without_pixels_exits_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "workstation", "export-image", str(find("rtplan.dcm")),
         "--out", str(tmp_path / "x.png")],
        capture_output=True, text=True, timeout=TIMEOUT_S,
    )  # fmt: skip
    assert proc.returncode == 2 and "no pixel data" in proc.stderr
    assert not (tmp_path / "x.png").exists()


def test_export_of_a_bad_frame_number_exits_2(tmp_path: Path) -> None:
    for frame in ("11", "0"):
        proc = subprocess.run(
            [sys.executable, "-m", "workstation", "export-image", str(find("emri_small.dcm")),
             "--out", str(tmp_path / "x.png"), "--frame", frame],
            capture_output=True, text=True, timeout=TIMEOUT_S,
        )  # fmt: skip
        assert proc.returncode == 2, frame
        assert f"Frame {frame} does not exist" in proc.stderr and "10 frame(s)" in proc.stderr


# (shipped file, implicit VR, little endian, file meta kept, our options, dcmj2pnm options)
NO_PREAMBLE = [
    ("CT_small.dcm", True, True, False, ["--window", "40", "400"], ["+Ww", "40", "400"]),
    ("CT_small.dcm", False, True, True, ["--window", "40", "400"], ["+Ww", "40", "400"]),
    ("MR_small_bigendian.dcm", False, False, False, [], ["+Wi", "1"]),
    ("OBXXXX1A_expb.dcm", False, False, False, [], []),  # big-endian palette, no file meta
    ("SC_rgb.dcm", True, True, False, [], []),
]


@pytest.mark.parametrize(
    ("name", "implicit", "little", "meta", "our_options", "dcmtk_options"),
    NO_PREAMBLE,
    ids=["ct-implicit-bare", "ct-meta-no-preamble", "mr-big-endian-bare", "palette-be-bare",
         "rgb-implicit-bare"],
)  # fmt: skip
def test_files_without_preamble_export_as_dcmj2pnm_renders_them(
    tmp_path: Path, name: str, implicit: bool, little: bool, meta: bool,
    our_options: list[str], dcmtk_options: list[str],
) -> None:  # fmt: skip
    path = write_without_preamble(
        name, tmp_path / "bare.dcm", implicit=implicit, little=little, meta=meta
    )
    assert path.read_bytes()[128:132] != b"DICM"
    mine, theirs = ours(tmp_path, path, *our_options), dcmtk(tmp_path, path, *dcmtk_options)
    assert mine.shape == theirs.shape
    assert np.abs(mine.astype(int) - theirs.astype(int)).max() <= 1, name
    # and the same picture as the Part 10 original gives
    assert np.array_equal(mine, ours(tmp_path, name, *our_options))


def test_export_of_a_file_that_is_not_dicom_exits_2(tmp_path: Path) -> None:
    text = tmp_path / "notes.dcm"
    text.write_text("not DICOM, whatever the name says\n" * 10)
    proc = subprocess.run(
        [sys.executable, "-m", "workstation", "export-image", str(text),
         "--out", str(tmp_path / "x.png")],
        capture_output=True, text=True, timeout=TIMEOUT_S,
    )  # fmt: skip
    assert proc.returncode == 2 and "Not a DICOM file" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (tmp_path / "x.png").exists()
