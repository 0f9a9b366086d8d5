"""The 2D viewer: viewports showing a stack of images through the display pipeline."""
