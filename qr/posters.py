"""What a poster says, how posters fill A4 pages, and the ZIP of every code's PNG."""

import io
import re
import zipfile
from dataclasses import dataclass

INSTRUCTION = "微信扫一扫 · 现场入会 / 申领互助服务卡"
# The call to action follows the booth: every code lets a worker join, but what brings them to the booth differs.
BOOTH_INSTRUCTIONS = {
    "join": "微信扫一扫 · 现场入会",
    "card": "微信扫一扫 · 入会并申领互助服务卡",
    "found_union": "企业建会请咨询本岗 · 职工微信扫一扫现场入会",
    "legal": "法律咨询请到本岗 · 微信扫一扫现场入会",
}
# Posters per A4 page → grid columns: one big poster to hang at the booth, or four table cards to cut.
LAYOUTS = {1: 1, 4: 2}
# Characters Windows, macOS or a USB stick's FAT refuse in a file name.
UNSAFE_IN_FILE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True)
class Poster:
    """One entry code as printed: a booth's, or the venue's own when booth_name is None."""

    code: str
    url: str
    meeting_title: str
    town: str
    venue_label: str
    venue_name: str
    booth_label: str | None = None
    booth_name: str | None = None
    booth_kind: str | None = None

    @property
    def instruction(self) -> str:
        """The poster's call to action: the booth's own, or the venue entrance's general one."""
        return BOOTH_INSTRUCTIONS.get(self.booth_kind or "", INSTRUCTION)

    @property
    def file_stem(self) -> str:
        parts = [self.town, self.venue_name] + ([self.booth_name] if self.booth_name else [])
        return "-".join(safe_file_part(part) for part in parts)


def safe_file_part(text: str) -> str:
    return UNSAFE_IN_FILE_NAME.sub("_", text).strip() or "_"


@dataclass(frozen=True)
class Page:
    posters: list[Poster]
    columns: int


def paginate(posters: list[Poster], per_page: int) -> list[Page]:
    """Split posters into A4 pages of `per_page` (1 or 4) in the given order."""
    if per_page not in LAYOUTS:
        raise ValueError(f"per_page must be one of {sorted(LAYOUTS)}, got {per_page}")
    return [Page(posters[i : i + per_page], LAYOUTS[per_page]) for i in range(0, len(posters), per_page)]


def archive_names(posters: list[Poster], extension: str = "png") -> list[str]:
    """`<town>-<venue>-<booth>.png` per poster; a repeated name gets -2, -3 so no file overwrites another."""
    seen: dict[str, int] = {}
    names = []
    for poster in posters:
        stem = poster.file_stem
        seen[stem] = seen.get(stem, 0) + 1
        names.append(f"{stem}.{extension}" if seen[stem] == 1 else f"{stem}-{seen[stem]}.{extension}")
    return names


def zip_archive(files: list[tuple[str, bytes]]) -> bytes:
    """A ZIP of (name, bytes); stored, not deflated: PNGs are compressed already."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, content in files:
            archive.writestr(name, content)
    return buffer.getvalue()
