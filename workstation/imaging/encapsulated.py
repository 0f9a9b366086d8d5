"""Encapsulated documents (PDF, CDA, STL/OBJ/MTL, PS3.3 C.24.2) as bytes for a document view.

Encapsulated Document (0042,0011) is padded to an even length. Encapsulated Document
Length (0042,0015), when present, says how many bytes are the document; without it a
single trailing NUL after a PDF's ``%%EOF`` or an XML document's last ``>`` is padding.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydicom.dataset import Dataset

from workstation.errors import DocumentRenderError

ENCAPSULATED_PDF = "1.2.840.10008.5.1.4.1.1.104.1"
ENCAPSULATED_CDA = "1.2.840.10008.5.1.4.1.1.104.2"

_MIME_BY_SOP_CLASS = {
    ENCAPSULATED_PDF: "application/pdf",
    ENCAPSULATED_CDA: "text/XML",
    "1.2.840.10008.5.1.4.1.1.104.3": "model/stl",
    "1.2.840.10008.5.1.4.1.1.104.4": "model/obj",
    "1.2.840.10008.5.1.4.1.1.104.5": "model/mtl",
}


@dataclass(frozen=True)
class EncapsulatedDocument:
    """The document itself plus what a viewer needs to pick a view and a window title."""

    data: bytes
    mime_type: str
    title: str
    sop_class_uid: str

    @property
    def is_pdf(self) -> bool:
        return self.mime_type.lower() == "application/pdf"

    @property
    def is_xml(self) -> bool:
        return self.mime_type.lower() in ("text/xml", "application/xml")


def _document_bytes(ds: Dataset, mime_type: str) -> bytes:
    data = bytes(ds.EncapsulatedDocument)
    length = ds.get("EncapsulatedDocumentLength")
    if length not in (None, ""):
        length = int(length)
        if length > len(data):
            raise DocumentRenderError(
                kind="encapsulated document",
                reason=f"Encapsulated Document Length {length} exceeds the {len(data)} bytes stored",
            )
        return data[:length]
    if data.endswith(b"\x00") and len(data) % 2 == 0:
        stripped = data[:-1].rstrip(b"\r\n")
        if (mime_type.lower() == "application/pdf" and stripped.endswith(b"%%EOF")) or (
            "xml" in mime_type.lower() and stripped.endswith(b">")
        ):
            return data[:-1]
    return data


def _title(ds: Dataset) -> str:
    title = str(ds.get("DocumentTitle") or "").strip()
    if title:
        return title
    concept = ds.get("ConceptNameCodeSequence")
    if concept:
        return str(concept[0].get("CodeMeaning") or "").strip()
    return ""


def extract_document(ds: Dataset) -> EncapsulatedDocument:
    """The encapsulated document of ``ds`` without padding, with MIME type and title."""
    if "EncapsulatedDocument" not in ds or ds.EncapsulatedDocument is None:
        raise DocumentRenderError(kind="encapsulated document", reason="no Encapsulated Document")
    sop_class = str(ds.get("SOPClassUID") or "")
    mime_type = str(ds.get("MIMETypeOfEncapsulatedDocument") or "").strip()
    if not mime_type:
        mime_type = _MIME_BY_SOP_CLASS.get(sop_class, "application/octet-stream")
    data = _document_bytes(ds, mime_type)
    if mime_type.lower() == "application/pdf" and not data.startswith(b"%PDF-"):
        raise DocumentRenderError(kind="encapsulated PDF", reason="the data is not a PDF")
    return EncapsulatedDocument(data, mime_type, _title(ds), sop_class)
