"""C-MOVE and C-GET SCP against DCMTK movescu (to a storescp started by the test) and
getscu, on a node holding every shipped file.

What arrives is compared data element by data element with the kept file; the
sub-operation counts are read from the final response as ``movescu -d`` / ``getscu -d``
print it.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pydicom
import pytest
from pydicom.dataset import Dataset
from pydicom.uid import UID, ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom import AE, build_role, evt
from pynetdicom.sop_class import StudyRootQueryRetrieveInformationModelGet

from workstation.config import parse_node_spec

from .conftest import KNOWN_AET, NODE_AET, find_free_port, make_copies
from .qr_support import (
    PATIENT_ROOT,
    PATIENT_STUDY_ONLY,
    STUDY_ROOT,
    Catalog,
    Kept,
    element_differences,
    fresh_dir,
    getscu,
    movescu,
    start_storescp,
    stop_storescp,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.filterwarnings("ignore:Invalid value for VR:UserWarning"),
]

SUCCESS = 0x0000
CANCELLED = 0xFE00
MOVE_DESTINATION_UNKNOWN = 0xA801
SUB_OPERATIONS_WITH_FAILURES = 0xB000
UNCOMPRESSED = {ExplicitVRLittleEndian, ImplicitVRLittleEndian}

MR_STUDY_FILE = "4467"  # Doe^Peter MR study: 3 series, 10 instances
CR_SERIES_FILE = "6154"  # Doe^Archibald CR series
CT_SERIES_FILE = "IM000000"  # pydicom-data CT series, 58 instances
J2K_FILE = "MR2_J2KR.dcm"


def read(path: Path) -> Dataset:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(path)


def received_by_uid(datasets: list[Dataset]) -> dict[str, Dataset]:
    found = {str(ds.SOPInstanceUID): ds for ds in datasets}
    assert len(found) == len(datasets), "an instance arrived twice"
    return found


def assert_equal_to_kept(
    received: dict[str, Dataset], expected: list[Kept], same_syntax: bool = False
) -> None:
    """The instances that arrived are exactly ``expected``, element for element (pixel
    data included), and, with ``same_syntax``, in the transfer syntax they are stored in."""
    assert sorted(received) == sorted(k.sop_uid for k in expected)
    for kept in expected:
        stored = read(kept.path)
        got = received[kept.sop_uid]
        assert element_differences(got, stored) == [], kept.name
        if same_syntax:
            assert got.file_meta.TransferSyntaxUID == stored.file_meta.TransferSyntaxUID


def series_keys(catalog: Catalog, file_name: str, patient_id: bool = False) -> list[str]:
    kept = catalog.by_name(file_name)
    keys = [
        "QueryRetrieveLevel=SERIES",
        f"StudyInstanceUID={kept.study_uid}",
        f"SeriesInstanceUID={kept.series_uid}",
    ]
    if patient_id:
        keys.insert(1, f"PatientID={kept.text('PatientID')}")
    return keys


def image_keys(catalog: Catalog, file_name: str) -> list[str]:
    kept = catalog.by_name(file_name)
    return [
        "QueryRetrieveLevel=IMAGE",
        f"StudyInstanceUID={kept.study_uid}",
        f"SeriesInstanceUID={kept.series_uid}",
        f"SOPInstanceUID={kept.sop_uid}",
    ]


def move(qr_node, model: str, destination: str, keys: list[str], extra=()):
    return movescu(qr_node.host, qr_node.port, NODE_AET, model, destination, keys, extra=extra)


def assert_complete(result, total: int) -> None:
    """Final response 0000 with ``total`` completed; one pending response per instance
    with the remaining count going down (PS3.4 C.4.2)."""
    final = result.final
    assert final.status == SUCCESS, result.output[-3000:]
    assert (final.completed, final.failed, final.warning) == (total, 0, 0)
    assert final.remaining in (None, 0)  # pynetdicom sends 0 in the final response
    pending = result.pending
    assert [p.remaining for p in pending] == list(range(total - 1, -1, -1))
    assert [p.completed for p in pending] == list(range(1, total + 1))


# -- C-MOVE ---------------------------------------------------------------------------------
def test_move_study_to_a_known_destination_delivers_the_stored_files(
    qr_node, processes, tmp_path: Path
):
    catalog = qr_node.catalog
    aet, port = qr_node.destinations["STORESCP1"]
    scp = start_storescp(processes, tmp_path / "received", aet, port)
    study = catalog.by_name(MR_STUDY_FILE).study_uid
    expected = catalog.instances_of_study(study)
    result = move(
        qr_node, STUDY_ROOT, aet, ["QueryRetrieveLevel=STUDY", f"StudyInstanceUID={study}"]
    )
    stop_storescp(scp)
    assert_complete(result, len(expected))
    assert_equal_to_kept(received_by_uid(scp.received()), expected)


def test_move_series_patient_root_delivers_the_stored_files(qr_node, processes, tmp_path: Path):
    catalog = qr_node.catalog
    aet, port = qr_node.destinations["STORESCP1"]
    scp = start_storescp(processes, tmp_path / "received", aet, port)
    kept = catalog.by_name(CR_SERIES_FILE)
    expected = catalog.instances_of_series(kept.series_uid)
    result = move(qr_node, PATIENT_ROOT, aet, series_keys(catalog, CR_SERIES_FILE, patient_id=True))
    stop_storescp(scp)
    assert_complete(result, len(expected))
    assert_equal_to_kept(received_by_uid(scp.received()), expected)


def test_move_patient_study_only_study_level(qr_node, processes, tmp_path: Path):
    catalog = qr_node.catalog
    aet, port = qr_node.destinations["STORESCP2"]
    scp = start_storescp(processes, tmp_path / "received", aet, port)
    kept = catalog.by_name("CT_small.dcm")
    expected = catalog.instances_of_study(kept.study_uid)
    keys = [
        "QueryRetrieveLevel=STUDY",
        f"PatientID={kept.text('PatientID')}",
        f"StudyInstanceUID={kept.study_uid}",
    ]
    result = move(qr_node, PATIENT_STUDY_ONLY, aet, keys)
    stop_storescp(scp)
    assert_complete(result, len(expected))
    assert_equal_to_kept(received_by_uid(scp.received()), expected)


def test_move_to_an_unknown_destination_is_refused_a801(qr_node):
    study = qr_node.catalog.by_name(MR_STUDY_FILE).study_uid
    result = move(
        qr_node, STUDY_ROOT, "NOWHERE", ["QueryRetrieveLevel=STUDY", f"StudyInstanceUID={study}"]
    )
    assert result.final.status == MOVE_DESTINATION_UNKNOWN, result.output[-3000:]
    assert result.pending == []


@pytest.mark.parametrize("file_name", ["JPEG-LL.dcm", "SC_rgb_jpeg_dcmtk.dcm", J2K_FILE])
def test_move_compressed_to_an_uncompressed_only_destination_decompresses(
    qr_node, processes, tmp_path: Path, file_name: str
):
    """storescp without +xa accepts only uncompressed syntaxes: the instance arrives
    decompressed, its pixels equal the stored pixels decoded, every other element equal
    (bar what decompression itself changes: the colour space of YBR JPEG)."""
    catalog = qr_node.catalog
    kept = catalog.by_name(file_name)
    stored = read(kept.path)
    assert UID(stored.file_meta.TransferSyntaxUID).is_compressed
    aet, port = qr_node.destinations["STORESCP3"]
    scp = start_storescp(processes, tmp_path / "received", aet, port)
    result = move(qr_node, STUDY_ROOT, aet, image_keys(catalog, file_name))
    stop_storescp(scp)
    assert_complete(result, 1)
    (got,) = scp.received()
    assert got.file_meta.TransferSyntaxUID in UNCOMPRESSED
    assert np.array_equal(got.pixel_array, stored.pixel_array)
    changed_by_decoding = {"PixelData", "PhotometricInterpretation", "PlanarConfiguration"}
    assert element_differences(got, stored, ignore=changed_by_decoding) == []
    if stored.PhotometricInterpretation.startswith("YBR"):
        assert got.PhotometricInterpretation == "RGB"  # pydicom converts YBR to RGB on decoding


@pytest.mark.parametrize("file_name", ["JPEG-LL.dcm", "SC_rgb_jpeg_dcmtk.dcm", J2K_FILE])
def test_move_compressed_to_an_accept_all_destination_keeps_the_stored_syntax(
    qr_node, processes, tmp_path: Path, file_name: str
):
    catalog = qr_node.catalog
    kept = catalog.by_name(file_name)
    aet, port = qr_node.destinations["STORESCP4"]
    scp = start_storescp(processes, tmp_path / "received", aet, port, "+xa")
    result = move(qr_node, STUDY_ROOT, aet, image_keys(catalog, file_name))
    stop_storescp(scp)
    assert_complete(result, 1)
    assert UID(read(kept.path).file_meta.TransferSyntaxUID).is_compressed
    assert_equal_to_kept(received_by_uid(scp.received()), [kept], same_syntax=True)


def test_move_counts_a_failed_sub_operation_and_lists_its_uid(
    start_node, processes, tmp_path: Path
):
    """One of three stored files has gone from the disk: two sub-operations complete, one
    fails; the final status is B000 with that SOP Instance UID in the Failed SOP
    Instance UID List (PS3.4 C.4.2)."""
    dest_port = find_free_port()
    node = start_node(
        remote_nodes=(
            parse_node_spec(f"DCMTK={KNOWN_AET}@127.0.0.1:104"),
            parse_node_spec(f"DEST=STORESCP9@127.0.0.1:{dest_port}"),
        )
    )
    copies = make_copies(tmp_path / "copies", 3)
    for path, _uid in copies:
        node.store.add_file(path)
    gone = copies[1][1]
    node.store.path_of(node.store.index.instance(gone)["rel_path"]).unlink()
    scp = start_storescp(processes, tmp_path / "received", "STORESCP9", dest_port)
    series = pydicom.dcmread(copies[0][0], stop_before_pixels=True).SeriesInstanceUID
    study = pydicom.dcmread(copies[0][0], stop_before_pixels=True).StudyInstanceUID
    keys = ["QueryRetrieveLevel=SERIES", f"StudyInstanceUID={study}", f"SeriesInstanceUID={series}"]
    result = movescu(node.host, node.port, NODE_AET, STUDY_ROOT, "STORESCP9", keys)
    stop_storescp(scp)
    final = result.final
    assert final.status == SUB_OPERATIONS_WITH_FAILURES, result.output[-3000:]
    assert (final.completed, final.failed, final.warning) == (2, 1, 0)
    assert result.failed_uids == [gone]
    assert sorted(received_by_uid(scp.received())) == sorted(
        uid for _, uid in copies if uid != gone
    )


def test_movescu_cancel_stops_the_move_with_fe00(qr_node, processes, tmp_path: Path):
    """movescu --cancel 1 sends C-CANCEL after the first pending response: the SCP stops
    before the 58th instance and answers FE00 with the counts so far."""
    catalog = qr_node.catalog
    kept = catalog.by_name(CT_SERIES_FILE)
    total = len(catalog.instances_of_series(kept.series_uid))
    aet, port = qr_node.destinations["STORESCP2"]
    scp = start_storescp(processes, tmp_path / "received", aet, port)
    result = move(
        qr_node, STUDY_ROOT, aet, series_keys(catalog, CT_SERIES_FILE), extra=["--cancel", "1"]
    )
    stop_storescp(scp)
    final = result.final
    assert final.status == CANCELLED, result.output[-3000:]
    assert final.remaining is not None and final.remaining > 0
    assert final.completed + final.failed + final.warning + final.remaining == total
    assert len(scp.received()) == final.completed


# -- C-GET ----------------------------------------------------------------------------------
def get(qr_node, tmp_path: Path, model: str, keys: list[str]):
    folder = fresh_dir(tmp_path, "got")
    result = getscu(qr_node.host, qr_node.port, NODE_AET, model, keys, folder)
    return result, [read(p) for p in sorted(folder.iterdir())]


def test_get_study_level_delivers_the_stored_files(qr_node, tmp_path: Path):
    catalog = qr_node.catalog
    study = catalog.by_name(MR_STUDY_FILE).study_uid
    expected = catalog.instances_of_study(study)
    result, got = get(
        qr_node, tmp_path, STUDY_ROOT, ["QueryRetrieveLevel=STUDY", f"StudyInstanceUID={study}"]
    )
    assert_complete(result, len(expected))
    assert_equal_to_kept(received_by_uid(got), expected)


def test_get_series_level_patient_root_delivers_the_stored_files(qr_node, tmp_path: Path):
    catalog = qr_node.catalog
    kept = catalog.by_name(CR_SERIES_FILE)
    expected = catalog.instances_of_series(kept.series_uid)
    result, got = get(
        qr_node, tmp_path, PATIENT_ROOT, series_keys(catalog, CR_SERIES_FILE, patient_id=True)
    )
    assert_complete(result, len(expected))
    assert_equal_to_kept(received_by_uid(got), expected)


def test_get_jpeg2000_by_an_uncompressed_only_scu_decompresses(qr_node, tmp_path: Path):
    """getscu offers only uncompressed syntaxes for its storage sub-operations: the
    JPEG 2000 instance arrives decompressed (what Orthanc 1.10 cannot do: DESIGN.md 8)."""
    catalog = qr_node.catalog
    stored = read(catalog.by_name(J2K_FILE).path)
    result, got = get(qr_node, tmp_path, STUDY_ROOT, image_keys(catalog, J2K_FILE))
    assert_complete(result, 1)
    (ds,) = got
    assert ds.file_meta.TransferSyntaxUID in UNCOMPRESSED
    assert np.array_equal(ds.pixel_array, stored.pixel_array)
    assert element_differences(ds, stored, ignore={"PixelData"}) == []


def test_c_cancel_after_the_first_get_sub_operation_ends_with_fe00(qr_node):
    """A pynetdicom C-GET SCU sends C-CANCEL from inside its first C-STORE handler, before
    answering it: the SCP sees the cancel before it starts the second sub-operation, so
    the final FE00 response counts one completed and the rest remaining."""
    catalog = qr_node.catalog
    kept = catalog.by_name(CT_SERIES_FILE)
    total = len(catalog.instances_of_series(kept.series_uid))
    sop_classes = sorted(
        {k.text("SOPClassUID") for k in catalog.instances_of_series(kept.series_uid)}
    )
    stored: list[str] = []
    state: dict[str, object] = {}

    def on_store(event: evt.Event) -> int:
        stored.append(str(event.request.AffectedSOPInstanceUID))
        if len(stored) == 1:
            state["assoc"].send_c_cancel(9, state["context_id"])  # type: ignore[attr-defined]
        return 0x0000

    ae = AE(ae_title=KNOWN_AET)
    ae.add_requested_context(StudyRootQueryRetrieveInformationModelGet)
    for uid in sop_classes:
        ae.add_requested_context(uid, [ExplicitVRLittleEndian, ImplicitVRLittleEndian])
    roles = [build_role(uid, scp_role=True) for uid in sop_classes]
    assoc = ae.associate(
        qr_node.host,
        qr_node.port,
        ae_title=NODE_AET,
        ext_neg=roles,
        evt_handlers=[(evt.EVT_C_STORE, on_store)],
    )
    try:
        assert assoc.is_established
        state["assoc"] = assoc
        state["context_id"] = next(
            cx.context_id
            for cx in assoc.accepted_contexts
            if cx.abstract_syntax == StudyRootQueryRetrieveInformationModelGet
        )
        query = Dataset()
        query.QueryRetrieveLevel = "SERIES"
        query.StudyInstanceUID = kept.study_uid
        query.SeriesInstanceUID = kept.series_uid
        responses = [
            status
            for status, _ in assoc.send_c_get(
                query, StudyRootQueryRetrieveInformationModelGet, msg_id=9
            )
        ]
    finally:
        assoc.release()
        ae.shutdown()
    final = responses[-1]
    assert final.Status == CANCELLED
    assert final.NumberOfCompletedSuboperations == 1
    assert final.NumberOfRemainingSuboperations == total - 1
    assert final.NumberOfFailedSuboperations == 0
    assert len(stored) == 1
