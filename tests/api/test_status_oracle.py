"""The status oracle, both sides (issue 22 item 5): every answer that tells whether an ID number has applied — a 409
already_applied / already_member, a 201 for a number with no application (withdrawn at once or not) — costs the
same, so an attacker at one address learns at most tens of statuses an hour; and 500 real WeChat workers behind
one venue's address all get their 201 or 409.

Logins go through the fake WeChat (code2session), as a venue's do. Limits are the shipped defaults unless a test
says otherwise, on the real clock: Flask-Limiter and the submission windows read it, nothing here simulates it.
"""

import time

import pytest
from limits import parse_many

from app.models import ApplicationStatus
from miniprogram_api import auth
from tests.factories import make_application
from tests.mp_fixtures import API, WorkerClient

WECHAT_ACCOUNTS = 3


@pytest.fixture
def app_settings(app_settings, fake_wechat):
    return {**app_settings, **fake_wechat.settings}


def wechat_worker(app, code: str) -> WorkerClient:
    """A worker signed in with a wx.login() code, through code2session at the fake WeChat."""
    client = app.test_client()
    answer = client.post(f"{API}/auth/login", json={"code": code})
    assert answer.status_code == 200, answer.json
    return WorkerClient(client, answer.json["token"])


def h5_visitor(app) -> WorkerClient | None:
    """A new H5 visitor, or None once the address may make no more."""
    client = app.test_client()
    answer = client.post(f"{API}/auth/h5")
    return WorkerClient(client, answer.json["token"]) if answer.status_code == 200 else None


def smallest_amount(app, setting: str) -> int:
    return min(item.amount for item in parse_many(app.config[setting]))


def join_and_withdraw(worker: WorkerClient, form: dict) -> int:
    """Join; a new application is withdrawn at once, as a prober leaves no trace. The join's status code."""
    answer = worker.join(form)
    if answer.status_code == 201:
        assert worker.delete(f"/membership-applications/{answer.json['id']}").json["status"] == "withdrawn"
    return answer.status_code


def test_a_made_up_number_joined_and_withdrawn_costs_the_address_as_much_as_a_409(app, seeded, join_form):
    app.config["RATELIMIT_MP_STATUS_PER_IP"] = "4/hour"
    taken = join_form()
    assert wechat_worker(app, "owner").join(taken).status_code == 201  # the owner's first answer: free here
    prober = wechat_worker(app, "prober")
    probes = [join_form(), join_form(), {**taken, "name": "李四"}, join_form(), {**taken, "name": "李四"}, join_form()]
    assert [join_and_withdraw(prober, form) for form in probes] == [201, 201, 409, 201, 409, 429]


def test_a_wechat_accounts_first_answer_is_free_at_its_address_and_only_the_first(app, seeded, join_form):
    app.config["RATELIMIT_MP_STATUS_PER_IP"] = "1/hour"
    first = wechat_worker(app, "first")
    assert [join_and_withdraw(first, join_form()) for _ in range(3)] == [201, 201, 429]  # free, then the 1/hour
    neighbour = wechat_worker(app, "neighbour")
    assert [join_and_withdraw(neighbour, join_form()) for _ in range(2)] == [201, 429]


def test_every_answer_to_an_h5_visitor_costs_its_address_and_visitors_are_few(app, seeded, join_form):
    app.config.update(RATELIMIT_MP_STATUS_PER_IP="2/hour", RATELIMIT_MP_H5_PER_IP="3/hour")
    visitors = [h5_visitor(app) for _ in range(4)]
    assert visitors[-1] is None  # a fourth visitor token from this address within the hour: 429
    answers = [visitor.join(join_form()) for visitor in visitors[:3]]
    assert [answer.status_code for answer in answers] == [201, 201, 429]
    # People on a venue's Wi-Fi share its address: the page tells them the way in that is not counted there.
    assert "微信“扫一扫”" in answers[-1].json["error"]["message"]


def test_a_token_issued_before_it_said_how_its_worker_signed_in_is_judged_by_the_worker(app, seeded, join_form):
    app.config["RATELIMIT_MP_STATUS_PER_IP"] = "1/hour"
    visitors = [h5_visitor(app) for _ in range(2)]
    for visitor in visitors:  # the same token as before 2026-12-07: worker id and issue time only
        claims = auth.serializer().loads(visitor.token)
        visitor.token = auth.serializer().dumps({"w": claims["w"], "i": claims["i"]})
    assert [visitor.join(join_form()).status_code for visitor in visitors] == [201, 429]


def test_an_attacker_at_one_address_learns_at_most_tens_of_statuses_an_hour(app, seeded, join_form):
    """Three WeChat accounts of its own and every H5 visitor the address may make, probing in turn."""
    taken = [join_form() for _ in range(10)]
    for n, form in enumerate(taken):
        assert wechat_worker(app, f"owner-{n}").join(form).status_code == 201
    attackers = [wechat_worker(app, f"attacker-{n}") for n in range(WECHAT_ACCOUNTS)]
    while visitor := h5_visitor(app):
        attackers.append(visitor)
    assert len(attackers) == WECHAT_ACCOUNTS + smallest_amount(app, "RATELIMIT_MP_H5_PER_IP")

    answers = []
    for attempt in range(12):
        for n, attacker in enumerate(attackers):
            form = {**taken[n % len(taken)], "name": "李四"} if (attempt + n) % 2 else join_form()
            answers.append(join_and_withdraw(attacker, form))

    learned = answers.count(201) + answers.count(409)
    # The address's share (30 an hour), and the first answer of each WeChat account — a real account each.
    assert learned == smallest_amount(app, "RATELIMIT_MP_STATUS_PER_IP") + WECHAT_ACCOUNTS
    assert answers[-len(attackers):] == [429] * len(attackers)
    assert wechat_worker(app, "a-worker-arriving-now").join(join_form()).status_code == 201


def test_500_people_behind_one_address_all_get_their_201_or_409(app, seeded, entry_code, join_form):
    """500 distinct WeChat workers from one address, as fast as the test client sends them — harsher than
    500 over 30 minutes with 60 in the first minute; 10 of them find their number already taken, 5 withdraw a
    mistyped form and join again. The windows are counted on the real clock, so the half hour is proven by the
    configured numbers: every window the crowd meets holds all of its hits at once, whenever they come."""
    venue = seeded.meeting.venues[0]
    forms = [join_form() for _ in range(500)]
    for n in range(0, 500, 50):  # their number was used before, on another phone
        make_application(venue, id_no=forms[n]["id_number"],
                         status=ApplicationStatus.APPROVED if n % 100 else ApplicationStatus.SUBMITTED)

    started = time.monotonic()
    answers = []
    for n in range(500):
        worker = wechat_worker(app, f"wx-code-{n}")
        assert worker.get(f"/entries/{entry_code}").status_code == 200
        answer = worker.join(forms[n])
        if n % 100 == 7:  # a typo seen after sending: withdrawn and sent again
            worker.delete(f"/membership-applications/{answer.json['id']}")
            answer = worker.join({**forms[n], "employer": "北京顺义物流有限公司仁和分公司"})
        answers.append(answer.status_code)
    elapsed = time.monotonic() - started

    assert answers.count(201) == 490 and answers.count(409) == 10, (elapsed, answers)
    crowd_hits = 500 + 5  # logins, entry opens and joins per address; the 5 re-joins are the address's status answers
    for setting in ("RATELIMIT_MP_LOGIN", "RATELIMIT_SCAN_PER_IP", "RATELIMIT_MP_SUBMIT_PER_IP"):
        assert smallest_amount(app, setting) >= crowd_hits, setting
    assert smallest_amount(app, "RATELIMIT_MP_STATUS_PER_IP") > 5
