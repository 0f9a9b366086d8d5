"""Service class users: one module per DICOM service we call, each over net/association.py."""
