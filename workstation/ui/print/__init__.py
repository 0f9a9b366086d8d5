"""The film composer tab (issue 14): film sheets composed from stored images, previewed
from the very raster that is printed, sent as a "print" job, to PDF or the system printer."""
