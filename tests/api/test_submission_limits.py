"""Join and correction limits (app/services/intake/submission_limits.py): one count per token across processes,
a count per process while Redis is away, and a correction window apart from the join window.

Another app built from the same settings is another worker process as far as limits go: its own store,
the same database and Redis, and it trusts the same tokens.
"""

import pytest
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import User
from app.services.afterday import review
from app.services.intake import submission_limits
from tests.conftest import settings_for
from tests.mp_fixtures import WorkerClient, dev_token, stop

RATE_LIMITED = {"code": "rate_limited", "message": "操作太频繁，请稍后再试", "fields": {}}


def configure(processes, **limits) -> None:
    for process in processes:
        process.config.update(limits)


def phones(processes, token: str) -> list[WorkerClient]:
    """One worker's token used through each process, as a phone's requests land on any worker."""
    return [WorkerClient(process.test_client(), token) for process in processes]


@pytest.fixture
def processes_on_own_redis(own_redis, app, seeded):
    """Two processes on the test's database and a Redis the test may stop (own_redis first: torn down last)."""
    settings = settings_for(app.config["SQLALCHEMY_DATABASE_URI"], REDIS_URL=own_redis.url)
    processes = [create_app(settings), create_app(settings)]
    yield processes
    if own_redis.process is None:
        own_redis.start()  # the shared Flask-Limiter is now bound to it: conftest resets it at teardown
    for process in processes:
        stop(process)


@pytest.mark.scaled_only
def test_a_tokens_join_limit_is_one_count_across_processes(app, other_process, seeded, join_form):
    configure([app, other_process], RATELIMIT_MP_SUBMIT_PER_TOKEN="3/minute")
    here, there = phones([app, other_process], dev_token(other_process.test_client(), "chen"))
    statuses = [phone.join(join_form()).status_code for phone in (here, there, here, there, here)]
    assert statuses == [201, 201, 201, 429, 429]


@pytest.mark.scaled_only
def test_statuses_learned_through_one_process_are_refused_by_another(app, other_process, mp_worker, join_form):
    configure([app, other_process], RATELIMIT_MP_STATUS_PER_TOKEN="2/hour")
    taken = [join_form() for _ in range(3)]
    for n, form in enumerate(taken):
        mp_worker(f"owner-{n}").join(form)
    here, there = phones([app, other_process], mp_worker("prober").token)
    answers = [here.join({**taken[0], "name": "李四"}), there.join({**taken[1], "name": "李四"}),
               there.join({**taken[2], "name": "李四"})]
    assert [answer.status_code for answer in answers] == [409, 409, 429]
    assert answers[-1].json["error"] == RATE_LIMITED
    assert here.join(join_form()).status_code == 429


def test_while_redis_is_down_each_process_limits_a_token_and_they_share_one_count_once_it_is_back(
    processes_on_own_redis, own_redis, monkeypatch, join_form
):
    monkeypatch.setattr(submission_limits, "FALLBACK_SECONDS", 0)  # try Redis again at the very next join
    configure(processes_on_own_redis, RATELIMIT_MP_SUBMIT_PER_TOKEN="3/minute")
    here, there = phones(processes_on_own_redis, dev_token(processes_on_own_redis[0].test_client(), "zhou"))
    own_redis.stop()
    assert [here.join(join_form()).status_code for _ in range(4)] == [201, 201, 201, 429]
    assert there.join(join_form()).status_code == 201  # a count of its own while Redis is away

    own_redis.start()  # empty: the shared count starts again
    statuses = [phone.join(join_form()).status_code for phone in (here, there, here, there)]
    assert statuses == [201, 201, 201, 429]


def test_while_redis_is_down_a_token_still_learns_only_so_many_statuses(
    processes_on_own_redis, own_redis, mp_worker, join_form
):
    served = processes_on_own_redis[0]
    configure([served], RATELIMIT_MP_STATUS_PER_TOKEN="2/hour")
    taken = [join_form() for _ in range(3)]
    for n, form in enumerate(taken):
        mp_worker(f"owner-{n}").join(form)
    (prober,) = phones([served], dev_token(served.test_client(), "prober"))
    own_redis.stop()
    answers = [prober.join({**form, "name": "李四"}).status_code for form in taken]
    assert answers == [409, 409, 429]
    assert prober.join(join_form()).status_code == 429


def test_corrections_have_a_window_apart_from_joins_and_a_429_says_when_to_retry(app, mp_worker, join_form):
    app.config["RATELIMIT_MP_SUBMIT_PER_TOKEN"] = "2/minute"
    owner = mp_worker()
    application_id = owner.join(join_form()).json["id"]
    renhe = db.session.scalar(select(User).where(User.username == "renhe"))

    def return_and_correct():
        review.return_for_correction(renhe, application_id, "请填写单位全称")
        return owner.patch(f"/membership-applications/{application_id}", {"employer": "北京顺义物流仁和分公司"})

    answers = [return_and_correct() for _ in range(3)]
    assert [answer.status_code for answer in answers] == [200, 200, 429]
    assert answers[-1].json["error"] == RATE_LIMITED
    assert 0 < int(answers[-1].headers["Retry-After"]) <= 60
    assert owner.get(f"/membership-applications/{application_id}").json["status"] == "returned"
    assert owner.join(join_form()).status_code == 201  # the join window has had one of its two
