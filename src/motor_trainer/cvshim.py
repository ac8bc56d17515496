"""The only place that imports cv2.

Importing cv2 points QT_QPA_PLATFORM_PLUGIN_PATH and QT_QPA_FONTDIR at the Qt
bundled inside the OpenCV wheel; left there, PySide6 may fail to load its own
platform plugin on a real desktop. Import cv2 from here: ``from motor_trainer.cvshim import cv2``.
"""

import os

import cv2

for _variable in ("QT_QPA_PLATFORM_PLUGIN_PATH", "QT_QPA_FONTDIR"):
    os.environ.pop(_variable, None)

__all__ = ["cv2"]
