"""FrameSeeker on real footage: any frame by time, exactly the one a full decode gives, upright and shrunk."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import MEDIA

from motor_trainer.capture.seeking import FrameSeeker
from motor_trainer.capture.sources import open_video
from motor_trainer.cvshim import cv2

pytestmark = pytest.mark.footage


@pytest.mark.parametrize(("name", "rotate_deg", "upright_size_px"),
                         [("free_throw_side.mp4", 0, (1280, 720)), ("webcam_dance_sideways.mp4", 270, (405, 720))])
def test_frames_in_any_order_match_a_full_decode(name, rotate_deg, upright_size_px):
    with open_video(MEDIA / name, rotate_deg) as video:
        decoded = list(video.frames())
    wanted = [50, 10, 11, 12, 80, 79, 5, len(decoded) - 1, 30]  # back, forward, one by one, the end
    with FrameSeeker(MEDIA / name, rotate_deg) as seeker:
        for index in wanted:
            frame = seeker.frame_at(decoded[index].time_s)
            assert (frame.image_rgb.shape[1], frame.image_rgb.shape[0]) == upright_size_px
            expected = cv2.resize(decoded[index].image_rgb, upright_size_px, interpolation=cv2.INTER_AREA)
            assert np.abs(frame.image_rgb.astype(int) - expected).mean() < 1.0, index
            assert frame.time_s == pytest.approx(decoded[index].time_s, abs=1e-3)
        # Half a frame off still finds the nearest frame; past the end gives the last one.
        assert seeker.frame_at(decoded[20].time_s + 0.4 / seeker.fps).time_s == pytest.approx(decoded[20].time_s, abs=1e-3)
        assert seeker.frame_at(1e6).time_s == pytest.approx(decoded[-1].time_s, abs=1e-3)


def test_scrubbing_back_over_recent_frames_decodes_nothing_new():
    with open_video(MEDIA / "free_throw_side.mp4") as video:
        time_s = [frame.time_s for frame in video.frames()]
    with FrameSeeker(MEDIA / "free_throw_side.mp4") as seeker:
        seeker.frame_at(time_s[60])
        decoded, seeks = seeker.frames_decoded, seeker.seeks
        for index in range(59, 49, -1):
            seeker.frame_at(time_s[index])
        assert (seeker.frames_decoded, seeker.seeks) == (decoded, seeks)
        seeker.frame_at(time_s[61])  # one frame on: decoded forward, no new seek
        assert (seeker.frames_decoded, seeker.seeks) == (decoded + 1, seeks)
