"""Waveforms (ECG and others) as plots: one row per channel, time in seconds, shared x."""

from __future__ import annotations

import pyqtgraph as pg
from pydicom.dataset import Dataset
from PySide6.QtWidgets import QComboBox, QVBoxLayout, QWidget

from workstation.imaging.waveform import MultiplexGroup, waveform_groups

ROW_HEIGHT_PX = 90


class EcgView(QWidget):
    """The channels of one multiplex group (chosen in a box when there are several)."""

    def __init__(self, ds: Dataset, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.groups: list[MultiplexGroup] = waveform_groups(ds)
        title = str(ds.get("SeriesDescription", "") or ds.get("Modality", "") or "")
        self.setWindowTitle(title or self.tr("Waveform"))
        self.group_box = QComboBox(self)
        for number, group in enumerate(self.groups, start=1):
            self.group_box.addItem(
                self.tr("{label}: {channels} channels, {seconds:.1f} s").format(
                    label=group.label or self.tr("Group {number}").format(number=number),
                    channels=len(group.channels),
                    seconds=group.recording_length_s,
                )
            )
        self.group_box.setVisible(len(self.groups) > 1)
        self.plots_widget = pg.GraphicsLayoutWidget(self)
        layout = QVBoxLayout(self)
        layout.addWidget(self.group_box)
        layout.addWidget(self.plots_widget)
        self.plots: list[pg.PlotItem] = []
        self.group_box.currentIndexChanged.connect(self.show_group)
        if self.groups:
            self.show_group(0)

    def show_group(self, index: int) -> None:
        """Draw group ``index``: one plot per channel, x axes linked, a grid on each."""
        self.plots_widget.clear()
        self.plots = []
        group = self.groups[index]
        for row, channel in enumerate(group.channels):
            plot = self.plots_widget.addPlot(row=row, col=0)
            plot.setDownsampling(auto=True, mode="peak")
            plot.setClipToView(True)
            plot.showGrid(x=True, y=True, alpha=0.3)
            plot.setMenuEnabled(False)
            unit = f" ({channel.unit})" if channel.unit else ""
            plot.setLabel("left", f"{channel.label}{unit}")
            plot.plot(group.time_s, channel.samples, pen=pg.mkPen(width=1))
            if self.plots:
                plot.setXLink(self.plots[0])
            self.plots.append(plot)
        if self.plots:
            self.plots[-1].setLabel("bottom", self.tr("Time (s)"))
            self.plots[0].setXRange(0.0, group.recording_length_s, padding=0.0)
        self.plots_widget.setMinimumHeight(ROW_HEIGHT_PX * max(len(self.plots), 1))
