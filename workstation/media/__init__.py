"""Media export: DICOMDIR writing, ISO images, the burner driver and de-identification.
Qt-free; filled by issue 15. (DICOMDIR *import* stays in store/importer.py.)"""
