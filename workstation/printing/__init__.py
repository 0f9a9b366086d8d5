"""Film printing: the film model (layouts, boxes, annotations) and raster composition at
printer resolution. Qt-free and network-free; filled by issue 14 (the Print SCU is in net/)."""
