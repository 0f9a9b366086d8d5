"""C-FIND SCU: matches streamed as they arrive, a result limit, cancel, partial results kept.

Made for a query panel that calls :func:`find` on a worker thread: ``on_match`` gets
each decoded match at once (to show it), a :class:`~workstation.jobs.CancelToken` set
from the GUI thread sends C-CANCEL, and the outcome says whether the list is complete.
When ``limit`` matches have arrived a C-CANCEL goes out and the list is marked
incomplete; a failure status or a lost association in the middle keeps the matches
received so far and reports the error. Never raises for a network outcome.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass

from pydicom.dataset import Dataset
from pynetdicom.status import code_to_category

from workstation.config.settings import RemoteNode
from workstation.dicom.qr_identifier import QRModel
from workstation.errors import NetworkError
from workstation.jobs.cancel import CancelToken
from workstation.net.association import LocalAE, open_association
from workstation.net.scu.query_retrieve import FIND, Canceller, qr_context, sop_class, status_error

log = logging.getLogger(__name__)

CANCEL_GRACE_S = 10.0  # after a C-CANCEL, the final response must come within this
PENDING = (0xFF00, 0xFF01)


@dataclass(frozen=True)
class FindOutcome:
    """The matches (decoded) and how the query ended."""

    matches: tuple[Dataset, ...]
    status: int | None = None  # the final C-FIND status; None when none came
    limit_reached: bool = False
    cancelled: bool = False
    error: NetworkError | None = None
    optional_keys_unsupported: bool = False  # some pending response was FF01
    elapsed_s: float = 0.0

    @property
    def complete(self) -> bool:
        """Every match the peer has is in ``matches``."""
        return (
            self.error is None
            and not self.limit_reached
            and not self.cancelled
            and self.status is not None
            and code_to_category(self.status) in ("Success", "Warning")
        )

    @property
    def ok(self) -> bool:
        return self.error is None


def decode_match(ds: Dataset, query_charset: object = None) -> Dataset:
    """Text values decoded with the match's own Specific Character Set (characters not
    valid in it become replacement characters, never an exception). A match without one
    is read in the query's character set: peers that answer a UTF-8 query in UTF-8 but
    do not say so exist, and for an ASCII answer it makes no difference."""
    if "SpecificCharacterSet" not in ds and query_charset:
        ds.SpecificCharacterSet = query_charset
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            ds.decode()
        except Exception as exc:  # a charset pydicom does not know: keep the raw values
            log.warning("cannot decode a C-FIND match: %s", exc)
    return ds


def find(
    node: RemoteNode,
    identifier: Dataset,
    model: QRModel,
    local: LocalAE,
    *,
    limit: int | None = None,
    cancel: CancelToken | None = None,
    on_match: Callable[[Dataset], None] | None = None,
    msg_id: int = 1,
) -> FindOutcome:
    """Run one C-FIND with ``identifier`` on ``node`` and collect (and stream) the matches."""
    return c_find(node, local, sop_class(model, FIND), identifier, limit=limit, cancel=cancel,
                  on_match=on_match, msg_id=msg_id)  # fmt: skip


def c_find(
    node: RemoteNode,
    local: LocalAE,
    uid: str,
    identifier: Dataset,
    *,
    service: str = FIND,
    limit: int | None = None,
    cancel: CancelToken | None = None,
    on_match: Callable[[Dataset], None] | None = None,
    msg_id: int = 1,
    decode: Callable[[Dataset, object], Dataset] = decode_match,
) -> FindOutcome:
    """One C-FIND of SOP class ``uid`` (a Q/R model, the Modality Worklist): matches
    read with ``decode(match, query charset)``, a C-CANCEL at ``limit`` or when ``cancel``
    is set; failures in the outcome's ``error``, never raised."""
    started = time.monotonic()
    matches: list[Dataset] = []
    if cancel is not None and cancel.is_set():
        return FindOutcome((), cancelled=True)
    try:
        connection = open_association(node, local, [qr_context(uid)], service=service, needed=uid)
    except NetworkError as exc:
        return FindOutcome((), error=exc, elapsed_s=time.monotonic() - started)
    status: int | None = None
    error: NetworkError | None = None
    limit_reached = cancelled = unsupported = False
    after_cancel = 0  # pending responses that came after our C-CANCEL (not kept)
    unregister: Callable[[], None] = lambda: None  # noqa: E731
    try:
        context = connection.context_for(uid, service)
        responses = connection.assoc.send_c_find(identifier, uid, msg_id=msg_id)
        canceller = Canceller(connection, msg_id, context.context_id, service, log)
        if cancel is not None:
            unregister = cancel.on_cancel(canceller.send)
        for rsp_status, match in responses:
            if "Status" not in rsp_status:
                error = connection.failure(service, local.dimse_timeout_s)
                break
            code = int(rsp_status.Status)
            if code not in PENDING:
                status = code
                if code_to_category(code) == "Failure":
                    error = status_error(connection.node, service, rsp_status)
                break
            unsupported = unsupported or code == 0xFF01
            if canceller.sent_at is not None:
                if time.monotonic() - canceller.sent_at > CANCEL_GRACE_S:
                    log.warning("no final C-FIND response %.0f s after C-CANCEL: abort", CANCEL_GRACE_S)
                    connection.abort_now()
                    break
                after_cancel += 1
                continue  # matches after the C-CANCEL are not kept
            if match is None:
                continue
            matches.append(decode(match, identifier.get("SpecificCharacterSet")))
            if on_match is not None:
                on_match(match)
            if limit is not None and len(matches) >= limit:
                limit_reached = True
                canceller.send()
        canceller.finish()
        cancelled = cancel is not None and cancel.is_set()
        if limit_reached and status == 0x0000 and after_cancel == 0:
            limit_reached = False  # the peer had exactly ``limit`` matches: nothing was cut
    except NetworkError as exc:
        error = exc
    finally:
        unregister()
        connection.close()
    outcome = FindOutcome(
        tuple(matches),
        status=status,
        limit_reached=limit_reached,
        cancelled=cancelled,
        error=error,
        optional_keys_unsupported=unsupported,
        elapsed_s=time.monotonic() - started,
    )
    log.info(
        "%s %s on %s:%d: %d matches, status %s%s%s%s",
        service, identifier.get("QueryRetrieveLevel", ""), node.host, node.port, len(matches),
        "none" if status is None else f"{status:04X}",
        ", limit reached" if limit_reached else "", ", cancelled" if cancelled else "",
        f", {error.code}" if error else "",
    )  # fmt: skip
    return outcome
