"""Settings model: every refusal names its field and rule; defaults; persistence; migrations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import workstation.config.fields as config_fields
import workstation.config.persistence as persistence
import workstation.config.settings as settings_module
from workstation.config import (
    SCHEMA_VERSION,
    DuplicatePolicy,
    Role,
    Settings,
    default_ae_title,
    load_settings,
    parse_node_spec,
    save_settings,
    validate_settings,
)
from workstation.errors import SettingsError, SettingsFileError

NODE = {"name": "pacs", "ae_title": "PACS", "host": "127.0.0.1", "port": 104}


def refusal(data: dict) -> SettingsError:
    """Validate ``data``, expecting a SettingsError; return it."""
    with pytest.raises(SettingsError) as info:
        validate_settings(data)
    err = info.value
    assert isinstance(err.values["rule"], str) and len(err.values["rule"]) > 5
    assert err.code == "settings.invalid"
    assert err.values["field"] in err.message()
    return err


BAD_AE_TITLES = [
    pytest.param("", "empty", id="empty"),
    pytest.param("    ", "empty", id="blank"),
    pytest.param("A" * 17, "16", id="17-chars"),
    pytest.param("AE\\TITLE", "backslash", id="backslash"),
    pytest.param("AE\x01TITLE", "control", id="control-char"),
    pytest.param("AE\tTITLE", "control", id="tab"),
    pytest.param("ÄRZTE", "ASCII", id="non-ascii"),
]


@pytest.mark.parametrize(("value", "rule_word"), BAD_AE_TITLES)
def test_local_ae_title_refused(value: str, rule_word: str) -> None:
    err = refusal({"ae_title": value})
    assert err.values["field"] == "node.ae_title"
    assert rule_word in err.values["rule"]
    assert err.values["value"] == value


@pytest.mark.parametrize(("value", "rule_word"), BAD_AE_TITLES)
def test_remote_node_ae_title_refused(value: str, rule_word: str) -> None:
    err = refusal({"remote_nodes": [dict(NODE, ae_title=value)]})
    assert err.values["field"] == "remote_nodes.0.ae_title"
    assert rule_word in err.values["rule"]


def test_ae_title_of_16_chars_with_padding_accepted_and_stripped() -> None:
    s = validate_settings({"ae_title": " " + "A" * 16 + " "})
    assert s.node.ae_title == "A" * 16


@pytest.mark.parametrize("port", [0, 65536, -1])
def test_port_out_of_range_refused(port: int) -> None:
    err = refusal({"port": port})
    assert err.values["field"] == "node.port"
    assert err.values["value"] == port


@pytest.mark.parametrize("port", [0, 65536])
def test_remote_node_port_out_of_range_refused(port: int) -> None:
    err = refusal({"remote_nodes": [dict(NODE, port=port)]})
    assert err.values["field"] == "remote_nodes.0.port"


def test_negative_min_free_space_refused() -> None:
    err = refusal({"min_free_space_mb": -1})
    assert err.values["field"] == "storage.min_free_space_mb"


@pytest.mark.parametrize("value", [0, 128])
def test_max_associations_out_of_range_refused(value: int) -> None:
    err = refusal({"max_associations": value})
    assert err.values["field"] == "node.max_associations"


def test_max_associations_bounds_accepted() -> None:
    assert validate_settings({"max_associations": 1}).node.max_associations == 1
    assert validate_settings({"max_associations": 127}).node.max_associations == 127


@pytest.mark.parametrize("value", [1000, 4095, 1])
def test_small_max_pdu_refused(value: int) -> None:
    err = refusal({"max_pdu": value})
    assert err.values["field"] == "network.max_pdu"
    assert "4096" in err.values["rule"]


@pytest.mark.parametrize("value", [0, 4096, 65536])
def test_max_pdu_zero_or_at_least_4096_accepted(value: int) -> None:
    assert validate_settings({"max_pdu": value}).network.max_pdu == value


@pytest.mark.parametrize(
    "field", ["connect_timeout_s", "acse_timeout_s", "dimse_timeout_s", "network_timeout_s"]
)
@pytest.mark.parametrize("value", [0, -1.5])
def test_non_positive_timeouts_refused(field: str, value: float) -> None:
    err = refusal({field: value})
    assert err.values["field"] == f"network.{field}"


@pytest.mark.parametrize("second_name", ["pacs", "PACS", "Pacs"])
def test_duplicate_node_names_refused_case_insensitively(second_name: str) -> None:
    nodes = [NODE, dict(NODE, name=second_name, ae_title="OTHER", port=105)]
    err = refusal({"remote_nodes": nodes})
    assert err.values["field"] == "remote_nodes"
    assert "twice" in err.values["rule"]


def test_distinct_node_names_accepted() -> None:
    s = validate_settings({"remote_nodes": [NODE, dict(NODE, name="ris")]})
    assert [n.name for n in s.remote_nodes] == ["pacs", "ris"]
    assert s.find_node("PACS") is s.remote_nodes[0]


@pytest.mark.parametrize(
    ("host", "rule_word"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("bad host", "host name"),
        ("-leading.example", "host name"),
        ("under_score.example", "host name"),
        ("a" * 64 + ".example", "host name"),
    ],
)
def test_remote_node_bad_host_refused(host: str, rule_word: str) -> None:
    err = refusal({"remote_nodes": [dict(NODE, host=host)]})
    assert err.values["field"] == "remote_nodes.0.host"
    assert rule_word in err.values["rule"]


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "pacs.hospital.example", "localhost"])
def test_remote_node_good_host_accepted(host: str) -> None:
    assert validate_settings({"remote_nodes": [dict(NODE, host=host)]}).remote_nodes[0].host == host


def test_unknown_field_refused() -> None:
    err = refusal({"colour": "blue"})
    assert err.values["field"] == "colour"
    assert "not permitted" in err.values["rule"]


def test_unknown_node_field_refused() -> None:
    err = refusal({"remote_nodes": [dict(NODE, colour="blue")]})
    assert err.values["field"] == "remote_nodes.0.colour"


def test_wrong_schema_version_refused() -> None:
    err = refusal({"schema_version": SCHEMA_VERSION + 1})
    assert err.values["field"] == "schema_version"
    assert "migrate" in err.values["rule"]


def test_updated_validates_the_change() -> None:
    s = Settings(ae_title="WS1")
    assert s.updated(port=4242).node.port == 4242
    assert s.updated(node={"port": 4243}).node.ae_title == "WS1"  # a section merges
    with pytest.raises(SettingsError) as info:
        s.updated(port=0)
    assert info.value.values["field"] == "node.port"
    assert s.node.port == 11112  # the original is unchanged (frozen)


# -- defaults -----------------------------------------------------------------------


def test_defaults() -> None:
    s = Settings()
    assert s.schema_version == SCHEMA_VERSION
    assert s.node.port == 11112
    assert 1 <= len(s.node.ae_title) <= 16
    assert s.node.ae_title == default_ae_title()
    assert s.storage.duplicate_policy is DuplicatePolicy.KEEP
    assert s.remote_nodes == ()


@pytest.mark.parametrize(
    ("hostname", "expected"),
    [
        ("radiology-ws-07.hospital.example", "RADIOLOGY-WS-07"),
        ("a-very-long-host-name-for-a-workstation", "A-VERY-LONG-HOST"),
        ("ws.local", "WS"),
        ("üñí.example", "WORKSTATION"),
    ],
)
def test_default_ae_title_from_host_name(monkeypatch, hostname: str, expected: str) -> None:
    monkeypatch.setattr(config_fields.socket, "gethostname", lambda: hostname)
    assert default_ae_title() == expected
    assert Settings().node.ae_title == expected


# -- persistence --------------------------------------------------------------------


def full_settings(tmp_path: Path) -> Settings:
    return validate_settings(
        {
            "ae_title": "WS_TEST",
            "port": 4242,
            "data_dir": str(tmp_path / "store"),
            "min_free_space_mb": 0,
            "max_associations": 3,
            "duplicate_policy": "replace",
            "max_pdu": 0,
            "dimse_timeout_s": 12.5,
            "remote_nodes": [
                dict(NODE, roles=["store", "query"]),
                {"name": "ris", "ae_title": "RIS", "host": "ris.example", "port": 2000},
            ],
        }
    )


def test_save_load_round_trip(tmp_path: Path) -> None:
    original = full_settings(tmp_path)
    path = save_settings(original, tmp_path / "cfg" / "settings.json")
    assert path.exists()
    assert not list(path.parent.glob("*.tmp"))
    loaded = load_settings(path)
    assert loaded == original
    assert loaded.remote_nodes[0].roles == frozenset({Role.STORE, Role.QUERY})
    assert loaded.storage.duplicate_policy is DuplicatePolicy.REPLACE
    assert json.loads(path.read_text())["schema_version"] == SCHEMA_VERSION


def test_load_missing_file_gives_defaults(tmp_path: Path) -> None:
    assert load_settings(tmp_path / "nothing.json") == Settings()


def test_corrupt_json_raises_settings_file_error(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text('{"ae_title": "WS", ', encoding="utf-8")
    with pytest.raises(SettingsFileError) as info:
        load_settings(path)
    assert info.value.values["path"] == path
    assert path.read_text() == '{"ae_title": "WS", '  # not rewritten


def test_non_object_json_raises_settings_file_error(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(SettingsFileError):
        load_settings(path)


def test_file_from_newer_schema_refused_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    text = json.dumps({"schema_version": SCHEMA_VERSION + 1, "ae_title": "FUTURE"})
    path.write_text(text, encoding="utf-8")
    with pytest.raises(SettingsFileError) as info:
        load_settings(path)
    assert "newer" in info.value.values["reason"]
    assert path.read_text() == text
    assert list(tmp_path.iterdir()) == [path]


def test_invalid_value_in_file_raises_settings_error(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"schema_version": SCHEMA_VERSION, "port": 0}), encoding="utf-8")
    with pytest.raises(SettingsError) as info:
        load_settings(path)
    assert info.value.values["field"] == "node.port"


def test_v1_document_migrated_step_by_step(tmp_path: Path, monkeypatch) -> None:
    # persistence imported SCHEMA_VERSION by name: patch its copy and the model's
    assert persistence.SCHEMA_VERSION == settings_module.SCHEMA_VERSION
    monkeypatch.setattr(settings_module, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(persistence, "SCHEMA_VERSION", 3)
    calls: list[tuple[int, dict]] = []

    def v1_to_v2(data: dict) -> dict:
        calls.append((1, dict(data)))
        data["ae_title"] = data.pop("aet")  # v1 called it 'aet'
        return data

    def v2_to_v3(data: dict) -> dict:
        calls.append((2, dict(data)))
        assert data["schema_version"] == 2
        data["port"] = data.pop("listen_port")  # v2 called it 'listen_port'
        return data

    monkeypatch.setattr(persistence, "MIGRATIONS", {1: v1_to_v2, 2: v2_to_v3})
    path = tmp_path / "settings.json"
    v1_text = json.dumps({"schema_version": 1, "aet": "OLD_WS", "listen_port": 4100})
    path.write_text(v1_text, encoding="utf-8")

    loaded = load_settings(path)

    assert [step for step, _ in calls] == [1, 2]
    assert calls[0][1]["schema_version"] == 1
    assert calls[1][1]["ae_title"] == "OLD_WS"
    assert (loaded.schema_version, loaded.node.ae_title, loaded.node.port) == (3, "OLD_WS", 4100)
    backup = tmp_path / "settings.json.v1.bak"
    assert backup.read_text(encoding="utf-8") == v1_text
    saved = json.loads(path.read_text(encoding="utf-8"))
    assert saved["schema_version"] == 3
    assert saved["node"]["ae_title"] == "OLD_WS" and saved["node"]["port"] == 4100
    assert "aet" not in saved and "listen_port" not in saved
    # a second load finds the current schema: no more migration steps
    calls.clear()
    assert load_settings(path) == loaded
    assert calls == []


def test_document_without_version_is_treated_as_v1(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(settings_module, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(persistence, "SCHEMA_VERSION", 2)
    monkeypatch.setattr(persistence, "MIGRATIONS", {1: lambda d: {**d, "port": 5000}})
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"ae_title": "NOVERSION"}), encoding="utf-8")
    loaded = load_settings(path)
    assert (loaded.schema_version, loaded.node.ae_title, loaded.node.port) == (2, "NOVERSION", 5000)
    assert (tmp_path / "settings.json.v1.bak").exists()


def test_missing_migration_step_refused(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(settings_module, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(persistence, "SCHEMA_VERSION", 3)
    monkeypatch.setattr(persistence, "MIGRATIONS", {1: lambda d: d})
    path = tmp_path / "settings.json"
    path.write_text(json.dumps({"schema_version": 1}), encoding="utf-8")
    with pytest.raises(SettingsFileError) as info:
        load_settings(path)
    assert "no migration from schema 2" in info.value.values["reason"]
    assert not (tmp_path / "settings.json.v1.bak").exists()


# -- node specs -----------------------------------------------------------------------


def test_parse_node_spec() -> None:
    node = parse_node_spec("pacs=PACS_AE@pacs.example:104")
    assert (node.name, node.ae_title, node.host, node.port) == (
        "pacs",
        "PACS_AE",
        "pacs.example",
        104,
    )
    assert node.roles == frozenset(Role)
    only_store = parse_node_spec("x=X@127.0.0.1:11113", roles=frozenset({Role.STORE}))
    assert only_store.roles == frozenset({Role.STORE})


@pytest.mark.parametrize("spec", ["pacs", "pacs=PACS@host", "PACS@host:104", "pacs=PACS@host:port"])
def test_parse_node_spec_refuses_bad_shape(spec: str) -> None:
    with pytest.raises(SettingsError) as info:
        parse_node_spec(spec)
    assert info.value.values["field"] == "node"
    assert "NAME=AET@HOST:PORT" in info.value.values["rule"]


@pytest.mark.parametrize(
    ("spec", "field"),
    [
        ("pacs=" + "A" * 17 + "@host:104", "ae_title"),
        ("pacs=PA\\CS@host:104", "ae_title"),
        ("pacs=PACS@bad host:104", "host"),
        ("pacs=PACS@host:70000", "port"),
        ("pacs=PACS@host:0", "port"),
    ],
)
def test_parse_node_spec_refuses_bad_values(spec: str, field: str) -> None:
    with pytest.raises(SettingsError) as info:
        parse_node_spec(spec)
    assert info.value.values["field"].startswith("remote_nodes")
    assert info.value.values["field"].endswith(field)
