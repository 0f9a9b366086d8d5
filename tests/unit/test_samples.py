"""``import --samples`` looks only at DICOM files: the sample packages' own code and notes
are skipped silently, while a user's own import still reports every non-DICOM file."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pydicom
import pytest

from tests.unit.test_cli import restore_pydicom_logging  # noqa: F401 - autouse fixture
from tests.unit.test_dicom_read import write_without_preamble
from tests.unit.test_pixels import find
from workstation import samples
from workstation.cli import main
from workstation.dicom.read import is_dicom_file

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture
def package(tmp_path: Path) -> Path:
    """A folder like a sample package: two DICOM files (one without preamble or file meta)
    beside the package's module, its compiled module, a README and a JSON file."""
    root = tmp_path / "package"
    (root / "__pycache__").mkdir(parents=True)
    shutil.copyfile(find("CT_small.dcm"), root / "CT_small.dcm")
    write_without_preamble("MR_small.dcm", root / "mr_bare")
    (root / "__init__.py").write_text('"""sample data"""\n')
    compiled = next(Path(pydicom.__file__).parent.glob("__pycache__/*.pyc"))
    shutil.copyfile(compiled, root / "__pycache__" / "__init__.cpython-311.pyc")
    (root / "README.txt").write_text("test files\n")
    (root / "urls.json").write_text('{"CT_small.dcm": "https://example.invalid"}\n')
    return root


def run_import(tmp_path: Path, capsys, *args: str) -> str:
    code = main(["--config", str(tmp_path / "cfg" / "settings.json"), "import", *args,
                 "--data-dir", str(tmp_path / "data"), "--min-free-mb", "0"])  # fmt: skip
    assert code == 0
    return capsys.readouterr().out


def counts(out: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r"^(imported|skipped): (\d+)$", out, re.MULTILINE)}


def test_import_samples_skips_the_package_files_silently(
    tmp_path: Path, package: Path, capsys, monkeypatch
) -> None:
    monkeypatch.setattr(samples, "sample_paths", lambda: [package])
    out = run_import(tmp_path, capsys, "--samples")
    assert counts(out) == {"imported": 2, "skipped": 0}
    assert "Not a DICOM file" not in out


def test_a_users_import_still_reports_non_dicom_files(
    tmp_path: Path, package: Path, capsys
) -> None:
    out = run_import(tmp_path, capsys, str(package))
    assert counts(out) == {"imported": 2, "skipped": 4}
    for name in ("__init__.py", "__init__.cpython-311.pyc", "README.txt", "urls.json"):
        assert re.search(rf"{re.escape(name)}: Not a DICOM file", out), (name, out)


def test_sample_files_are_the_dicom_files_of_the_shipped_packages() -> None:
    files = samples.sample_files()
    roots = samples.sample_paths()
    assert len(files) > 200 and all(is_dicom_file(f) for f in files)
    assert not [f for f in files if f.suffix in (".py", ".pyc", ".json", ".txt", ".md")]
    everything = [p for root in roots for p in root.rglob("*") if p.is_file()]
    chosen = set(files)
    left_out = [p for p in everything if p not in chosen]
    assert any(p.suffix == ".py" for p in left_out)  # the packages' code was there
    assert all(not is_dicom_file(p) or p.name.upper() == "DICOMDIR" for p in left_out)
    assert len(files) == len(chosen)
