"""DICOM vocabulary shared by every layer: UIDs, status codes, character sets, transfer syntaxes."""
