"""Choose the view for an object that is not an image, by its SOP class."""

from __future__ import annotations

from pydicom.dataset import Dataset
from PySide6.QtWidgets import QWidget

from workstation.imaging.encapsulated import ENCAPSULATED_CDA, ENCAPSULATED_PDF, extract_document

SR_PREFIX = "1.2.840.10008.5.1.4.1.1.88."  # Structured Report Storage classes
WAVEFORM_PREFIX = "1.2.840.10008.5.1.4.1.1.9."  # Waveform Storage classes (ECG, ...)


def object_kind_of_class(sop_class: str) -> str | None:
    """'sr', 'pdf', 'cda' or 'waveform' by SOP class alone (what the index knows)."""
    if sop_class == ENCAPSULATED_PDF:
        return "pdf"
    if sop_class == ENCAPSULATED_CDA:
        return "cda"
    if sop_class.startswith(SR_PREFIX):
        return "sr"
    if sop_class.startswith(WAVEFORM_PREFIX):
        return "waveform"
    return None


def object_kind(ds: Dataset) -> str | None:
    """'sr', 'pdf', 'cda' or 'waveform'; None when no view here fits."""
    sop_class = str(ds.get("SOPClassUID", "") or "")
    if sop_class == ENCAPSULATED_PDF:
        return "pdf"
    if sop_class == ENCAPSULATED_CDA:
        return "cda"
    if sop_class.startswith(SR_PREFIX) or (ds.get("Modality") == "SR" and "ContentSequence" in ds):
        return "sr"
    if sop_class.startswith(WAVEFORM_PREFIX) or "WaveformSequence" in ds:
        return "waveform"
    return None


def view_for(ds: Dataset, parent: QWidget | None = None) -> QWidget | None:
    """The view for ``ds``, or None when it is not an SR, encapsulated document or waveform.

    Raises :class:`~workstation.errors.DocumentRenderError` for an object of a known kind
    that cannot be read (no content tree, no document)."""
    kind = object_kind(ds)
    if kind == "sr":
        from workstation.ui.viewers.sr_view import SrView

        return SrView(ds, parent)
    if kind == "pdf":
        from workstation.ui.viewers.pdf_view import PdfView

        return PdfView.from_dataset(ds, parent)
    if kind == "cda":
        from workstation.ui.viewers.sr_view import DocumentTextView

        document = extract_document(ds)
        return DocumentTextView(document.data.decode("utf-8", "replace"), document.title, parent)
    if kind == "waveform":
        from workstation.ui.viewers.ecg_view import EcgView

        return EcgView(ds, parent)
    return None
