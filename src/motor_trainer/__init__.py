"""Motor Trainer: a webcam motor-skill coach built on error-driven learning."""

__version__ = "0.1.0"
