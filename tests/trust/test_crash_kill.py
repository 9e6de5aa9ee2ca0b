"""kill -9 of a real ingest at several points (copying, extracting, between batch writes, just
before and just after the swap) leaves a database that opens and holds exactly the old or the new
state, no worker left behind; ingesting again completes the job."""
from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import psutil
import pytest

from .conftest import build_corpus, etl, etl_env, etl_home, rows

OLD, ADDED, EDITED = 100, 200, 10  # the new state: 300 pages; 100 are still to extract after the first write batch (200)

# The ingest CLI, stopping itself (SIGSTOP) right before and right after it swaps the database file
# in, so the test can SIGKILL it at exactly those points.
AROUND_SWAP = """
import os, signal, sys
real = os.replace
def replace(src, dst):
    swap = str(dst).endswith(".duckdb")
    if swap:
        os.kill(os.getpid(), signal.SIGSTOP)
    real(src, dst)
    if swap:
        os.kill(os.getpid(), signal.SIGSTOP)
os.replace = replace
from etl.__main__ import main
sys.exit(main(sys.argv[1:]))
"""


def state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def wait_stopped(proc: subprocess.Popen, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while state(proc.pid) != "T":
        assert proc.poll() is None, f"ingest ended before reaching the swap: {proc.returncode}"
        assert time.monotonic() < end, "ingest never reached the swap"
        time.sleep(0.01)


def family(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@pytest.fixture(scope="module")
def states(tmp_path_factory, corpus_cache):
    """The old corpus and database, the new corpus, and the rows a complete run gives."""
    base = tmp_path_factory.mktemp("kill")
    pages = base / "pages"
    pages.mkdir()
    for p in sorted(corpus_cache.glob("*.txt"))[:OLD]:
        shutil.copy(p, pages / p.name)
    old_db = base / "old.duckdb"
    assert etl("ingest", pages, "--db", old_db, "--workers", "2", "--quiet").returncode == 0
    for p in sorted(pages.glob("*.txt"))[::OLD // EDITED][:EDITED]:  # edited pages replace their rows
        p.write_text(p.read_text(encoding="utf-8") + "\n本报讯 今年以来，衢州市新建工会组织31家。\n", encoding="utf-8")
    build_corpus(pages, ADDED, first=OLD)
    new_db = base / "new.duckdb"
    shutil.copy(old_db, new_db)
    done = etl("ingest", pages, "--db", new_db, "--workers", "2", "--quiet")
    assert done.returncode == 0 and f"{ADDED + EDITED} documents" in done.stdout, done.stdout
    old, new = rows(old_db, times=True), rows(new_db)
    assert len(old["documents"]) == OLD and len(new["documents"]) == OLD + ADDED
    assert not old["facts"] <= new["facts"]  # the edited pages' old facts are gone in the new state
    return {"pages": pages, "old_db": old_db, "old": old, "new": new}


def check_after_kill(db: Path, st: dict, expect: str | None) -> str:
    """The database opens and is exactly the old or the new state; returns which."""
    assert db.is_file() and not db.is_symlink()
    now = rows(db, times=True)  # opening read-only and reading every row is the integrity check
    if now == st["old"]:
        found = "old"
    else:
        assert {k: {r[:11] + r[12:] for r in v} if k == "documents" else v for k, v in now.items()} == st["new"], \
            "the database is neither the old nor the new state"
        found = "new"
    assert expect in (None, found)
    return found


def rerun_completes(db: Path, st: dict) -> None:
    again = etl("ingest", st["pages"], "--db", db, "--workers", "2", "--quiet", timeout=240)
    assert again.returncode == 0, again.stderr
    assert rows(db) == st["new"]
    assert not list(db.parent.glob(f".{db.name}.*.tmp*"))  # the killed run's temporary copy is gone


def no_orphans(procs: list[psutil.Process]) -> None:
    gone, alive = psutil.wait_procs(procs, timeout=10)
    assert not alive, f"worker processes outlived the killed ingest: {[p.pid for p in alive]}"


def wait_for(cond, proc: subprocess.Popen, what: str, timeout: float = 120) -> None:
    end = time.monotonic() + timeout
    while not cond():
        assert proc.poll() is None, f"the ingest ended ({proc.returncode}) before {what}"
        assert time.monotonic() < end, f"timed out waiting for {what}"
        time.sleep(0.01)


def start(db: Path, pages: Path, code: str | None = None) -> subprocess.Popen:
    head = [sys.executable, "-c", code] if code else [sys.executable, "-m", "etl"]
    return subprocess.Popen([*head, "ingest", str(pages), "--db", str(db), "--workers", "2", "--quiet"],
                            cwd=etl_home(), env=etl_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.slow
@pytest.mark.parametrize("point", ["workers extracting", "first batch written to the copy", "just before the swap",
                                   "just after the swap"])
def test_kill_9(tmp_path, states, point):
    db = tmp_path / "union.duckdb"
    shutil.copy(states["old_db"], db)
    inode = db.stat().st_ino
    proc = start(db, states["pages"], AROUND_SWAP if "swap" in point else None)
    tmp = tmp_path / f".{db.name}.{proc.pid}.tmp"
    wal = Path(str(tmp) + ".wal")
    kids: list[psutil.Process] = []
    try:
        if point == "workers extracting":
            wait_for(lambda: len([k for k in family(proc.pid) if k.cpu_percent(0.05) > 20]) >= 2, proc, "busy workers")
        elif point == "first batch written to the copy":
            wait_for(lambda: wal.exists() and wal.stat().st_size > 1_000_000, proc, "the first batch")
        else:
            wait_stopped(proc)  # before os.replace: the copy is complete, checkpointed and closed
            assert tmp.exists() and not wal.exists()
            if point == "just after the swap":
                proc.send_signal(signal.SIGCONT)
                wait_for(lambda: not tmp.exists() and state(proc.pid) == "T", proc, "the second stop", timeout=30)
        kids = family(proc.pid)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    expect = "new" if point == "just after the swap" else "old"
    check_after_kill(db, states, expect)
    if expect == "old":
        assert db.stat().st_ino == inode  # still the original file, not a temporary copy
    no_orphans(kids)
    rerun_completes(db, states)


# A read-write session (the duckdb CLI, a notebook) that commits and is killed before a checkpoint:
# its commits live only in union.duckdb.wal.
KILLED_SESSION = """
import duckdb, os, sys
con = duckdb.connect(sys.argv[1])
con.execute("SET checkpoint_threshold = '1GB'")
con.execute("INSERT INTO initiatives VALUES (?, '', 'candidate', 'manual', 0)", [sys.argv[2]])
os.kill(os.getpid(), 9)
"""


def killed_session(db: Path, name: str) -> None:
    out = subprocess.run([sys.executable, "-c", KILLED_SESSION, str(db), name], capture_output=True)
    assert out.returncode == -9 and Path(f"{db}.wal").exists()


def candidates(db: Path) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT name FROM initiatives WHERE first_doc = 'manual'").fetchall()}
    finally:
        con.close()


def test_wal_of_a_killed_session_is_kept_and_not_left_beside_the_new_file(tmp_path):
    pages, db = tmp_path / "pages", tmp_path / "union.duckdb"
    build_corpus(pages, 3)
    assert etl("ingest", pages, "--db", db, "--quiet").returncode == 0
    killed_session(db, "手工补录")
    build_corpus(pages, 2, first=3)
    run = etl("ingest", pages, "--db", db, "--quiet")
    assert run.returncode == 0, run.stderr
    assert not Path(f"{db}.wal").exists()  # beside the swapped-in file DuckDB would refuse to open it
    assert candidates(db) == {"手工补录"}  # the session's commit is kept (candidates survive re-runs)
    assert len(rows(db)["documents"]) == 5


def test_ingest_repairs_a_database_left_beside_an_older_wal(tmp_path):
    pages, db = tmp_path / "pages", tmp_path / "union.duckdb"
    wal, aside = Path(f"{db}.wal"), tmp_path / "aside.wal"
    build_corpus(pages, 3)
    assert etl("ingest", pages, "--db", db, "--quiet").returncode == 0
    killed_session(db, "丢失的")
    wal.rename(aside)  # the file moves on without it (what a swap without this fix did) ...
    con = duckdb.connect(str(db))
    con.execute("INSERT INTO initiatives VALUES ('保留的', '', 'candidate', 'manual', 0)")
    con.execute("CHECKPOINT")
    con.close()
    aside.rename(wal)  # ... and the older WAL is back beside it: DuckDB refuses the pair
    with pytest.raises(duckdb.IOException, match="checkpoint iteration does not match"):
        duckdb.connect(str(db), read_only=True)
    build_corpus(pages, 1, first=3)
    run = etl("ingest", pages, "--db", db, "--quiet")
    assert run.returncode == 0, run.stderr
    assert candidates(db) == {"保留的"} and len(rows(db)["documents"]) == 4
    assert not wal.exists()
