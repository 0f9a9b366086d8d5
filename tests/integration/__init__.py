"""Integration tests: real peers over loopback (a package so its conftest keeps its own name)."""
