"""SR documents rendered as structured text (imaging/sr_text)."""

from __future__ import annotations

import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset
from pydicom.uid import ComprehensiveSRStorage, KeyObjectSelectionDocumentStorage

from workstation.errors import DocumentRenderError
from workstation.imaging.sr_text import render_sr, sr_lines, sr_title


def _code(value: str, scheme: str, meaning: str) -> Dataset:
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = value, scheme, meaning
    return item


def _item(relationship: str, value_type: str, concept: Dataset) -> Dataset:
    item = Dataset()
    item.RelationshipType = relationship
    item.ValueType = value_type
    item.ConceptNameCodeSequence = [concept]
    return item


def _comprehensive_sr() -> Dataset:
    ds = Dataset()
    ds.SOPClassUID = ComprehensiveSRStorage
    ds.ContentDate, ds.ContentTime = "20240102", "030405"
    ds.CompletionFlag, ds.VerificationFlag = "COMPLETE", "UNVERIFIED"
    author = Dataset()
    author.ObserverType = "PSN"
    author.PersonName = "Muster^Erika"
    ds.AuthorObserverSequence = [author]
    ds.ValueType = "CONTAINER"
    ds.ContinuityOfContent = "SEPARATE"
    ds.ConceptNameCodeSequence = [_code("18748-4", "LN", "Diagnostic Imaging Report")]

    findings = _item("CONTAINS", "CONTAINER", _code("121070", "DCM", "Findings"))
    findings.ContinuityOfContent = "SEPARATE"
    num = _item("CONTAINS", "NUM", _code("410668003", "SCT", "Length"))
    measured = Dataset()
    measured.NumericValue = "12.5"
    measured.MeasurementUnitsCodeSequence = [_code("mm", "UCUM", "millimeter")]
    num.MeasuredValueSequence = [measured]
    code = _item("CONTAINS", "CODE", _code("121071", "DCM", "Finding"))
    code.ConceptCodeSequence = [_code("4147007", "SCT", "Mass")]
    text = _item("CONTAINS", "TEXT", _code("121106", "DCM", "Comment"))
    text.TextValue = "Well defined margins."
    image = Dataset()
    image.RelationshipType, image.ValueType = "INFERRED FROM", "IMAGE"
    ref = Dataset()
    ref.ReferencedSOPClassUID = "1.2.840.10008.5.1.4.1.1.2"
    ref.ReferencedSOPInstanceUID = "1.2.3.4.5"
    image.ReferencedSOPSequence = [ref]
    num.ContentSequence = [image]
    findings.ContentSequence = [num, code, text]
    ds.ContentSequence = [findings]
    return ds


def test_built_comprehensive_sr_renders_exact_lines() -> None:
    assert render_sr(_comprehensive_sr()).splitlines() == [
        "Title: Diagnostic Imaging Report",
        "Document: Comprehensive SR",
        "Content date: 2024-01-02 03:04:05",
        "Author: Muster, Erika",
        "Status: COMPLETE, UNVERIFIED",
        "",
        "Diagnostic Imaging Report",
        "  [CONTAINS] Findings",
        "    [CONTAINS] Length: 12.5 mm",
        "      [INFERRED FROM] image 1.2.3.4.5",
        "    [CONTAINS] Finding: Mass",
        "    [CONTAINS] Comment: Well defined margins.",
    ]


def test_containers_are_marked_as_headings() -> None:
    headings = [line.text for line in sr_lines(_comprehensive_sr()) if line.heading]
    assert headings == [
        "Title: Diagnostic Imaging Report",
        "Diagnostic Imaging Report",
        "[CONTAINS] Findings",
    ]


def test_missing_optional_attributes_do_not_break_rendering() -> None:
    ds = Dataset()
    ds.ValueType = "CONTAINER"
    num = Dataset()
    num.RelationshipType, num.ValueType = "CONTAINS", "NUM"
    ds.ContentSequence = [num, Dataset()]
    lines = render_sr(ds).splitlines()
    assert lines == [
        "Title: Structured Report",
        "",
        "(untitled section)",
        "  [CONTAINS] (no value)",
        "  (unknown item)",
    ]


def test_dataset_without_content_tree_raises_typed_error() -> None:
    with pytest.raises(DocumentRenderError):
        sr_lines(Dataset())


def test_shipped_comprehensive_sr_header_and_tree() -> None:
    ds = pydicom.dcmread(get_testdata_file("test-SR.dcm"))
    lines = render_sr(ds).splitlines()
    assert lines[0] == "Title: Diagnosis"
    assert "Verified by: Riesmeier, Jörg (OFFIS e.V.) on 2001-02-13 18:47:46" in lines
    assert "  [HAS OBS CONTEXT] Some UID: 1.2.3.4.5" in lines
    assert "    [CONTAINS] Diameter: 3 Length Unit" in lines
    assert "  [CONTAINS] image 1.2.3.4.5.0, frames 5, 2" in lines
    assert "    [HAS ACQ CONTEXT] DateTime: 2000-12-06 12:00:00" in lines
    assert "      [SELECTED FROM] (see content item 1.3.2)" in lines
    # Multi-line TEXT values continue one level deeper, CR/LF variants normalised.
    start = lines.index("  [CONTAINS] Code: Sample Text")
    assert lines[start + 1 : start + 4] == ["    A", "    B", "    C"]


def test_shipped_basic_text_sr_with_empty_number_tags() -> None:
    for name in ("reportsi.dcm", "reportsi_with_empty_number_tags.dcm"):
        ds = pydicom.dcmread(get_testdata_file(name))
        assert sr_title(ds) == "Document Title"
        lines = render_sr(ds).splitlines()
        assert "  [HAS OBS CONTEXT] Recording Observer's Name: Enter text" in lines
        assert "      [INFERRED FROM] Image Reference: image 0" in lines


def test_key_object_selection_lists_images() -> None:
    ds = Dataset()
    ds.SOPClassUID = KeyObjectSelectionDocumentStorage
    ds.ValueType = "CONTAINER"
    ds.ConceptNameCodeSequence = [_code("113000", "DCM", "Of Interest")]
    description = _item("CONTAINS", "TEXT", _code("113012", "DCM", "Key Object Description"))
    description.TextValue = "for the tumour board"
    image = Dataset()
    image.RelationshipType, image.ValueType = "CONTAINS", "IMAGE"
    ref = Dataset()
    ref.ReferencedSOPInstanceUID = "1.2.3"
    image.ReferencedSOPSequence = [ref]
    ds.ContentSequence = [description, image]
    assert render_sr(ds).splitlines()[-3:] == [
        "Of Interest",
        "  [CONTAINS] Key Object Description: for the tumour board",
        "  [CONTAINS] image 1.2.3",
    ]
    assert "Document: Key Object Selection Document" in render_sr(ds)
