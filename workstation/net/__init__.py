"""DICOM networking; never touches the GUI.

``association`` is the one way to make an AE, open an association and diagnose a
failure; ``scu/`` holds one module per service we call, ``scp/`` the node and one
handler module per service it answers, ``wire/`` the pynetdicom 3.0 fast paths behind
one switch (``WORKSTATION_WIRE_FAST_PATHS``); ``negotiation`` and ``commitment`` are
shared by both roles.
"""
