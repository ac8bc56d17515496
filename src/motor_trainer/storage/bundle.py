"""A whole session in one zip, so a coach can hand a recording to a student and back.

Importing treats the zip as hostile until proven otherwise: every member is
checked before a byte is extracted (a name from a fixed set, no absolute path,
nothing resolving outside the target folder, no link, size and count limits,
no suspicious compression ratio), the extraction goes to a hidden folder inside
``sessions/`` while counting bytes, then the manifest's schema version, the
landmarks (NPZ loaded without pickle) and the events are checked, and only then
is the folder renamed into place. A refused bundle leaves nothing behind.
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import zipfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

from motor_trainer.atomic_files import FILE_MODE
from motor_trainer.errors import UserFacingError
from motor_trainer.media_files import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from motor_trainer.storage.json_files import atomic_write_json, parse_json
from motor_trainer.storage.manifest import Manifest, SessionStatus, manifest_from_json
from motor_trainer.storage.session_folder import DERIVED_DIRNAME, EVENTS_NAME, LANDMARKS_NAME, MANIFEST_NAME, Session
from motor_trainer.storage.store import SessionStore

BUNDLE_SUFFIX = ".mtbundle.zip"
MAX_MEMBER_COUNT = 500
MAX_TOTAL_BYTES = 2 * 1024**3
#: Per-member ceilings by role; a video is the only large member a session has.
MAX_MANIFEST_BYTES = 1024**2
MAX_EVENTS_BYTES = 64 * 1024**2
MAX_LANDMARKS_BYTES = 512 * 1024**2
MAX_VIDEO_BYTES = MAX_TOTAL_BYTES
MAX_DERIVED_BYTES = 1024**3
#: Above this size a member may not expand more than MAX_COMPRESSION_RATIO times: real
#: session files (H.264, float arrays, JSON) stay far below it, zip bombs far above.
RATIO_CHECK_MIN_BYTES = 1024**2
MAX_COMPRESSION_RATIO = 100
DERIVED_SUFFIXES = (".mp4", ".mkv", ".webm", ".png", ".jpg", ".jpeg", ".json", ".csv", ".trc", ".mot",
                    ".txt", ".md", ".html", ".svg")
_SAFE_PART = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}$")
_COPY_BLOCK_BYTES = 1024**2


def export_bundle(session: Session, out_path: Path) -> Path:
    """Write the session (manifest, events, landmarks, video, derived files) as one zip."""
    if session.manifest.status is not SessionStatus.COMPLETE:
        raise UserFacingError(f"{session.directory}: session is unfinished; run `motor-trainer sessions recover` first")
    out_path = Path(out_path)
    session.check_files()  # a bundle that import would refuse is not written
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UserFacingError(f"{out_path.parent}: cannot create the folder ({error.strerror or error})") from error
    members = _bundle_members(session)
    total_bytes = sum(path.stat().st_size for _, path in members)
    if total_bytes > MAX_TOTAL_BYTES:
        raise UserFacingError(f"{session.directory}: {total_bytes:,} bytes is more than a bundle may carry "
                              f"({MAX_TOTAL_BYTES:,}); share the folder itself instead")
    handle, temp_name = tempfile.mkstemp(prefix=f".{out_path.name}.", suffix=".tmp", dir=out_path.parent)
    os.fchmod(handle, FILE_MODE)
    os.close(handle)
    try:
        with zipfile.ZipFile(temp_name, "w") as archive:
            for name, path in members:
                already_compressed = path.suffix.lower() in (*VIDEO_SUFFIXES, *IMAGE_SUFFIXES)
                archive.write(path, name, compress_type=zipfile.ZIP_STORED if already_compressed else zipfile.ZIP_DEFLATED)
        os.replace(temp_name, out_path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return out_path


def _bundle_members(session: Session) -> list[tuple[str, Path]]:
    members = [(MANIFEST_NAME, session.manifest_path), (LANDMARKS_NAME, session.landmarks_path)]
    if session.events_path.exists():
        members.append((EVENTS_NAME, session.events_path))
    if session.video_path is not None and session.video_path.exists():
        members.append((session.video_path.name, session.video_path))
    if session.derived_dir.is_dir():
        for path in sorted(session.derived_dir.rglob("*")):
            relative = path.relative_to(session.directory).as_posix()
            if path.is_file() and not path.is_symlink() and _derived_name_ok(relative):
                members.append((relative, path))
    return members


def _derived_folder_ok(name: str) -> bool:
    """``derived/`` or a plainly named folder under it."""
    parts = PurePosixPath(name).parts
    return bool(parts) and parts[0] == DERIVED_DIRNAME and all(_SAFE_PART.match(p) for p in parts[1:])


def _derived_name_ok(name: str) -> bool:
    """A plainly named file of a known kind under ``derived/``."""
    path = PurePosixPath(name)
    return len(path.parts) >= 2 and _derived_folder_ok(str(path.parent)) and _SAFE_PART.match(path.name) is not None \
        and path.suffix.lower() in DERIVED_SUFFIXES


def import_bundle(bundle_path: Path, store: SessionStore) -> Session:
    """Check a bundle member by member, extract it into ``store`` and return the new session."""
    bundle_path = Path(bundle_path)
    if not bundle_path.is_file():
        raise UserFacingError(f"{bundle_path}: file not found")
    if not zipfile.is_zipfile(bundle_path):
        raise UserFacingError(f"{bundle_path}: not a session bundle (not a zip file)")
    store.sessions_dir.mkdir(parents=True, exist_ok=True)
    try:
        with zipfile.ZipFile(bundle_path) as archive:
            members = _checked_members(bundle_path, archive)
            manifest = _checked_manifest(bundle_path, archive, members)
            target = store.sessions_dir / manifest.session_id
            if target.exists():
                raise UserFacingError(f"{bundle_path}: session {manifest.session_id} already exists in {store.sessions_dir}")
            staging = Path(tempfile.mkdtemp(prefix=".import-", dir=store.sessions_dir))
            try:
                _extract(bundle_path, archive, members, staging)
                _check_extracted(bundle_path, staging, manifest)
                atomic_write_json(staging / MANIFEST_NAME, manifest.to_dict())
                os.rename(staging, target)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, RuntimeError) as error:
        raise UserFacingError(f"{bundle_path}: damaged bundle ({error})") from error
    except OSError as error:
        raise UserFacingError(f"{bundle_path}: could not import into {store.sessions_dir} "
                              f"({error.strerror or error})") from error
    return store.get(manifest.session_id)


def _refuse(bundle_path: Path, member: str, cause: str) -> UserFacingError:
    return UserFacingError(f"{bundle_path}: refused: member {member!r} {cause}")


def _checked_members(bundle_path: Path, archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    """The file members, after every name, type and size check; raises on the first bad one."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBER_COUNT:
        raise UserFacingError(f"{bundle_path}: refused: {len(infos)} members (limit {MAX_MEMBER_COUNT})")
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise UserFacingError(f"{bundle_path}: refused: a member name appears twice")
    total_bytes = 0
    files = []
    for info in infos:
        name = info.filename
        _check_name(bundle_path, name)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise _refuse(bundle_path, name, "is a symbolic link")
        if info.is_dir():
            if not _derived_folder_ok(name):
                raise _refuse(bundle_path, name, "is not a folder a session has")
            continue
        limit = _member_limit(name)
        if limit is None:
            raise _refuse(bundle_path, name, "is not a file a session has (pickles and unknown files are refused)")
        if info.file_size > limit:
            raise _refuse(bundle_path, name, f"claims {info.file_size:,} bytes (limit {limit:,})")
        if info.file_size > RATIO_CHECK_MIN_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
            raise _refuse(bundle_path, name, f"expands {info.file_size // max(info.compress_size, 1):,} times "
                                             "(a zip bomb?)")
        total_bytes += info.file_size
        files.append(info)
    if total_bytes > MAX_TOTAL_BYTES:
        raise UserFacingError(f"{bundle_path}: refused: members total {total_bytes:,} bytes (limit {MAX_TOTAL_BYTES:,})")
    present = {info.filename for info in files}
    for required in (MANIFEST_NAME, LANDMARKS_NAME):
        if required not in present:
            raise UserFacingError(f"{bundle_path}: not a session bundle (no {required})")
    return files


def _check_name(bundle_path: Path, name: str) -> None:
    if "\\" in name or "\x00" in name:
        raise _refuse(bundle_path, name, "has a backslash or NUL in its name")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        raise _refuse(bundle_path, name, "has an absolute path")
    parts = PurePosixPath(name).parts
    if ".." in parts or not parts:
        raise _refuse(bundle_path, name, "points outside the session folder")


def _member_limit(name: str) -> int | None:
    """The size ceiling for a member name, or None when a session has no such file."""
    if name == MANIFEST_NAME:
        return MAX_MANIFEST_BYTES
    if name == EVENTS_NAME:
        return MAX_EVENTS_BYTES
    if name == LANDMARKS_NAME:
        return MAX_LANDMARKS_BYTES
    if _is_video_name(name):
        return MAX_VIDEO_BYTES
    if _derived_name_ok(name):
        return MAX_DERIVED_BYTES
    return None


def _is_video_name(name: str) -> bool:
    """``video.<ext>`` at the top of the session folder, as the recorder and ``track`` name it."""
    return "/" not in name and PurePosixPath(name).stem == "video" and PurePosixPath(name).suffix in VIDEO_SUFFIXES


def _checked_manifest(bundle_path: Path, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo]) -> Manifest:
    """Parse the manifest from the zip before extracting anything else."""
    info = next(i for i in members if i.filename == MANIFEST_NAME)
    with archive.open(info) as source:  # in memory: nothing is written before the manifest passes
        data = source.read(MAX_MANIFEST_BYTES + 1)
    if len(data) > MAX_MANIFEST_BYTES:
        raise _refuse(bundle_path, MANIFEST_NAME, "expands past its declared size")
    where = f"{bundle_path}: {MANIFEST_NAME}"
    manifest = manifest_from_json(parse_json(data, where), where)
    if manifest.status is not SessionStatus.COMPLETE:
        raise UserFacingError(f"{bundle_path}: refused: the session in it is unfinished")
    # The source path names a file on the machine that made the bundle; kept, a replay without the
    # bundle's video would fall back to whatever file that path names here.
    manifest = replace(manifest, source=replace(manifest.source, path=None))
    video_names = [i.filename for i in members if _is_video_name(i.filename)]
    if manifest.video is not None and manifest.video not in video_names:
        raise UserFacingError(f"{bundle_path}: refused: manifest names video {manifest.video!r}, which is not in it")
    return manifest


def _copy_limited(bundle_path: Path, info: zipfile.ZipInfo, source, target) -> None:  # noqa: ANN001 - file objects
    """Copy a member while counting: a member that expands past its declared size is refused."""
    written = 0
    while block := source.read(_COPY_BLOCK_BYTES):
        written += len(block)
        if written > info.file_size:
            raise _refuse(bundle_path, info.filename, "expands past its declared size")
        target.write(block)


def _extract(bundle_path: Path, archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], staging: Path) -> None:
    root = staging.resolve()
    for info in members:
        destination = (staging / info.filename).resolve()
        if not destination.is_relative_to(root):
            raise _refuse(bundle_path, info.filename, "points outside the session folder")
        destination.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(info) as source, open(destination, "xb") as target:
            _copy_limited(bundle_path, info, source, target)


def _check_extracted(bundle_path: Path, staging: Path, manifest: Manifest) -> None:
    """Read the data files the way the program will, so a bad one is refused now, not later."""
    try:
        Session(staging, manifest).check_files()
    except UserFacingError as error:
        raise UserFacingError(f"{bundle_path}: refused: {str(error).replace(str(staging) + os.sep, '', 1)}") from error
