"""Review one saved session: scrub its video with the skeleton, list its reps, replay a miss, make a reference.

Nothing here decodes the whole video: the slider asks a ``FrameSeeker`` for
the one frame it points at, in a thread of its own; while it decodes, only
the newest slider position is remembered, so dragging fast never queues up
work and the window never waits on a decoder. Replays and references are
built off the GUI thread too (both analyse the session's landmarks again).
Reviewing writes nothing to the session: a reference goes to the
workspace's references folder.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from motor_trainer.analysis.reference_reps import reference_from_session_reps
from motor_trainer.analysis.rep_reference import references_dir
from motor_trainer.records.verdict import SkillKind, Verdict
from motor_trainer.capture.seeking import FrameSeeker
from motor_trainer.errors import UserFacingError
from motor_trainer.feedback.overlay import draw_skeleton
from motor_trainer.feedback.session_replay import (
    ReplayOptions,
    SessionReplay,
    replay_refusal,
    saved_reference_ids,
    session_replay,
)
from motor_trainer.gui.background_job import BackgroundJob
from motor_trainer.gui.image_label import ImageLabel
from motor_trainer.live.live_analysis import lower_thread_priority
from motor_trainer.gui.replay_panel import ReplayPanel
from motor_trainer.pose.landmarks import PoseSequence
from motor_trainer.skills.open_loop import load_open_loop_preset
from motor_trainer.skills.presets import preset_kind, shipped_presets
from motor_trainer.skills.taught import DEFAULT_LIKE, TaughtSkill, teach_skill
from motor_trainer.storage.session_video import missing_video_line, session_video
from motor_trainer.storage.session_folder import Session


def attempt_name(verdict: Verdict) -> str:
    """ "rep 3" for a throw, "step 3" for a routine, as the CLI numbers them."""
    return f"{'rep' if verdict.kind is SkillKind.OPEN_LOOP else 'step'} {verdict.number}"


def verdict_line(verdict: Verdict) -> str:
    """One rep or step in the list: number, time, severity and channel, outcome."""
    channel = f" ({verdict.channel})" if verdict.channel else ""
    outcome = {True: " · success", False: " · missed", None: ""}[verdict.success]
    return f"{attempt_name(verdict)} · {verdict.start_s:.2f}–{verdict.end_s:.2f} s · {verdict.severity}{channel}{outcome}"


def overlay_frame(image_rgb: np.ndarray, xy_px: np.ndarray, image_size_px: tuple[int, int]) -> np.ndarray:
    """A copy of the (possibly shrunk) frame with the skeleton drawn, landmarks scaled from ``image_size_px``."""
    height, width = image_rgb.shape[:2]
    scale = np.array([width / image_size_px[0], height / image_size_px[1]]) if all(image_size_px) else np.ones(2)
    return draw_skeleton(np.array(image_rgb, copy=True), xy_px * scale)


class FrameLoader(QObject):
    """One decoding thread that draws the newest wanted frame: ``loaded(frame, image)`` or ``failed(line)``.

    ``want`` never blocks: it replaces whatever position was waiting, so a
    fast drag decodes a few frames on the way and always ends on the last one.
    """

    loaded = Signal(int, object)
    failed = Signal(str)

    def __init__(self, draw: Callable[[int], np.ndarray], parent: QObject | None = None):
        super().__init__(parent)
        self._draw = draw
        self._wanted: int | None = None
        self._stopping = False
        self._condition = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="review-frames", daemon=True)
        self._thread.start()

    def want(self, frame: int) -> None:
        with self._condition:
            self._wanted = frame
            self._condition.notify()

    def stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify()
        self._thread.join(5.0)

    def _run(self) -> None:
        lower_thread_priority()
        while True:
            with self._condition:
                while self._wanted is None and not self._stopping:
                    self._condition.wait()
                if self._stopping:
                    return
                frame, self._wanted = self._wanted, None
            if frame is None:  # only when stopping, which returned above
                continue
            try:
                image = self._draw(frame)
            except UserFacingError as error:
                self.failed.emit(str(error))
                continue
            self.loaded.emit(frame, image)


class SessionReview(QDialog):
    """One session: video with overlay and a slider, the reps with their verdicts, Replay and Make reference.

    ``workspace_root`` holds the references (``references/``) a replay is judged against and new ones go to.
    """

    def __init__(self, session: Session, workspace_root: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.workspace_root = Path(workspace_root)
        manifest = session.manifest
        self.setWindowTitle(f"Session {session.session_id}")
        self.resize(1100, 720)
        self.problems: list[str] = []
        self.sequence = self._load_landmarks()
        self.verdicts = self._load_verdicts()
        self.seeker = self._open_video()
        self.frames_shown = 0
        self.shown_frame: int | None = None
        self.shown_image: np.ndarray | None = None
        self.last_reference_path: Path | None = None
        self.last_taught: TaughtSkill | None = None
        self._replay_rep: Verdict | None = None
        frame_count = 0 if self.sequence is None else len(self.sequence)

        title = QLabel(f"<b>{session.session_id}</b> · {manifest.skill or 'no skill'} · "
                       f"{manifest.started_at.astimezone().strftime('%Y-%m-%d %H:%M')}")
        self.image = ImageLabel("no video to show")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setRange(0, max(0, frame_count - 1))
        self.slider.setEnabled(self.seeker is not None and frame_count > 0)
        self.position = QLabel()
        self.reps = QListWidget()
        self.reps.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        for verdict in self.verdicts:
            item = QListWidgetItem(verdict_line(verdict))
            item.setData(Qt.ItemDataRole.UserRole, verdict.index)
            self.reps.addItem(item)
        self.is_open_loop = self._is_open_loop()
        self.reference_choice = QComboBox()
        self._fill_reference_choice()
        self.replay_button = QPushButton("Replay")
        self.replay_button.setEnabled(False)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.reference_name = QLineEdit(f"{session.session_id}-ref")
        self.make_reference_button = QPushButton("Make reference from selected reps")
        self.make_reference_button.setEnabled(False)
        self.skill_name = QLineEdit(f"{session.session_id.split('-')[-1] or 'my'}-skill".lower())
        self.teach_button = QPushButton("This frame is the key moment: teach a skill")
        self.teach_button.setToolTip("Scrub to the contact, impact or release, name the skill, press: "
                                     "its reps are then found in any video by the movement around this frame")
        self.teach_button.setEnabled(self.sequence is not None and frame_count > 0)
        self.replay_panel = ReplayPanel(self, title="Replay of the chosen obvious miss")

        side = QVBoxLayout()
        hint = QLabel("Reps and verdicts: select one to jump there and replay it, several to make a reference")
        hint.setWordWrap(True)
        side.addWidget(hint)
        side.addWidget(self.reps, 1)
        side.addWidget(QLabel("Replay against"))
        side.addWidget(self.reference_choice)
        side.addWidget(self.replay_button)
        if self.is_open_loop:
            side.addWidget(QLabel("Reference name"))
            side.addWidget(self.reference_name)
            side.addWidget(self.make_reference_button)
        side.addWidget(QLabel("New skill from this session"))
        side.addWidget(self.skill_name)
        side.addWidget(self.teach_button)
        side.addWidget(self.status)
        viewer = QVBoxLayout()
        viewer.addWidget(title)
        viewer.addWidget(self.image, 1)
        viewer.addWidget(self.slider)
        viewer.addWidget(self.position)
        layout = QHBoxLayout(self)
        layout.addLayout(viewer, 3)
        layout.addLayout(side, 1)
        layout.addWidget(self.replay_panel, 2)

        # No Qt parent: the loader lives while its thread does, even if the dialog is deleted without closing.
        self._frames = FrameLoader(self._decode_frame)
        self._frames.loaded.connect(self._on_frame_decoded)
        self._frames.failed.connect(self._on_frame_failed)
        self._replay_job = BackgroundJob("replay-build", self)
        self._replay_job.succeeded.connect(self._on_replay_ready)
        self._replay_job.failed.connect(self._on_job_failed)
        self._reference_job = BackgroundJob("reference-build", self)
        self._reference_job.succeeded.connect(self._on_reference_saved)
        self._reference_job.failed.connect(self._on_job_failed)
        self._teach_job = BackgroundJob("teach-skill", self)
        self._teach_job.succeeded.connect(self._on_skill_taught)
        self._teach_job.failed.connect(self._on_job_failed)
        self.teach_button.clicked.connect(self._on_teach)
        self.slider.valueChanged.connect(self._on_slider_moved)
        self.reps.itemSelectionChanged.connect(self._on_rep_selection)
        self.replay_button.clicked.connect(self._on_replay)
        self.make_reference_button.clicked.connect(self._on_make_reference)
        self.status.setText("\n".join(self.problems))
        if self.slider.isEnabled():
            self._on_slider_moved(0)

    # ------------------------------------------------------------------ loading (bad files become one line each)

    def _load_landmarks(self) -> PoseSequence | None:
        try:
            return self.session.landmarks()
        except UserFacingError as error:
            self.problems.append(str(error))
            return None

    def _load_verdicts(self) -> list[Verdict]:
        try:
            return self.session.verdicts()
        except UserFacingError as error:
            self.problems.append(str(error))
            return []

    def _open_video(self) -> FrameSeeker | None:
        video = session_video(self.session)
        if video is None:
            self.problems.append(missing_video_line(self.session))
            return None
        try:
            return FrameSeeker(video.path, video.rotate_deg)
        except UserFacingError as error:
            self.problems.append(str(error))
            return None

    def _fill_reference_choice(self) -> None:
        """Saved references of the session's skill; open-loop also "as analysed" (the one `analyze` used, or own reps)."""
        skill = self.session.manifest.skill
        chosen = self.reference_choice.currentData()
        self.reference_choice.clear()
        kind = SkillKind.OPEN_LOOP if self.is_open_loop else SkillKind.CLOSED_LOOP
        ids = saved_reference_ids(self.workspace_root, skill, kind) if skill else []
        if self.is_open_loop:
            self.reference_choice.addItem("as analysed (its reference, else the session's own reps)", None)
        elif not ids:
            self.reference_choice.addItem("no saved routine in this workspace: save one with analyze --save-reference", None)
        for reference_id in ids:
            self.reference_choice.addItem(reference_id, reference_id)
        if (index := self.reference_choice.findData(chosen)) >= 0:
            self.reference_choice.setCurrentIndex(index)

    def _is_open_loop(self) -> bool:
        skill = self.session.manifest.skill
        if not skill:
            return False
        try:
            return preset_kind(skill, self.workspace_root) is SkillKind.OPEN_LOOP
        except UserFacingError as error:
            self.problems.append(str(error))
            return False

    # ------------------------------------------------------------------ scrubbing

    def _on_slider_moved(self, frame: int) -> None:
        if self.sequence is None:  # the slider is enabled once the landmarks are loaded
            return
        time_s = float(self.sequence.time_s[frame] - self.sequence.time_s[0])
        self.position.setText(f"frame {frame + 1} of {len(self.sequence)} · {time_s:.2f} s")
        self._frames.want(frame)

    def _decode_frame(self, frame: int) -> np.ndarray:
        """Runs in the loader's thread: seek, then draw the skeleton of that landmark frame."""
        sequence, seeker = self.sequence, self.seeker
        if sequence is None or seeker is None:
            raise UserFacingError(f"session {self.session.session_id} has no video and landmarks to show")
        time_s = float(sequence.time_s[frame] - sequence.time_s[0])
        image = seeker.frame_at(time_s).image_rgb
        return overlay_frame(image, sequence.xy_px[frame], sequence.image_size_px)

    def _on_frame_decoded(self, frame: int, image: np.ndarray) -> None:
        self.image.show_image(image)
        self.shown_frame, self.shown_image = frame, image
        self.frames_shown += 1

    def _on_frame_failed(self, message: str) -> None:
        self.status.setText(message)

    # ------------------------------------------------------------------ reps, replay, reference

    def selected_verdicts(self) -> list[Verdict]:
        by_index = {v.index: v for v in self.verdicts}
        return [by_index[item.data(Qt.ItemDataRole.UserRole)] for item in self.reps.selectedItems()]

    def _on_rep_selection(self) -> None:
        chosen = self.selected_verdicts()
        self.make_reference_button.setEnabled(bool(chosen) and self.sequence is not None)
        current = self.reps.currentItem()
        verdict = next((v for v in chosen if current is not None and v.index == current.data(Qt.ItemDataRole.UserRole)),
                       chosen[-1] if chosen else None)
        if verdict is None:
            self.replay_button.setEnabled(False)
            return
        # By time: a live recording keeps only the frames analysed, and a step has no frame.
        if self.slider.isEnabled() and self.sequence is not None:
            self.slider.setValue(min(int(np.searchsorted(self.sequence.time_s, verdict.start_s)), self.slider.maximum()))
        refusal = replay_refusal(verdict)
        self.replay_button.setEnabled(refusal is None and self.seeker is not None and not self._replay_job.busy)
        self.status.setText(f"{attempt_name(verdict)} is {refusal}" if refusal else
                            f"{attempt_name(verdict)}: an obvious miss; Replay shows it exaggerated")
        self._replay_rep = verdict

    def _on_replay(self) -> None:
        if self._replay_rep is None:  # the button is enabled once a rep is chosen
            return
        self.replay_button.setEnabled(False)
        self.status.setText(f"preparing the replay of {attempt_name(self._replay_rep)} (analysing it again)…")
        options = ReplayOptions(reference=self.reference_choice.currentData())
        self._replay_job.start(session_replay, self.session, self._replay_rep.number, self.workspace_root, options)

    def _on_replay_ready(self, replay: SessionReplay) -> None:
        self.replay_button.setEnabled(True)
        notes = [note for note in (*replay.notes, replay.changed_note) if note]
        self.status.setText("\n".join(notes) or f"replaying {attempt_name(replay.verdict)}")
        self.replay_panel.play(replay.renderer, replay.caption)

    def _on_make_reference(self) -> None:
        chosen = self.selected_verdicts()
        name = self.reference_name.text().strip()
        self.make_reference_button.setEnabled(False)
        self.status.setText(f"making reference {name} from {len(chosen)} reps…")
        self._reference_job.start(_save_session_reference, self.session, self.sequence, chosen, name, self.workspace_root)

    def _on_reference_saved(self, path: Path) -> None:
        self.last_reference_path = path
        self._fill_reference_choice()
        self.make_reference_button.setEnabled(True)
        self.status.setText(f"saved reference {path.stem} -> {path}")

    def _on_teach(self) -> None:
        frame, name = self.slider.value(), self.skill_name.text().strip()
        skill = self.session.manifest.skill
        like = skill if skill in shipped_presets() and self.is_open_loop else DEFAULT_LIKE
        self.teach_button.setEnabled(False)
        self.status.setText(f"teaching {name} from frame {frame}…")
        self.last_taught = None
        self._teach_job.start(_teach_from_session, self.sequence, name, frame, like, self.workspace_root)

    def _on_skill_taught(self, taught: TaughtSkill) -> None:
        self.last_taught = taught
        self.teach_button.setEnabled(True)
        t = taught.template
        self.status.setText(f"taught {taught.name}: the key moment is the {t.marker.lower().replace('_', ' ')}'s "
                            f"{t.extremum} {t.signal}; choose it on the start panel -> {taught.path}")

    def _on_job_failed(self, message: str) -> None:
        self.teach_button.setEnabled(self.sequence is not None)
        self.replay_button.setEnabled(True)
        self.make_reference_button.setEnabled(bool(self.selected_verdicts()))
        self.status.setText(message)

    def done(self, result: int) -> None:  # Qt calls it on accept, reject and close
        self.replay_panel.close_replay()
        self._frames.stop()
        for job in (self._replay_job, self._reference_job, self._teach_job):
            job.wait()
        if self.seeker is not None:
            self.seeker.close()
            self.seeker = None
        super().done(result)


def _save_session_reference(session: Session, sequence: PoseSequence, chosen: list[Verdict], reference_id: str,
                            workspace_root: Path) -> Path:
    """Runs in a job's thread: the chosen reps as a reference, saved; the path of its JSON."""
    if not session.manifest.skill:
        raise UserFacingError(f"session {session.session_id} names no skill: its reps cannot make a reference")
    preset = load_open_loop_preset(session.manifest.skill, workspace_root)
    source = f"reps {', '.join(str(v.number) for v in chosen)} of session {session.session_id}"
    return reference_from_session_reps(sequence, preset, chosen, reference_id, source).save(references_dir(workspace_root))


def _teach_from_session(sequence: PoseSequence, name: str, key_frame: int, like: str, workspace_root: Path) -> TaughtSkill:
    """Runs in a job's thread: the skill taught from the session's landmarks at ``key_frame``, saved in the workspace."""
    return teach_skill(sequence, name=name, key_frame=key_frame, like=like, workspace_root=workspace_root)
