"""Waveform objects to plot-ready channels (imaging/waveform)."""

from __future__ import annotations

import numpy as np
import pydicom
import pytest
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from workstation.errors import DocumentRenderError
from workstation.imaging.waveform import multiplex_group, waveform_groups

TWELVE_LEADS = [
    "Lead I (Einthoven)",
    "Lead II",
    "Lead III",
    "Lead aVR",
    "Lead aVL",
    "Lead aVF",
    "Lead V1",
    "Lead V2",
    "Lead V3",
    "Lead V4",
    "Lead V5",
    "Lead V6",
]


@pytest.fixture(scope="module")
def ecg() -> Dataset:
    return pydicom.dcmread(get_testdata_file("waveform_ecg.dcm"))


def test_shipped_ecg_has_two_groups_of_twelve_labelled_leads(ecg: Dataset) -> None:
    groups = waveform_groups(ecg)
    assert [g.label for g in groups] == ["RHYTHM", "MEDIAN BEAT"]
    rhythm = groups[0]
    assert len(rhythm.channels) == 12
    assert [c.label for c in rhythm.channels] == TWELVE_LEADS
    assert {c.unit for c in rhythm.channels} == {"uV"}


def test_shipped_ecg_sampling_frequency_and_time_axis(ecg: Dataset) -> None:
    rhythm = multiplex_group(ecg, 0)
    assert rhythm.sampling_frequency_hz == 1000.0
    assert len(rhythm.time_s) == 10000
    assert rhythm.time_s[1] == pytest.approx(0.001)
    assert rhythm.recording_length_s == pytest.approx(10.0)  # the ECG lasts 10 s
    assert rhythm.channels[0].filter_low_hz == pytest.approx(0.05)


def test_shipped_ecg_sample_converted_by_hand(ecg: Dataset) -> None:
    item = ecg.WaveformSequence[0]
    raw = np.frombuffer(item.WaveformData, dtype="<i2")
    stored = int(raw[5 * 12 + 1])  # sample 5 of channel 2 (interleaved by channel)
    definition = item.ChannelDefinitionSequence[1]
    expected = stored * float(definition.ChannelSensitivity) * float(
        definition.ChannelSensitivityCorrectionFactor
    ) + float(definition.ChannelBaseline)
    assert multiplex_group(ecg, 0).channels[1].samples[5] == pytest.approx(expected)
    assert expected == pytest.approx(stored * 1.25)


def _synthetic(sensitivity: str | None) -> Dataset:
    ds = Dataset()
    item = Dataset()
    item.NumberOfWaveformChannels = 1
    item.NumberOfWaveformSamples = 4
    item.SamplingFrequency = "500"
    item.WaveformBitsAllocated = 16
    item.WaveformSampleInterpretation = "SS"
    item.WaveformPaddingValue = np.array([-32768], "<i2").tobytes()
    item.WaveformData = np.array([0, 10, -32768, -4], "<i2").tobytes()
    definition = Dataset()
    definition.ChannelLabel = "Pressure"
    if sensitivity is not None:
        definition.ChannelSensitivity = sensitivity
        definition.ChannelSensitivityCorrectionFactor = "0.5"
        definition.ChannelBaseline = "100"
        units = Dataset()
        units.CodeValue, units.CodingSchemeDesignator = "mm[Hg]", "UCUM"
        units.CodeMeaning = "millimeter of mercury"
        definition.ChannelSensitivityUnitsSequence = [units]
    item.ChannelDefinitionSequence = [definition]
    ds.WaveformSequence = [item]
    return ds


def test_sensitivity_correction_baseline_and_padding_applied() -> None:
    channel = multiplex_group(_synthetic("2"), 0).channels[0]
    assert channel.label == "Pressure"
    assert channel.unit == "mm[Hg]"
    assert channel.samples[:2].tolist() == [100.0, 110.0]
    assert np.isnan(channel.samples[2])
    assert channel.samples[3] == 96.0


def test_without_sensitivity_samples_stay_unitless() -> None:
    channel = multiplex_group(_synthetic(None), 0).channels[0]
    assert channel.unit == ""
    assert channel.samples[1] == 10.0


def test_missing_waveform_raises_typed_error() -> None:
    with pytest.raises(DocumentRenderError):
        waveform_groups(Dataset())
    with pytest.raises(DocumentRenderError):
        multiplex_group(_synthetic("1"), 3)
