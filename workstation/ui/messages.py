"""Translated texts for the typed errors of the Qt-free layers, in one place.

The lower layers raise :class:`~workstation.errors.WorkstationError` subclasses with a
stable ``code`` and the ``values`` that explain them (and return codes such as
``echo.refused`` in results). Every dialog turns them into words here, so a German
user reads German and a new code needs one line. Unknown codes fall back to the
error's own English message rather than to nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale

from workstation.config.settings import SECTIONS
from workstation.errors import SettingsError, WorkstationError

_MSG = "Messages"
_FIELDS = "Fields"
_RULES = "Rules"


def _tr(context: str, text: str) -> str:
    return QCoreApplication.translate(context, text)


# -- settings fields -------------------------------------------------------------------
FIELD_LABELS: dict[str, str] = {
    "ae_title": QT_TRANSLATE_NOOP("Fields", "Local AE title"),
    "port": QT_TRANSLATE_NOOP("Fields", "Port"),
    "bind_address": QT_TRANSLATE_NOOP("Fields", "Listen on address"),
    "data_dir": QT_TRANSLATE_NOOP("Fields", "Data folder"),
    "min_free_space_mb": QT_TRANSLATE_NOOP("Fields", "Minimum free space"),
    "max_associations": QT_TRANSLATE_NOOP("Fields", "Simultaneous associations"),
    "require_known_callers": QT_TRANSLATE_NOOP("Fields", "Accept known callers only"),
    "check_called_ae": QT_TRANSLATE_NOOP("Fields", "Accept our called AE title only"),
    "duplicate_policy": QT_TRANSLATE_NOOP("Fields", "Duplicate instances"),
    "max_pdu": QT_TRANSLATE_NOOP("Fields", "Maximum PDU size"),
    "connect_timeout_s": QT_TRANSLATE_NOOP("Fields", "Connect timeout"),
    "acse_timeout_s": QT_TRANSLATE_NOOP("Fields", "Association timeout (ACSE)"),
    "dimse_timeout_s": QT_TRANSLATE_NOOP("Fields", "Message timeout (DIMSE)"),
    "network_timeout_s": QT_TRANSLATE_NOOP("Fields", "Network timeout"),
    "remote_nodes": QT_TRANSLATE_NOOP("Fields", "Remote nodes"),
    "language": QT_TRANSLATE_NOOP("Fields", "Language"),
    "tls_certificate": QT_TRANSLATE_NOOP("Fields", "TLS certificate"),
    "tls_private_key": QT_TRANSLATE_NOOP("Fields", "TLS private key"),
    "cleanup_enabled": QT_TRANSLATE_NOOP("Fields", "Automatic cleanup"),
    "cleanup_low_water_mb": QT_TRANSLATE_NOOP("Fields", "Cleanup starts below"),
    "cleanup_high_water_mb": QT_TRANSLATE_NOOP("Fields", "Cleanup stops above"),
    "commit_wait_same_association_s": QT_TRANSLATE_NOOP(
        "Fields", "Wait for the commitment report on the same association"),
    "commit_timeout_s": QT_TRANSLATE_NOOP("Fields", "Storage commitment timeout"),
    "send_retries": QT_TRANSLATE_NOOP("Fields", "Send tries"),
    "send_retry_delay_s": QT_TRANSLATE_NOOP("Fields", "Delay before a send is tried again"),
    "send_timeout_s": QT_TRANSLATE_NOOP("Fields", "Send timeout"),
    "query_result_limit": QT_TRANSLATE_NOOP("Fields", "Query result limit"),
    "retrieve_timeout_s": QT_TRANSLATE_NOOP("Fields", "Retrieve timeout"),
    "schema_version": QT_TRANSLATE_NOOP("Fields", "Settings version"),
    "node": QT_TRANSLATE_NOOP("Fields", "Remote node"),
    "date_window": QT_TRANSLATE_NOOP("Fields", "Worklist: scheduled date"),
    "modality": QT_TRANSLATE_NOOP("Fields", "This station's modality"),
    "refresh_minutes": QT_TRANSLATE_NOOP("Fields", "Worklist: automatic refresh"),
    "max_items": QT_TRANSLATE_NOOP("Fields", "Worklist: maximum items"),
    "response_timeout_s": QT_TRANSLATE_NOOP("Fields", "Worklist: response timeout"),
    "mpps_node": QT_TRANSLATE_NOOP("Fields", "MPPS node"),
    "station_name": QT_TRANSLATE_NOOP("Fields", "Station name"),
    "after_exam": QT_TRANSLATE_NOOP("Fields", "After-exam rules"),
}

NODE_FIELD_LABELS: dict[str, str] = {
    "name": QT_TRANSLATE_NOOP("Fields", "Name"),
    "ae_title": QT_TRANSLATE_NOOP("Fields", "AE title"),
    "host": QT_TRANSLATE_NOOP("Fields", "Host"),
    "port": QT_TRANSLATE_NOOP("Fields", "Port"),
    "roles": QT_TRANSLATE_NOOP("Fields", "Roles"),
    "storage_commitment": QT_TRANSLATE_NOOP("Fields", "Storage commitment"),
    "compression": QT_TRANSLATE_NOOP("Fields", "Compression when sending"),
}

PRINTER_FIELD_LABELS: dict[str, str] = {
    "name": QT_TRANSLATE_NOOP("Fields", "Name"),
    "ae_title": QT_TRANSLATE_NOOP("Fields", "AE title"),
    "host": QT_TRANSLATE_NOOP("Fields", "Host"),
    "port": QT_TRANSLATE_NOOP("Fields", "Port"),
    "film_sizes": QT_TRANSLATE_NOOP("Fields", "Film sizes"),
    "id": QT_TRANSLATE_NOOP("Fields", "Film size"),
    "matrix_cols": QT_TRANSLATE_NOOP("Fields", "Pixel matrix columns"),
    "matrix_rows": QT_TRANSLATE_NOOP("Fields", "Pixel matrix rows"),
    "dpi": QT_TRANSLATE_NOOP("Fields", "Dots per inch"),
    "display_formats": QT_TRANSLATE_NOOP("Fields", "Display formats"),
    "orientation": QT_TRANSLATE_NOOP("Fields", "Orientation"),
    "magnification": QT_TRANSLATE_NOOP("Fields", "Magnification"),
    "smoothing": QT_TRANSLATE_NOOP("Fields", "Smoothing"),
    "border_density": QT_TRANSLATE_NOOP("Fields", "Border density"),
    "empty_image_density": QT_TRANSLATE_NOOP("Fields", "Empty image density"),
    "min_density": QT_TRANSLATE_NOOP("Fields", "Minimum density"),
    "max_density": QT_TRANSLATE_NOOP("Fields", "Maximum density"),
    "mediums": QT_TRANSLATE_NOOP("Fields", "Media"),
    "destinations": QT_TRANSLATE_NOOP("Fields", "Destinations"),
    "bits": QT_TRANSLATE_NOOP("Fields", "Bits per pixel"),
    "max_copies": QT_TRANSLATE_NOOP("Fields", "Maximum copies"),
    "priority": QT_TRANSLATE_NOOP("Fields", "Priority"),
    "retries": QT_TRANSLATE_NOOP("Fields", "Retries"),
    "retry_delay_s": QT_TRANSLATE_NOOP("Fields", "Delay before a retry"),
    "dimse_timeout_s": QT_TRANSLATE_NOOP("Fields", "Message timeout (DIMSE)"),
    "annotation_mm": QT_TRANSLATE_NOOP("Fields", "Film annotation height"),
}


def field_label(field: str) -> str:
    """The translated label of a settings field path such as ``remote_nodes.2.host``."""
    parts = field.split(".")
    if parts[0] in SECTIONS and len(parts) > 1:
        parts = parts[1:]  # "node.port": the field's own label
    if parts[0] == "remote_nodes" and len(parts) > 1:
        rest = [p for p in parts[1:] if not p.isdigit()]
        index = next((int(p) for p in parts[1:] if p.isdigit()), None)
        sub = _tr(_FIELDS, NODE_FIELD_LABELS.get(rest[0], rest[0])) if rest else ""
        if index is None:
            return QCoreApplication.translate("Fields", "Remote node: {field}").format(field=sub)
        return QCoreApplication.translate("Fields", "Remote node {number}: {field}").format(number=index + 1, field=sub)
    if field.startswith("printers.printers.") or (parts[0] == "printers" and len(parts) > 1):
        rest = [p for p in parts[1:] if not p.isdigit()]
        sub = _tr(_FIELDS, PRINTER_FIELD_LABELS.get(rest[-1], rest[-1])) if rest else ""
        return QCoreApplication.translate("Fields", "Printer: {field}").format(field=sub)
    text = FIELD_LABELS.get(parts[0])
    return _tr(_FIELDS, text) if text else field


# -- rules: the model's rule codes (pydantic's error types and ours) and their values ---------
# code -> (template, {placeholder: key of the rule's values})
RULES: dict[str, tuple[str, dict[str, str]]] = {
    "greater_than_equal": (QT_TRANSLATE_NOOP("Rules", "must be at least {n}"), {"n": "ge"}),
    "less_than_equal": (QT_TRANSLATE_NOOP("Rules", "must be at most {n}"), {"n": "le"}),
    "greater_than": (QT_TRANSLATE_NOOP("Rules", "must be greater than {n}"), {"n": "gt"}),
    "less_than": (QT_TRANSLATE_NOOP("Rules", "must be less than {n}"), {"n": "lt"}),
    "string_too_short": (QT_TRANSLATE_NOOP("Rules", "must have at least {n} characters"), {"n": "min_length"}),
    "string_too_long": (QT_TRANSLATE_NOOP("Rules", "must have at most {n} characters"), {"n": "max_length"}),
    "int_parsing": (QT_TRANSLATE_NOOP("Rules", "must be a number"), {}),
    "int_type": (QT_TRANSLATE_NOOP("Rules", "must be a number"), {}),
    "int_from_float": (QT_TRANSLATE_NOOP("Rules", "must be a number"), {}),
    "float_parsing": (QT_TRANSLATE_NOOP("Rules", "must be a number"), {}),
    "float_type": (QT_TRANSLATE_NOOP("Rules", "must be a number"), {}),
    "enum": (QT_TRANSLATE_NOOP("Rules", "must be one of {choices}"), {"choices": "expected"}),
    "not_text": (QT_TRANSLATE_NOOP("Rules", "must be text"), {}),
    "control_characters": (QT_TRANSLATE_NOOP("Rules", "must not contain control characters"), {}),
    "backslash": (QT_TRANSLATE_NOOP("Rules", "must not contain a backslash"), {}),
    "not_ascii": (QT_TRANSLATE_NOOP("Rules", "must use ASCII characters only"), {}),
    "empty": (QT_TRANSLATE_NOOP("Rules", "must not be empty"), {}),
    "not_host": (QT_TRANSLATE_NOOP(
        "Rules", "must be an IP address or a host name (letters, digits, '-', '.')"), {}),
    "not_local_address": (QT_TRANSLATE_NOOP(
        "Rules", "must be an IP address of this machine (0.0.0.0 for all)"), {}),
    "pdu_too_small": (QT_TRANSLATE_NOOP("Rules", "must be 0 (unlimited) or at least {n} bytes"), {"n": "min"}),
    "duplicate_name": (QT_TRANSLATE_NOOP("Rules", "the name '{name}' is used twice (names ignore case)"),
                       {"name": "name"}),
    "not_a_file": (QT_TRANSLATE_NOOP("Rules", "must be an existing file"), {}),
    "below_low_water": (QT_TRANSLATE_NOOP(
        "Rules", "must be above the value where cleanup starts ({n} MB)"), {"n": "low"}),
    "not_node_spec": (QT_TRANSLATE_NOOP("Rules", "must look like NAME=AET@HOST:PORT"), {}),
    "not_address": (QT_TRANSLATE_NOOP("Rules", "must look like AET@HOST:PORT"), {}),
    "schema_version": (QT_TRANSLATE_NOOP(
        "Rules", "must be {n} (migrate older settings first)"), {"n": "expected"}),
    "not_code_string": (QT_TRANSLATE_NOOP(
        "Rules", "must be 1-16 capital letters, digits, '_' or spaces"), {}),
    "not_orientation": (QT_TRANSLATE_NOOP("Rules", "must be PORTRAIT or LANDSCAPE"), {}),
    "not_priority": (QT_TRANSLATE_NOOP("Rules", "must be HIGH, MED or LOW"), {}),
    "not_bits": (QT_TRANSLATE_NOOP("Rules", "must be 8 or 12"), {}),
    "not_display_format": (QT_TRANSLATE_NOOP(
        "Rules", "{value} is not STANDARD\\C,R, ROW\\n,... or COL\\n,..."), {"value": "value"}),
    "duplicate": (QT_TRANSLATE_NOOP("Rules", "must not list an entry twice"), {}),
    "matrix_incomplete": (QT_TRANSLATE_NOOP("Rules", "give both matrix columns and rows"), {}),
    "matrix_or_dpi": (QT_TRANSLATE_NOOP("Rules", "give the pixel matrix or the dpi"), {}),
    "not_density": (QT_TRANSLATE_NOOP("Rules", "must be BLACK, WHITE or a number"), {}),
}  # fmt: skip


def rule_text(code: str, limits: Mapping[str, Any], fallback: str = "") -> str:
    """The translated rule for ``code`` with its values; ``fallback`` (the model's English
    text) for a code not known here or whose values are missing."""
    entry = RULES.get(code)
    if entry is None:
        return fallback
    template, keys = entry
    try:
        return _tr(_RULES, template).format(**{name: limits[key] for name, key in keys.items()})
    except KeyError:
        return fallback


# -- error codes -----------------------------------------------------------------------
TEMPLATES: dict[str, str] = {
    "settings.file": QT_TRANSLATE_NOOP("Messages", "The settings file {path} cannot be used: {reason}"),
    "store.error": QT_TRANSLATE_NOOP("Messages", "Local store error: {detail}"),
    "store.not_dicom": QT_TRANSLATE_NOOP("Messages", "Not a DICOM file: {reason}"),
    "store.corrupt": QT_TRANSLATE_NOOP("Messages", "Unreadable DICOM data: {reason}"),
    "store.missing_uid": QT_TRANSLATE_NOOP("Messages", "Missing or empty {attribute}"),
    "store.invalid_uid": QT_TRANSLATE_NOOP("Messages", "Invalid {attribute}: {value}"),
    "store.no_space": QT_TRANSLATE_NOOP(
        "Messages", "Only {free_mb:.0f} MB free, below the minimum of {threshold_mb:.0f} MB"),
    "store.schema": QT_TRANSLATE_NOOP(
        "Messages", "The index was written by a newer program (schema {found}, this one knows {known})"),
    "store.unknown_study": QT_TRANSLATE_NOOP("Messages", "The study {study_uid} is not in the local store"),
    "query.identifier": QT_TRANSLATE_NOOP("Messages", "The query cannot be answered: {reason}"),
    "jobs.schema": QT_TRANSLATE_NOOP(
        "Messages", "The job database was written by a newer program (schema {found}, this one knows {known})"),
    "jobs.params": QT_TRANSLATE_NOOP("Messages", "Invalid parameters for a '{kind}' job: {summary}"),
    "imaging.thumbnail": QT_TRANSLATE_NOOP("Messages", "No thumbnail for {path}: {reason}"),
    "imaging.pixels": QT_TRANSLATE_NOOP("Messages", "No image from {source}: {reason}"),
    "imaging.frame": QT_TRANSLATE_NOOP(
        "Messages", "Frame {frame} does not exist in {source}: it has {count} frame(s)"),
    "imaging.measurement": QT_TRANSLATE_NOOP("Messages", "Cannot measure {what}: {reason}"),
    "imaging.document": QT_TRANSLATE_NOOP("Messages", "Cannot show {kind}: {reason}"),
    "imaging.presentation_state": QT_TRANSLATE_NOOP("Messages", "Cannot use {iod}: {reason}"),
    "dicom.build": QT_TRANSLATE_NOOP("Messages", "Cannot build {iod}: {reason}"),
    "registration.invalid": QT_TRANSLATE_NOOP("Messages", "Cannot register: {field} {rule}"),
    "viewer.save": QT_TRANSLATE_NOOP("Messages", "Cannot save the {kind} in the local store: {reason}"),
    "password.error": QT_TRANSLATE_NOOP("Messages", "Service password: {detail}"),
    "password.too_short": QT_TRANSLATE_NOOP(
        "Messages", "The password must have at least {min_length} characters."),
    "password.mismatch": QT_TRANSLATE_NOOP("Messages", "The two passwords are not the same."),
    "password.wrong": QT_TRANSLATE_NOOP("Messages", "The password is not correct."),
    "password.not_set": QT_TRANSLATE_NOOP("Messages", "No service password has been set yet."),
    "password.already_set": QT_TRANSLATE_NOOP("Messages", "A service password is already set."),
    "password.file": QT_TRANSLATE_NOOP(
        "Messages", "The service password file {path} cannot be used: {reason}"),
    "echo.unresolved": QT_TRANSLATE_NOOP("Messages", "The host name {host} cannot be resolved."),
    "echo.refused": QT_TRANSLATE_NOOP(
        "Messages", "Connection refused: nothing accepts connections on {host} port {port}."),
    "echo.unreachable": QT_TRANSLATE_NOOP("Messages", "{host} cannot be reached: {reason}"),
    "echo.connect": QT_TRANSLATE_NOOP("Messages", "Cannot connect to {host} port {port}. {reason}"),
    "echo.rejected": QT_TRANSLATE_NOOP(
        "Messages", "Association rejected ({result}) by the {source}: {reason}."),
    "echo.aborted": QT_TRANSLATE_NOOP(
        "Messages", "The peer aborted the association ({source}: {reason})."),
    "echo.closed": QT_TRANSLATE_NOOP(
        "Messages", "The peer closed the connection without a DICOM answer: "
        "not a DICOM node, or it refuses this computer."),
    "echo.not_dicom": QT_TRANSLATE_NOOP(
        "Messages", "The peer answered, but not in DICOM: is {port} the DICOM port?"),
    "echo.no_context": QT_TRANSLATE_NOOP(
        "Messages", "The node accepted the association but does not offer Verification (C-ECHO)."),
    "echo.status": QT_TRANSLATE_NOOP("Messages", "The node answered the C-ECHO with status 0x{status_hex}."),
    "commit.error": QT_TRANSLATE_NOOP("Messages", "Storage commitment: {detail}"),
    "commit.unknown_transaction": QT_TRANSLATE_NOOP(
        "Messages", "Storage commitment report for an unknown transaction {transaction_uid}."),
    "commit.late_transaction": QT_TRANSLATE_NOOP(
        "Messages", "The storage commitment report for {transaction_uid} came too late ({state})."),
    "commit.request": QT_TRANSLATE_NOOP(
        "Messages", "The storage commitment request to {node} failed: {reason}"),
    "net.error": QT_TRANSLATE_NOOP("Messages", "{host} port {port}: {detail}"),
    "net.connect": QT_TRANSLATE_NOOP("Messages", "Cannot reach {host} port {port}: {detail}"),
    "net.rejected": QT_TRANSLATE_NOOP(
        "Messages", "Association rejected ({result}) by the {source}: {reason}."),
    "net.aborted": QT_TRANSLATE_NOOP(
        "Messages", "{host} port {port} ended the association ({source}: {reason})."),
    "net.timeout": QT_TRANSLATE_NOOP("Messages", "No answer from {host} port {port} within {timeout_s} s."),
    "net.no_context": QT_TRANSLATE_NOOP(
        "Messages", "The node accepted the association but does not offer {service}."),
    "qr.status": QT_TRANSLATE_NOOP(
        "Messages", "{service} failed on {host} port {port}: status 0x{status_hex} ({meaning}){comment}"),
    "qr.unknown_destination": QT_TRANSLATE_NOOP(
        "Messages", "The node {host} port {port} does not know the move destination {destination}: "
        "add this workstation to its list of DICOM nodes."),
    "qr.incomplete": QT_TRANSLATE_NOOP(
        "Messages", "{failed} of {total} instances were not retrieved from {host} port {port}."),
    "qr.key": QT_TRANSLATE_NOOP("Messages", "Query key {key}: {reason}"),
    "send.selection": QT_TRANSLATE_NOOP(
        "Messages", "{count} of the UIDs to send are not in the local store: {uids}"),
    "send.transcode": QT_TRANSLATE_NOOP(
        "Messages", "The instance {sop_uid} cannot be converted from {stored} to {target}: {reason}"),
    "send.failed": QT_TRANSLATE_NOOP(
        "Messages", "{failed} of {total} instances were not stored at {node}."),
    "qr.node_not_running": QT_TRANSLATE_NOOP(
        "Messages", "The local node {ae_title} is not listening: instances moved to it cannot arrive."),
    "mpps.status": QT_TRANSLATE_NOOP(
        "Messages", "MPPS {operation} of {sop_instance_uid} failed on {host} port {port}: "
        "status 0x{status_hex} ({meaning}){comment}"),
    "exam.step": QT_TRANSLATE_NOOP("Messages", "Procedure step {step_id}: {reason}"),
    "exam.locked": QT_TRANSLATE_NOOP(
        "Messages", "The procedure step {step_id} is {state} and can no longer be changed."),
    "exam.reason": QT_TRANSLATE_NOOP(
        "Messages", "{reason_code} is not a discontinuation reason of CID 9300."),
    "print.layout": QT_TRANSLATE_NOOP("Messages", "Film layout not possible: {reason}"),
    "print.selection": QT_TRANSLATE_NOOP("Messages", "Nothing to print: {reason}"),
    "print.output": QT_TRANSLATE_NOOP(
        "Messages", "The films cannot be written to {path}: {reason}"),
    "print.status": QT_TRANSLATE_NOOP(
        "Messages", "Printer {printer} ({host} port {port}): {operation} failed with status "
        "0x{status_hex} ({meaning}){comment}"),
    "print.printer_failure": QT_TRANSLATE_NOOP(
        "Messages", "Printer {printer} ({host} port {port}) reports FAILURE: {info}"),
}  # fmt: skip

TIMEOUT_TEMPLATES: dict[str, str] = {
    "connect": QT_TRANSLATE_NOOP("Messages", "Timeout: no TCP connection within {timeout_s} s."),
    "association": QT_TRANSLATE_NOOP(
        "Messages", "Timeout: no answer to the association request within {timeout_s} s."
    ),
    "dimse": QT_TRANSLATE_NOOP("Messages", "Timeout: no C-ECHO response within {timeout_s} s."),
}

# values shown as plain "{name}" in the templates, formatted with the GUI's locale
LOCALE_NUMBERS = {"timeout_s"}

# A-ASSOCIATE-RJ (PS3.8 9.3.4) and A-ABORT (9.3.8) fields
REJECT_RESULTS = {
    1: QT_TRANSLATE_NOOP("Messages", "permanent"),
    2: QT_TRANSLATE_NOOP("Messages", "transient"),
}
REJECT_SOURCES = {
    1: QT_TRANSLATE_NOOP("Messages", "called application (service user)"),
    2: QT_TRANSLATE_NOOP("Messages", "ACSE service provider"),
    3: QT_TRANSLATE_NOOP("Messages", "presentation service provider"),
}
REJECT_REASONS = {
    (1, 1): QT_TRANSLATE_NOOP("Messages", "no reason given"),
    (1, 2): QT_TRANSLATE_NOOP("Messages", "application context name not supported"),
    (1, 3): QT_TRANSLATE_NOOP("Messages", "our calling AE title is not known there"),
    (1, 7): QT_TRANSLATE_NOOP("Messages", "the called AE title is wrong"),
    (2, 1): QT_TRANSLATE_NOOP("Messages", "no reason given"),
    (2, 2): QT_TRANSLATE_NOOP("Messages", "protocol version not supported"),
    (3, 1): QT_TRANSLATE_NOOP("Messages", "temporary congestion"),
    (3, 2): QT_TRANSLATE_NOOP("Messages", "too many associations (local limit exceeded)"),
}
ABORT_SOURCES = {
    0: QT_TRANSLATE_NOOP("Messages", "service user"),
    2: QT_TRANSLATE_NOOP("Messages", "service provider"),
}
ABORT_REASONS = {
    0: QT_TRANSLATE_NOOP("Messages", "reason not specified"),
    1: QT_TRANSLATE_NOOP("Messages", "unrecognised PDU"),
    2: QT_TRANSLATE_NOOP("Messages", "unexpected PDU"),
    4: QT_TRANSLATE_NOOP("Messages", "unrecognised PDU parameter"),
    5: QT_TRANSLATE_NOOP("Messages", "unexpected PDU parameter"),
    6: QT_TRANSLATE_NOOP("Messages", "invalid PDU parameter value"),
}


def _lookup(table: Mapping[Any, str], key: Any) -> str:
    text = table.get(key)
    return _tr(_MSG, text) if text else str(key)


def settings_error_text(err: SettingsError) -> str:
    """``<field label>: <rule> (entered: <value>)``, all translated."""
    values = err.values
    field = field_label(str(values.get("field", "")))
    rule = rule_text(str(values.get("rule_code", "")), values.get("limits") or {},
                     str(values.get("rule", "")))
    value = values.get("value")
    if value is None or value == "" or isinstance(value, (dict, list, tuple)):
        return QCoreApplication.translate("Messages", "{field}: {rule}.").format(field=field, rule=rule)
    return QCoreApplication.translate("Messages", "{field}: {rule} (entered: {value}).").format(
        field=field, rule=rule, value=value
    )


def text_for(code: str, values: Mapping[str, Any], fallback: str = "") -> str:
    """The translated message for ``code`` filled with ``values``; ``fallback`` if unknown."""
    values = dict(values)
    for key in LOCALE_NUMBERS & values.keys():  # decimals in the GUI language: "2,5 s"
        if isinstance(values[key], float):
            values[key] = QLocale().toString(values[key], "g", 6)
    if code == "echo.timeout":
        template = TIMEOUT_TEMPLATES.get(str(values.get("phase")), TIMEOUT_TEMPLATES["association"])
    elif code in ("echo.rejected", "net.rejected"):
        result, source, reason = values.get("result"), values.get("source"), values.get("reason")
        values.update(result=_lookup(REJECT_RESULTS, result),
                      source=_lookup(REJECT_SOURCES, source),
                      reason=_lookup(REJECT_REASONS, (source, reason)))  # fmt: skip
        template = TEMPLATES[code]
    elif code == "net.connect" and str(values.get("cause")) in TEMPLATES:
        template = TEMPLATES[str(values["cause"])]  # the Verification SCU's diagnosis
    elif code in ("echo.aborted", "net.aborted"):
        values.update(source=_lookup(ABORT_SOURCES, values.get("source")),
                      reason=_lookup(ABORT_REASONS, values.get("reason")))  # fmt: skip
        template = TEMPLATES[code]
    else:
        template = TEMPLATES.get(code, "")
    if not template:
        return fallback or f"{code}: {values}"
    try:
        return _tr(_MSG, template).format(**values)
    except (KeyError, IndexError, ValueError):
        return fallback or f"{code}: {values}"


def error_text(err: WorkstationError) -> str:
    """The translated message for any typed error of the Qt-free layers."""
    if isinstance(err, SettingsError):
        return settings_error_text(err)
    return text_for(err.code, err.values, fallback=err.message())
