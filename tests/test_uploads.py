"""Uploaded files are never trusted: names sanitised, sizes limited, archives unpacked only inside
their own folder; each refused file gets one line naming it and the problem."""
from __future__ import annotations

import io
import stat
import zipfile

import pytest

from etl import uploads
from etl.uploads import safe_name, store_uploads
from tests.conftest import SEEDS

PAGE = SEEDS[0].read_bytes()


def zipped(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            z.writestr(info, target)
    return buf.getvalue()


@pytest.mark.parametrize("name, safe", [
    ("page.txt", "page.txt"),
    ("宁波 工会 2021.TXT", "宁波_工会_2021.txt"),
    ("../../etc/passwd.txt", "passwd.txt"),
    ("C:\\Users\\x\\报纸.html", "报纸.html"),
    (".hidden.txt", "hidden.txt"),
    ("a<script>b.htm", "a_script_b.htm"),
    ("x\x00y\u202e.jsonl", "xy.jsonl"),
    ("feed.jsonl", "feed.jsonl"),
    ("run.sh", None),
    ("page.txt.exe", None),
    ("....txt", None),
    ("noext", None),
])
def test_safe_name(name, safe):
    assert safe_name(name) == safe


def test_pages_go_under_uploads_and_bad_ones_are_named(tmp_path):
    r = store_uploads([("p1.txt", PAGE), ("empty.txt", b" \n"), ("evil.exe", b"MZ"),
                       ("big.txt", b"x" * (uploads.MAX_PAGE_BYTES + 1))], tmp_path)
    assert r.stored == [tmp_path / "uploads" / "p1.txt"]
    assert (tmp_path / "uploads" / "p1.txt").read_bytes() == PAGE
    assert [n for n, _ in r.problems] == ["empty.txt", "evil.exe", "big.txt"]
    assert "文件太大" in r.problems[2][1]


def test_the_same_file_twice_is_stored_once_and_a_different_one_gets_a_new_name(tmp_path):
    store_uploads([("p.txt", PAGE)], tmp_path)
    again = store_uploads([("p.txt", PAGE)], tmp_path)
    other = store_uploads([("p.txt", PAGE + "补一段。".encode())], tmp_path)
    assert again.stored == [tmp_path / "uploads" / "p.txt"]
    assert other.stored == [tmp_path / "uploads" / "p-2.txt"] and other.renamed == [("p.txt", "p-2.txt")]


def test_zip_slip_links_nested_archives_and_bombs_are_refused(tmp_path):
    corpus = tmp_path / "corpus"
    data = zipped({"good/p1.txt": PAGE, "../outside.txt": PAGE, "/abs.txt": PAGE, "a/../../up.txt": PAGE,
                   "inner.zip": b"PK", "notes.docx": b"x", "bomb.txt": b"0" * (5 * uploads.MB)},
                  links={"link.txt": "/etc/passwd"})
    r = store_uploads([("batch 1.zip", data)], corpus)
    assert r.stored == [corpus / "uploads" / "batch_1" / "good" / "p1.txt"]
    why = dict(r.problems)
    assert set(why) == {f"batch 1.zip：{n}" for n in ("../outside.txt", "/abs.txt", "a/../../up.txt", "inner.zip",
                                                      "notes.docx", "bomb.txt", "link.txt")}
    assert "目录之外" in why["batch 1.zip：../outside.txt"] and "符号链接" in why["batch 1.zip：link.txt"]
    assert "压缩炸弹" in why["batch 1.zip：bomb.txt"]
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["p1.txt"]


def test_a_broken_archive_is_one_line(tmp_path):
    r = store_uploads([("x.zip", b"PK\x03\x04 not really")], tmp_path)
    assert r.stored == [] and [n for n, _ in r.problems] == ["x.zip"]
