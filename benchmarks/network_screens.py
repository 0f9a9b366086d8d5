"""Screenshots of the network screens under Xvfb, with Orthanc as the archive:

  browser_archive.png  the browser's Archive column: a study committed by Orthanc, one
                       sent to a node without commitment, one whose commitment never
                       came (commit failed), one not sent; the Send to menu open
  query_panel.png      the Query/Retrieve panel: Orthanc searched, a study expanded into
                       its series
  node_dialog.png      the remote node dialog with the compression policy

Orthanc runs on loopback from a temporary folder and is stopped by its pid at the end.
Run by hand: ``.venv/bin/python benchmarks/network_screens.py [--out /tmp/screens]``.
"""

from __future__ import annotations

import sys
import tempfile
import time
import warnings
from io import BytesIO
from pathlib import Path

import benchlib as bl
import screenshots

REPO = Path(__file__).resolve().parents[1]
APP_AET = "READING1"


class Archive(bl.OrthancProcess):
    aet = "ORTHANC"

    def __init__(self, root: Path, app_port: int) -> None:
        super().__init__(root / "orthanc.log")
        self.setup_orthanc(root)
        self.app_port = app_port

    def config(self) -> dict:
        cfg = super().config()
        cfg["Name"] = "ws-screens"
        cfg["DicomModalities"] = {"ws": [APP_AET, bl.LOOPBACK, self.app_port]}
        return cfg


def studies(count: int) -> list[bytes]:
    """``count`` one-image CT studies of two patients, as Part 10 bytes."""
    import pydicom
    from pydicom.data import get_testdata_file
    from pydicom.uid import generate_uid

    names = [("SMITH^ANNA", "P-1001"), ("MEIER^JONAS", "P-1002")]
    out = []
    for n in range(count):
        ds = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
        ds.PatientName, ds.PatientID = names[n % 2]
        ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.StudyDescription = ["CT THORAX", "CT ABDOMEN", "CT HEAD", "CT SPINE"][n % 4]
        ds.StudyDate = f"202611{10 + n:02d}"
        ds.AccessionNumber = f"ACC{2000 + n}"
        buf = BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        out.append(buf.getvalue())
    return out


def inside(out: Path) -> int:
    warnings.simplefilter("ignore")
    sys.path.insert(0, str(REPO))
    import pydicom
    from PySide6.QtCore import QPoint
    from PySide6.QtWidgets import QApplication

    from workstation.config import Settings
    from workstation.config.settings import Role, make_node
    from workstation.jobs import JobState
    from workstation.store import LocalStore
    from workstation.store.commitment_state import CommitItem, CommitmentState
    from workstation.ui.service.node_dialog import NodeDialog

    app = QApplication([sys.argv[0]])
    out.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="ws-network-screens-"))
    app_port = bl.free_port()
    archive = Archive(work, app_port)
    archive.root.mkdir(parents=True, exist_ok=True)
    archive.write_config()
    archive.start()
    try:
        made = studies(6)
        for data in made[3:]:  # what only the archive holds (to query and retrieve)
            import urllib.request

            request = urllib.request.Request(
                f"http://{bl.LOOPBACK}:{archive.http_port}/instances", data=data, method="POST"
            )
            urllib.request.urlopen(request, timeout=30).read()
        data_dir = work / "store"
        with LocalStore(data_dir, min_free_space_mb=0) as store:
            for data in made[:4]:
                store.add_bytes(data)
        uids = [str(pydicom.dcmread(BytesIO(d), stop_before_pixels=True).StudyInstanceUID)
                for d in made]  # fmt: skip

        pacs = make_node(name="PACS", ae_title=archive.aet, host=bl.LOOPBACK, port=archive.port,
                         roles=frozenset({Role.STORE, Role.QUERY, Role.RETRIEVE}),
                         storage_commitment=True)  # fmt: skip
        backup = make_node(name="BACKUP", ae_title=archive.aet, host=bl.LOOPBACK,
                           port=archive.port, roles=frozenset({Role.STORE}))  # fmt: skip
        settings = Settings(ae_title=APP_AET, port=app_port, bind_address=bl.LOOPBACK,
                            data_dir=data_dir, min_free_space_mb=0,
                            remote_nodes=(pacs, backup))  # fmt: skip
        from workstation.app import Workstation

        station = Workstation(settings, work / "gui.ini", offer_samples=False)
        window = station.window
        window.resize(1560, 940)
        station.start()

        pause = screenshots.pump

        def wait(predicate, timeout: float, what: str) -> None:
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                pause(50)
                if predicate():
                    return
            raise RuntimeError(f"timed out waiting for {what}")

        controller = window.send_controller
        jobs = controller.send([uids[0]], [pacs]) + controller.send([uids[1]], [backup])
        wait(lambda: all(station.queue.get(j).state is JobState.SUCCEEDED for j in jobs), 60,
             "the sends")  # fmt: skip
        wait(lambda: all(j.state is JobState.SUCCEEDED for j in station.queue.list()
                         if j.kind == "commit"), 60, "the commitment")  # fmt: skip
        ds = pydicom.dcmread(BytesIO(made[2]), stop_before_pixels=True)
        item = CommitItem(str(ds.SOPClassUID), str(ds.SOPInstanceUID), uids[2])
        CommitmentState(station.store.index).create_pending("2.25.99", "PACS", archive.aet,
                                                            [item], 0.0)  # fmt: skip
        browser = window.browser
        browser.refresh()
        browser.study_model.refresh_archive()
        wait(lambda: "Committed" in str(browser.study_model.data(
            browser.study_model.index(browser.study_model.row_of(uids[0]), 11))), 30,
            "the committed flag")  # fmt: skip
        browser.select_study(uids[0])
        pause(500)
        screenshots.save(window.grab(), out / "browser_archive.png")

        menu = window.send_menu
        controller.fill_send_menu(menu)
        menu.popup(window.mapToGlobal(QPoint(60, 40)))
        pause(400)
        screen = app.primaryScreen().grabWindow(0)
        screenshots.save(screen, out / "send_menu.png")
        menu.close()

        panel = window.query_panel
        window.tabs.setCurrentWidget(panel)
        panel.search()
        wait(lambda: panel.last_outcome is not None, 30, "the search")
        panel.tree.expand(panel.model.index(0, 0))
        pause(1500)
        for column in range(panel.model.columnCount()):
            panel.tree.resizeColumnToContents(column)
        screenshots.save(window.grab(), out / "query_panel.png")

        dialog = NodeDialog(pacs, window)
        dialog.show()
        pause(300)
        screenshots.save(dialog.grab(), out / "node_dialog.png")
        dialog.close()
        window.close()
        pause(200)
        return 0
    finally:
        archive.stop()


def main() -> int:
    return screenshots.script_main(__doc__, inside, Path(__file__))


if __name__ == "__main__":
    sys.exit(main())
