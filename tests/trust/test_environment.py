"""Failures of the environment, not of a page: a missing or binary manifest, a read-only folder,
a full disk, --db at a CSV file, a closed pipe. Each is one line naming the cause, a non-zero
exit, the old database intact and nothing left behind."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REAL_PAGES, etl, etl_env, etl_home, rows
from .test_bad_input import unprivileged


@pytest.fixture
def pages(tmp_path) -> Path:
    c = tmp_path / "pages"
    c.mkdir()
    for i, p in enumerate(REAL_PAGES[:2]):
        shutil.copy(p, c / f"p{i}.txt")
    return c


def listing(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_missing_binary_and_headerless_manifests(pages, tmp_path):
    db = tmp_path / "union.duckdb"
    run = etl("ingest", pages, "--db", db, "--manifest", tmp_path / "none.csv", "--quiet")
    assert (run.returncode, run.stdout, run.stderr) == (2, "", f"error: manifest {tmp_path}/none.csv: no such file\n")
    (tmp_path / "scan.csv").write_bytes(b"%PDF-1.4\n" + bytes(range(256)))
    run = etl("ingest", pages, "--db", db, "--manifest", tmp_path / "scan.csv", "--quiet")
    assert (run.returncode, run.stderr) == (2, f"error: manifest {tmp_path}/scan.csv: binary file, not a CSV manifest\n")
    (tmp_path / "names.csv").write_text("name,day\np0.txt,2021-08-02\n", encoding="utf-8")
    run = etl("ingest", pages, "--db", db, "--manifest", tmp_path / "names.csv", "--quiet")
    assert (run.returncode, run.stderr) == (
        2, f"error: manifest {tmp_path}/names.csv: no 'file' column in its header (name,day); expected file,date,source,url\n")
    assert listing(tmp_path) == {"pages", "scan.csv", "names.csv"}  # no database, no lock, no copy

    # A manifest without its header line is read as file,date,source,url, with a warning; its bad
    # dates and rows for files that do not exist are warnings, the rest applies.
    (tmp_path / "m.csv").write_text("p0.txt,2021-08-03,浙江工人日报,\np1.txt,2021-13-45,,\n"
                                    "p0.md,2021-02-30,,\np1.md,not-a-date,,\ngone.txt,2021-08-02,,\n", encoding="utf-8")
    run = etl("ingest", pages, "--db", db, "--manifest", tmp_path / "m.csv", "--quiet")
    assert run.returncode == 0, run.stderr
    m = f"warning {tmp_path}/m.csv"
    assert run.stderr.splitlines() == [
        f"{m}: no header line; read as file,date,source,url",
        f"{m}: line 2: date 2021-13-45 is not a day of the calendar; ignored",
        f"{m}: line 3: date 2021-02-30 is not a day of the calendar; ignored",
        f"{m}: line 4: date not-a-date is not a date (expected YYYY-MM-DD); ignored",
        f"{m}: line 3: no such file: p0.md",
        f"{m}: line 4: no such file: p1.md",
        f"{m}: line 5: no such file: gone.txt",
    ]


def test_db_at_a_csv_file(pages, tmp_path):
    csv = tmp_path / "facts.csv"
    csv.write_text("doc,metric\nx,union_orgs\n", encoding="utf-8")
    why = f"error: {csv} is not a DuckDB database (a CSV or other file?); give --db a .duckdb file\n"
    for args in (["ingest", pages, "--quiet"], ["export", "--out", tmp_path / "out.csv"], ["stats"], ["initiatives"],
                 ["evaluate"]):
        run = etl(*args, "--db", csv)
        assert (run.returncode, run.stdout, run.stderr) == (2, "", why), args
    assert listing(tmp_path) == {"pages", "facts.csv"}
    assert csv.read_text(encoding="utf-8") == "doc,metric\nx,union_orgs\n"


def test_read_only_folder(pages, tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        run = etl("ingest", pages, "--db", ro / "union.duckdb", "--quiet", prefix=unprivileged())
    finally:
        ro.chmod(0o755)
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == f"error: database {ro}/union.duckdb: Permission denied ({ro}/.union.duckdb.lock); nothing was changed\n"
    assert listing(ro) == set()


@pytest.fixture
def tmpfs(tmp_path):
    """Mounts a tmpfs of a given size (a disk that fills up); mounting needs root (CAP_SYS_ADMIN)."""
    mounted = []

    def mount(size: int) -> Path:
        mnt = tmp_path / f"disk{len(mounted)}"
        mnt.mkdir()
        if subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(mnt)],
                          capture_output=True).returncode:
            pytest.skip("cannot mount a small tmpfs here (not root?)")
        mounted.append(mnt)
        return mnt
    yield mount
    for mnt in mounted:
        subprocess.run(["umount", "-l", str(mnt)], check=True)


def test_disk_full_while_copying_and_while_writing(pages, tmp_path, tmpfs):
    built = tmp_path / "built.duckdb"
    assert etl("ingest", pages, "--db", built, "--quiet").returncode == 0
    size = built.stat().st_size
    # While copying: the disk holds the database but not its working copy as well.
    disk = tmpfs(size + size // 2)
    db = disk / "union.duckdb"
    shutil.copy(built, db)
    before = rows(db, times=True)
    (pages / "p0.txt").write_text((pages / "p0.txt").read_text(encoding="utf-8") + "\n今年宁波市新建工会9家。\n",
                                  encoding="utf-8")
    run = etl("ingest", pages, "--db", db, "--quiet")
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == f"error: database {db}: No space left on device; nothing was changed\n"
    assert listing(disk) == {"union.duckdb", ".union.duckdb.lock"}
    assert rows(db, times=True) == before

    # While writing: a new database does not fit (the copy step has nothing to copy).
    disk = tmpfs(size // 2)
    db = disk / "union.duckdb"
    run = etl("ingest", pages, "--db", db, "--quiet")
    assert (run.returncode, run.stdout) == (2, "")
    assert run.stderr == f"error: database {db}: No space left on device; nothing was changed\n"
    assert listing(disk) == {".union.duckdb.lock"}


def test_stats_into_a_closed_pipe(tmp_path):
    """`stats | true`: the reader is gone before the first write (as `head` is after its lines)."""
    db = tmp_path / "union.duckdb"
    assert etl("ingest", REAL_PAGES[0], "--db", db, "--quiet").returncode == 0
    run = subprocess.run(["bash", "-o", "pipefail", "-c", f"'{sys.executable}' -m etl stats --db '{db}' | true"],
                         cwd=etl_home(), env=etl_env(), capture_output=True, text=True, timeout=120)
    assert (run.returncode, run.stdout, run.stderr) == (141, "", "")
