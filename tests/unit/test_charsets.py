"""Specific Character Set: names in the index are the right Unicode and PN search finds them."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from conftest import sample_roots

from workstation.store import ImportReport, LocalStore, import_paths
from workstation.store.matching import match_pn

CHARSET_DIR = sample_roots()[0] / "charset_files"

# Read from the files (FileInfo.txt lists the raw bytes) and checked by hand.
EXPECTED_NAMES = {
    "chrArab.dcm": "قباني^لنزار",
    "chrFren.dcm": "Buc^Jérôme",
    "chrGerm.dcm": "Äneas^Rüdiger",
    "chrGreek.dcm": "Διονυσιος",
    "chrH31.dcm": "Yamada^Tarou=山田^太郎=やまだ^たろう",
    "chrH32.dcm": "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう",
    "chrHbrw.dcm": "שרון^דבורה",
    "chrI2.dcm": "Hong^Gildong=洪^吉洞=홍^길동",
    "chrJapMulti.dcm": "やまだ^たろう",
    "chrKoreanMulti.dcm": "김희중",
    # ISO-IR 144 with ASCII letters mixed in: c, e, y and p are Latin in the file
    "chrRuss.dcm": "Люк" + "ce" + "мб" + "yp" + "г",
    "chrX1.dcm": "Wang^XiaoDong=王^小東",
    "chrX2.dcm": "Wang^XiaoDong=王^小东",
}
# Same SOP Instance UID as chrFren.dcm / chrJapMulti.dcm, which come first.
DUPLICATES = {"chrFrenMulti.dcm", "chrJapMultiExplicitIR6.dcm"}
# Constructed datasets without study/series UIDs (only a sequence to decode).
NOT_INSTANCES = {"chrSQEncoding.dcm", "chrSQEncoding1.dcm"}


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[LocalStore, ImportReport]:
    store = LocalStore(tmp_path_factory.mktemp("charsets") / "data")
    report = import_paths(store, [CHARSET_DIR])
    yield store, report
    store.close()


def name_of(store: LocalStore, path: Path) -> str:
    uid = pydicom.dcmread(path, stop_before_pixels=True).StudyInstanceUID
    (study,) = [s for s in store.index.find_studies() if s["study_uid"] == uid]
    return study["patient_name"]


def names_found(store: LocalStore, pattern: str) -> set[str]:
    return {s["patient_name"] for s in store.index.find_studies(patient_name=pattern)}


def test_which_charset_files_import(imported) -> None:
    _, report = imported
    assert {p.name for p in report.imported} == set(EXPECTED_NAMES)
    assert {p.name for p in report.duplicates} == DUPLICATES
    skipped = {p.name: why for p, why in report.skipped}
    assert set(skipped) == NOT_INSTANCES | {"FileInfo.txt"}
    for name in NOT_INSTANCES:
        assert "Study Instance UID" in skipped[name]


@pytest.mark.parametrize("filename", sorted(EXPECTED_NAMES))
def test_patient_name_indexed_as_unicode(imported, filename: str) -> None:
    store, _ = imported
    path = CHARSET_DIR / filename
    indexed = name_of(store, path)
    assert indexed == str(pydicom.dcmread(path).PatientName)
    assert indexed == EXPECTED_NAMES[filename]


def test_charset_kept_in_index(imported) -> None:
    store, _ = imported
    with store.index.reader() as c:
        charset = dict(c.execute("SELECT study_uid, charset FROM study").fetchall())
    ds = pydicom.dcmread(CHARSET_DIR / "chrH31.dcm", stop_before_pixels=True)
    assert charset[ds.StudyInstanceUID] == "\\ISO 2022 IR 87"
    ds = pydicom.dcmread(CHARSET_DIR / "chrGreek.dcm", stop_before_pixels=True)
    assert charset[ds.StudyInstanceUID] == "ISO_IR 126"


def test_ideographic_group_search(imported) -> None:
    store, _ = imported
    assert names_found(store, "山田*") == {
        EXPECTED_NAMES["chrH31.dcm"],
        EXPECTED_NAMES["chrH32.dcm"],
    }
    assert names_found(store, "山田^太郎") == {
        EXPECTED_NAMES["chrH31.dcm"],
        EXPECTED_NAMES["chrH32.dcm"],
    }
    assert names_found(store, "洪*") == {EXPECTED_NAMES["chrI2.dcm"]}
    assert names_found(store, "王^*") == {EXPECTED_NAMES["chrX1.dcm"], EXPECTED_NAMES["chrX2.dcm"]}
    assert names_found(store, "*小東") == {EXPECTED_NAMES["chrX1.dcm"]}


def test_phonetic_group_search(imported) -> None:
    store, _ = imported
    assert names_found(store, "やまだ*") == {
        EXPECTED_NAMES["chrH31.dcm"],
        EXPECTED_NAMES["chrH32.dcm"],
        EXPECTED_NAMES["chrJapMulti.dcm"],
    }
    assert names_found(store, "홍^길동") == {EXPECTED_NAMES["chrI2.dcm"]}
    assert names_found(store, "ﾔﾏﾀﾞ*") == {EXPECTED_NAMES["chrH32.dcm"]}


def test_single_group_korean_and_whole_name(imported) -> None:
    store, _ = imported
    assert names_found(store, "김*") == {"김희중"}
    whole = EXPECTED_NAMES["chrH31.dcm"]
    assert names_found(store, whole) == {whole}


@pytest.mark.parametrize(
    ("pattern", "filename"),
    [
        ("buc^jérôme", "chrFren.dcm"),
        ("BUC^JÉRÔME", "chrFren.dcm"),
        ("äneas*", "chrGerm.dcm"),
        ("ÄNEAS^RÜDIGER", "chrGerm.dcm"),
        ("yamada^tarou", "chrH31.dcm"),
        ("wang^xiao*", None),
        ("hong*", "chrI2.dcm"),
        ("διονυσιος", "chrGreek.dcm"),
        ("ΔΙΟΝΥΣΙΟΣ", "chrGreek.dcm"),
        ("люк*", "chrRuss.dcm"),
        ("ЛЮК*", "chrRuss.dcm"),
    ],
)
def test_case_insensitive_search(imported, pattern: str, filename: str | None) -> None:
    store, _ = imported
    found = names_found(store, pattern)
    if filename is None:  # both Chinese files
        assert found == {EXPECTED_NAMES["chrX1.dcm"], EXPECTED_NAMES["chrX2.dcm"]}
    else:
        assert found == {EXPECTED_NAMES[filename]}


def test_wildcards_do_not_overmatch(imported) -> None:
    store, _ = imported
    assert names_found(store, "山") == set()
    assert names_found(store, "yamada") == set()  # a component group needs the whole group
    assert names_found(store, "?uc^jérôme") == {EXPECTED_NAMES["chrFren.dcm"]}
    assert names_found(store, "nobody*") == set()


def test_match_pn_rules() -> None:
    name = "Yamada^Tarou=山田^太郎=やまだ^たろう"
    assert match_pn("YAMADA^*", name)
    assert match_pn("山田^太郎", name)
    assert match_pn("*たろう", name)
    assert not match_pn("Tarou", name)
    assert match_pn("Buc^Jérôme^^", "Buc^Jérôme")  # trailing empty components ignored
    assert match_pn("*", "")
