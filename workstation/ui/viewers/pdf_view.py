"""An Encapsulated PDF in a PDF view (QtPdf), loaded from memory."""

from __future__ import annotations

from pydicom.dataset import Dataset
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import QLabel, QStackedLayout, QWidget

from workstation.imaging.encapsulated import EncapsulatedDocument, extract_document


class PdfView(QWidget):
    """All pages of the PDF, scrolled, fitted to the width; a message if it cannot load."""

    def __init__(self, document: EncapsulatedDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(document.title)
        self._bytes = QByteArray(document.data)
        self._buffer = QBuffer(self._bytes, self)
        self._buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        self.document = QPdfDocument(self)
        self.document.load(self._buffer)
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        layout = QStackedLayout(self)
        layout.addWidget(self.view)
        layout.addWidget(self.message)
        if self.document.status() != QPdfDocument.Status.Ready:
            self.message.setText(
                self.tr("The PDF document cannot be shown: {error}").format(
                    error=self.document.error().name
                )
            )
            layout.setCurrentWidget(self.message)

    @property
    def page_count(self) -> int:
        return self.document.pageCount()

    @classmethod
    def from_dataset(cls, ds: Dataset, parent: QWidget | None = None) -> PdfView:
        return cls(extract_document(ds), parent)
