"""Clinical DICOM workstation: local store, DICOM node, viewer, print and media."""

__version__ = "0.1.0"
