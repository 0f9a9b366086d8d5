"""The node's state for the status bar: AE title, port, listening or not, associations.

The technologist's first question when a modality says "cannot send" is whether this
workstation is listening, and as whom: the label answers it at a glance (green when
listening, red when not, with the reason in the tooltip).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtWidgets import QLabel, QWidget


@dataclass(frozen=True, slots=True)
class NodeState:
    """What the status bar shows about the DICOM node."""

    ae_title: str
    port: int
    listening: bool
    associations: int = 0
    starting: bool = False  # the store check runs; the node starts after it
    error: str = ""  # why it is not listening


_STYLE_OK = "QLabel { color: #1b5e20; }"
_STYLE_WAIT = "QLabel { color: #5a6470; }"
_STYLE_DOWN = "QLabel { color: white; background: #b00020; padding: 0 4px; font-weight: bold; }"


class NodeStatusLabel(QLabel):
    """Shows ``state_fn()``; :meth:`refresh` re-reads it (on a timer and on association events)."""

    def __init__(self, state_fn: Callable[[], NodeState], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state_fn = state_fn
        self.state: NodeState | None = None
        self.refresh()

    def refresh(self) -> None:
        state = self._state_fn()
        if state == self.state:
            return
        self.state = state
        if state.listening:
            n = state.associations
            if n == 1:
                text = self.tr("%1 · port %2 · listening · 1 association")
            else:
                text = self.tr("%1 · port %2 · listening · %3 associations")
            text = text.replace("%3", str(n))
            self.setStyleSheet(_STYLE_OK)
            tip = self.tr("The DICOM node accepts associations as %1 on port %2.")
        elif state.starting:
            text = self.tr("%1 · port %2 · starting…")
            self.setStyleSheet(_STYLE_WAIT)
            tip = self.tr("The local store is checked; the node listens as soon as it is done.")
        else:
            text = self.tr("%1 · port %2 · NOT listening")
            self.setStyleSheet(_STYLE_DOWN)
            tip = self.tr("The DICOM node does not accept associations: %3")
        text = text.replace("%1", state.ae_title).replace("%2", str(state.port))
        tip = tip.replace("%1", state.ae_title).replace("%2", str(state.port))
        self.setText(text)
        self.setToolTip(tip.replace("%3", state.error or "-"))
