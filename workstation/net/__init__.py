"""DICOM networking: the node (SCP) and, later, the SCU calls. Never touches the GUI."""
