"""Settings: a typed, validated model with a schema version, persisted as JSON."""

from workstation.config.persistence import (
    default_config_path,
    load_settings,
    save_settings,
)
from workstation.config.settings import (
    SCHEMA_VERSION,
    CompressionPolicy,
    DuplicatePolicy,
    RemoteNode,
    Role,
    Settings,
    default_ae_title,
    parse_node_spec,
    validate_settings,
)

__all__ = [
    "SCHEMA_VERSION",
    "CompressionPolicy",
    "DuplicatePolicy",
    "RemoteNode",
    "Role",
    "Settings",
    "default_ae_title",
    "default_config_path",
    "load_settings",
    "parse_node_spec",
    "save_settings",
    "validate_settings",
]
