"""The viewer registry (which viewer opens a series or object) and the views for objects
that are not images: SR as text, Encapsulated PDF, waveforms (ECG)."""
