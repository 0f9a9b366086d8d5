"""The Query/Retrieve panel of the running application against DCMTK's dcmqrscp: a search
streams matches into the tree, a study expands into its series, the result limit cancels
and says the list is incomplete, a refused association is explained, and Retrieve (C-MOVE
to this workstation) runs as a job whose study then appears in the browser."""

from __future__ import annotations

from pathlib import Path

import pydicom
import pytest
from pydicom.uid import generate_uid

from tests.gui import workstation_app
from workstation.config import Role, parse_node_spec
from workstation.jobs import JobState

from .conftest import LOOPBACK, ct_small
from .qr_scu_support import QRSCP_AET, ct_copies, start_qrscp

pytestmark = [pytest.mark.integration, pytest.mark.gui]

start_app = workstation_app.start_app  # the fixture
WAIT_MS = 30_000
ROLES = frozenset({Role.QUERY, Role.RETRIEVE})


def other_studies(folder: Path, count: int) -> list[Path]:
    """``count`` copies of CT_small, each its own study of the same patient."""
    folder.mkdir(parents=True)
    made = []
    for n in range(count):
        ds = pydicom.dcmread(ct_small())
        ds.StudyInstanceUID, ds.SeriesInstanceUID = generate_uid(), generate_uid()
        ds.SOPInstanceUID = ds.file_meta.MediaStorageSOPInstanceUID = generate_uid()
        ds.StudyDescription = f"Follow-up {n + 1}"
        made.append(folder / f"study{n}.dcm")
        ds.save_as(made[-1], enforce_file_format=True)
    return made


@pytest.fixture
def pacs(tmp_path: Path):
    """dcmqrscp holding CT_small with 12 copies in a second series, and two more studies;
    the application's AE title is its move destination on a port chosen now."""
    port = workstation_app.free_port()
    files = [ct_small(), *ct_copies(tmp_path / "copies", 12),
             *other_studies(tmp_path / "studies", 2)]  # fmt: skip
    scp = start_qrscp(tmp_path / "qrscp", files, {"ws": (workstation_app.APP_AET, port)})
    try:
        yield scp, port
    finally:
        scp.stop()


def app_with_pacs(start_app, scp, port: int, **overrides):
    node = parse_node_spec(f"PACS={QRSCP_AET}@{LOOPBACK}:{scp.port}", ROLES)
    station = start_app(port=port, remote_nodes=(node,), **overrides)
    panel = station.window.query_panel
    assert panel.node_combo.currentData() == "PACS"
    return station, panel


def study_uids(scp) -> set[str]:
    return {str(pydicom.dcmread(f, stop_before_pixels=True).StudyInstanceUID) for f in scp.files}


def test_search_lists_the_studies_and_a_study_expands_into_its_series(qtbot, start_app, pacs):
    scp, port = pacs
    station, panel = app_with_pacs(start_app, scp, port)
    assert panel.search() is not None
    qtbot.waitUntil(lambda: panel.last_outcome is not None, timeout=WAIT_MS)
    model = panel.model
    assert model.rowCount() == len(study_uids(scp))
    assert panel.status.text() == f"{model.rowCount()} matches."
    found = {model.item(r, 0).data(workstation_app_keys_role())["study_uid"]
             for r in range(model.rowCount())}  # fmt: skip
    assert found == study_uids(scp)
    first = model.index(0, 0)
    panel.tree.expand(first)
    item = model.itemFromIndex(first)
    qtbot.waitUntil(lambda: item.rowCount() >= 1 and item.child(0).data(
        workstation_app_level_role()) == "SERIES", timeout=WAIT_MS)  # fmt: skip


def test_result_limit_cancels_and_says_the_list_is_incomplete(qtbot, start_app, pacs):
    scp, port = pacs
    station, panel = app_with_pacs(start_app, scp, port, query_result_limit=1)
    panel.level_combo.setCurrentIndex(panel.level_combo.findData("STUDY"))
    panel.search()
    qtbot.waitUntil(lambda: panel.last_outcome is not None, timeout=WAIT_MS)
    assert panel.last_outcome.limit_reached and panel.model.rowCount() == 1
    assert "incomplete" in panel.status.text()


def test_a_refused_association_is_explained(qtbot, start_app, pacs):
    scp, port = pacs
    wrong = parse_node_spec(f"PACS=NOT_QRSCP@{LOOPBACK}:{scp.port}", ROLES)
    station = start_app(port=port, remote_nodes=(wrong,))
    panel = station.window.query_panel
    panel.search()
    qtbot.waitUntil(lambda: panel.last_outcome is not None, timeout=WAIT_MS)
    assert panel.last_outcome.error is not None and panel.model.rowCount() == 0
    assert panel.status.text().startswith("The query failed after 0 matches:")
    assert "rejected" in panel.status.text().lower()


def test_retrieve_moves_the_selected_study_here_as_a_job(qtbot, start_app, pacs):
    scp, port = pacs
    station, panel = app_with_pacs(start_app, scp, port)
    panel.search()
    qtbot.waitUntil(lambda: panel.last_outcome is not None, timeout=WAIT_MS)
    panel.tree.selectionModel().select(
        panel.model.index(0, 0),
        panel.tree.selectionModel().SelectionFlag.Select
        | panel.tree.selectionModel().SelectionFlag.Rows,
    )
    assert panel.retrieve_button.isEnabled()
    keys = panel.model.item(0, 0).data(workstation_app_keys_role())
    (job_id,) = panel.retrieve_selected()
    queue = station.queue
    qtbot.waitUntil(
        lambda: queue.get(job_id).state in (JobState.SUCCEEDED, JobState.FAILED),
        timeout=WAIT_MS,
    )
    assert queue.get(job_id).state is JobState.SUCCEEDED, queue.get(job_id).last_error
    expected = sum(
        1 for f in scp.files
        if str(pydicom.dcmread(f, stop_before_pixels=True).StudyInstanceUID) == keys["study_uid"]
    )  # fmt: skip
    with station.store.index.reader() as c:
        stored = c.execute(
            "SELECT COUNT(*) FROM instance i JOIN series s ON i.series_fk = s.id"
            " JOIN study st ON s.study_fk = st.id WHERE st.study_uid = ?",
            (keys["study_uid"],),
        ).fetchone()[0]
    assert stored == expected
    browser = station.window.browser
    qtbot.waitUntil(lambda: browser.study_model.rowCount() == 1, timeout=WAIT_MS)


def workstation_app_keys_role():
    from workstation.ui.qr.query_panel import KEYS_ROLE

    return KEYS_ROLE


def workstation_app_level_role():
    from workstation.ui.qr.query_panel import LEVEL_ROLE

    return LEVEL_ROLE
