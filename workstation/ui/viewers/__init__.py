"""Views for objects that are not images: SR as text, Encapsulated PDF, waveforms (ECG)."""
