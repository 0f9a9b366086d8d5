"""Settings in sections: the v1 file written by the code before issue 11 migrates whole,
node restarts follow the sections, and every refusal carries a rule code and its values."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from workstation.config.persistence import load_settings, save_settings
from workstation.config.settings import (
    FIELD_SECTION,
    SCHEMA_VERSION,
    SECTIONS,
    CompressionPolicy,
    DuplicatePolicy,
    ExamSettings,
    Language,
    PrintersSettings,
    Role,
    Settings,
    WorklistSettings,
    needs_node_restart,
    validate_settings,
)
from workstation.errors import SettingsError

# written by `save_settings` of commit cfce5e6 (schema 1, every field flat, none default)
V1_FILE = Path(__file__).parent / "data" / "settings_v1.json"
# fields added since schema 1 with a default (no migration): a v1 file gets the default
ADDED_SINCE_V1 = {
    "check_called_ae": True,
    **WorklistSettings().model_dump(mode="json"),  # issue 13: whole new sections
    **ExamSettings().model_dump(mode="json"),
    **PrintersSettings().model_dump(mode="json"),  # issue 14
}
V1_FIELDS = {f: s for f, s in FIELD_SECTION.items() if f not in ADDED_SINCE_V1}


@pytest.fixture
def v1_copy(tmp_path: Path) -> Path:
    path = tmp_path / "settings.json"
    shutil.copy(V1_FILE, path)
    return path


def test_the_v1_file_is_what_the_old_code_wrote() -> None:
    data = json.loads(V1_FILE.read_text(encoding="utf-8"))
    assert data["schema_version"] == 1
    # every field the sections hold was a top-level key of schema 1
    assert set(V1_FIELDS) <= set(data)
    assert not set(ADDED_SINCE_V1) & set(data)


def test_v1_file_migrates_with_every_value(v1_copy: Path) -> None:
    old = json.loads(v1_copy.read_text(encoding="utf-8"))
    s = load_settings(v1_copy)
    assert s.schema_version == SCHEMA_VERSION == 2
    dumped = s.model_dump(mode="json")
    for field, section in V1_FIELDS.items():
        assert dumped[section][field] == old[field], field
    for field, default in ADDED_SINCE_V1.items():
        assert dumped[FIELD_SECTION[field]][field] == default, field
    assert s.node.ae_title == "READING_1" and s.node.port == 11200
    assert s.storage.duplicate_policy is DuplicatePolicy.REPLACE
    assert s.viewer.language is Language.DE
    assert s.services.send_retries == 5 and s.network.max_pdu == 131072
    pacs = s.find_node("pacs")
    assert pacs is not None and pacs.compression is CompressionPolicy.LOSSY
    assert pacs.storage_commitment and Role.COMMITMENT in pacs.roles
    assert [n.name for n in s.remote_nodes] == [n["name"] for n in old["remote_nodes"]]


def test_v1_file_is_kept_as_backup_and_rewritten_in_sections(v1_copy: Path) -> None:
    original = v1_copy.read_text(encoding="utf-8")
    loaded = load_settings(v1_copy)
    assert (v1_copy.parent / "settings.json.v1.bak").read_text(encoding="utf-8") == original
    saved = json.loads(v1_copy.read_text(encoding="utf-8"))
    assert saved["schema_version"] == 2
    assert set(SECTIONS) <= set(saved) and "ae_title" not in saved
    assert saved["media"] == {}
    assert saved["printers"] == PrintersSettings().model_dump(mode="json")
    assert saved["worklist"] == WorklistSettings().model_dump(mode="json")
    assert load_settings(v1_copy) == loaded  # the second load has nothing to migrate


def test_a_v1_file_that_fails_validation_is_left_untouched(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    data = json.loads(V1_FILE.read_text(encoding="utf-8"))
    data["port"] = 0
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    assert info.value.values["field"] == "node.port"
    assert json.loads(path.read_text(encoding="utf-8")) == data
    assert list(tmp_path.iterdir()) == [path]


def test_round_trip_in_sections(tmp_path: Path) -> None:
    s = Settings(ae_title="RT_WS", port=4100, send_retries=7, language="de")
    path = save_settings(s, tmp_path / "settings.json")
    assert load_settings(path) == s
    assert json.loads(path.read_text())["services"]["send_retries"] == 7


def test_updated_takes_a_field_or_a_section() -> None:
    s = Settings(ae_title="WS1")
    assert s.updated(port=104).node.port == 104
    both = s.updated(node={"port": 105}, cleanup_enabled=True)
    assert (both.node.port, both.node.ae_title, both.storage.cleanup_enabled) == (105, "WS1", True)


def test_unknown_section_and_unknown_field_refused() -> None:
    with pytest.raises(SettingsError) as info:
        validate_settings({"node": {"colour": "red"}})
    assert info.value.values["field"] == "node.colour"
    assert info.value.values["rule_code"] == "extra_forbidden"


@pytest.mark.parametrize(
    ("change", "restart"),
    [
        ({"port": 4242}, True),
        ({"ae_title": "OTHER"}, True),
        ({"require_known_callers": False}, True),
        ({"max_pdu": 32768}, True),
        ({"dimse_timeout_s": 5.0}, True),
        ({"remote_nodes": [{"name": "x", "ae_title": "X", "host": "127.0.0.1", "port": 1}]}, True),
        ({"min_free_space_mb": 1}, False),
        ({"language": "de"}, False),
        ({"send_retries": 9}, False),
        ({"cleanup_enabled": True}, False),
    ],
)
def test_node_restart_follows_the_node_and_network_sections(change: dict, restart: bool) -> None:
    old = Settings(ae_title="WS1")
    assert needs_node_restart(old, old.updated(**change)) is restart
    assert needs_node_restart(old, old) is False


@pytest.mark.parametrize(
    ("data", "field", "code", "limits"),
    [
        ({"port": 0}, "node.port", "greater_than_equal", {"ge": 1}),
        ({"max_associations": 500}, "node.max_associations", "less_than_equal", {"le": 127}),
        ({"ae_title": "A" * 17}, "node.ae_title", "string_too_long", {"max_length": 16}),
        ({"ae_title": "  "}, "node.ae_title", "empty", {}),
        ({"ae_title": "A\\B"}, "node.ae_title", "backslash", {}),
        ({"bind_address": "nowhere"}, "node.bind_address", "not_local_address", {}),
        ({"max_pdu": 100}, "network.max_pdu", "pdu_too_small", {"min": 4096}),
        ({"tls_certificate": "/no/such/file"}, "network.tls_certificate", "not_a_file", {}),
        ({"cleanup_low_water_mb": 100, "cleanup_high_water_mb": 50},
         "storage.cleanup_high_water_mb", "below_low_water", {"low": 100}),
        ({"data_dir": " "}, "storage.data_dir", "empty", {}),
        ({"language": "xx"}, "viewer.language", "enum", {"expected": "'en' or 'de'"}),
        ({"send_timeout_s": 0}, "services.send_timeout_s", "greater_than", {"gt": 0}),
        ({"schema_version": 9}, "schema_version", "schema_version", {"expected": SCHEMA_VERSION}),
    ],
)  # fmt: skip
def test_refusals_carry_a_rule_code_and_its_values(data, field, code, limits) -> None:
    with pytest.raises(SettingsError) as info:
        validate_settings(data)
    values = info.value.values
    assert (values["field"], values["rule_code"], values["limits"]) == (field, code, limits)


def test_duplicate_node_names_carry_the_name() -> None:
    node = {"name": "PACS", "ae_title": "P", "host": "127.0.0.1", "port": 104}
    with pytest.raises(SettingsError) as info:
        validate_settings({"remote_nodes": [node, dict(node, name="pacs")]})
    values = info.value.values
    assert (values["rule_code"], values["limits"]) == ("duplicate_name", {"name": "pacs"})
