"""Key Object Selection Document (PS3.3 A.35.4, TID 2010) from the viewer's key-image flags."""

from __future__ import annotations

from pydicom.dataset import Dataset

from workstation.dicom.builders.common import (
    code_item,
    evidence_sequence,
    frame_count,
    new_object,
    now,
    require_uid,
    with_file_meta,
)
from workstation.errors import BuildError

KOS_SOP_CLASS = "1.2.840.10008.5.1.4.1.1.88.59"
OF_INTEREST = ("113000", "DCM", "Of Interest")
_IOD = "Key Object Selection"


def _content_item(relationship: str, value_type: str, concept: tuple[str, str, str]) -> Dataset:
    item = Dataset()
    item.RelationshipType = relationship
    item.ValueType = value_type
    item.ConceptNameCodeSequence = [code_item(*concept)]
    return item


def _image_item(source: Dataset) -> Dataset:
    """A CONTAINS IMAGE item; multi-frame sources list every frame."""
    ref = Dataset()
    ref.ReferencedSOPClassUID = require_uid(source, "SOPClassUID", _IOD)
    ref.ReferencedSOPInstanceUID = require_uid(source, "SOPInstanceUID", _IOD)
    frames = frame_count(source)
    if "NumberOfFrames" in source and frames > 1:
        ref.ReferencedFrameNumber = list(range(1, frames + 1))
    item = Dataset()
    item.RelationshipType = "CONTAINS"
    item.ValueType = "IMAGE"
    item.ReferencedSOPSequence = [ref]
    return item


def build_kos(
    sources: list[Dataset],
    title_code: tuple[str, str, str] = OF_INTEREST,
    description: str = "",
    observer: str = "",
    org_root: str | None = None,
) -> Dataset:
    """A KOS in a new series of the first source's study, referencing every source.

    ``title_code`` is the document title (CID 7010), ``description`` goes into the
    Key Object Description text, ``observer`` is the person observer's name.
    """
    if not sources:
        raise BuildError(iod=_IOD, reason="no images selected")
    ds = new_object(
        sources[0], KOS_SOP_CLASS, "KO", "Key Objects", _IOD, org_root, general_series=False
    )
    ds.ReferencedPerformedProcedureStepSequence = []
    date, time = now()
    ds.ContentDate = date
    ds.ContentTime = time
    ds.CurrentRequestedProcedureEvidenceSequence = evidence_sequence(sources, _IOD)
    ds.ValueType = "CONTAINER"
    ds.ConceptNameCodeSequence = [code_item(*title_code)]
    ds.ContinuityOfContent = "SEPARATE"
    template = Dataset()
    template.MappingResource = "DCMR"
    template.TemplateIdentifier = "2010"
    ds.ContentTemplateSequence = [template]
    content: list[Dataset] = []
    if observer:
        person = _content_item(
            "HAS OBS CONTEXT", "PNAME", ("121008", "DCM", "Person Observer Name")
        )
        person.PersonName = observer
        kind = _content_item("HAS OBS CONTEXT", "CODE", ("121005", "DCM", "Observer Type"))
        kind.ConceptCodeSequence = [code_item("121006", "DCM", "Person")]
        content += [kind, person]
    if description:
        text = _content_item("CONTAINS", "TEXT", ("113012", "DCM", "Key Object Description"))
        text.TextValue = description
        content.append(text)
    content += [_image_item(source) for source in sources]
    ds.ContentSequence = content
    return with_file_meta(ds)
