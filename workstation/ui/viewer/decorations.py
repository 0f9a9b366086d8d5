"""What a viewport draws around the image: corner text, orientation letters, scale bar,
the LOSSY and KEY marks. Plain widgets over the view, transparent to the mouse."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QLabel, QWidget

CORNERS = (
    ("top_left", Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
    ("top_right", Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
    ("bottom_left", Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom),
    ("bottom_right", Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignBottom),
)
EDGES = ("left", "right", "top", "bottom")


def text_of(value: object) -> str:
    return str(value or "").replace("^", " ").strip()


def date_of(value: object) -> str:
    s = str(value or "")
    return f"{s[:4]}-{s[4:6]}-{s[6:8]}" if len(s) == 8 and s.isdigit() else s


def nice_length(target: float) -> float:
    """The largest 1/2/5 x 10^n not above ``target`` (> 0)."""
    exp = math.floor(math.log10(target))
    for m in (5, 2, 1):
        if m * 10**exp <= target:
            return m * 10**exp
    return 10**exp


def overlay_label(parent: QWidget, name: str, align: Qt.AlignmentFlag, size: int = 9) -> QLabel:
    label = QLabel(parent)
    label.setObjectName(name)
    label.setAlignment(align)
    font = QFont()
    font.setPointSize(size)
    label.setFont(font)
    label.setStyleSheet("color: white; background: transparent;")
    label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
    return label


def mark_label(parent: QWidget, name: str, text: str, colour: str, tip: str) -> QLabel:
    label = QLabel(text, parent)
    label.setObjectName(name)
    label.setStyleSheet(f"color: white; background: {colour}; font-weight: bold; padding: 1px 4px;")
    label.setToolTip(tip)
    label.hide()
    return label


class ScaleBar(QWidget):
    """A horizontal bar of a round length in millimetres, drawn bottom centre."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.length_px = 0.0
        self.label = ""

    def set_bar(self, length_px: float, label: str) -> None:
        self.length_px, self.label = length_px, label
        self.setVisible(length_px > 0)
        self.update()

    def paintEvent(self, _event) -> None:
        if self.length_px <= 0:
            return
        p = QPainter(self)
        p.setPen(QPen(QColor("yellow"), 2))
        x0 = (self.width() - self.length_px) / 2
        y = self.height() - 4
        p.drawLine(QPointF(x0, y), QPointF(x0 + self.length_px, y))
        for x in (x0, x0 + self.length_px):
            p.drawLine(QPointF(x, y - 6), QPointF(x, y))
        p.drawText(self.rect().adjusted(0, 0, 0, -10), Qt.AlignmentFlag.AlignHCenter
                   | Qt.AlignmentFlag.AlignBottom, self.label)  # fmt: skip
        p.end()
