"""Every shipped DICOM file sent by DCMTK storescu to our node, compressed ones as they are.

storescu only sends a compressed file unchanged when it was given a negotiation profile
(DESIGN.md section 8): the profile written here proposes, for every SOP class in the
samples, one presentation context per transfer syntax found in the samples, split into
several profiles (one storescu run each) to stay within 128 contexts per association.

The expected outcome of each file is decided from the file itself (read with pydicom),
the node's answer is read from ``storescu -d`` (``DIMSE Status : 0x....``), and the
store is checked against the sources: every instance that got 0000 is indexed, its
stored data elements equal those of the copy that was kept (the first one sent that got
0000), and it is stored in the transfer syntax it was sent in.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import pydicom
import pytest
from conftest import sample_files
from pydicom.dataset import Dataset
from pydicom.tag import Tag
from pydicom.uid import (
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
)

from workstation.net.negotiation import STORAGE_SOP_CLASSES

from .conftest import (
    KNOWN_AET,
    NODE_AET,
    run_dcmtk,
    stored_dcm_files,
    storescu_results,
    temp_files,
)

pytestmark = pytest.mark.integration

MAX_CONTEXTS = 128
SUCCESS = "0000"


@dataclass(frozen=True)
class Sample:
    """What pydicom sees in one shipped file."""

    path: Path
    dataset: Dataset | None  # None: pydicom cannot read it at all
    decodable: bool  # every element's value can be decoded
    sop_class: str
    sop_uid: str
    study_uid: str
    series_uid: str
    syntax: str

    @property
    def expected_status(self) -> str:
        """The node's answer to this file (CONFORMANCE.md, Storage SCP outcomes)."""
        if not self.decodable:
            return "C000"
        if not all(map(usable_uid, (self.study_uid, self.series_uid))):
            return "A900"
        if not (usable_uid(self.sop_uid) and len(self.sop_uid) <= 64):
            return "A900"  # also the command's Affected SOP Instance UID (UI: 64)
        return SUCCESS


def usable_uid(value: str) -> bool:
    """Kept as sent (CONFORMANCE.md): present and printable, no spaces inside, no path
    separator or backslash; letters, leading zeros or more than 64 characters are kept."""
    return bool(value) and re.fullmatch(r"[!-~]+", value) is not None and not (
        set(value) & {"/", "\\"}
    )


def _decode_all(ds: Dataset) -> None:
    for elem in ds.iterall():
        _ = elem.value


def inspect(path: Path) -> Sample:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds = pydicom.dcmread(path, force=True)
        except Exception:
            return Sample(path, None, False, "", "", "", "", "")
        try:
            _decode_all(ds)
            decodable = True
        except Exception:
            decodable = False
    meta = ds.file_meta if ds.file_meta is not None else Dataset()
    syntax = str(meta.get("TransferSyntaxUID") or "")
    if not syntax:
        implicit, little = ds.original_encoding
        syntax = (
            ImplicitVRLittleEndian
            if implicit
            else (ExplicitVRLittleEndian if little else ExplicitVRBigEndian)
        )

    def text(keyword: str) -> str:
        try:
            return str(ds.get(keyword) or "").strip()
        except Exception:
            return ""

    return Sample(
        path=path,
        dataset=ds,
        decodable=decodable,
        sop_class=text("SOPClassUID"),
        sop_uid=text("SOPInstanceUID"),
        study_uid=text("StudyInstanceUID"),
        series_uid=text("SeriesInstanceUID"),
        syntax=syntax,
    )


def write_profiles(cfg: Path, sop_classes: list[str], syntaxes: list[str]) -> list[tuple[str, list[str]]]:
    """A storescu.cfg with profiles P1..Pn, each at most 128 contexts; (profile, classes)."""
    per_profile = max(1, MAX_CONTEXTS // len(syntaxes))
    groups = [sop_classes[i : i + per_profile] for i in range(0, len(sop_classes), per_profile)]
    lines = ["[[TransferSyntaxes]]"]
    for n, ts in enumerate(syntaxes, start=1):
        lines += [f"[TS{n}]", f"TransferSyntax1 = {ts}"]
    lines.append("[[PresentationContexts]]")
    for g, classes in enumerate(groups, start=1):
        lines.append(f"[Contexts{g}]")
        n = 0
        for uid in classes:
            for t in range(1, len(syntaxes) + 1):
                n += 1
                lines.append(f"PresentationContext{n} = {uid}\\TS{t}")
        assert n <= MAX_CONTEXTS
    lines.append("[[Profiles]]")
    for g in range(1, len(groups) + 1):
        lines += [f"[P{g}]", f"PresentationContexts = Contexts{g}"]
    cfg.write_text("\n".join(lines) + "\n")
    return [(f"P{g}", classes) for g, classes in enumerate(groups, start=1)]


def data_elements(ds: Dataset) -> dict:
    """Every data element outside group 0002, decoded."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return {tag: ds[tag] for tag in ds.keys() if tag.group != 0x0002}


TRAILING_PADDING = Tag(0xFFFC, 0xFFFC)
PIXEL_DATA = Tag(0x7FE0, 0x0010)
NATIVE = {ImplicitVRLittleEndian, ExplicitVRLittleEndian, ExplicitVRBigEndian, DeflatedExplicitVRLittleEndian}


def compare(sent: dict, stored: dict, syntax: str) -> list[str]:
    """How the stored elements differ from the source file's, apart from what DCMTK itself
    changes when it encodes a dataset for the network:

    - group lengths (gggg,0000), retired in datasets, are recalculated (a wrong one fixed);
    - Data Set Trailing Padding (FFFC,FFFC) is not sent;
    - encapsulated Pixel Data is sent as OB, the only VR PS3.5 allows for it.
    """
    problems = []
    for tag in sorted(sent.keys() - stored.keys()):
        if tag != TRAILING_PADDING:
            problems.append(f"{tag} not stored")
    for tag in sorted(stored.keys() - sent.keys()):
        problems.append(f"{tag} stored but not sent")
    for tag in sorted(sent.keys() & stored.keys()):
        a, b = sent[tag], stored[tag]
        if tag.element == 0x0000:
            continue
        if tag == PIXEL_DATA and syntax not in NATIVE and a.VR != b.VR and b.VR == "OB":
            if a.value != b.value:
                problems.append(f"{tag} value differs")
            continue
        if a != b:
            problems.append(f"{tag} differs: {a.VR} {str(a.value)[:40]!r} -> {b.VR} {str(b.value)[:40]!r}")
    return problems


def send_in_profiles(node, tmp_path: Path, samples: list[Sample]) -> list[tuple[str, list[str]]]:
    """Send every sample with storescu, one run per profile; (path, responses) in send order.

    Within a run the files go in sample_files() order (storescu sends in the order
    given). Files without a SOP class go with the first run: storescu refuses them itself.
    """
    sop_classes = sorted({s.sop_class for s in samples if s.sop_class})
    syntaxes = sorted({s.syntax for s in samples if s.dataset is not None})
    cfg = tmp_path / "storescu.cfg"
    profiles = write_profiles(cfg, sop_classes, syntaxes)
    assert len(profiles) > 1  # the samples need more than 128 contexts: several runs
    sent: list[tuple[str, list[str]]] = []
    for n, (profile, classes) in enumerate(profiles):
        wanted = set(classes)
        paths = [str(s.path) for s in samples if s.sop_class in wanted or (n == 0 and not s.sop_class)]
        # -nh: go on after a failed store; -d: the response status of each file in hex
        result = run_dcmtk(
            "storescu", "-d", "-nh", "-aet", KNOWN_AET, "-aec", NODE_AET, "-xf", cfg, profile,
            node.host, str(node.port), *paths,
            timeout=240,
        )  # fmt: skip
        (tmp_path / f"storescu-{profile}.log").write_text(result.stdout)
        assert "Association Accepted" in result.stdout, result.stdout[-3000:]
        assert "Releasing Association" in result.stdout, result.stdout[-3000:]
        sent.extend(storescu_results(result.stdout))
    return sent


@pytest.mark.filterwarnings("ignore::UserWarning:pydicom")  # the odd shipped files, on purpose
def test_every_shipped_file_sent_by_storescu(node, tmp_path):
    samples = [inspect(p) for p in sample_files()]
    by_path = {str(s.path): s for s in samples}
    sent = send_in_profiles(node, tmp_path, samples)

    # The node's answer per file that reached it; the rest storescu did not send.
    statuses = {
        path: responses[0]
        for path, responses in sent
        if responses and re.fullmatch(r"[0-9A-F]{4}", responses[0])
    }
    not_sent = {
        str(s.path): dict(sent).get(str(s.path)) or ["not even tried"]
        for s in samples
        if str(s.path) not in statuses
    }
    wrong = {
        Path(path).name: (status, by_path[path].expected_status)
        for path, status in statuses.items()
        if status != by_path[path].expected_status
    }
    assert not wrong, f"node answered (got, expected): {wrong}"
    assert len(statuses) > 150, f"only {len(statuses)} files reached the node"
    assert {SUCCESS, "A900"} <= set(statuses.values())  # both occur with real files

    # storescu's own refusals (not DICOM, truncated, no SOP class or instance, or a SOP
    # class without an accepted context) are not our outcome; any other failure to send,
    # e.g. a compressed file with no context for its syntax, is.
    own_refusals = ("Bad DICOM file", "No SOP Class or Instance UID", "No presentation context")
    failed_to_send = {
        Path(path).name: why
        for path, why in not_sent.items()
        if why != ["not even tried"] and not any(r in w for w in why for r in own_refusals)
    }
    assert not failed_to_send, failed_to_send

    # A context the node refused: only for SOP classes it does not list as storage.
    refused_at_negotiation = {
        by_path[path].sop_class
        for path, why in not_sent.items()
        if any("No presentation context" in w for w in why)
    }
    assert not refused_at_negotiation & set(STORAGE_SOP_CLASSES), refused_at_negotiation

    # The copy kept per SOP Instance UID: the first one sent that got 0000.
    kept: dict[str, Sample] = {}
    for path, _ in sent:
        if statuses.get(path) == SUCCESS:
            kept.setdefault(by_path[path].sop_uid, by_path[path])

    index = node.store.index
    assert index.count("instance") == len(kept)
    assert len(stored_dcm_files(node.store.root)) == len(kept)
    for sop_uid, source in kept.items():
        row = index.instance(sop_uid)
        assert row is not None, f"{source.path.name}: {sop_uid} not indexed"
        stored = pydicom.dcmread(node.store.path_of(row["rel_path"]))
        # stored in the syntax it was sent in: compressed as received
        assert str(stored.file_meta.TransferSyntaxUID) == source.syntax, source.path.name
        assert row["transfer_syntax"] == source.syntax, source.path.name
        differences = compare(data_elements(source.dataset), data_elements(stored), source.syntax)
        assert not differences, f"{source.path.name}: {differences}"

    # Files refused by the node or not sent by storescu left nothing in the index.
    for path in [*not_sent, *(p for p, status in statuses.items() if status != SUCCESS)]:
        uid = by_path[path].sop_uid
        if uid and uid not in kept:
            assert index.instance(uid) is None, Path(path).name
    assert not temp_files(node.store.root)

    counts = {code: list(statuses.values()).count(code) for code in sorted(set(statuses.values()))}
    print(f"\n{len(statuses)} files reached the node {counts}; {len(kept)} instances kept")
    for path, why in not_sent.items():
        print(f"  not sent: {Path(path).name}: {why[-1]}")
