"""The start panel: where the picture comes from, which skill, which reference, practice or performance."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from motor_trainer.records.verdict import SkillKind
from motor_trainer.coaching.classify import Classification, Question, next_step
from motor_trainer.coaching.practice import PracticeMode
from motor_trainer.gui.labels import problem_label
from motor_trainer.live.preferences import PracticePreferences
from motor_trainer.audio.time_stretch import MAX_SPEED, MIN_SPEED
from motor_trainer.live.session_setup import LoopSection, MirrorChoice, ReferenceLayout, SessionSetup
from motor_trainer.media_files import VIDEO_SUFFIXES, dialog_filter
from motor_trainer.skills.presets import available_presets, preset_kind
from motor_trainer.storage.manifest import now_utc
from motor_trainer.workspace import Workspace

VIDEO_FILTER = dialog_filter("Videos", VIDEO_SUFFIXES)
NO_CAMERA_TEXT = "No camera found. Open a video instead: it plays like a live camera."


class SkillQuestions(QDialog):
    """The classification flow, one question at a time; ``classification`` is set when it ends."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Which kind of skill is it?")
        self.answers: list[str] = []
        self.classification: Classification | None = None
        self._layout = QVBoxLayout(self)
        self._show(next_step(self.answers))

    def _show(self, step: Question | Classification) -> None:
        while self._layout.count():
            item = self._layout.takeAt(0)
            widget = None if item is None else item.widget()
            if widget is not None:
                widget.deleteLater()
        if isinstance(step, Classification):
            self.classification = step
            self._layout.addWidget(QLabel(step.explanation))
            buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
            buttons.accepted.connect(self.accept)
            self._layout.addWidget(buttons)
            return
        self._layout.addWidget(QLabel(f"<b>{step.text}</b>"))
        for answer in step.answers:
            button = QPushButton(f"{answer.text}\n(e.g. {', '.join(answer.examples)})")
            button.setObjectName(f"answer-{answer.answer_id}")
            button.clicked.connect(lambda _=False, answer_id=answer.answer_id: self._on_answer(answer_id))
            self._layout.addWidget(button)

    def _on_answer(self, answer_id: str) -> None:
        self.answers.append(answer_id)
        self._show(next_step(self.answers))


class StartPanel(QWidget):
    """Emits ``start_requested(SessionSetup)``; ``cameras`` are the indices that opened (may be empty);
    ``workspace`` holds the sessions, references and calibrations (None: saving, reviewing and
    calibrating are not offered)."""

    start_requested = Signal(object)
    latency_measured = Signal(str, float)  # sound output's key, its delay in ms

    def __init__(self, cameras: list[int], workspace: Workspace | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.cameras = cameras
        self.workspace = workspace
        self._workspace_root = None if workspace is None else workspace.root  # its taught skills join the presets
        self.sessions_dir = None if workspace is None else workspace.sessions_dir
        sessions_dir = self.sessions_dir
        self.camera_box = QComboBox()
        for index in cameras:
            self.camera_box.addItem(f"Camera {index}", index)
        self.no_camera = QLabel(NO_CAMERA_TEXT)
        self.no_camera.setVisible(not cameras)
        self.camera_box.setVisible(bool(cameras))
        self.video_path = QLineEdit()
        self.video_path.setPlaceholderText("a video file, played as a live camera")
        browse_video = QPushButton("Open video…")
        browse_video.clicked.connect(self._on_browse_video)
        self.use_camera = QRadioButton("Camera")
        self.use_video = QRadioButton("Video")
        self.use_camera.setEnabled(bool(cameras))
        (self.use_camera if cameras else self.use_video).setChecked(True)
        self.rotation = QComboBox()
        for degrees in (0, 90, 180, 270):
            self.rotation.addItem(f"{degrees}° clockwise", degrees)
        self.playback_speed = QDoubleSpinBox()
        self.playback_speed.setRange(0.25, 2.0)
        self.playback_speed.setSingleStep(0.05)
        self.playback_speed.setValue(1.0)
        self.playback_speed.setSuffix("× real time")
        self.playback_speed.setToolTip("A video plays as a live camera at this speed (slow a coach's video down to learn it)")
        self.dance_speed = QDoubleSpinBox()
        self.dance_speed.setRange(MIN_SPEED, MAX_SPEED)
        self.dance_speed.setSingleStep(0.05)
        self.dance_speed.setValue(1.0)
        self.dance_speed.setSuffix("× the routine's tempo")
        self.dance_speed.setToolTip("A dance's reference plays at this speed, its music at its own pitch (times the coach's tempo step)")
        self.mirror_reference = QComboBox()
        mirror_labels = {MirrorChoice.AUTO: "when the reference faces you", MirrorChoice.ON: "always", MirrorChoice.OFF: "never"}
        for choice, label in mirror_labels.items():
            self.mirror_reference.addItem(label, str(choice))  # plain strings: Qt's findData compares them by value
        self.reference_layout = QComboBox()
        self.reference_layout.addItem("beside the live view", str(ReferenceLayout.BESIDE))
        self.reference_layout.addItem("faint behind you", str(ReferenceLayout.BEHIND))
        self.measure_latency = QPushButton("Sound delay…")
        self.measure_latency.setToolTip("Tap along to a few clicks: the delay between playing a sound and hearing it, kept per output")
        self.measure_latency.clicked.connect(self._on_measure_latency)
        self.loop_section = QCheckBox("Loop steps")
        self.loop_section.setToolTip("Play a section of the routine over and over until it is danced clean")
        self.loop_first = QSpinBox()
        self.loop_last = QSpinBox()
        for box in (self.loop_first, self.loop_last):
            box.setRange(1, 999)
        self.loop_last.setValue(4)
        self.loop_passes = QSpinBox()
        self.loop_passes.setRange(1, 20)
        self.loop_passes.setValue(3)
        self.loop_passes.setSuffix(" clean passes")
        self.skill = QComboBox()
        for name in available_presets(self._workspace_root):
            self.skill.addItem(name, name)
        classify = QPushButton("Help me choose…")
        classify.clicked.connect(self._on_classify)
        self.reference_path = QLineEdit()
        self._references: dict[str, str] = {}  # skill -> the reference last chosen for it (a routine is no rep reference)
        self._reference_skill = self.skill.currentData()
        self.skill.currentIndexChanged.connect(self._on_skill_changed)
        self.reference_path.setPlaceholderText("open-loop: a saved reference .json (optional); closed-loop: a routine folder or video")
        browse_reference = QPushButton("Choose…")
        browse_reference.clicked.connect(self._on_browse_reference)
        self.practice = QRadioButton("Practice (errors are for learning, nothing is scored)")
        self.performance = QRadioButton("Performance (scored, difficulty held)")
        self.practice.setChecked(True)
        modes = QButtonGroup(self)
        modes.addButton(self.practice)
        modes.addButton(self.performance)
        self.outcome_on_board = QCheckBox("Enter each outcome on the dartboard (else H / M keys: hit or miss)")
        self.outcome_on_board.setChecked(True)
        self.save_session = QCheckBox(f"Save this session in {sessions_dir}" if sessions_dir else "Saving needs a workspace")
        self.save_session.setChecked(sessions_dir is not None)
        self.save_session.setEnabled(sessions_dir is not None)
        self.sessions_button = QPushButton("Sessions and progress…")
        self.sessions_button.setToolTip(
            "Open a past session, replay any rep, make chosen reps your reference, export; progress across sessions")
        self.sessions_button.setEnabled(workspace is not None)
        self.sessions_button.clicked.connect(self._on_sessions)
        self.calibrate_button = QPushButton("Calibrate camera, board or floor…")
        self.calibrate_button.setToolTip("Checkerboard photos for the lens; click the board's or the floor's points for real distances")
        self.calibrate_button.setEnabled(workspace is not None)
        self.calibrate_button.clicked.connect(self._on_calibrate)
        self.start_button = QPushButton("Start")
        self.start_button.setDefault(True)
        self.start_button.clicked.connect(self._on_start)
        self.problem = problem_label()

        form = QFormLayout()
        source_row = QHBoxLayout()
        source_row.addWidget(self.use_camera)
        source_row.addWidget(self.camera_box)
        source_row.addWidget(self.no_camera)
        source_row.addWidget(self.use_video)
        form.addRow("Source", source_row)
        form.addRow("Video", _row(self.video_path, browse_video))
        form.addRow("Rotation", self.rotation)
        form.addRow("Video speed", self.playback_speed)
        form.addRow("Skill", _row(self.skill, classify))
        form.addRow("Reference", _row(self.reference_path, browse_reference))
        form.addRow("Dance along", _row(self.dance_speed, self.measure_latency))
        form.addRow("", _row(QLabel("Mirror"), self.mirror_reference, QLabel("shown"), self.reference_layout))
        form.addRow("", _row(self.loop_section, self.loop_first, QLabel("to"), self.loop_last, QLabel("until"), self.loop_passes))
        form.addRow("Mode", _column(self.practice, self.performance))
        form.addRow("Outcome", self.outcome_on_board)
        form.addRow("Record", self.save_session)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Motor Trainer</h2>Practise, see every obvious miss replayed, review progress."))
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.start_button)
        layout.addWidget(_row(self.sessions_button, self.calibrate_button))
        layout.addStretch(1)

    def setup(self) -> SessionSetup:
        """The session the panel describes; ValueError with a one-line reason when it is incomplete."""
        video = self.video_path.text().strip()
        if self.use_video.isChecked() and not video:
            raise ValueError("choose a video to open" if self.cameras else NO_CAMERA_TEXT)
        reference = self.reference_path.text().strip()
        skill = self.skill.currentData()
        if preset_kind(skill, self._workspace_root) is SkillKind.CLOSED_LOOP and not reference:
            raise ValueError(f"{skill} follows a reference routine: choose its folder or video")
        loop = None
        if self.loop_section.isChecked():
            loop = LoopSection(self.loop_first.value(), self.loop_last.value(), self.loop_passes.value())  # ValueError: a backwards section
        return SessionSetup(
            skill=skill,
            video_path=Path(video) if self.use_video.isChecked() else None,
            camera_index=None if self.use_video.isChecked() else self.camera_box.currentData(),
            rotate_deg=int(self.rotation.currentData()),
            speed=float(self.playback_speed.value()),
            reference_path=Path(reference) if reference else None,
            mode=PracticeMode.PERFORMANCE if self.performance.isChecked() else PracticeMode.PRACTICE,
            outcome_on_board=self.outcome_on_board.isChecked(),
            sessions_dir=self.sessions_dir if self.save_session.isChecked() else None,
            workspace_root=self._workspace_root,
            dance_speed=float(self.dance_speed.value()),
            mirror_reference=MirrorChoice(self.mirror_reference.currentData()),
            reference_layout=ReferenceLayout(self.reference_layout.currentData()),
            loop=loop,
        )

    def apply_preferences(self, preferences: PracticePreferences) -> None:
        """Fill the panel with the choices of the last run (a remembered camera that is gone is skipped)."""
        self.video_path.setText(preferences.video_path)
        if preferences.use_video or not self.cameras:
            self.use_video.setChecked(True)
        else:
            self.use_camera.setChecked(True)
        if (camera_row := self.camera_box.findData(preferences.camera_index)) >= 0:
            self.camera_box.setCurrentIndex(camera_row)
        self.rotation.setCurrentIndex(self.rotation.findData(preferences.rotate_deg))
        self.playback_speed.setValue(preferences.speed)
        self.dance_speed.setValue(preferences.dance_speed)
        self.mirror_reference.setCurrentIndex(max(0, self.mirror_reference.findData(preferences.mirror_reference)))
        self.reference_layout.setCurrentIndex(max(0, self.reference_layout.findData(preferences.reference_layout)))
        skills = set(available_presets(self._workspace_root))
        self._references = {skill: path for skill, path in preferences.references.items()
                            if skill in skills and self._fits(skill, path)}
        if preferences.skill in skills:
            self.choose_skill(preferences.skill)
        self.reference_path.setText(self._references.get(self.skill.currentData(), ""))
        (self.performance if preferences.mode is PracticeMode.PERFORMANCE else self.practice).setChecked(True)
        self.outcome_on_board.setChecked(preferences.outcome_on_board)
        self.save_session.setChecked(preferences.save_session and self.sessions_dir is not None)

    def preferences(self, earlier: PracticePreferences) -> PracticePreferences:
        """``earlier`` with the panel's current choices (settings the panel does not show are kept)."""
        camera_index = self.camera_box.currentData()
        return dataclasses.replace(
            earlier,
            skill=self.skill.currentData(),
            use_video=self.use_video.isChecked(),
            video_path=self.video_path.text().strip(),
            camera_index=earlier.camera_index if camera_index is None else int(camera_index),
            rotate_deg=int(self.rotation.currentData()),
            speed=float(self.playback_speed.value()),
            dance_speed=float(self.dance_speed.value()),
            mirror_reference=self.mirror_reference.currentData(),
            reference_layout=self.reference_layout.currentData(),
            references=self._remembered_references(),
            mode=PracticeMode.PERFORMANCE if self.performance.isChecked() else PracticeMode.PRACTICE,
            outcome_on_board=self.outcome_on_board.isChecked(),
            save_session=self.save_session.isChecked() if self.sessions_dir is not None else earlier.save_session,
        )

    def choose_video(self, path: Path, rotate_deg: int = 0, speed: float = 1.0) -> None:
        self.video_path.setText(str(path))
        self.use_video.setChecked(True)
        self.rotation.setCurrentIndex(self.rotation.findData(rotate_deg))
        self.playback_speed.setValue(speed)

    def choose_skill(self, name: str) -> None:
        self.skill.setCurrentIndex(self.skill.findData(name))

    def _fits(self, skill: str, path: str) -> bool:
        """Whether ``path`` can be ``skill``'s reference: a rep reference is a .json file, a routine a folder or video."""
        return path.lower().endswith(".json") == (preset_kind(skill, self._workspace_root) is SkillKind.OPEN_LOOP)

    def _remembered_references(self) -> dict[str, str]:
        """Every skill's reference, the one in the field for the skill shown (an emptied field forgets it)."""
        references = dict(self._references)
        references.pop(self._reference_skill, None)
        if text := self.reference_path.text().strip():
            references[self._reference_skill] = text
        return references

    def _on_skill_changed(self) -> None:
        """The field shows the new skill's own reference: a dance routine left in it is no free throw's reference."""
        self._references = self._remembered_references()
        self._reference_skill = self.skill.currentData()
        self.reference_path.setText(self._references.get(self._reference_skill, ""))

    def _on_start(self) -> None:
        try:
            setup = self.setup()
        except ValueError as problem:
            self.problem.setText(str(problem))
            return
        self.problem.setText("")
        self.start_requested.emit(setup)

    def _on_measure_latency(self) -> None:
        from motor_trainer.gui.latency_dialog import LatencyDialog  # noqa: PLC0415 — loads the sound library on demand

        dialog = LatencyDialog(self)
        dialog.measured.connect(self.latency_measured)
        dialog.exec()

    def _on_browse_video(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open a video", "", VIDEO_FILTER)
        if path:
            self.choose_video(Path(path), int(self.rotation.currentData()))

    def _on_browse_reference(self) -> None:
        if preset_kind(self.skill.currentData(), self._workspace_root) is SkillKind.CLOSED_LOOP:
            path = (QFileDialog.getExistingDirectory(self, "Choose a reference routine folder")
                    or QFileDialog.getOpenFileName(self, "…or a routine video", "", VIDEO_FILTER)[0])
        else:
            path, _ = QFileDialog.getOpenFileName(self, "Choose a saved reference", "", "References (*.json)")
        if path:
            self.reference_path.setText(path)

    def _on_sessions(self) -> None:
        from motor_trainer.gui.session_browser import SessionBrowser  # noqa: PLC0415 — pyqtgraph loads when asked

        if self.workspace is None:  # the button is disabled without a workspace
            return
        SessionBrowser(self.workspace.sessions_dir, now_utc(), self, workspace_root=self.workspace.root).exec()

    def _on_calibrate(self) -> None:
        from motor_trainer.gui.calibration_wizard import CalibrationWizard  # noqa: PLC0415 — loads when asked

        if self.workspace is None:  # the button is disabled without a workspace
            return
        CalibrationWizard(self.workspace.calibration_dir, self.cameras, self).exec()

    def _on_classify(self) -> None:
        dialog = SkillQuestions(self)
        if dialog.exec() and dialog.classification is not None:
            self.choose_skill(str(dialog.classification.preset))


def _laid_out(layout_type: type[QHBoxLayout] | type[QVBoxLayout], *widgets: QWidget) -> QWidget:
    holder = QWidget()
    layout = layout_type(holder)
    layout.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        layout.addWidget(widget)
    return holder


def _row(*widgets: QWidget) -> QWidget:
    return _laid_out(QHBoxLayout, *widgets)


def _column(*widgets: QWidget) -> QWidget:
    return _laid_out(QVBoxLayout, *widgets)
