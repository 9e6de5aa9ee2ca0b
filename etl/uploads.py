"""Pages brought in through the browser: untrusted bytes → files under the corpus folder. Names are
sanitised, sizes limited, archives unpacked only inside their folder (no zip-slip, no links, no
archive in an archive, no zip bombs); every file refused gets one line saying why."""
from __future__ import annotations

import hashlib
import io
import re
import stat
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

PAGE_SUFFIXES = (".txt", ".html", ".htm", ".jsonl")
MB = 1024 * 1024
MAX_PAGE_BYTES = 20 * MB       # one page or HTML article (real ones are ~20 KB)
MAX_JSONL_BYTES = 50 * MB
MAX_ZIP_BYTES = 100 * MB       # the archive as uploaded
MAX_UNPACKED_BYTES = 200 * MB  # everything one archive unpacks to
MAX_MEMBERS = 2000
MAX_RATIO = 200                # unpacked / packed size of one member: more is a zip bomb
MAX_NAME = 80                  # characters of a stored file's stem
UPLOAD_FOLDER = "uploads"


@dataclass
class StoreReport:
    stored: list[Path] = field(default_factory=list)       # files written (or already there, identical)
    problems: list[tuple[str, str]] = field(default_factory=list)  # (name as uploaded, why refused)
    renamed: list[tuple[str, str]] = field(default_factory=list)   # (name as uploaded, name stored)


def safe_name(name: str) -> str | None:
    """A file name safe to store: the last path part, NFC, letters (any script), digits and
    `-_.()` only, no leading dot, a page suffix, at most MAX_NAME characters before it; None when
    nothing usable is left."""
    name = unicodedata.normalize("NFC", str(name)).replace("\\", "/").split("/")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    stem, dot, suffix = name.rpartition(".")
    if not dot or "." + suffix.lower() not in PAGE_SUFFIXES:
        return None
    stem = re.sub(r"[^\w\-.()（）]+", "_", stem).strip("._- ")
    stem = re.sub(r"_+", "_", stem)[:MAX_NAME].rstrip("._- ")
    if not stem:
        return None
    return f"{stem}.{suffix.lower()}"


def _limit(name: str) -> int:
    return MAX_JSONL_BYTES if name.lower().endswith(".jsonl") else MAX_PAGE_BYTES


def _human(n: int) -> str:
    return f"{n / MB:.1f} MB" if n >= MB else f"{n / 1024:.0f} KB"


def store_uploads(files: list[tuple[str, bytes]], corpus: Path) -> StoreReport:
    """Write the uploaded (name, bytes) pairs into `corpus`/uploads/. A .zip is unpacked into a
    folder of its own name. A file identical to one already stored is not stored twice; a different
    file under a taken name gets -2, -3 … appended."""
    report = StoreReport()
    dest = Path(corpus) / UPLOAD_FOLDER
    for name, data in files:
        if str(name).lower().endswith(".zip"):
            _store_zip(name, data, dest, report)
        else:
            _store_one(name, name, data, dest, report)
    return report


def _store_one(shown: str, name: str, data: bytes, folder: Path, report: StoreReport) -> None:
    safe = safe_name(name)
    if safe is None:
        report.problems.append((shown, "不支持的文件类型或文件名（只接受 .txt、.html、.htm、.jsonl 以及装有它们的 .zip）"))
        return
    if len(data) > _limit(safe):
        report.problems.append((shown, f"文件太大：{_human(len(data))}，上限 {_human(_limit(safe))}"))
        return
    if not data.strip():
        report.problems.append((shown, "空文件"))
        return
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder, safe, data)
    if not target.exists():
        tmp = target.with_name(f".{target.name}.part")
        tmp.write_bytes(data)
        tmp.replace(target)
    if target.name != safe or safe != PurePosixPath(str(name).replace("\\", "/")).name:
        report.renamed.append((shown, target.name))
    report.stored.append(target)


def _free_name(folder: Path, name: str, data: bytes) -> Path:
    digest = hashlib.sha256(data).digest()
    stem, suffix = name.rsplit(".", 1)
    for n in range(1, 1000):
        target = folder / (name if n == 1 else f"{stem}-{n}.{suffix}")
        if not target.exists():
            return target
        if target.is_file() and not target.is_symlink() and hashlib.sha256(target.read_bytes()).digest() == digest:
            return target  # already uploaded, byte for byte
    raise OSError(f"too many files named {name}")


def _store_zip(name: str, data: bytes, dest: Path, report: StoreReport) -> None:
    if len(data) > MAX_ZIP_BYTES:
        report.problems.append((name, f"压缩包太大：{_human(len(data))}，上限 {_human(MAX_ZIP_BYTES)}"))
        return
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as e:
        report.problems.append((name, f"不是可读的 zip 压缩包（{type(e).__name__}）"))
        return
    if len(members) > MAX_MEMBERS:
        report.problems.append((name, f"压缩包中文件太多：{len(members)} 个，上限 {MAX_MEMBERS}"))
        return
    folder_name = (safe_name(PurePosixPath(str(name).replace("\\", "/")).stem + ".txt") or "archive.txt")[:-4]
    root = dest / folder_name
    total = 0
    for m in members:
        shown = f"{name}：{m.filename}"
        if m.is_dir():
            continue
        parts = _member_parts(m.filename)
        if parts is None:
            report.problems.append((shown, "拒绝：路径指向压缩包目录之外（绝对路径或 ..）"))
            continue
        mode = m.external_attr >> 16
        if stat.S_ISLNK(mode):
            report.problems.append((shown, "拒绝：符号链接"))
            continue
        if m.filename.lower().endswith(".zip"):
            report.problems.append((shown, "拒绝：压缩包里的压缩包"))
            continue
        if m.flag_bits & 0x1:
            report.problems.append((shown, "拒绝：加密的文件"))
            continue
        if safe_name(parts[-1]) is None:
            report.problems.append((shown, "不支持的文件类型（只接受 .txt、.html、.htm、.jsonl）"))
            continue
        limit = _limit(parts[-1])
        if m.file_size > limit:
            report.problems.append((shown, f"文件太大：{_human(m.file_size)}，上限 {_human(limit)}"))
            continue
        if m.compress_size and m.file_size / m.compress_size > MAX_RATIO:
            report.problems.append((shown, "拒绝：压缩比异常（可能是压缩炸弹）"))
            continue
        if total + m.file_size > MAX_UNPACKED_BYTES:
            report.problems.append((shown, f"拒绝：压缩包解压后超过 {_human(MAX_UNPACKED_BYTES)}"))
            continue
        try:
            with archive.open(m) as fh:
                content = fh.read(limit + 1)  # never trust the header's size
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as e:
            report.problems.append((shown, f"无法解压（{type(e).__name__}）"))
            continue
        if len(content) > limit:
            report.problems.append((shown, f"文件太大：超过 {_human(limit)}"))
            continue
        total += len(content)
        folder = root
        for part in parts[:-1]:
            folder = folder / part
        _store_one(shown, parts[-1], content, folder, report)


def _member_parts(filename: str) -> list[str] | None:
    """The sanitised folder parts and the file name of an archive member; None when the path would
    leave the archive's folder."""
    raw = filename.replace("\\", "/")
    if raw.startswith("/") or re.match(r"^[A-Za-z]:", raw):
        return None
    parts = [p for p in raw.split("/") if p not in ("", ".")]
    if not parts or any(p == ".." for p in parts):
        return None
    folders = []
    for p in parts[:-1]:
        clean = re.sub(r"[^\w\-()（）]+", "_", unicodedata.normalize("NFC", p)).strip("._- ")[:MAX_NAME]
        if clean:
            folders.append(clean)
    return folders[:4] + [parts[-1]]
