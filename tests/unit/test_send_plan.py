"""Send planning: the presentation contexts proposed and the transfer syntax each instance
goes in, per compression policy (no network)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from pydicom.uid import (
    JPEG2000,
    CTImageStorage,
    DeflatedExplicitVRLittleEndian,
    ExplicitVRBigEndian,
    ExplicitVRLittleEndian,
    ImplicitVRLittleEndian,
    JPEG2000Lossless,
    JPEGBaseline8Bit,
    JPEGLosslessSV1,
    MRImageStorage,
    RLELossless,
)

from workstation.config import CompressionPolicy
from workstation.net.scu.send_plan import (
    FALLBACK,
    MAX_CONTEXTS,
    Action,
    Choice,
    allowed,
    choose,
    plan_associations,
)

ELE, ILE, EBE = str(ExplicitVRLittleEndian), str(ImplicitVRLittleEndian), str(ExplicitVRBigEndian)
CT, MR = str(CTImageStorage), str(MRImageStorage)
UNCOMPRESSED, LOSSLESS, LOSSY = (
    CompressionPolicy.UNCOMPRESSED,
    CompressionPolicy.LOSSLESS,
    CompressionPolicy.LOSSY,
)


@dataclass(frozen=True)
class Item:
    sop_class_uid: str
    transfer_syntax: str
    sop_uid: str = "1.2.3"


def proposed(items: list[Item], policy: CompressionPolicy) -> list[tuple[str, tuple[str, ...]]]:
    (plan,) = plan_associations(items, policy)
    return [
        (str(cx.abstract_syntax), tuple(str(t) for t in cx.transfer_syntax)) for cx in plan.contexts
    ]


@pytest.mark.parametrize(
    ("policy", "syntax", "expected"),
    [
        (UNCOMPRESSED, ELE, True),
        (UNCOMPRESSED, ILE, True),
        (UNCOMPRESSED, EBE, True),
        (UNCOMPRESSED, str(DeflatedExplicitVRLittleEndian), False),
        (UNCOMPRESSED, str(JPEGLosslessSV1), False),
        (LOSSLESS, str(JPEGLosslessSV1), True),
        (LOSSLESS, str(RLELossless), True),
        (LOSSLESS, str(JPEG2000Lossless), True),
        (LOSSLESS, str(DeflatedExplicitVRLittleEndian), True),
        (LOSSLESS, str(JPEGBaseline8Bit), False),
        (LOSSLESS, str(JPEG2000), False),
        (LOSSY, str(JPEGBaseline8Bit), True),
        (LOSSY, str(JPEG2000), True),
        (LOSSY, ELE, True),
    ],
)
def test_policy_allows_the_syntaxes_of_its_kind(
    policy: CompressionPolicy, syntax: str, expected: bool
) -> None:
    assert allowed(policy, syntax) is expected


def test_uncompressed_instances_get_one_context_per_fallback_syntax() -> None:
    items = [Item(CT, ELE), Item(CT, ILE), Item(MR, ILE)]
    assert proposed(items, LOSSLESS) == [(CT, (ELE,)), (CT, (ILE,)), (MR, (ELE,)), (MR, (ILE,))]


def test_a_stored_compressed_syntax_is_proposed_on_its_own_when_allowed() -> None:
    items = [Item(CT, str(JPEGLosslessSV1)), Item(CT, str(JPEGBaseline8Bit)), Item(MR, EBE)]
    assert proposed(items, LOSSLESS) == [
        (CT, (str(JPEGLosslessSV1),)),
        (CT, (ELE,)),
        (CT, (ILE,)),
        (MR, (EBE,)),
        (MR, (ELE,)),
        (MR, (ILE,)),
    ]
    lossy = proposed(items, LOSSY)
    assert (CT, (str(JPEGBaseline8Bit),)) in lossy
    assert all(ts in (ELE, ILE, EBE) for _cls, (ts,) in proposed(items, UNCOMPRESSED))


def test_over_128_contexts_the_fallbacks_merge_and_compressed_pairs_make_room() -> None:
    classes = [f"1.2.840.10008.5.1.4.1.1.{n}" for n in range(1, 61)]
    items = [Item(c, ts) for c in classes for ts in (str(JPEGLosslessSV1), str(RLELossless))]
    (plan,) = plan_associations(items, LOSSLESS)
    assert len(plan.contexts) == MAX_CONTEXTS
    merged = [cx for cx in plan.contexts if tuple(cx.transfer_syntax) == FALLBACK]
    assert {str(cx.abstract_syntax) for cx in merged} == set(classes)  # every class can go


def test_over_128_classes_make_several_associations_each_instance_in_one() -> None:
    classes = [f"1.2.840.10008.5.1.4.1.1.{n}" for n in range(1, 201)]
    items = [Item(c, ELE, sop_uid=f"2.{n}") for n, c in enumerate(classes)]
    plans = plan_associations(items, LOSSLESS)
    assert len(plans) == 2
    assert all(len(p.contexts) <= MAX_CONTEXTS for p in plans)
    sent = [i for p in plans for i in p.items]
    assert sorted(i.sop_uid for i in sent) == sorted(i.sop_uid for i in items)
    for p in plans:
        offered = {str(cx.abstract_syntax) for cx in p.contexts}
        assert {i.sop_class_uid for i in p.items} <= offered


@pytest.mark.parametrize(
    ("stored", "accepted", "policy", "expected"),
    [
        pytest.param(ELE, {ELE, ILE}, LOSSLESS, Choice(Action.AS_STORED, ELE), id="as-stored"),
        pytest.param(ILE, {ELE}, LOSSLESS, Choice(Action.CONVERT, ELE), id="implicit-to-explicit"),
        pytest.param(ELE, {ILE}, UNCOMPRESSED, Choice(Action.CONVERT, ILE), id="explicit-to-implicit"),
        pytest.param(EBE, {ELE, ILE}, LOSSLESS, Choice(Action.CONVERT, ELE), id="big-endian"),
        pytest.param(
            str(DeflatedExplicitVRLittleEndian), {ELE}, LOSSLESS, Choice(Action.CONVERT, ELE),
            id="deflated-inflated",
        ),
        pytest.param(
            str(JPEGLosslessSV1), {str(JPEGLosslessSV1), ELE}, LOSSLESS,
            Choice(Action.AS_STORED, str(JPEGLosslessSV1)), id="lossless-as-stored",
        ),
        pytest.param(
            str(JPEGLosslessSV1), {ELE, ILE}, LOSSLESS, Choice(Action.DECOMPRESS, ELE),
            id="refused-compressed-decompressed",
        ),
        pytest.param(
            str(JPEGLosslessSV1), {str(JPEGLosslessSV1), ILE}, UNCOMPRESSED,
            Choice(Action.DECOMPRESS, ILE), id="policy-forbids-compressed",
        ),
        pytest.param(
            str(JPEGBaseline8Bit), {str(JPEGBaseline8Bit), ELE}, LOSSLESS,
            Choice(Action.DECOMPRESS, ELE), id="lossy-under-lossless-decompressed",
        ),
        pytest.param(
            str(JPEGBaseline8Bit), {str(JPEGBaseline8Bit), ELE}, LOSSY,
            Choice(Action.AS_STORED, str(JPEGBaseline8Bit)), id="lossy-allowed-as-stored",
        ),
        pytest.param(str(JPEG2000), set(), LOSSY, None, id="class-refused"),
        pytest.param(str(JPEG2000), {EBE}, LOSSY, None, id="nothing-usable"),
    ],
)  # fmt: skip
def test_each_instance_goes_as_stored_or_uncompressed(
    stored: str, accepted: set[str], policy: CompressionPolicy, expected: Choice | None
) -> None:
    assert choose(stored, accepted, policy) == expected
