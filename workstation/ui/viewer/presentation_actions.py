"""What a viewer tab saves and applies: key images (KOS), presentation states (GSPS),
secondary captures, and the presentation states and key object selections already in
the store for the series shown (received from elsewhere or saved earlier).

A mix-in of :class:`~workstation.ui.viewer.viewer_tab.ViewerTab`: it uses the tab's
``store``, ``viewports``, ``active``, ``toolbar``, ``stacks`` and ``message``.
"""

from __future__ import annotations

import getpass
import logging

from PySide6.QtWidgets import QInputDialog, QMessageBox

from workstation.dicom.display_state import DisplayState
from workstation.dicom.read import read_dicom
from workstation.errors import WorkstationError
from workstation.imaging.annotation_graphics import to_layer
from workstation.imaging.gsps import read_kos, read_presentation_state
from workstation.imaging.luts import Window
from workstation.imaging.stack import ImageStack
from workstation.services import viewer_objects as objects
from workstation.store.browse import SeriesRow, series_of_study, studies_of_same_patient
from workstation.ui.messages import error_text

log = logging.getLogger(__name__)


def _user() -> str:
    """The login name as a Person Name (family name component, so not the retired
    single-component form), or empty when there is none."""
    try:
        name = getpass.getuser().replace("^", " ").strip()
    except Exception:  # no user name in this environment
        return ""
    return f"{name}^" if name else ""


class PresentationActions:
    """Saving and applying presentation objects (mixed into the viewer tab)."""

    def init_presentation(self) -> None:
        self._presentations: list[objects.PresentationObject] = []
        if self.series_uid:
            self.load_key_images(self.series_uid, self.stack)
        self.refresh_presentations()

    # -- key images --------------------------------------------------------------------------
    def load_key_images(self, series_uid: str, stack: ImageStack) -> None:
        """Flag the images that a stored key object selection names (our own or received)."""
        if self.store is None or not series_uid:
            return
        try:
            stack.key_images |= set(objects.key_images_for_series(self.store, series_uid))
        except Exception as exc:  # an unreadable KOS must not stop the series from opening
            log.warning("key images of a series not read: %s", exc)

    def toggle_key_image(self) -> None:
        vp = self.active
        if vp is None or vp.stack is None:
            return
        uid = vp.stack.sop_uid(vp.index)
        if uid in vp.stack.key_images:
            vp.stack.key_images.discard(uid)
        else:
            vp.stack.key_images.add(uid)
        for other in self.viewports:
            if other.stack is vp.stack:
                other._update_overlay()
        self._sync_controls()

    def key_image_sources(self) -> list:
        """Headers of every flagged image of every series open in the tab."""
        sources, seen = [], set()
        for stack in self.stacks.values():
            for i in range(len(stack)):
                uid = stack.sop_uid(i) if stack.key_images else ""
                if uid and uid in stack.key_images and uid not in seen:
                    seen.add(uid)
                    sources.append(stack.header(i))
        return sources

    # -- films -------------------------------------------------------------------------------
    def film_current_image(self) -> bool:
        """Ask for the active viewport's image on the films, shown as it is shown here
        (window, rotation, flip, inversion); False when there is none."""
        vp = self.active
        if vp is None or vp.stack is None or self.store is None:
            return False
        display: dict = {"rotate": vp.rotation, "flip_h": vp.flip_horizontal,
                         "invert": vp.invert}  # fmt: skip
        if isinstance(vp.window, Window):  # a VOI LUT stays the image's own
            display["window"] = (float(vp.window.center), float(vp.window.width))
        self.film_requested.emit(vp.stack.sop_uid(vp.index), vp.stack.frame(vp.index), display)
        return True

    def film_key_images(self) -> int:
        """Ask for every flagged image of the tab on the films; how many."""
        count = 0
        for stack in self.stacks.values():
            for i in range(len(stack)):
                if stack.key_images and stack.sop_uid(i) in stack.key_images:
                    self.film_requested.emit(stack.sop_uid(i), stack.frame(i), {})
                    count += 1
        if not count:
            QMessageBox.information(
                self, self.tr("Key images"),
                self.tr("No image is flagged as a key image. Flag images with the Key button "
                        "(K) first."),
            )  # fmt: skip
        return count

    # -- saving ------------------------------------------------------------------------------
    def _saved(self, what: str, saved: objects.SavedObject) -> None:
        self.message.emit(what)
        log.info("saved %s %s", saved.kind, saved.sop_instance_uid)
        self.refresh_presentations()

    def _failed(self, title: str, exc: Exception) -> None:
        text = error_text(exc) if isinstance(exc, WorkstationError) else str(exc)
        QMessageBox.warning(self, title, text)

    def save_key_images(self) -> objects.SavedObject | None:
        if self.store is None:
            return None
        sources = self.key_image_sources()
        if not sources:
            QMessageBox.information(
                self, self.tr("Key images"),
                self.tr("No image is flagged as a key image. Flag images with the Key button "
                        "(K) first."),
            )  # fmt: skip
            return None
        try:
            saved = objects.save_key_objects(
                self.store, sources, description=self.tr("Key images"), observer=_user()
            )
        except Exception as exc:
            self._failed(self.tr("Key images not saved"), exc)
            return None
        self._saved(self.tr("%1 key images saved to the store.").replace("%1",
                    str(len(sources))), saved)  # fmt: skip
        return saved

    def display_states(self, vp) -> dict[str, DisplayState]:
        """The active display applied to every image of the viewport's series, each image
        with its own measurements and notes."""
        stack = vp.stack
        base = vp.display_state()
        states: dict[str, DisplayState] = {}
        for i in range(len(stack)):
            uid = stack.sop_uid(i)
            if uid in states and not len(stack.annotations(i)):
                continue
            layers = ()
            annotations = stack.annotations(i)
            if len(annotations):
                labels = {a.id: vp.label_for(a, i) for a in annotations}
                layers = (to_layer(annotations, labels),)
            area = base.displayed_area if i == vp.index else None
            states[uid] = DisplayState(
                window=base.window, invert=base.invert, displayed_area=area,
                rotation=base.rotation, flip_horizontal=base.flip_horizontal, layers=layers,
            )  # fmt: skip
        return states

    def save_presentation_state(self, label: str | None = None):
        vp = self.active
        if self.store is None or vp is None or vp.stack is None:
            return None
        if vp.stack.is_colour(vp.index):
            QMessageBox.information(
                self, self.tr("Presentation state"),
                self.tr("A grayscale presentation state cannot describe a colour image."),
            )  # fmt: skip
            return None
        if label is None:
            label, ok = QInputDialog.getText(
                self, self.tr("Presentation state"), self.tr("Label:"), text="READING"
            )
            if not ok:
                return None
        stack = vp.stack
        images, seen = [], set()
        for i in range(len(stack)):
            uid = stack.sop_uid(i)
            if uid not in seen:
                seen.add(uid)
                images.append(stack.header(i))
        try:
            saved = objects.save_presentation_state(
                self.store, images, self.display_states(vp), label=label or "READING",
                creator=_user(), description=self.tr("Saved from the viewer"),
            )  # fmt: skip
        except Exception as exc:
            self._failed(self.tr("Presentation state not saved"), exc)
            return None
        self._saved(self.tr("Presentation state saved to the store."), saved)
        return saved

    def save_secondary_capture(self):
        vp = self.active
        if self.store is None or vp is None or vp.stack is None:
            return None
        try:
            saved = objects.save_secondary_capture(
                self.store, vp.grab_rgb(), vp.stack.header(vp.index),
                description=self.tr("Viewer capture"),
            )  # fmt: skip
        except Exception as exc:
            self._failed(self.tr("Capture not saved"), exc)
            return None
        self._saved(self.tr("Secondary capture saved to the store."), saved)
        return saved

    # -- stored presentation states and key object selections -------------------------------
    def refresh_presentations(self) -> None:
        """List what the store holds for the active viewport's series."""
        if not hasattr(self, "toolbar") or not hasattr(self, "_presentations"):
            return
        combo = self.toolbar.presentation_combo
        vp = self.active
        uid = self.series_of(vp.stack) if vp is not None and vp.stack is not None else ""
        found: list[objects.PresentationObject] = []
        if self.store is not None and uid:
            try:
                found = objects.presentation_objects_for_series(self.store, uid)
            except Exception as exc:
                log.warning("presentation objects not listed: %s", exc)
        self._presentations = found
        combo.blockSignals(True)
        combo.clear()
        combo.addItem(self.tr("None") if found else self.tr("None stored"), None)
        for item in found:
            when = "-".join(x for x in (item.content_date[:4], item.content_date[4:6],
                                        item.content_date[6:8]) if x)  # fmt: skip
            name = item.label or item.description or item.kind
            combo.addItem(f"{item.kind}: {name} {when}".strip(), item.sop_instance_uid)
        label = vp.stack.presentation_label if vp is not None and vp.stack is not None else ""
        current = next((i + 1 for i, p in enumerate(found) if p.label == label and label), 0)
        combo.setCurrentIndex(current)
        combo.blockSignals(False)
        combo.setEnabled(bool(found))

    def apply_presentation_choice(self, combo_index: int) -> None:
        uid = self.toolbar.presentation_combo.itemData(combo_index)
        vp = self.active
        if vp is None or vp.stack is None:
            return
        if uid is None:
            self.clear_presentation(vp)
            return
        chosen = next((p for p in self._presentations if p.sop_instance_uid == uid), None)
        if chosen is not None:
            self.apply_presentation(vp, chosen)

    def clear_presentation(self, vp) -> None:
        vp.stack.presentation = {}
        vp.stack.presentation_label = ""
        vp.set_stack(vp.stack, vp.index)

    def apply_presentation(self, vp, chosen: objects.PresentationObject) -> bool:
        """Apply a stored GSPS to the viewport's series, or take a KOS's key images."""
        try:
            ds = read_dicom(chosen.path)
            if chosen.kind == objects.ObjectKind.KOS:
                flagged = set(read_kos(ds).instance_uids) & {
                    vp.stack.sop_uid(i) for i in range(len(vp.stack))
                }
                vp.stack.key_images |= flagged
                first = next((i for i in range(len(vp.stack))
                              if vp.stack.sop_uid(i) in flagged), vp.index)  # fmt: skip
                vp.set_index(first)
                vp._update_overlay()
                self._sync_controls()
                return True
            sizes = {}
            for i in range(len(vp.stack)):
                header = vp.stack.header(i)
                sizes[vp.stack.sop_uid(i)] = (int(header.Columns), int(header.Rows))
            states = read_presentation_state(ds, sizes)
        except Exception as exc:
            self._failed(self.tr("Presentation state not applied"), exc)
            return False
        vp.stack.presentation = states
        vp.stack.presentation_label = chosen.label or chosen.kind
        index = vp.index
        vp.set_stack(vp.stack, index)
        state = vp.stack.presentation_state(index)
        if state is not None and state.displayed_area is not None:
            vp.show_displayed_area(state.displayed_area)
        self._sync_controls()
        return True

    # -- compare -----------------------------------------------------------------------------
    def compare_dialog(self) -> None:
        if self.store is None or not self.study_uid:
            return
        others = studies_of_same_patient(self.store.index, self.study_uid)
        if not others:
            QMessageBox.information(
                self, self.tr("Compare"), self.tr("No other study of this patient is stored.")
            )
            return  # fmt: skip
        names = [f"{r.study_date[:4]}-{r.study_date[4:6]}-{r.study_date[6:8]}  {r.modalities}  "
                 f"{r.description}".strip() for r in others]  # fmt: skip
        choice, ok = QInputDialog.getItem(self, self.tr("Compare"), self.tr("Study:"),
                                          names, 0, False)  # fmt: skip
        if ok:
            self.compare_with(others[names.index(choice)].study_uid)

    def compare_with(self, study_uid: str) -> bool:
        """Show a matching series of another study beside the active one (layout 1 x 2)."""
        if self.store is None:
            return False
        rows: list[SeriesRow] = series_of_study(self.store.index, study_uid)
        if not rows:
            return False
        label = self.tr("Prior")
        self.refresh_strip([(label, rows)])
        vp = self.active or self.viewports[0]
        current = self.series_of(vp.stack) if vp.stack is not None else ""
        mine = next((r for r in series_of_study(self.store.index, self.study_uid)
                     if r.series_uid == current), None)  # fmt: skip
        best = sorted(
            rows,
            key=lambda r: (
                mine is None or r.modality != mine.modality,
                mine is None or r.description != mine.description,
                r.num_images == 0,
            ),
        )
        self.set_layout(1, 2)
        for row in best:
            if self.show_series(row.series_uid, self.viewports[1]):
                self.set_active(self.viewports[0])
                return True
        return False
