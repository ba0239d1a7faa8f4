"""pillcmp: compare two object detectors exactly."""

__version__ = "0.1.0"
