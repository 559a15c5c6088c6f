import io
import zipfile

import pytest

from qr.posters import Poster, archive_names, paginate, zip_archive


def poster(booth_name: str | None = "入会岗", venue_name: str = "后沙峪镇职工服务中心") -> Poster:
    return Poster(
        code="Ab-_9xYz0123",
        url="https://ghzx.example.cn/q/Ab-_9xYz0123",
        meeting_title="顺义区职工沟通会",
        town="后沙峪镇",
        venue_label="分会场",
        venue_name=venue_name,
        booth_label="入会岗" if booth_name else None,
        booth_name=booth_name,
    )


def test_a_booth_file_is_named_town_venue_booth():
    assert archive_names([poster()]) == ["后沙峪镇-后沙峪镇职工服务中心-入会岗.png"]


def test_a_venue_own_code_is_named_town_venue():
    assert archive_names([poster(booth_name=None)]) == ["后沙峪镇-后沙峪镇职工服务中心.png"]


def test_two_booths_with_the_same_name_get_distinct_files():
    assert archive_names([poster(), poster()]) == [
        "后沙峪镇-后沙峪镇职工服务中心-入会岗.png",
        "后沙峪镇-后沙峪镇职工服务中心-入会岗-2.png",
    ]


def test_slashes_in_a_place_name_cannot_make_folders():
    [name] = archive_names([poster(venue_name="A/B座:1层")])
    assert name == "后沙峪镇-A_B座_1层-入会岗.png"


def test_one_poster_per_page_or_four_table_cards_per_page():
    posters = [poster()] * 6
    assert [len(page.posters) for page in paginate(posters, 1)] == [1] * 6
    four_up = paginate(posters, 4)
    assert [len(page.posters) for page in four_up] == [4, 2]
    assert four_up[0].columns == 2


def test_an_unknown_layout_is_refused():
    with pytest.raises(ValueError):
        paginate([poster()], 3)


def test_the_zip_holds_every_file_under_its_chinese_name():
    archive = zipfile.ZipFile(io.BytesIO(zip_archive([("仁和镇-主会场.png", b"png-1"), ("b.png", b"png-2")])))
    assert archive.namelist() == ["仁和镇-主会场.png", "b.png"]
    assert archive.read("仁和镇-主会场.png") == b"png-1"
