"""Waveform objects (ECG and others, PS3.3 C.10.9) as plot-ready channels in physical units.

Samples are converted per PS3.3 C.10.9.1.4: value = stored * Channel Sensitivity *
Channel Sensitivity Correction Factor + Channel Baseline, in the units of Channel
Sensitivity Units Sequence. Samples equal to Waveform Padding Value become NaN so a plot
shows a gap instead of a spike.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from pydicom.dataset import Dataset
from pydicom.waveforms.numpy_handler import multiplex_array

from workstation.errors import DocumentRenderError


@dataclass(frozen=True)
class Channel:
    """One channel: label, unit and samples (float64, physical units unless ``unit`` is '')."""

    label: str
    unit: str
    samples: np.ndarray
    filter_low_hz: float | None = None
    filter_high_hz: float | None = None


@dataclass(frozen=True)
class MultiplexGroup:
    """Channels sampled together; ``time_s[i]`` is the time of sample ``i`` in seconds."""

    label: str
    sampling_frequency_hz: float
    time_s: np.ndarray
    channels: tuple[Channel, ...]
    originality: str = ""

    @property
    def recording_length_s(self) -> float:
        return len(self.time_s) / self.sampling_frequency_hz


def _float(value: object, default: float | None) -> float | None:
    if value is None or value == "":
        return default
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return default


def _code_meaning(seq: object) -> str:
    if not seq:
        return ""
    item = seq[0]  # type: ignore[index]
    return str(item.get("CodeMeaning") or item.get("CodeValue") or "").strip()


def _unit(seq: object) -> str:
    """UCUM code value ('uV', 'mV', 'mm[Hg]'), falling back to the code meaning."""
    if not seq:
        return ""
    item = seq[0]  # type: ignore[index]
    value = str(item.get("CodeValue") or "").strip()
    return value or _code_meaning(seq)


def channel_label(definition: Dataset, index: int) -> str:
    """Lead name from Channel Source Sequence, else Channel Label, else 'Channel n'."""
    return (
        _code_meaning(definition.get("ChannelSourceSequence"))
        or str(definition.get("ChannelLabel") or "").strip()
        or f"Channel {index + 1}"
    )


def _padding_mask(item: Dataset, raw: np.ndarray) -> np.ndarray | None:
    padding = item.get("WaveformPaddingValue")
    if not padding:
        return None
    padding_value = np.frombuffer(padding, dtype=raw.dtype)
    if padding_value.size != 1:
        return None
    return raw == padding_value[0]


def multiplex_group(ds: Dataset, index: int) -> MultiplexGroup:
    """Multiplex group ``index`` of ``ds`` converted to physical units."""
    groups = ds.get("WaveformSequence") or []
    if not 0 <= index < len(groups):
        raise DocumentRenderError(kind="waveform", reason=f"no multiplex group {index}")
    item = groups[index]
    frequency = _float(item.get("SamplingFrequency"), None)
    if not frequency or frequency <= 0:
        raise DocumentRenderError(kind="waveform", reason="missing Sampling Frequency")
    try:
        raw = multiplex_array(ds, index, as_raw=True)
    except (AttributeError, KeyError, ValueError) as exc:
        raise DocumentRenderError(kind="waveform", reason=str(exc)) from exc
    padded = _padding_mask(item, raw)
    definitions = item.get("ChannelDefinitionSequence") or []
    channels = []
    for c in range(raw.shape[1]):
        definition = definitions[c] if c < len(definitions) else Dataset()
        samples = raw[:, c].astype(np.float64)
        sensitivity = _float(definition.get("ChannelSensitivity"), None)
        if sensitivity is not None:
            correction = _float(definition.get("ChannelSensitivityCorrectionFactor"), 1.0)
            baseline = _float(definition.get("ChannelBaseline"), 0.0)
            samples = samples * sensitivity * correction + baseline  # type: ignore[operator]
            unit = _unit(definition.get("ChannelSensitivityUnitsSequence"))
        else:
            unit = ""  # arbitrary units: PS3.3 makes sensitivity optional then
        if padded is not None:
            samples[padded[:, c]] = np.nan
        channels.append(
            Channel(
                label=channel_label(definition, c),
                unit=unit,
                samples=samples,
                filter_low_hz=_float(definition.get("FilterLowFrequency"), None),
                filter_high_hz=_float(definition.get("FilterHighFrequency"), None),
            )
        )
    time_s = np.arange(raw.shape[0], dtype=np.float64) / frequency
    return MultiplexGroup(
        label=str(item.get("MultiplexGroupLabel") or f"Group {index + 1}").strip(),
        sampling_frequency_hz=frequency,
        time_s=time_s,
        channels=tuple(channels),
        originality=str(item.get("WaveformOriginality") or ""),
    )


def waveform_groups(ds: Dataset) -> list[MultiplexGroup]:
    """All multiplex groups of a waveform object, in file order."""
    if not ds.get("WaveformSequence"):
        raise DocumentRenderError(kind="waveform", reason="no Waveform Sequence")
    return [multiplex_group(ds, i) for i in range(len(ds.WaveformSequence))]
