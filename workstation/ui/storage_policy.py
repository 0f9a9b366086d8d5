"""The automatic cleanup policy as a group box: on/off, low- and high-water marks, Apply.

It says in words what the policy would do with the free space right now, and warns when
the start value lies below the limit at which the node already refuses images.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import (
    QCheckBox,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from workstation.errors import WorkstationError
from workstation.store.cleanup import CleanupPolicy
from workstation.ui.storage_model import format_mb

PolicyCallback = Callable[[CleanupPolicy], None]


class CleanupPolicyBox(QGroupBox):
    """Shows the policy; edits it through ``on_policy_changed`` (read-only without one)."""

    def __init__(
        self,
        policy: CleanupPolicy,
        refuse_below_mb: float,
        on_policy_changed: PolicyCallback | None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setTitle(self.tr("Automatic cleanup"))
        self._policy = policy
        self._refuse_below_mb = refuse_below_mb
        self._on_policy_changed = on_policy_changed
        self._free_mb: float | None = None

        self.enabled_check = QCheckBox(
            self.tr("Delete the oldest studies automatically when free space runs low")
        )
        self.low_water = QSpinBox()
        self.high_water = QSpinBox()
        for spin in (self.low_water, self.high_water):
            spin.setRange(0, 10_000_000)
            spin.setSingleStep(500)
            spin.setSuffix(self.tr(" MB"))
            spin.setGroupSeparatorShown(True)
        self.apply_button = QPushButton(self.tr("Apply"))
        marks = QHBoxLayout()
        marks.addWidget(QLabel(self.tr("Start when free space is below")))
        marks.addWidget(self.low_water)
        marks.addWidget(QLabel(self.tr("and delete until")))
        marks.addWidget(self.high_water)
        marks.addWidget(QLabel(self.tr("are free.")))
        marks.addStretch(1)
        marks.addWidget(self.apply_button)
        rules = QLabel(
            self.tr(
                "Oldest study date first. Never deleted automatically: protected studies"
                " and studies that received images in the last %1 minutes."
                " Every automatic deletion is written to the log."
            ).replace("%1", f"{policy.recent_minutes:.0f}")
        )
        rules.setWordWrap(True)
        self.state_label = QLabel()
        self.state_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.enabled_check)
        layout.addLayout(marks)
        layout.addWidget(rules)
        layout.addWidget(self.state_label)

        self.enabled_check.setChecked(policy.enabled)
        self.low_water.setValue(policy.low_water_mb)
        self.high_water.setValue(policy.high_water_mb)
        self.enabled_check.toggled.connect(self._edited)
        self.low_water.valueChanged.connect(self._edited)
        self.high_water.valueChanged.connect(self._edited)
        self.apply_button.clicked.connect(self.apply)
        editable = on_policy_changed is not None
        for w in (self.enabled_check, self.low_water, self.high_water, self.apply_button):
            w.setEnabled(editable)
        if not editable:
            self.setToolTip(self.tr("Changed in the service settings"))
        self._edited()

    @property
    def policy(self) -> CleanupPolicy:
        """The policy in force (the last one applied)."""
        return self._policy

    def set_free_mb(self, free_mb: float) -> None:
        self._free_mb = free_mb
        self._edited()

    def edited_policy(self) -> CleanupPolicy:
        """The policy as the widgets show it (raises SettingsError when high <= low)."""
        return CleanupPolicy(
            low_water_mb=self.low_water.value(),
            high_water_mb=self.high_water.value(),
            enabled=self.enabled_check.isChecked(),
            recent_minutes=self._policy.recent_minutes,
        )

    def _edited(self) -> None:
        try:
            policy = self.edited_policy()
        except WorkstationError:
            self.state_label.setText(
                "<span style='color:#b00020'>"
                + self.tr("The second value must be larger than the first.")
                + "</span>"
            )
            self.apply_button.setEnabled(False)
            return
        changed = policy != self._policy
        self.apply_button.setEnabled(self._on_policy_changed is not None and changed)
        self.state_label.setText(" ".join(self._notes(policy, changed)))

    def _notes(self, policy: CleanupPolicy, changed: bool) -> list[str]:
        free = self._free_mb
        notes = []
        if not policy.enabled:
            notes.append(self.tr("Automatic cleanup is off."))
        elif free is not None and free < policy.low_water_mb:
            notes.append(
                self.tr(
                    "Free space (%1) is below the start value: the oldest unprotected"
                    " studies will be deleted at the next check."
                ).replace("%1", format_mb(free))
            )
        elif free is not None:
            notes.append(
                self.tr(
                    "Free space (%1) is above the start value: nothing is deleted now."
                ).replace("%1", format_mb(free))
            )
        if policy.enabled and policy.low_water_mb < self._refuse_below_mb:
            notes.append(
                self.tr(
                    "The start value is below the refuse limit of %1: images would be"
                    " refused before the cleanup starts."
                ).replace("%1", format_mb(self._refuse_below_mb))
            )
        if changed:
            notes.append(self.tr("Not applied yet."))
        return notes

    def apply(self) -> None:
        """Hand the edited policy to the settings callback; keep it on success."""
        if self._on_policy_changed is None:
            return
        try:
            policy = self.edited_policy()
            self._on_policy_changed(policy)
        except WorkstationError as exc:
            QMessageBox.warning(
                self,
                self.tr("Automatic cleanup"),
                self.tr("The settings could not be changed:") + "\n" + exc.message(),
            )
            return
        self._policy = policy
        self._edited()
