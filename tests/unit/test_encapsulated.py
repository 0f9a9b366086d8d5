"""Encapsulated PDF and CDA documents (imaging/encapsulated)."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

from workstation.errors import DocumentRenderError
from workstation.imaging.encapsulated import (
    ENCAPSULATED_CDA,
    ENCAPSULATED_PDF,
    extract_document,
)


def _tiny_pdf() -> bytes:
    """A minimal valid one-page PDF with a correct cross-reference table."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _encapsulated(sop_class: str, document: bytes, mime: str, with_length: bool) -> Dataset:
    ds = Dataset()
    ds.file_meta = FileMetaDataset()
    ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds.file_meta.MediaStorageSOPClassUID = sop_class
    ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID
    ds.Modality = "DOC"
    ds.DocumentTitle = "Discharge letter"
    ds.MIMETypeOfEncapsulatedDocument = mime
    ds.EncapsulatedDocument = document
    if with_length:
        ds.EncapsulatedDocumentLength = len(document)
    return ds


def _round_trip(ds: Dataset, tmp_path: Path) -> Dataset:
    path = tmp_path / "doc.dcm"
    ds.save_as(path, enforce_file_format=True)
    return pydicom.dcmread(path)


def test_tiny_pdf_is_odd_length_so_the_stored_value_is_padded(tmp_path: Path) -> None:
    pdf = _tiny_pdf()
    assert len(pdf) % 2 == 1
    stored = _round_trip(_encapsulated(ENCAPSULATED_PDF, pdf, "application/pdf", True), tmp_path)
    assert bytes(stored.EncapsulatedDocument) == pdf + b"\x00"


def test_pdf_trimmed_by_encapsulated_document_length(tmp_path: Path) -> None:
    pdf = _tiny_pdf()
    ds = _round_trip(_encapsulated(ENCAPSULATED_PDF, pdf, "application/pdf", True), tmp_path)
    document = extract_document(ds)
    assert document.data == pdf
    assert document.is_pdf
    assert (document.mime_type, document.title) == ("application/pdf", "Discharge letter")
    assert document.sop_class_uid == ENCAPSULATED_PDF


def test_pdf_padding_trimmed_without_length(tmp_path: Path) -> None:
    pdf = _tiny_pdf()
    ds = _round_trip(_encapsulated(ENCAPSULATED_PDF, pdf, "application/pdf", False), tmp_path)
    assert extract_document(ds).data == pdf


def test_even_length_document_without_length_is_kept_whole() -> None:
    pdf = _tiny_pdf() + b"\n"
    assert len(pdf) % 2 == 0
    assert (
        extract_document(_encapsulated(ENCAPSULATED_PDF, pdf, "application/pdf", False)).data == pdf
    )


def test_cda_document_and_mime_type_from_sop_class() -> None:
    xml = b'<?xml version="1.0"?><ClinicalDocument xmlns="urn:hl7-org:v3"/>'
    ds = _encapsulated(ENCAPSULATED_CDA, xml + b"\x00", "", False)
    del ds.DocumentTitle
    concept = Dataset()
    concept.CodeValue, concept.CodingSchemeDesignator = "18842-5", "LN"
    concept.CodeMeaning = "Discharge summary"
    ds.ConceptNameCodeSequence = [concept]
    document = extract_document(ds)
    assert document.data == xml
    assert document.is_xml
    assert document.title == "Discharge summary"


def test_length_larger_than_data_raises_typed_error() -> None:
    ds = _encapsulated(ENCAPSULATED_PDF, _tiny_pdf(), "application/pdf", True)
    ds.EncapsulatedDocumentLength = 10_000
    with pytest.raises(DocumentRenderError):
        extract_document(ds)


def test_non_pdf_bytes_labelled_pdf_or_no_document_raise_typed_error() -> None:
    with pytest.raises(DocumentRenderError):
        extract_document(_encapsulated(ENCAPSULATED_PDF, b"GIF89a", "application/pdf", False))
    with pytest.raises(DocumentRenderError):
        extract_document(Dataset())


def test_written_pdf_startxref_points_at_xref_table() -> None:
    pdf = _tiny_pdf()
    start = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    assert pdf[start:].startswith(b"xref")
    assert pdf.startswith(b"%PDF-1.4") and pdf.endswith(b"%%EOF\n")
