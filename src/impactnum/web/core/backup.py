"""One-file backups: the database and the uploaded files (legal proofs), with checksums.

An archive is a gzip'd tar holding `manifest.json` first, then `database.sqlite3` (SQLite,
copied with SQLite's online backup API: safe while the application runs) or `database.dump`
(PostgreSQL, `pg_dump --format=custom`), then `media/...` (every file under MEDIA_ROOT: wipe
reports, WEEE certificates, donation receipts, evidence). The manifest records the date, the
impactnum and engine versions, the database vendor and the SHA-256 of every member.

`restore_backup` checks every checksum (and that no member is missing or added) before it
touches anything, then replaces the database (SQLite: a new file moved over the old one;
PostgreSQL: `pg_restore --clean --if-exists`) and the media folder. Stop the service first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connections

from impactnum import __version__

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.dump"
MEDIA_PREFIX = "media/"
CHUNK = 1 << 20
MANIFEST_MAX = 16 << 20  # a manifest lists names and digests: far smaller


class BackupError(Exception):
    """A backup or restore refused or failed; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    created_at: str
    impactnum_version: str
    engine_version: str
    database_vendor: str
    members: dict[str, str]  # archive name -> SHA-256

    def to_json(self) -> bytes:
        body = {"format": FORMAT, **self.__dict__}
        return json.dumps(body, indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Manifest:
        try:
            body = json.loads(data)
            if not isinstance(body, dict):
                raise BackupError("the manifest is not readable: not a JSON object")
            if body.get("format") != FORMAT:
                raise BackupError(f"unknown backup format {body.get('format')!r}")
            return cls(
                created_at=body["created_at"],
                impactnum_version=body["impactnum_version"],
                engine_version=body["engine_version"],
                database_vendor=body["database_vendor"],
                members=_members(body["members"]),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise BackupError(f"the manifest is not readable: {exc}") from exc


def _members(value: object) -> dict[str, str]:
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in value.items()
    ):
        raise ValueError("members must map names to SHA-256 digests")
    return dict(value)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _database() -> dict[str, Any]:
    return settings.DATABASES["default"]  # type: ignore[no-any-return]


def _vendor() -> str:
    return connections["default"].vendor  # "sqlite" or "postgresql"


def _postgres_command(binary: str) -> tuple[list[str], dict[str, str]]:
    """The connection arguments of pg_dump / pg_restore, the password in the environment."""
    if shutil.which(binary) is None:
        raise BackupError(
            f"{binary} is not installed: install the PostgreSQL client "
            "(Debian: apt-get install postgresql-client) in the version of the server or newer"
        )
    db = _database()
    args = [binary, "--dbname", str(db["NAME"])]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _run(args: list[str], env: dict[str, str]) -> None:
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BackupError(f"{args[0]} failed ({proc.returncode}): {proc.stderr.strip()}")


def _dump_database(workdir: Path) -> tuple[str, Path]:
    vendor = _vendor()
    if vendor == "sqlite":
        target = workdir / SQLITE_MEMBER
        source = sqlite3.connect(str(_database()["NAME"]))
        try:
            dest = sqlite3.connect(str(target))
            with dest:
                source.backup(dest)  # consistent copy, even while others write
            dest.close()
        finally:
            source.close()
        return SQLITE_MEMBER, target
    if vendor == "postgresql":
        target = workdir / POSTGRES_MEMBER
        args, env = _postgres_command("pg_dump")
        _run([*args, "--format=custom", "--no-owner", "--file", str(target)], env)
        return POSTGRES_MEMBER, target
    raise BackupError(f"backups of a {vendor} database are not supported")


def _media_files() -> list[tuple[str, Path]]:
    root = Path(settings.MEDIA_ROOT)
    if not root.is_dir():
        return []
    files = sorted(p for p in root.rglob("*") if p.is_file() and not p.is_symlink())
    return [(MEDIA_PREFIX + p.relative_to(root).as_posix(), p) for p in files]


def create_backup(output: Path) -> Manifest:
    """Write the archive to `output` (via a temporary file: never a half-written backup)."""
    from impactnum.engine import ENGINE_VERSION

    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="impactnum-backup-") as tmp:
        db_member, db_path = _dump_database(Path(tmp))
        members = [(db_member, db_path), *_media_files()]
        manifest = Manifest(
            created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            impactnum_version=__version__,
            engine_version=ENGINE_VERSION,
            database_vendor=_vendor(),
            members={name: _sha256(path) for name, path in members},
        )
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            data = manifest.to_json()
            info = tarfile.TarInfo(MANIFEST)
            info.size = len(data)
            info.mtime = int(dt.datetime.now().timestamp())
            info.mode = 0o600
            tar.addfile(info, io.BytesIO(data))
            for name, path in members:
                tar.add(str(path), arcname=name, recursive=False)
        partial.chmod(0o600)  # people's data: readable by the owner only
        os.replace(partial, output)
    return manifest


# --- restore ----------------------------------------------------------------------------------


def _safe_name(name: str) -> bool:
    p = PurePosixPath(name)
    return not p.is_absolute() and ".." not in p.parts and name == p.as_posix()


def read_and_verify(archive: Path, workdir: Path) -> Manifest:
    """Unpack into `workdir`, refusing unless every member matches the manifest exactly."""
    try:
        return _unpack(archive, workdir)
    except (OSError, EOFError, tarfile.TarError, zlib.error) as exc:
        raise BackupError(f"{archive} is not a readable backup: {exc}") from exc


def _unpack(archive: Path, workdir: Path) -> Manifest:
    with tarfile.open(archive, "r:gz") as tar:
        first = tar.next()
        if first is None or first.name != MANIFEST or not first.isfile():
            raise BackupError(f"{archive} does not start with {MANIFEST}: not an impactnum backup")
        if first.size > MANIFEST_MAX:
            raise BackupError(f"refused: {MANIFEST} is {first.size} bytes, not a manifest")
        handle = tar.extractfile(first)
        assert handle is not None
        manifest = Manifest.from_json(handle.read())
        seen: dict[str, str] = {}
        while (member := tar.next()) is not None:
            if not member.isfile() or not _safe_name(member.name) or member.name in seen:
                raise BackupError(f"refused: unexpected member {member.name!r} in the archive")
            if member.name not in manifest.members:
                raise BackupError(f"refused: {member.name} is not listed in the manifest")
            target = workdir / member.name
            target.parent.mkdir(parents=True, exist_ok=True)
            digest = hashlib.sha256()
            source = tar.extractfile(member)
            assert source is not None
            with target.open("wb") as out:
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    out.write(chunk)
            seen[member.name] = digest.hexdigest()
    bad = sorted(n for n, h in manifest.members.items() if seen.get(n) != h)
    if bad:
        raise BackupError(
            "refused: checksum mismatch or missing member (the archive is damaged or was "
            "changed): " + ", ".join(bad)
        )
    return manifest


def _restore_sqlite(restored: Path) -> None:
    path = Path(_database()["NAME"])
    connections.close_all()
    check = sqlite3.connect(str(restored))
    try:
        if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupError("refused: the database in the archive fails SQLite's integrity check")
    except sqlite3.DatabaseError as exc:  # not a database at all
        raise BackupError(f"refused: the archive's database is not SQLite's: {exc}") from None
    finally:
        check.close()
    if path.exists():  # fold the write-ahead log in, so no stale -wal is applied to the new file
        current = sqlite3.connect(str(path))
        try:
            current.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            current.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    staged = path.with_name(path.name + ".restoring")
    shutil.copyfile(restored, staged)
    os.replace(staged, path)  # atomic on one file system
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _restore_postgres(restored: Path) -> None:
    connections.close_all()
    args, env = _postgres_command("pg_restore")
    _run(
        [*args, "--clean", "--if-exists", "--no-owner", "--single-transaction", str(restored)], env
    )


def _restore_media(unpacked: Path) -> None:
    """Swap the media folder for the archive's: the old one is kept until the new one is in."""
    root = Path(settings.MEDIA_ROOT)
    root.parent.mkdir(parents=True, exist_ok=True)
    staged = root.with_name(root.name + ".restoring")
    old = root.with_name(root.name + ".before-restore")
    for leftover in (staged, old):
        if leftover.exists():
            shutil.rmtree(leftover)
    source = unpacked / MEDIA_PREFIX.rstrip("/")
    if source.is_dir():
        shutil.copytree(source, staged)
    else:
        staged.mkdir()
    if root.exists():
        os.replace(root, old)
    os.replace(staged, root)
    if old.exists():
        shutil.rmtree(old)


def restore_backup(archive: Path) -> Manifest:
    """Replace the database and the uploaded files with the archive's, once it is verified."""
    with tempfile.TemporaryDirectory(prefix="impactnum-restore-") as tmp:
        workdir = Path(tmp)
        manifest = read_and_verify(archive, workdir)
        vendor = _vendor()
        if manifest.database_vendor != vendor:
            raise BackupError(
                f"refused: the backup holds a {manifest.database_vendor} database and "
                f"DATABASE_URL points at {vendor}"
            )
        if vendor == "sqlite":
            _restore_sqlite(workdir / SQLITE_MEMBER)
        else:
            _restore_postgres(workdir / POSTGRES_MEMBER)
        _restore_media(workdir)
    return manifest
