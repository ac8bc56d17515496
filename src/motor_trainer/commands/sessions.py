"""`motor-trainer sessions list|show ID|delete ID|recover [ID]|import BUNDLE`: browse saved sessions."""

from __future__ import annotations

import argparse
from pathlib import Path

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
        lines.append("settings   " + ", ".join(f"{k}={v}" for k, v in sorted(m.settings.items())))
    return lines


def event_lines(events: list[Event]) -> list[str]:
    lines = [f"{'SEQ':>4} {'KIND':<8} {'TIME':>8}  DETAIL"]
    for event in events:
        time_text = "" if event.time_s is None else f"{event.time_s:.2f} s"
        if event.kind is EventKind.VERDICT:
            detail = _verdict_detail(Verdict.from_dict(event.payload))
        else:
            detail = ", ".join(f"{k}={v}" for k, v in sorted(event.payload.items()))
        lines.append(f"{event.seq:>4} {event.kind:<8} {time_text:>8}  {detail}")
    return lines


def _verdict_detail(verdict: Verdict) -> str:
    outcome = {True: "hit", False: "miss", None: "no outcome"}[verdict.success]
    largest = verdict.largest_deviation()
    worst = "" if largest is None else f", largest {largest.name} z={largest.z_score:+.1f} ({largest.magnitude:g} {largest.unit})"
    return (f"rep {verdict.index} frames [{verdict.start_frame}, {verdict.end_frame}) {verdict.severity} "
            f"{verdict.channel or 'clean'}, {outcome}{worst}")


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
    print("\n".join(event_lines(events)) if events else "no events")
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
