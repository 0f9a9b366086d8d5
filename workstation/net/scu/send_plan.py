"""What a send proposes and, once the peer answered, how each instance goes.

Pure decisions, no network (unit-tested on their own):

- :func:`plan_associations`: presentation contexts built from what is sent. Per SOP
  class, one context per stored transfer syntax the node's compression policy allows
  (one syntax per context, as DCMTK does, so the peer can accept each on its own), and
  Explicit and Implicit VR Little Endian as the fallbacks every peer takes. Over 128
  contexts the fallbacks are merged and then exact compressed contexts dropped (those
  instances are decompressed); over 128 SOP classes the send needs several associations.
- :func:`choose`: as stored when the policy allows the stored syntax and the peer
  accepted it; else decompressed (compressed pixel data) or re-encoded (another
  uncompressed or a deflated syntax) to an uncompressed syntax the peer accepted.
  Nothing is ever compressed by us.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from pydicom.uid import ExplicitVRLittleEndian, ImplicitVRLittleEndian
from pynetdicom.presentation import PresentationContext

from workstation.config.settings import CompressionPolicy
from workstation.dicom.lossy import is_lossy, is_native

MAX_CONTEXTS = 128
FALLBACK = (str(ExplicitVRLittleEndian), str(ImplicitVRLittleEndian))
DEFLATED = "1.2.840.10008.1.2.1.99"


class Item(Protocol):
    """What planning needs to know of a stored instance."""

    @property
    def sop_class_uid(self) -> str: ...

    @property
    def transfer_syntax(self) -> str: ...


class Action(StrEnum):
    AS_STORED = "as stored"  # the file's data set bytes go unchanged
    CONVERT = "re-encoded"  # another uncompressed encoding (or inflated); pixels untouched
    DECOMPRESS = "decompressed"  # compressed pixel data decoded; lossy stays marked lossy


@dataclass(frozen=True, slots=True)
class Choice:
    action: Action
    transfer_syntax: str


@dataclass(frozen=True)
class AssociationPlan:
    """One association: the contexts to propose and the instances sent on it."""

    contexts: tuple[PresentationContext, ...]
    items: tuple[Item, ...]


def allowed(policy: CompressionPolicy, transfer_syntax: str) -> bool:
    """Whether ``policy`` lets an instance travel in ``transfer_syntax``."""
    ts = str(transfer_syntax)
    if policy is CompressionPolicy.UNCOMPRESSED:
        return is_native(ts)
    if policy is CompressionPolicy.LOSSLESS:
        return not is_lossy(ts)
    return True


def _context(abstract: str, syntaxes: Sequence[str]) -> PresentationContext:
    cx = PresentationContext()
    cx.abstract_syntax = abstract
    cx.transfer_syntax = list(syntaxes)
    return cx


def _contexts(classes: Sequence[str], exact: dict[str, list[str]]) -> list[PresentationContext]:
    """Contexts for ``classes`` (at most MAX_CONTEXTS of them), reduced to fit."""
    extra = [(cls, ts) for cls in classes for ts in exact[cls] if ts not in FALLBACK]
    full = []
    for cls in classes:
        full += [_context(cls, [ts]) for ts in exact[cls] if ts not in FALLBACK]
        full += [_context(cls, [ts]) for ts in FALLBACK]
    if len(full) <= MAX_CONTEXTS:
        return full
    merged = [_context(cls, FALLBACK) for cls in classes]
    room = MAX_CONTEXTS - len(merged)
    return [_context(cls, [ts]) for cls, ts in extra[:room]] + merged


def plan_associations(items: Sequence[Item], policy: CompressionPolicy) -> list[AssociationPlan]:
    """The associations (usually one) that send ``items`` under ``policy``, in order."""
    exact: dict[str, list[str]] = {}
    for item in items:
        syntaxes = exact.setdefault(item.sop_class_uid, [])
        ts = str(item.transfer_syntax)
        if ts and allowed(policy, ts) and ts not in syntaxes:
            syntaxes.append(ts)
    classes = list(exact)
    plans = []
    for start in range(0, len(classes), MAX_CONTEXTS):
        group = classes[start : start + MAX_CONTEXTS]
        members = set(group)
        plans.append(
            AssociationPlan(
                tuple(_contexts(group, exact)),
                tuple(i for i in items if i.sop_class_uid in members),
            )
        )
    return plans


def choose(stored: str, accepted: Collection[str], policy: CompressionPolicy) -> Choice | None:
    """How an instance stored in ``stored`` goes when the peer accepted ``accepted``
    (the transfer syntaxes of its SOP class's accepted contexts); None: it cannot."""
    stored = str(stored)
    if stored in accepted and allowed(policy, stored):
        return Choice(Action.AS_STORED, stored)
    target = next((ts for ts in FALLBACK if ts in accepted), None)
    if target is None:
        return None
    if is_native(stored) or stored == DEFLATED:
        return Choice(Action.CONVERT, target)
    return Choice(Action.DECOMPRESS, target)
