"""POST /mp/v1/id-card/ocr: a photo of the ID card fills name and 身份证号; nothing is kept, failures say what to do."""

import logging

import pytest
from werkzeug import formparser

from app.extensions import db
from app.services.intake.id_card_ocr import MAX_PHOTO_BYTES
from tests.fake_wechat import id_card_photo
from tests.mp_fixtures import API, WorkerClient

OCR = "/id-card/ocr"


@pytest.fixture
def app_settings(app_settings, fake_wechat):
    return {**app_settings, **fake_wechat.settings, "WECHAT_TIMEOUT": 1, "RATELIMIT_MP_OCR_PER_TOKEN": "3/minute"}


def error_of(response) -> tuple[int, str]:
    return response.status_code, response.json["error"]["code"]


def test_a_photo_of_the_portrait_side_answers_name_and_id_number(mp_worker, fake_wechat):
    photo = id_card_photo("front:王小明:110113199003071239", image_format="JPEG")
    response = mp_worker().upload(OCR, "image", photo)
    assert response.status_code == 200
    assert response.json == {"name": "王小明", "id_number": "110113199003071239"}
    call = fake_wechat.calls_to("/cv/ocr/idcard")[0]
    assert (call["type"], call["img_bytes"], call["img_mimetype"]) == ("photo", len(photo), "image/jpeg")


def test_the_format_is_judged_by_content_not_by_name_or_type(mp_worker, fake_wechat):
    worker = mp_worker()
    png_called_jpg = worker.upload(OCR, "image", id_card_photo(), filename="a.jpg", mimetype="image/jpeg")
    assert png_called_jpg.status_code == 200 and png_called_jpg.json["name"] == "张三"
    assert fake_wechat.calls_to("/cv/ocr/idcard")[0]["img_mimetype"] == "image/png"
    gif = worker.upload(OCR, "image", b"GIF89a" + b"\0" * 64, filename="id.png", mimetype="image/png")
    assert error_of(gif) == (422, "id_card_photo_invalid") and gif.json["error"]["fields"]["image"]
    assert len(fake_wechat.calls_to("/cv/ocr/idcard")) == 1


def test_a_missing_or_empty_photo_names_the_field(mp_worker):
    worker = mp_worker()
    missing = worker.client.post("/mp/v1" + OCR, data={}, headers=worker.headers())
    assert error_of(missing) == (422, "validation_error") and "image" in missing.json["error"]["fields"]
    assert error_of(worker.upload(OCR, "image", b"")) == (422, "id_card_photo_missing")


def test_a_photo_over_2_mb_is_refused_and_one_just_under_is_read(mp_worker, fake_wechat):
    worker = mp_worker()
    photo = id_card_photo()
    just_under = photo + b"\0" * (MAX_PHOTO_BYTES - len(photo))
    assert worker.upload(OCR, "image", just_under).status_code == 200
    assert error_of(worker.upload(OCR, "image", just_under + b"\0")) == (413, "id_card_photo_too_large")
    assert error_of(worker.upload(OCR, "image", just_under * 2)) == (413, "payload_too_large")


def test_the_photo_never_touches_disk_the_database_or_a_log(mp_worker, seeded, monkeypatch, caplog):
    def no_temporary_files(*args, **kwargs):
        raise AssertionError("an upload was spooled to a temporary file")

    monkeypatch.setattr(formparser, "SpooledTemporaryFile", no_temporary_files)
    rows_before = table_sizes()
    caplog.set_level(logging.DEBUG)
    photo = id_card_photo("front:李秀英:110113199003071239", size=900)
    large = photo + b"\0" * (1024 * 1024)  # werkzeug spools anything over 500 KB unless told not to
    assert mp_worker().upload(OCR, "image", large).json["name"] == "李秀英"
    assert table_sizes() == {**rows_before, "workers": rows_before["workers"] + 1}
    assert "李秀英" not in caplog.text and "110113199003071239" not in caplog.text


def table_sizes() -> dict:
    return {table.name: db.session.query(table).count() for table in db.metadata.sorted_tables}


@pytest.mark.parametrize(
    ("mark", "status", "code", "says"),
    [
        ("back", 422, "id_card_back_side", "人像面"),
        ("err:101001", 422, "id_card_not_found", "重新拍摄"),
        ("err:101002", 422, "id_card_not_found", "直接填写"),
        ("front:王小明:110113199003071230", 422, "id_card_unreadable", "重拍"),
        ("err:-1", 503, "id_card_ocr_unavailable", "直接填写"),
        ("err:45011", 503, "id_card_ocr_unavailable", "直接填写"),
        ("sleep:2", 503, "id_card_ocr_unavailable", "直接填写"),
    ],
)
def test_what_cannot_be_read_says_so_in_chinese_and_the_worker_types_instead(mp_worker, mark, status, code, says):
    response = mp_worker().upload(OCR, "image", id_card_photo(mark))
    assert error_of(response) == (status, code)
    assert says in response.json["error"]["message"]


def test_without_wechat_the_worker_is_told_to_type(app, mp_worker):
    app.extensions["wechat_client"] = None
    response = mp_worker().upload(OCR, "image", id_card_photo())
    assert error_of(response) == (503, "id_card_ocr_unavailable")


def test_each_worker_has_their_own_ocr_limit(mp_worker):
    wang, li = mp_worker("wang"), mp_worker("li")
    for _ in range(3):
        assert wang.upload(OCR, "image", id_card_photo()).status_code == 200
    limited = wang.upload(OCR, "image", id_card_photo())
    assert error_of(limited) == (429, "rate_limited") and int(limited.headers["Retry-After"]) > 0
    assert li.upload(OCR, "image", id_card_photo()).status_code == 200


def test_an_h5_visitor_is_told_to_type_and_wechat_is_never_called(client, seeded, fake_wechat):
    visitor = WorkerClient(client, client.post(f"{API}/auth/h5").json["token"])
    response = visitor.upload(OCR, "image", id_card_photo())
    assert error_of(response) == (403, "id_card_ocr_wechat_only")
    assert "直接填写" in response.json["error"]["message"]
    assert fake_wechat.calls_to("/cv/ocr/idcard") == []


def test_one_address_gets_only_so_many_readings_whatever_tokens_it_holds(app, mp_worker):
    app.config["RATELIMIT_MP_OCR_PER_IP"] = "3/minute"
    answers = [mp_worker(f"neighbour-{n}").upload(OCR, "image", id_card_photo()) for n in range(4)]
    assert [answer.status_code for answer in answers] == [200, 200, 200, 429]
    assert error_of(answers[-1]) == (429, "rate_limited")


def test_once_the_days_budget_is_spent_everyone_is_told_to_type(app, mp_worker, fake_wechat, join_form):
    app.config["ID_CARD_OCR_DAILY_BUDGET"] = 2
    gif = mp_worker("wang").upload(OCR, "image", b"GIF89a" + b"\0" * 64)
    assert error_of(gif) == (422, "id_card_photo_invalid")  # refused before WeChat: not spent
    answers = [mp_worker(name).upload(OCR, "image", id_card_photo()) for name in ("li", "zhao", "qian")]
    assert [answer.status_code for answer in answers] == [200, 200, 503]
    assert error_of(answers[-1]) == (503, "id_card_ocr_unavailable")
    assert answers[-1].json["error"]["message"] == "今天的身份证识别次数已用完，请直接填写姓名和身份证号"
    assert len(fake_wechat.calls_to("/cv/ocr/idcard")) == 2
    assert mp_worker("qian").join(join_form()).status_code == 201  # the form still works by typing


@pytest.mark.scaled_only
def test_the_days_budget_is_one_count_for_every_process(app, other_process, mp_worker):
    for process in (app, other_process):
        process.config["ID_CARD_OCR_DAILY_BUDGET"] = 2
    token = mp_worker("sun").token
    here, there = WorkerClient(app.test_client(), token), WorkerClient(other_process.test_client(), token)
    statuses = [phone.upload(OCR, "image", id_card_photo()).status_code for phone in (here, there, here)]
    assert statuses == [200, 200, 503]


def test_the_endpoint_needs_a_token(client):
    response = client.post("/mp/v1" + OCR, data={"image": (id_card_photo(), "a.png")})
    assert error_of(response) == (401, "unauthorized")
