"""Pixel pipeline (numpy, Qt-free): decode, LUTs, thumbnails."""
