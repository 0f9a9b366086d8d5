"""A Structured Report as formatted, read-only text: headings bold, items indented by depth."""

from __future__ import annotations

import html

from pydicom.dataset import Dataset
from PySide6.QtWidgets import QTextBrowser, QWidget

from workstation.imaging.encapsulated import extract_document
from workstation.imaging.sr_text import sr_lines, sr_title

INDENT_PX = 20


def sr_html(ds: Dataset) -> str:
    """The report's lines as HTML paragraphs (escaped), indented by depth."""
    parts = []
    for line in sr_lines(ds):
        text = html.escape(line.text) or "&nbsp;"
        if line.heading:
            text = f"<b>{text}</b>"
        parts.append(
            f'<p style="margin-top:0; margin-bottom:0; margin-left:{line.depth * INDENT_PX}px">'
            f"{text}</p>"
        )
    return "\n".join(parts)


class SrView(QTextBrowser):
    """Read-only view of one SR document; the window title is the document title."""

    def __init__(self, ds: Dataset, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setOpenLinks(False)
        self.setHtml(sr_html(ds))
        self.setWindowTitle(sr_title(ds))


class DocumentTextView(QTextBrowser):
    """Plain text of a document that has no richer view (an encapsulated CDA's XML)."""

    def __init__(self, text: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setPlainText(text)
        self.setWindowTitle(title)

    @classmethod
    def from_dataset(cls, ds: Dataset, parent: QWidget | None = None) -> DocumentTextView:
        """The text of an encapsulated document (CDA); DocumentRenderError without one."""
        document = extract_document(ds)
        return cls(document.data.decode("utf-8", "replace"), document.title, parent)
