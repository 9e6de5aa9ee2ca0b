"""The dashboard's only writes: a reviewer's correction appended to the corrections file, and
uploaded pages stored under the corpus folder and ingested. Each takes an `auth.Permit` and checks
it again, so no write happens in a session that has not entered the password."""
from __future__ import annotations

from typing import Any, Callable

from dashboard import auth, data


def save_correction(permit: auth.Permit, action: str, anchor, fields: dict[str, Any] | None,
                    original: dict[str, Any] | None, note: str = ""):
    """Append one correction signed by the session's reviewer; returns it."""
    from etl.corrections import Correction, CorrectionStore, clean_fields, now_iso

    p = auth.check(permit)
    if not p.reviewer:
        raise ValueError("请先填写核对人姓名")
    c = Correction(action, anchor, clean_fields(fields) if fields and action != "reject" else {},
                   clean_fields(original) if original else {}, p.reviewer, now_iso(), (note or "").strip()).with_id()
    CorrectionStore(data.corrections_path()).append([c])
    return c


def upload_and_ingest(permit: auth.Permit, files: list[tuple[str, bytes]],
                      on_file: Callable[[int, int], None] | None = None):
    """Store the uploaded files under the corpus folder (etl/uploads.py) and ingest those stored;
    returns (store report, ingest report or None when nothing was stored)."""
    from etl.ingest import ingest
    from etl.uploads import store_uploads

    auth.check(permit)
    raw = data.raw_dir()
    stored = store_uploads(files, raw)
    if not stored.stored:
        return stored, None
    manifest = raw / "manifest.csv"
    # Named as the app's build of the whole folder names them (uploads/…), so that corrections on an
    # uploaded page still find it after the database is rebuilt.
    report = ingest([str(p) for p in stored.stored], data.db_path(), manifest if manifest.exists() else None,
                    workers=1, progress=False, log=lambda msg: None, on_file=on_file, root=raw)
    return stored, report
