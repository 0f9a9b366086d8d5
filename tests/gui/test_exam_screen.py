"""The examination screen in the running application: registration from the worklist tab's
buttons, images a modality sends (DCMTK storescu to our node) appearing live, files added
(PNG and PDF), the MPPS badge through not sent / in progress / completed against the
strict MPPS SCP of tests/peers, the discontinue dialog (CID 9300), the emergency
registration completed later, every MPPS state with its reason, and the lock after a
final state."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
import workstation_app
from integration.conftest import run_dcmtk
from PIL import Image
from pydicom.data import get_testdata_file
from pydicom.uid import generate_uid
from PySide6.QtWidgets import QDialog
from workstation_app import APP_AET, KNOWN_AET, LOOPBACK

from tests.peers.fixtures import mpps_scp  # noqa: F401
from tests.peers.mpps_scp import StrictMppsScp
from workstation.config import RemoteNode, Role, parse_node_spec
from workstation.dicom.builders.mpps import CID_9300
from workstation.store.procedure_steps import MppsState, StepState
from workstation.ui import i18n
from workstation.ui.worklist import registration_backend as rb
from workstation.ui.worklist.discontinue_dialog import DiscontinueDialog
from workstation.ui.worklist.exam_screen import ExamScreen

pytestmark = [pytest.mark.gui, pytest.mark.filterwarnings("ignore::UserWarning")]

start_app = workstation_app.start_app  # the fixture
WAIT_MS = 60_000
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def nodes(scp: StrictMppsScp | None) -> tuple[RemoteNode, ...]:
    known = parse_node_spec(f"DCMTK={KNOWN_AET}@{LOOPBACK}:104")
    if scp is None:
        return (known,)
    ris = RemoteNode(name="RIS", ae_title=scp.ae_title, host=LOOPBACK, port=scp.port,
                     roles=frozenset({Role.MPPS}))  # fmt: skip
    return known, ris


def modality_images(folder: Path, study_uid: str, count: int) -> list[Path]:
    """``count`` CT images of ``study_uid`` as a modality would send them."""
    folder.mkdir(parents=True, exist_ok=True)
    ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    ds.StudyInstanceUID = study_uid
    ds.SeriesInstanceUID = generate_uid()
    paths = []
    for n in range(count):
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.InstanceNumber = n + 1
        path = folder / f"ct{n}.dcm"
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return paths


def photo_and_pdf(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    photo = folder / "wound.png"
    image = Image.new("RGB", (320, 240), (180, 60, 40))
    for x in range(40, 280):
        for y in range(100, 140):
            image.putpixel((x, y), (250, 230, 200))
    image.save(photo)
    pdf = folder / "consent.pdf"
    pdf.write_bytes(PDF)
    return [photo, pdf]


def manual_registration(name: str = "Schmidt^Jürgen", pid: str = "PID-2001"):
    return rb.manual({"patient_name": name, "patient_id": pid, "birth_date": "19630102",
                      "sex": "M", "modality": "CT", "study_description": "CT Thorax"})  # fmt: skip


class AutoReason(DiscontinueDialog):
    """The discontinue dialog, answered at once with ``code``."""

    code_to_pick = "110505"

    def exec(self) -> int:
        assert not self.ok_button.isEnabled()  # no reason chosen yet
        self.select(self.code_to_pick)
        assert self.ok_button.isEnabled()
        self.accept_reason()
        return QDialog.DialogCode.Accepted


def test_examination_with_images_arriving_files_added_and_mpps_completed(
    qtbot, start_app, mpps_scp, tmp_path  # noqa: F811
) -> None:
    station = start_app(remote_nodes=nodes(mpps_scp), exam={"mpps_node": "RIS"})
    window = station.window
    controller = window.exam_controller
    reg = manual_registration()
    controller.run_dialog = lambda dialog: reg
    screen = controller.register_manually()
    assert isinstance(screen, ExamScreen)
    assert window.tabs.currentWidget() is screen
    assert window.tabs.tabText(window.tabs.currentIndex()) == "Schmidt, Jürgen"
    assert screen.badge.text() == "MPPS not sent"
    assert screen.empty_hint.isVisibleTo(screen) and not screen.complete_button.isEnabled()

    port = station.node.address[1]
    files = modality_images(tmp_path / "modality", reg.study_instance_uid, 3)
    run_dcmtk("storescu", "-aet", KNOWN_AET, "-aec", APP_AET, LOOPBACK, str(port), *files)
    qtbot.waitUntil(lambda: screen.objects.count() == 3, timeout=WAIT_MS)
    assert screen.count_label.text() == "3 object(s) in 1 series"
    qtbot.waitUntil(lambda: screen.badge.state is MppsState.IN_PROGRESS, timeout=WAIT_MS)
    assert screen.badge.text() == "MPPS in progress"

    assert screen.add_files(photo_and_pdf(tmp_path / "desk"))
    qtbot.waitUntil(lambda: not screen.adding(), timeout=WAIT_MS)
    qtbot.waitUntil(lambda: screen.objects.count() == 5, timeout=WAIT_MS)
    assert screen.status.text() == "2 object(s) added."
    captions = sorted(screen.objects.item(i).text() for i in range(screen.objects.count()))
    assert any("PDF" in c for c in captions), captions
    notes = tmp_path / "notes.txt"
    notes.write_text("not an image")
    assert screen.add_files([notes])
    qtbot.waitUntil(lambda: not screen.adding(), timeout=WAIT_MS)
    assert screen.status.text().startswith("0 object(s) added. Not added: notes.txt: ")
    assert screen.add_button.isEnabled() and screen.objects.count() == 5

    screen.complete_button.click()
    assert screen.step.state is StepState.COMPLETED
    for button in (screen.add_button, screen.complete_button, screen.discontinue_button):
        assert not button.isEnabled()
    assert "locked" in screen.state_label.text()
    qtbot.waitUntil(lambda: screen.badge.state is MppsState.COMPLETED, timeout=WAIT_MS)
    assert mpps_scp.status_of(screen.step.mpps_uid) == "COMPLETED"
    assert not screen.add_files(files)  # locked


def test_emergency_completed_later_then_discontinued_with_a_cid_9300_reason(
    qtbot, start_app, mpps_scp, tmp_path  # noqa: F811
) -> None:
    station = start_app(remote_nodes=nodes(mpps_scp), exam={"mpps_node": "RIS"})
    window = station.window
    controller = window.exam_controller
    window.worklist_tab.emergency_button.click()
    screen = window.tabs.currentWidget()
    assert isinstance(screen, ExamScreen) and screen.step.registration.emergency
    assert screen.title.startswith("EMERGENCY, ")
    assert screen.emergency_label.isVisibleTo(screen)
    assert screen.mpps_reason.text() == "waits until the patient data is complete"

    assert screen.add_files(photo_and_pdf(tmp_path / "desk")[:1])
    qtbot.waitUntil(lambda: screen.objects.count() == 1, timeout=WAIT_MS)
    assert screen.badge.state is MppsState.NOT_SENT  # nothing goes out for an emergency

    controller.run_dialog = lambda dialog: rb.complete(
        dialog.base, {"patient_name": "Ωμέγα^Ελένη", "patient_id": "PID-1004", "modality": "CR"}
    )  # fmt: skip
    screen.complete_data_button.click()
    assert not screen.step.registration.emergency
    assert screen.name_label.text() == "Ωμέγα, Ελένη"
    assert window.tabs.tabText(window.tabs.indexOf(screen)) == "Ωμέγα, Ελένη"
    assert not screen.complete_data_button.isVisibleTo(screen)
    qtbot.waitUntil(lambda: screen.badge.state is MppsState.IN_PROGRESS, timeout=WAIT_MS)

    screen.make_discontinue_dialog = lambda: AutoReason(parent=screen)
    assert screen.discontinue_dialog()
    assert screen.step.state is StepState.DISCONTINUED
    assert screen.step.discontinue_code == "110505"
    assert "Patient refused to continue procedure" in screen.state_label.text()
    assert not screen.add_button.isEnabled() and not screen.discontinue_button.isEnabled()
    qtbot.waitUntil(lambda: screen.badge.state is MppsState.DISCONTINUED, timeout=WAIT_MS)
    assert mpps_scp.status_of(screen.step.mpps_uid) == "DISCONTINUED"


def test_emergency_ended_first_then_completed_sends_create_and_final_set(
    qtbot, start_app, mpps_scp, tmp_path  # noqa: F811
) -> None:
    station = start_app(remote_nodes=nodes(mpps_scp), exam={"mpps_node": "RIS"})
    window = station.window
    controller = window.exam_controller
    window.worklist_tab.emergency_button.click()
    screen = window.tabs.currentWidget()
    assert screen.add_files(photo_and_pdf(tmp_path / "desk"))
    qtbot.waitUntil(lambda: screen.objects.count() == 2, timeout=WAIT_MS)
    screen.complete_button.click()
    qtbot.waitUntil(lambda: screen.step.state is StepState.COMPLETED, timeout=WAIT_MS)
    assert screen.badge.state is MppsState.NOT_SENT and mpps_scp.messages == []
    assert screen.complete_data_button.isVisibleTo(screen)  # still offered after the end

    controller.run_dialog = lambda dialog: rb.complete(
        dialog.base, {"patient_name": "Late^Lena", "patient_id": "PID-1005", "modality": "OT"}
    )  # fmt: skip
    screen.complete_data_button.click()
    assert not screen.step.registration.emergency
    assert not screen.complete_data_button.isVisibleTo(screen)
    qtbot.waitUntil(lambda: screen.badge.state is MppsState.COMPLETED, timeout=WAIT_MS)
    assert [op for op, _uid, _ds in mpps_scp.messages] == ["N-CREATE", "N-SET"]
    assert mpps_scp.status_of(screen.step.mpps_uid) == "COMPLETED"


def test_the_discontinue_dialog_offers_cid_9300_and_needs_a_choice(qtbot) -> None:
    dialog = DiscontinueDialog()
    qtbot.addWidget(dialog)
    assert dialog.list.count() == len(CID_9300)
    assert not dialog.ok_button.isEnabled()
    dialog.ok_button.click()  # disabled: nothing happens
    assert dialog.code is None and dialog.result() == 0
    dialog.select("110501")
    assert dialog.list.currentItem().text() == "Equipment failure"
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert dialog.code == "110501" and dialog.result() == QDialog.DialogCode.Accepted


def test_the_discontinue_reasons_in_german(qtbot, qapp) -> None:
    assert i18n.install_translators("de", qapp)
    try:
        dialog = DiscontinueDialog()
        qtbot.addWidget(dialog)
        dialog.select("110505")
        assert dialog.list.currentItem().text() == "Patient verweigert die Fortsetzung"
        assert dialog.ok_button.text() == "Untersuchung abbrechen"
        assert dialog.windowTitle() == "Untersuchung abbrechen"
    finally:
        i18n.install_translators("en", qapp)


def test_every_mpps_state_shown_with_its_reason(qtbot, start_app) -> None:  # noqa: F811
    station = start_app(remote_nodes=(
        *nodes(None),
        RemoteNode(name="RIS", ae_title="RIS_MPPS", host=LOOPBACK, port=9, roles=frozenset({Role.MPPS})),
    ), exam={"mpps_node": "RIS"})  # fmt: skip
    controller = station.window.exam_controller
    reg = manual_registration("Dupont^Camille", "PID-1002")
    controller.run_dialog = lambda dialog: reg
    screen = controller.register_manually()
    steps = controller.backend.service.steps
    expected = {
        MppsState.NOT_SENT: ("MPPS not sent", "#6b6b6b"),
        MppsState.IN_PROGRESS: ("MPPS in progress", "#1565c0"),
        MppsState.COMPLETED: ("MPPS completed", "#2e7d32"),
        MppsState.DISCONTINUED: ("MPPS discontinued", "#b26a00"),
        MppsState.FAILED: ("MPPS failed", "#b00020"),
    }
    for state, (text, colour) in expected.items():
        reason = "0110 Processing Failure: unknown patient" if state is MppsState.FAILED else ""
        steps.set_mpps(screen.step_id, state, reason)
        screen.reload()
        assert screen.badge.text() == text and colour in screen.badge.styleSheet()
    assert screen.mpps_reason.text() == "0110 Processing Failure: unknown patient"
    steps.set_mpps(screen.step_id, MppsState.IN_PROGRESS, "")
    steps.note_mpps_error(screen.step_id, "Connection refused")  # an attempt failed
    screen.reload()
    assert screen.mpps_reason.text() == "retrying: Connection refused"


def test_closing_an_open_examination_ends_it_as_the_settings_say(
    qtbot, start_app, mpps_scp, tmp_path  # noqa: F811
) -> None:
    station = start_app(remote_nodes=nodes(mpps_scp), exam={"mpps_node": "RIS"})
    window = station.window
    controller = window.exam_controller
    controller.run_dialog = lambda dialog: manual_registration()
    photo = photo_and_pdf(tmp_path / "desk")[:1]

    # "dialog" (the default): cancel keeps the screen, "keep" leaves the step open
    screen = controller.register_manually()
    screen.close_choice = lambda: "cancel"
    window.close_tab(window.tabs.indexOf(screen))
    assert window.tabs.indexOf(screen) >= 0
    screen.close_choice = lambda: "keep"
    step_id = screen.step_id
    window.close_tab(window.tabs.indexOf(screen))
    assert window.tabs.indexOf(screen) < 0
    assert controller.backend.step(step_id).state is StepState.OPEN

    # "complete" from the close dialog
    screen = controller.register_manually()
    assert screen.add_files(photo)
    qtbot.waitUntil(lambda: screen.objects.count() == 1, timeout=WAIT_MS)
    screen.close_choice = lambda: "complete"
    step_id = screen.step_id
    window.close_tab(window.tabs.indexOf(screen))
    assert controller.backend.step(step_id).state is StepState.COMPLETED

    # "automatic": closing completes a step that has objects, without asking
    station.settings = station.settings.updated(exam={"complete_mode": "automatic"})
    window.settings = station.settings
    screen = controller.register_manually()
    assert screen.add_files(photo)
    qtbot.waitUntil(lambda: screen.objects.count() == 1, timeout=WAIT_MS)
    screen.close_choice = lambda: pytest.fail("automatic mode must not ask")
    step_id = screen.step_id
    window.close_tab(window.tabs.indexOf(screen))
    assert controller.backend.step(step_id).state is StepState.COMPLETED


def test_register_from_a_worklist_item_and_continue_the_open_examination(
    qtbot, start_app, monkeypatch  # noqa: F811
) -> None:
    from test_worklist_tab import items

    from workstation.ui.worklist import controller as controller_module

    station = start_app()
    window = station.window
    tab = window.worklist_tab
    found = items()
    tab.model.set_items(found)
    tab.table.selectRow(next(r for r in range(tab.proxy.rowCount())
                             if tab.proxy.index(r, 2).data() == "PID-1003"))  # fmt: skip
    shown = []

    def accept_as_filled(dialog):
        shown.append(dialog)
        assert dialog.ok_button.isEnabled()
        return dialog.registration_candidate

    window.exam_controller.run_dialog = accept_as_filled
    tab.register_button.click()
    screen = window.tabs.currentWidget()
    assert isinstance(screen, ExamScreen)
    reg = screen.step.registration
    assert reg.scheduled and reg.study_instance_uid == found[2].study_instance_uid
    assert reg.patient_name == "Müller^Jürgen" and reg.accession_number == "ACC-LATIN1"
    assert "scheduled (worklist)" in screen.order_label.text()
    status = next(tab.proxy.index(r, 9).data() for r in range(tab.proxy.rowCount())
                  if tab.proxy.index(r, 2).data() == "PID-1003")  # fmt: skip
    assert status == "in examination here"

    # the same item again: the open examination is offered, and continued
    window.tabs.setCurrentWidget(tab)
    monkeypatch.setattr(controller_module.QMessageBox, "question",
                        lambda *args, **kwargs: controller_module.QMessageBox.StandardButton.Yes)
    tab.register_button.click()
    assert window.tabs.currentWidget() is screen
    assert len(shown) == 1  # no second registration form
