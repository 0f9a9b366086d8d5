"""Strict test peers for services no Debian package provides an SCP for (MPPS)."""
