"""`motor-trainer sessions list|show ID|delete ID|recover [ID]|import BUNDLE`: browse saved sessions."""

from __future__ import annotations

import argparse
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from motor_trainer.analysis.session_reference import JUDGING_SETTING, REFERENCE_SETTING
from motor_trainer.coaching.features import feature_words
from motor_trainer.feedback import messages
from motor_trainer.records.verdict import SkillKind, Verdict
from motor_trainer.storage.bundle import import_bundle
from motor_trainer.storage.events import Event, EventKind
from motor_trainer.storage.manifest import SessionStatus
from motor_trainer.storage.session_folder import SKIPPED_CHUNK_KEY, Session
from motor_trainer.storage.store import SessionStore
from motor_trainer.workspace import resolve_workspace


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("sessions", help="list, show, delete, recover or import saved sessions")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    actions.add_parser("list", help="every session in the workspace, oldest first").set_defaults(run=run_list)
    show = actions.add_parser("show", help="one session: summary, events and verdicts")
    show.add_argument("session_id", metavar="ID")
    show.set_defaults(run=run_show)
    delete = actions.add_parser("delete", help="delete a session folder and everything in it")
    delete.add_argument("session_id", metavar="ID")
    delete.set_defaults(run=run_delete)
    recover = actions.add_parser("recover", help="finish sessions whose recording was interrupted")
    recover.add_argument("session_id", metavar="ID", nargs="?", help="one session (default: every unfinished one)")
    recover.set_defaults(run=run_recover)
    imported = actions.add_parser("import", help="add a session from a bundle made by `export --format bundle`")
    imported.add_argument("bundle", type=Path, metavar="BUNDLE")
    imported.set_defaults(run=run_import)


def open_store(args: argparse.Namespace) -> SessionStore:
    return SessionStore(resolve_workspace(args.workspace).ensure().sessions_dir)


def unfinished_notice(store: SessionStore) -> str | None:
    """The offer to recover shown when a previous run died while recording."""
    unfinished = store.unfinished()
    if not unfinished:
        return None
    ids = ", ".join(s.session_id for s in unfinished)
    return (f"{len(unfinished)} unfinished session(s) from an interrupted recording: {ids}; "
            "run `motor-trainer sessions recover` to keep what was recorded")


def run_list(args: argparse.Namespace) -> int:
    store = open_store(args)
    sessions = list(store)
    if not sessions:
        print(f"no sessions in {store.sessions_dir}")
    else:
        print(f"{'ID':<34} {'STATUS':<10} {'SKILL':<16} {'FRAMES':>7} {'LENGTH':>8}  SOURCE")
        for session in sessions:
            m = session.manifest
            length = "" if m.duration_s is None else f"{m.duration_s:.1f} s"
            source = m.source.path or (f"camera {m.source.camera_index}" if m.source.camera_index is not None else "")
            print(f"{m.session_id:<34} {m.status:<10} {m.skill or '-':<16} {m.frame_count:>7} {length:>8}  "
                  f"{m.source.kind}: {source}")
    for problem in store.problems():
        print(f"damaged: {problem}")
    notice = unfinished_notice(store)
    if notice:
        print(notice)
    return 0


def summary_lines(session: Session, detection_rate: float | None) -> list[str]:
    m = session.manifest
    lines = [
        f"session    {m.session_id}  ({m.status}{', recovered ' + m.recovered_at.isoformat() if m.recovered_at else ''})",
        f"folder     {session.directory}",
        f"skill      {m.skill or '-'}",
        f"source     {m.source.kind}: {m.source.path or m.source.camera_index}  rotate {m.source.rotate_deg}°",
        f"model      {m.model}",
        f"started    {m.started_at.isoformat()}",
        f"ended      {m.ended_at.isoformat() if m.ended_at else '-'}"
        + (f"  ({m.duration_s:.1f} s)" if m.duration_s is not None else ""),
        (f"frames     {m.frame_count}" + (f"  at {m.fps:.2f} fps" if m.fps else "")
         + (f", person found in {detection_rate:.0%}" if detection_rate is not None else "")),
        f"image      {m.image_size_px[0]}x{m.image_size_px[1]} px" if m.image_size_px else "image      -",
        f"video      {m.video or '-'}",
        f"calibration {m.calibration or '-'}",
    ]
    if m.settings:
        plain = {k: v for k, v in m.settings.items() if k not in (REFERENCE_SETTING, JUDGING_SETTING)}
        if plain:
            lines.append("settings   " + ", ".join(f"{k}={v}" for k, v in sorted(plain.items())))
    record, judging = m.settings.get(REFERENCE_SETTING), m.settings.get(JUDGING_SETTING)
    if isinstance(record, Mapping):
        lines.append("reference  " + messages.reference_read_back(str(record.get("kind")), record.get("id"), record.get("path")))
    if isinstance(judging, Mapping):
        lines.append("judged     " + messages.judging_read_back(bool(judging.get("mirror")), judging.get("bpm"),
                                                                judging.get("first_beat_s"), judging.get("tolerance_mm")))
    return lines


def event_lines(events: list[Event], skill: str | None = None) -> list[str]:
    """One line per event, its detail a sentence; reps and steps numbered from 1, as `replay` takes them."""
    lines = [f"{'SEQ':>4} {'KIND':<8} {'TIME':>8}  WHAT HAPPENED"]
    latest_rep = 0  # an outcome belongs to the latest rep before it, as live
    for event in events:
        time_text = "" if event.time_s is None else f"{event.time_s:.2f} s"
        payload = event.payload
        if event.kind is EventKind.VERDICT:
            detail = verdict_sentence(Verdict.from_dict(payload))
        elif event.kind is EventKind.REP and "index" in payload:
            latest_rep = int(payload["index"]) + 1
            detail = messages.rep_found(_open_loop_noun(skill), latest_rep, payload.get("start_s"), payload.get("end_s"),
                                        payload.get("release_s"), payload.get("side"))
        elif event.kind is EventKind.OUTCOME:
            detail = messages.outcome_entered(_open_loop_noun(skill), latest_rep, _landing_words(payload), payload.get("success"))
        elif event.kind is EventKind.NOTE and isinstance(payload.get("text"), str):
            detail = messages.note_read_back(payload["text"])
        else:
            detail = ", ".join(f"{k}={v}" for k, v in sorted(payload.items()))
        lines.append(f"{event.seq:>4} {event.kind:<8} {time_text:>8}  {detail}")
    return lines


def _open_loop_noun(skill: str | None) -> str:
    return messages.action_noun(skill or "", str(SkillKind.OPEN_LOOP))


def _landing_words(payload: Mapping[str, Any]) -> str:
    """Where an outcome landed, from the judgement an OUTCOME event holds: "landed T20, 103 mm high", "was entered"."""
    error_mm, direction, label = payload.get("error_mm"), payload.get("direction") or "", payload.get("label") or ""
    if error_mm is None:
        return "was entered"
    where = f"{label}, " if label else ""
    return f"landed {where}{abs(float(error_mm)):.0f} mm {direction}".rstrip()


def verdict_sentence(verdict: Verdict) -> str:
    """A judged rep or step read back: what stood out, how much, and (open-loop, when entered) the outcome."""
    noun = messages.action_noun(verdict.skill, verdict.kind)
    deviation = next((d for d in verdict.deviations if d.name == verdict.channel), verdict.largest_deviation())
    detail = None
    if deviation is not None and verdict.channel:
        size = messages.format_quantity(abs(deviation.magnitude), deviation.unit)
        detail = f"{size} {deviation.direction}" if deviation.direction else size
    feature = feature_words(verdict.channel) if verdict.channel else None
    success = verdict.success if verdict.kind is SkillKind.OPEN_LOOP else None
    return messages.verdict_read_back(noun, verdict.number, verdict.start_s, verdict.end_s, str(verdict.severity),
                                      verdict.channel, feature, detail, success)


def practice_lines(verdicts: list[Verdict], kind: SkillKind) -> list[str]:
    """What the practice coach says about the session's blocks (the one call into coaching)."""
    from motor_trainer.coaching.practice import summarise_session

    return [f"[{message.kind}] {message.text}" for message in summarise_session(verdicts, kind)]


def run_show(args: argparse.Namespace) -> int:
    store = open_store(args)
    session = store.get(args.session_id)
    events = session.events()
    verdicts = session.verdicts()  # checks every verdict event before anything is printed
    landmarks = session.landmarks()
    print("\n".join(summary_lines(session, landmarks.detection_rate if len(landmarks) else None)))
    print()
    print("\n".join(event_lines(events, session.manifest.skill)) if events else "no events")
    if verdicts:
        print()
        print("\n".join(practice_lines(verdicts, verdicts[0].kind)))
    if session.manifest.status is SessionStatus.RECORDING:
        print(f"\nthis session is unfinished: run `motor-trainer sessions recover {session.session_id}`")
    return 0


def run_delete(args: argparse.Namespace) -> int:
    store = open_store(args)
    session = store.get(args.session_id)
    store.delete(session.session_id)
    print(f"deleted session {session.session_id} ({session.directory})")
    return 0


def run_recover(args: argparse.Namespace) -> int:
    store = open_store(args)
    targets = [store.get(args.session_id)] if args.session_id else store.unfinished()
    if not targets:
        print("no unfinished sessions")
    for session in targets:
        recovered = store.recover(session.session_id)
        for event in recovered.events():
            if SKIPPED_CHUNK_KEY in event.payload:
                print(f"warning: skipped {event.payload[SKIPPED_CHUNK_KEY]}")
        m = recovered.manifest
        print(f"recovered session {m.session_id}: {m.frame_count} frames, {m.duration_s or 0.0:.1f} s, "
              f"{len(recovered.events())} events, video {m.video or 'none (nothing playable was written)'}")
    return 0


def run_import(args: argparse.Namespace) -> int:
    store = open_store(args)
    session = import_bundle(args.bundle, store)
    m = session.manifest
    print(f"imported session {m.session_id} ({m.skill or 'no skill'}, {m.frame_count} frames) into {session.directory}")
    return 0
