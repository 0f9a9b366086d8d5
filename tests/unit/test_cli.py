"""The headless command line: import, rebuild-index, check, settings."""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path

import pytest
from conftest import sample_roots

from workstation.cli import main
from workstation.store import LocalStore

DICOMDIR_TESTS = sample_roots()[0] / "test_files" / "dicomdirtests"


@pytest.fixture(autouse=True)
def restore_pydicom_logging():
    """main() quietens pydicom's logger for the run; give other tests their logger back."""
    logger = logging.getLogger("pydicom")
    level = logger.level
    yield
    logger.setLevel(level)


@pytest.fixture
def base(tmp_path: Path) -> list[str]:
    """Options every run gets: a config file and a store in tmp_path, no space threshold."""
    return ["--config", str(tmp_path / "cfg" / "settings.json")]


def opts(tmp_path: Path) -> list[str]:
    return ["--data-dir", str(tmp_path / "data"), "--min-free-mb", "0"]


def summary_counts(out: str) -> dict[str, int]:
    counts = {}
    for key, label in [
        ("imported", r"imported"),
        ("duplicates", r"duplicates"),
        ("skipped", r"skipped"),
    ]:
        m = re.search(rf"^{label}: (\d+)(?: \(.*\))?$", out, re.MULTILINE)
        assert m, (label, out)
        counts[key] = int(m.group(1))
    return counts


def test_import_prints_summary(tmp_path: Path, base, capsys) -> None:
    src = tmp_path / "src"
    shutil.copytree(DICOMDIR_TESTS / "77654033", src)
    (src / "notes.txt").write_text("not dicom")
    shutil.copyfile(src / "CR1" / "6154", src / "copy-of-6154")
    n_dicom = sum(1 for p in (DICOMDIR_TESTS / "77654033").rglob("*") if p.is_file())

    code = main([*base, "import", str(src), *opts(tmp_path)])

    out = capsys.readouterr().out
    assert code == 0
    assert summary_counts(out) == {"imported": n_dicom, "duplicates": 1, "skipped": 1}
    # the copy made above is a duplicate within this import, not one already stored
    assert "duplicates: 1 (1 within this import, 0 already stored)" in out.splitlines()
    assert "notes.txt: Not a DICOM file" in out
    with LocalStore(tmp_path / "data") as store:
        assert store.index.count("instance") == n_dicom


def test_import_dicomdir_reports_missing_reference(tmp_path: Path, base, capsys) -> None:
    media = tmp_path / "media"
    shutil.copytree(DICOMDIR_TESTS, media)
    (media / "77654033" / "CR1" / "6154").unlink()
    code = main([*base, "import", str(media / "DICOMDIR"), *opts(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    counts = summary_counts(out)
    assert counts["skipped"] == 1 and counts["imported"] > 10
    assert "6154: referenced by the DICOMDIR but not found" in out


def test_import_without_paths_is_a_usage_error(tmp_path: Path, base, capsys) -> None:
    assert main([*base, "import", *opts(tmp_path)]) == 2
    assert "nothing to import" in capsys.readouterr().err


def test_import_with_full_disk_returns_1(tmp_path: Path, base, capsys) -> None:
    code = main(
        [
            *base,
            "import",
            str(DICOMDIR_TESTS / "77654033"),
            "--data-dir",
            str(tmp_path / "data"),
            "--min-free-mb",
            "10000000",
        ]
    )
    out = capsys.readouterr().out
    assert code == 1
    assert "stopped: Free space" in out
    assert summary_counts(out)["imported"] == 0


def test_rebuild_index(tmp_path: Path, base, capsys) -> None:
    assert main([*base, "import", str(DICOMDIR_TESTS / "98892001"), *opts(tmp_path)]) == 0
    n = summary_counts(capsys.readouterr().out)["imported"]
    assert n > 0
    for p in (tmp_path / "data").glob("index.sqlite*"):
        p.unlink()

    assert main([*base, "rebuild-index", *opts(tmp_path)]) == 0

    out = capsys.readouterr().out
    assert f"files indexed: {n}" in out
    assert re.search(rf"index now holds 1 patients, 1 studies, \d+ series, {n} instances", out), out


def test_check_reports_repairs(tmp_path: Path, base, capsys) -> None:
    assert main([*base, "import", str(DICOMDIR_TESTS / "98892001"), *opts(tmp_path)]) == 0
    capsys.readouterr()
    stored = sorted((tmp_path / "data").rglob("*.dcm"))
    stored[0].unlink()
    (stored[1].parent / "bad.dcm").write_bytes(b"garbage" * 20)

    assert main([*base, "check", *opts(tmp_path)]) == 0

    out = capsys.readouterr().out
    assert "index rows without a file dropped: 1" in out
    assert "unreadable files moved to quarantine: 1" in out
    assert "bad.dcm" in out
    assert (tmp_path / "data" / "quarantine").is_dir()

    assert main([*base, "check", *opts(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "index rows without a file dropped: 0" in out
    assert "unreadable files moved to quarantine: 0" in out


def test_settings_prints_effective_settings(tmp_path: Path, base, capsys) -> None:
    code = main([*base, "settings", "--aet", "CLI_WS", "--port", "4242", *opts(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0
    shown = json.loads(out)
    assert shown["node"]["ae_title"] == "CLI_WS" and shown["node"]["port"] == 4242
    assert shown["storage"]["min_free_space_mb"] == 0
    assert not (tmp_path / "cfg" / "settings.json").exists()  # not saved without --save


def test_settings_save_persists(tmp_path: Path, base, capsys) -> None:
    args = [*base, "settings", "--save", "--aet", "SAVED_WS", "--node", "pacs=PACS@127.0.0.1:104"]
    assert main([*args, *opts(tmp_path)]) == 0
    capsys.readouterr()
    saved = json.loads((tmp_path / "cfg" / "settings.json").read_text())
    assert saved["node"]["ae_title"] == "SAVED_WS"
    assert [n["name"] for n in saved["remote_nodes"]] == ["pacs"]
    assert main([*base, "settings"]) == 0
    assert json.loads(capsys.readouterr().out)["node"]["ae_title"] == "SAVED_WS"


@pytest.mark.parametrize(
    ("override", "field"),
    [
        (["--aet", "A" * 17], "ae_title"),
        (["--aet", "BAD\\AET"], "ae_title"),
        (["--port", "0"], "port"),
        (["--port", "65536"], "port"),
        (["--max-associations", "128"], "max_associations"),
        (["--max-pdu", "1000"], "max_pdu"),
        (["--min-free-mb", "-5"], "min_free_space_mb"),
        (["--node", "pacs=PACS@bad host:104"], "host"),
        (["--node", "nonsense"], "node"),
    ],
)
def test_settings_invalid_override_exits_2(tmp_path: Path, base, capsys, override, field) -> None:
    code = main([*base, "settings", "--data-dir", str(tmp_path / "data"), *override])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    assert captured.err.startswith("error: Invalid setting '")
    assert field in captured.err


def test_invalid_override_stops_import_before_touching_the_store(
    tmp_path: Path, base, capsys
) -> None:
    code = main([*base, "import", str(DICOMDIR_TESTS / "98892001"), *opts(tmp_path), "--port", "0"])
    assert code == 2
    assert "'node.port'" in capsys.readouterr().err
    assert not (tmp_path / "data").exists()


def test_corrupt_settings_file_exits_2(tmp_path: Path, capsys) -> None:
    cfg = tmp_path / "settings.json"
    cfg.write_text("{broken")
    assert main(["--config", str(cfg), "settings"]) == 2
    assert "cannot be used" in capsys.readouterr().err


# -- the entry points and the command layout (workstation/cli/) ------------------------------
COMMANDS = {"import", "rebuild-index", "check", "settings", "serve", "export-image", "query",
            "retrieve", "send", "gui", "worklist", "acquire", "print"}  # fmt: skip


def test_every_command_is_registered_once() -> None:
    import argparse

    from workstation.cli import build_parser

    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(sub.choices) == COMMANDS
    send = sub.choices["send"]
    assert {"--commit", "--commit-timeout", "--to", "--retries"} <= set(send._option_string_actions)


@pytest.mark.parametrize("how", ["python -m workstation", "console script"])
def test_entry_points_run_main_with_its_exit_codes(how: str, tmp_path: Path) -> None:
    import subprocess
    import sys

    if how == "console script":
        script = Path(sys.executable).with_name("workstation")
        if not script.exists():
            pytest.skip("the console script is not installed in this environment")
        cmd = [str(script)]
    else:
        cmd = [sys.executable, "-m", "workstation"]
    version = subprocess.run([*cmd, "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("workstation "), version
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}  # no display: gui refuses with 2
    gui = subprocess.run([*cmd, "--config", str(tmp_path / "s.json"), "gui"],
                         capture_output=True, text=True, timeout=60, env=env)  # fmt: skip
    assert gui.returncode == 2 and "workstation serve" in gui.stderr, gui
    usage = subprocess.run([*cmd, "no-such-command"], capture_output=True, text=True, timeout=60)
    assert usage.returncode == 2 and "invalid choice" in usage.stderr


def test_sample_paths_name_the_shipped_files() -> None:
    from workstation.samples import sample_paths

    paths = sample_paths()
    assert paths and all(p.is_dir() for p in paths)
    assert paths[0] == sample_roots()[0]
