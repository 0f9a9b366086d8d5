"""Pixel pipeline and models (numpy, Qt-free): decode, LUTs, series stacks and volumes,
geometry, measurements and drawing, GSPS, thumbnails."""
