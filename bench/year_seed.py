"""One district's year in the project's own formats, seeded with PostgreSQL COPY at any scale (issue 23).

Scale 1 is a busy district's year, about four times the pace Shunyi reported: 1,200 meetings (mostly town and
enterprise meetings of 1–3 venues, a district day of 27 venues each month), 60,000 membership applications,
29,000 card applications, 122,000 tallies, 8,000 firms with 20,000 contacts, 286,000 audit rows and some
240,000 scans; scale 10 is a city on one install. The shape test (tests/test_year_shape.py) seeds 1/30 and 4/30.

Rows are what the app itself writes: PII is Fernet ciphertext from app.services.privacy, each application has
a valid 身份证号 of its own (GB 11643 check digit) and its keyed blind index, so the live-application index holds;
firms have valid 统一社会信用代码 (GB 32100). Encrypting 1.8 M values would take minutes, so the ciphertexts come
from a pool of POOL people: a page decrypts and masks real tokens, but an application's ciphertext names one of
the pool, not the person its blind index belongs to. Member numbers follow review.reserve_member_numbers and the
sequences are moved past them, so approving more after the seed goes on from there.

Needs an app context on PostgreSQL with the demo seeded (its 27 unions and accounts). Deterministic for a scale.
"""

import itertools
import json
import random
import secrets
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select, text
from werkzeug.security import generate_password_hash

from app.extensions import db
from app.models import Org, Role, User
from app.services import privacy
from app.services.intake import form_options, identity
from app.services.intake.scans import visitor_key
from app.services.local_time import SHANGHAI, now_in_shanghai

# What one year holds at scale 1.
YEAR = {
    "meetings": 1200, "district_days": 12, "open_today": 3, "drafts": 24, "applications": 60_000,
    "visitors_only": 30_000, "cards": 29_000, "tallies": 122_000, "enterprises": 8_000, "contacts": 20_000,
    "audit_rows": 286_000, "booth_accounts": 1_000,
}
POOL = 4000
RECENT_DAYS = 14  # applications of meetings this recent are mostly still waiting for review
SHUNYI_REGIONS = ("110113", "110105", "110108", "110114", "130682", "372321")
CREDIT_CODE_PREFIX = "91110113"
BOOTHS_OF_MAIN = (("found_union", "建会岗"), ("join", "入会岗"), ("legal", "法律咨询岗"), ("card", "互助服务卡岗"))
BOOTHS_OF_SUB = (("join", "入会岗"), ("card", "互助服务卡岗"))
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
FIRM_WORDS = ("物流", "精密制造", "同城配送", "食品", "电子", "建材", "汽车配件", "家政服务", "餐饮管理", "快递")
APPLICATION_COLUMNS = (
    "id", "worker_id", "meeting_id", "venue_id", "booth_id", "entry_code_id", "host_org_id", "status", "name_enc",
    "id_number_enc", "mobile_enc", "id_blind_index", "gender", "birth_date", "employer", "employer_credit_code",
    "industry", "hukou_type", "new_form_job", "education", "political_status", "employment_status", "skill_level",
    "is_migrant_worker", "id_valid_long_term", "consent", "consent_version", "submitted_at", "member_no",
    "decision_reason", "returned_fields", "decided_by_id", "decided_at", "withdrawn_at", "created_at",
)


def at_scale(name: str, scale: float, least: int = 1) -> int:
    return max(least, round(YEAR[name] * scale))


@dataclass
class Place:
    """A venue as the seed fills it: where its joins, cards, scans and tallies count."""

    meeting_id: int
    venue_id: int
    host_org_id: int
    held_on: date
    status: str
    booth_codes: dict[str, tuple[int, int]]  # booth kind → (booth id, entry code id)
    weight: int


@dataclass
class Application:
    """What cards and audit rows need to know of a seeded application."""

    id: int
    place: Place
    worker_id: int
    status: str
    blind_index: str
    submitted_at: datetime
    decided_at: datetime | None
    decided_by_id: int | None
    member_no: str | None


@dataclass
class YearSeed:
    """What was seeded, for the runner to pick its pages from."""

    scale: float
    rows: Counter = field(default_factory=Counter)
    big_meeting_id: int = 0  # the latest district day
    town_meeting_id: int = 0  # a closed meeting of the town user's union
    application_id: int = 0  # a submitted application of the town user's union
    enterprise_id: int = 0  # a firm of the town user's union


class Seeder:
    def __init__(self, scale: float, town_username: str):
        self.scale, self.rng = scale, random.Random(f"year-{scale}")
        self.today = now_in_shanghai().date()
        self.now = datetime.now(UTC)
        self.pg = db.session.connection().connection.driver_connection
        self.seed = YearSeed(scale)
        district = db.session.scalar(select(Org).where(Org.parent_id.is_(None)))
        self.towns = list(db.session.scalars(select(Org).where(Org.parent_id == district.id).order_by(Org.sort_order)))
        self.district_id = district.id
        self.town_user = db.session.scalar(select(User).where(User.username == town_username))
        self.reviewers = self.reviewers_by_org()
        self.pool = self.encrypted_pool()

    # -- plumbing ---------------------------------------------------------------------------------------------

    def next_id(self, table: str) -> int:
        return db.session.execute(text(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")).scalar()  # noqa: S608

    def copy(self, table: str, columns: tuple[str, ...], rows) -> None:
        with self.pg.cursor().copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                self.seed.rows[table] += 1

    def moment(self, day: date, earliest: int = 9, hours: float = 4) -> datetime:
        """A moment of the day in Beijing time (never later than a minute ago), in UTC."""
        start = datetime.combine(day, time(earliest), SHANGHAI)
        moment = (start + timedelta(minutes=self.rng.random() * hours * 60)).astimezone(UTC)
        return min(moment, self.now - timedelta(minutes=1))

    def past(self, moment: datetime, days: float) -> datetime:
        return min(moment + timedelta(days=days), self.now - timedelta(minutes=5))

    def reviewers_by_org(self) -> dict[int, list[int]]:
        reviewing = User.role.in_((Role.DISTRICT_ADMIN, Role.ORG_ADMIN))
        staff = db.session.execute(select(User.id, User.org_id).where(reviewing))
        reviewers = defaultdict(list)
        for user_id, org_id in staff:
            reviewers[org_id].append(user_id)
        return reviewers

    def reviewer(self, org_id: int) -> int:
        return self.rng.choice(self.reviewers.get(org_id) or self.reviewers[self.district_id])

    def encrypted_pool(self) -> list[tuple[bytes, bytes, bytes]]:
        """POOL people's name, ID number and mobile as ciphertext: tokens every page can decrypt and mask."""
        pool = []
        for n in range(POOL):
            name = self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.choice((1, 2))))
            pool.append((privacy.encrypt(name), privacy.encrypt(id_number(n + 7_000_000)),
                         privacy.encrypt(f"1{self.rng.choice('3589')}{n:09d}")))
        return pool

    def finish(self) -> None:
        """Sequences past the copied ids, and fresh statistics for the planner."""
        for table in self.seed.rows:
            db.session.execute(text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"  # noqa: S608
            ))
        db.session.commit()
        db.session.execute(text("ANALYZE"))
        db.session.commit()

    # -- the year -------------------------------------------------------------------------------------------

    def run(self) -> YearSeed:
        self.booth_accounts()
        places = self.meetings()
        enterprises = self.enterprises()
        applications = self.applications(places, enterprises)
        self.scans(applications)
        self.cards(applications)
        tallies = self.tallies(places)
        self.contacts(enterprises, tallies)
        self.audit_rows(applications)
        self.member_number_sequences(applications)
        self.finish()
        town = [a for a in applications if a.place.host_org_id == self.town_user.org_id]
        self.seed.application_id = next((a.id for a in reversed(town) if a.status == "submitted"), town[-1].id)
        return self.seed

    def booth_accounts(self) -> None:
        first, password = self.next_id("users"), generate_password_hash(secrets.token_urlsafe(12))
        self.copy("users", ("id", "username", "display_name", "password_hash", "role", "org_id", "active",
                            "session_version", "must_change_password", "mobile", "guest", "created_at"), (
            (first + n, f"year-booth-{first + n:06d}", f"志愿者{first + n:06d}", password, "booth_staff",
             self.towns[n % len(self.towns)].id, True, 0, False, f"139{first + n:08d}", False, self.now)
            for n in range(at_scale("booth_accounts", self.scale))
        ))

    def meeting_days(self) -> list[tuple[str, date, str, int]]:
        """(kind, day, status, organiser) of every meeting: district days monthly, a few open today, drafts ahead."""
        plan = []
        district_days = at_scale("district_days", self.scale)
        for n in range(district_days):
            plan.append(("district_day", self.today - timedelta(days=7 + n * 365 // district_days), "closed",
                         self.district_id))
        for n in range(at_scale("open_today", self.scale)):
            plan.append(("town", self.today, "open", self.towns[n % len(self.towns)].id))
        for n in range(at_scale("drafts", self.scale)):
            plan.append(("town", self.today + timedelta(days=1 + n % 30), "draft", self.towns[n % len(self.towns)].id))
        others = at_scale("meetings", self.scale) - len(plan)
        for n in range(max(others, 0)):
            kind = "enterprise" if n % 10 < 3 else "town"
            plan.append((kind, self.today - timedelta(days=1 + self.rng.randrange(364)), "closed",
                         self.towns[n % len(self.towns)].id))
        return sorted(plan, key=lambda meeting: meeting[1])

    def meetings(self) -> list[Place]:
        meeting_id, venue_id = self.next_id("meetings"), self.next_id("venues")
        booth_id, code_id = self.next_id("booths"), self.next_id("entry_codes")
        meetings, venues, booths, codes, places = [], [], [], [], []
        town_names = {org.id: org.name for org in self.towns}
        for kind, day, status, organiser in self.meeting_days():
            title = f"{day:%Y年%-m月}全区职工沟通会日" if kind == "district_day" else \
                f"{town_names[organiser]}{'企业' if kind == 'enterprise' else '职工'}沟通会（{day:%-m月%-d日}）"
            opened = self.moment(day, 8, 0.5) if status != "draft" else None
            closed = self.moment(day, 17, 1) if status == "closed" else None
            meetings.append((meeting_id, title, day, kind, status, organiser, opened, closed, self.now))
            hosts = ([town.id for town in self.towns] + [self.towns[0].id] if kind == "district_day"
                     else [organiser] * self.rng.choice((1, 1, 2, 3)))
            for number, host in enumerate(hosts):
                role, kinds = ("main", BOOTHS_OF_MAIN) if number == 0 else ("sub", BOOTHS_OF_SUB)
                name = f"{town_names[host]}{'主' if number == 0 else '分'}会场{number}"
                venues.append((venue_id, meeting_id, name, role, host, name, "", self.now))
                codes.append((code_id, secrets.token_urlsafe(9), meeting_id, venue_id, None, None, self.now))
                code_id += 1
                booth_codes = {}
                for booth_kind, booth_name in kinds:
                    booths.append((booth_id, venue_id, booth_kind, booth_name, self.now))
                    codes.append((code_id, secrets.token_urlsafe(9), meeting_id, venue_id, booth_id, None, self.now))
                    booth_codes[booth_kind] = (booth_id, code_id)
                    booth_id, code_id = booth_id + 1, code_id + 1
                weight = 0 if status == "draft" else 3 if kind == "district_day" else 1
                places.append(Place(meeting_id, venue_id, host, day, status, booth_codes, weight))
                venue_id += 1
            if kind == "district_day":
                self.seed.big_meeting_id = meeting_id
            elif organiser == self.town_user.org_id and status == "closed":
                self.seed.town_meeting_id = meeting_id
            meeting_id += 1
        self.copy("meetings", ("id", "title", "held_on", "kind", "status", "organiser_org_id", "opened_at",
                               "closed_at", "created_at"), meetings)
        self.copy("venues", ("id", "meeting_id", "name", "role", "host_org_id", "place_name", "address",
                             "created_at"), venues)
        self.copy("booths", ("id", "venue_id", "kind", "name", "created_at"), booths)
        self.copy("entry_codes", ("id", "code", "meeting_id", "venue_id", "booth_id", "revoked_at", "created_at"),
                  codes)
        return places

    def enterprises(self) -> list[tuple[int, int, str, str]]:
        """(id, town, name, credit code) of every firm, written with its union and membership numbers."""
        first, firms, rows = self.next_id("enterprises"), [], []
        for n in range(at_scale("enterprises", self.scale)):
            town = self.towns[n % len(self.towns)]
            name = f"北京{town.name}{self.rng.choice(FIRM_WORDS)}有限公司{first + n:06d}"
            code = credit_code(first + n)
            employees = self.rng.choice((8, 15, 26, 40, 60, 120, 300))
            has_union = self.rng.random() < 0.6
            founded = self.today - timedelta(days=self.rng.randrange(2000)) if has_union else None
            members = self.rng.randrange(employees // 2, employees + 1) if has_union else 0
            new_form = self.rng.choice((0, 0, 5, 20))
            rows.append((first + n, name, code, town.id, self.rng.choice(form_options.INDUSTRIES), employees, members,
                         has_union, founded, new_form, new_form // 2 if has_union else 0, self.now))
            firms.append((first + n, town.id, name, code))
        self.copy("enterprises", ("id", "name", "credit_code", "town_org_id", "industry", "employees", "members",
                                  "has_union", "union_founded_on", "new_form_workers", "new_form_members",
                                  "created_at"), rows)
        self.seed.enterprise_id = next(firm_id for firm_id, town, _, _ in firms if town == self.town_user.org_id)
        return firms

    def status_of(self, place: Place) -> str:
        if place.status == "open":
            return "submitted"
        recent = (self.today - place.held_on).days <= RECENT_DAYS
        weights = (60, 5, 30, 2, 3) if recent else (2, 1, 80, 7, 10)
        return self.rng.choices(("submitted", "returned", "approved", "rejected", "withdrawn"), weights)[0]

    def applications(self, places: list[Place], firms) -> list[Application]:
        """Applications and their workers, spread over the venues by weight (a district day's venues draw more)."""
        count = at_scale("applications", self.scale)
        held = [place for place in places if place.weight]
        chosen = sorted(self.rng.choices(held, [place.weight for place in held], k=count),
                        key=lambda place: (place.held_on, place.venue_id))
        first, worker_first = self.next_id("membership_applications"), self.next_id("workers")
        self.visitors = self.workers(worker_first, chosen, at_scale("visitors_only", self.scale))
        applications, member_numbers = [], self.member_numbers_so_far()

        def rows():
            for n, place in enumerate(chosen):
                application, row = self.application(first + n, worker_first + n, n, place, firms, member_numbers)
                applications.append(application)
                yield row

        self.copy("membership_applications", APPLICATION_COLUMNS, rows())
        return applications

    def application(self, application_id, worker_id, n, place, firms, member_numbers):
        status, submitted = self.status_of(place), self.moment(place.held_on)
        number = id_number(application_id)
        name_enc, id_enc, mobile_enc = self.pool[n % POOL]
        decided_at = decided_by = member_no = reason = fields = withdrawn_at = None
        if status in ("approved", "rejected", "returned"):
            decided_at, decided_by = self.past(submitted, self.rng.uniform(0.2, 6)), self.reviewer(place.host_org_id)
        if status == "approved":
            year = decided_at.astimezone(SHANGHAI).year
            member_numbers[(place.host_org_id, year)] += 1
            member_no = f"{place.host_org_id:03d}-{year}-{member_numbers[(place.host_org_id, year)]:06d}"
        elif status in ("rejected", "returned"):
            reason = "工作单位填写不完整，请补充" if status == "returned" else "不符合入会条件（已是其他工会会员）"
            fields = json.dumps(["employer"]) if status == "returned" else None
        elif status == "withdrawn":
            withdrawn_at = self.past(submitted, self.rng.uniform(0, 2))
        firm = self.rng.choice(firms)
        booth_id, code_id = place.booth_codes["join"]
        rng = self.rng
        row = (
            application_id, worker_id, place.meeting_id, place.venue_id, booth_id, code_id, place.host_org_id, status,
            name_enc, id_enc, mobile_enc, privacy.blind_index(number), "男" if int(number[16]) % 2 else "女",
            date(int(number[6:10]), int(number[10:12]), int(number[12:14])), firm[2],
            firm[3] if rng.random() < 0.3 else None, rng.choice(form_options.INDUSTRIES),
            rng.choice(form_options.HUKOU_TYPES), rng.choice(form_options.NEW_FORM_JOBS),
            rng.choice(form_options.EDUCATION_LEVELS), rng.choice(form_options.POLITICAL_STATUSES),
            rng.choice(form_options.EMPLOYMENT_STATUSES), rng.choice(form_options.SKILL_LEVELS),
            rng.random() < 0.4, rng.random() < 0.1, True, form_options.CONSENT_VERSION, submitted, member_no,
            reason, fields, decided_by, decided_at, withdrawn_at, submitted,
        )
        application = Application(application_id, place, worker_id, status, row[11], submitted, decided_at,
                                  decided_by, member_no)
        return application, row

    def workers(self, first: int, applying: list[Place], visitors: int) -> list[tuple[int, Place]]:
        """A worker per application (in the same order), then visitors who scanned and did not join: (id, venue)."""
        places = applying + [applying[self.rng.randrange(len(applying))] for _ in range(visitors)]
        session_key = self.pool[0][0]  # a WeChat login's session_key, encrypted: purge forgets it when idle

        def rows():
            for n, place in enumerate(places):
                seen = self.moment(place.held_on)
                yield first + n, f"oyear{first + n:08d}", session_key, seen, seen

        self.copy("workers", ("id", "openid", "session_key_enc", "last_seen_at", "created_at"), rows())
        return [(first + n, place) for n, place in enumerate(places)][len(applying):]

    def scans(self, applications: list[Application]) -> None:
        """Each worker scans one to three of their venue's codes that day; an applicant's first is the join booth's."""
        visits = [(a.worker_id, a.place) for a in applications] + self.visitors
        first = self.next_id("scans")

        def rows():
            scan_id = first
            for worker_id, place in visits:
                key = visitor_key(place.meeting_id, worker_id)
                for kind in ["join", *self.rng.sample(list(place.booth_codes), self.rng.choice((0, 1, 2)))]:
                    booth_id, code_id = place.booth_codes[kind]
                    yield (scan_id, worker_id, code_id, place.meeting_id, place.venue_id, booth_id,
                           self.moment(place.held_on), key)
                    scan_id += 1

        self.copy("scans", ("id", "worker_id", "entry_code_id", "meeting_id", "venue_id", "booth_id", "scanned_at",
                            "visitor_key"), rows())

    def cards(self, applications: list[Application]) -> None:
        """About half of the approved and waiting applicants ask for a 互助服务卡; the desk sends and issues them."""
        eligible = [a for a in applications if a.status in ("approved", "submitted")]
        chosen = self.rng.sample(eligible, min(len(eligible), at_scale("cards", self.scale)))
        first, rows = self.next_id("mutual_aid_card_applications"), []
        self.card_decisions = []
        for n, application in enumerate(sorted(chosen, key=lambda a: a.id)):
            place = application.place
            status = "pending"
            if application.status == "approved":
                status = self.rng.choices(("pending", "sent_to_bank", "issued", "rejected"), (15, 20, 60, 5))[0]
            sent = self.past(application.decided_at, 3) if status in ("sent_to_bank", "issued") else None
            decided = self.past(application.decided_at, 10) if status in ("issued", "rejected") else None
            branch = self.rng.choice(form_options.CARD_BRANCHES) if n % 3 == 0 else None
            card_booth = place.booth_codes["card"][0]
            rows.append((first + n, application.worker_id, application.id, place.meeting_id, place.venue_id,
                         card_booth, place.host_org_id, application.blind_index, "branch" if branch else "onsite",
                         branch, True, status, "资料不全" if status == "rejected" else None, sent, decided,
                         application.submitted_at))
            if status != "pending":
                self.card_decisions.append((first + n, status, sent or decided, application))
        self.copy("mutual_aid_card_applications", (
            "id", "worker_id", "membership_application_id", "meeting_id", "venue_id", "booth_id", "host_org_id",
            "id_blind_index", "delivery", "branch", "consent", "status", "decision_reason", "sent_to_bank_at",
            "decided_at", "created_at"), rows)

    def tallies(self, places: list[Place]) -> list[tuple[int, datetime]]:
        """Booth taps: materials by the handful, consultations, legal advice, 建会意向 with the firm; 1 in 100 undone.

        Returns the 建会意向 taps (id, moment): the ledger's contacts begin with them.
        """
        held = [place for place in places if place.weight]
        # Cumulative once: choices() with plain weights would add up all 24,000 venues' weights for every tap at 10x.
        cumulative = list(itertools.accumulate(place.weight for place in held))
        first, intents = self.next_id("tallies"), []
        kinds = {"join": ("materials", "consultation"), "card": ("materials", "consultation"),
                 "legal": ("legal", "consultation"), "found_union": ("union_intent", "materials")}
        staff = self.reviewers[self.district_id][0]

        def rows():
            tap = None
            for tally_id in range(first, first + at_scale("tallies", self.scale)):
                if tally_id % 100 == 99 and tap is not None:
                    # 撤销: the same kind at the same booth counted down, naming the tap it undoes.
                    yield (tally_id, f"year-tally-{tally_id}", *tap[2:6], -tap[6], None, None, None, staff, tap[0],
                           tap[12] + timedelta(seconds=20))
                    tap = None
                    continue
                place = self.rng.choices(held, cum_weights=cumulative)[0]
                booth_kind = self.rng.choice(list(place.booth_codes))
                kind = self.rng.choice(kinds[booth_kind])
                quantity = self.rng.randint(1, 20) if kind == "materials" else 1
                firm = ((f"北京意向企业{tally_id:07d}有限公司", "联系人", f"010{tally_id:08d}")
                        if kind == "union_intent" else (None, None, None))
                tap = (tally_id, f"year-tally-{tally_id}", place.meeting_id, place.venue_id,
                       place.booth_codes[booth_kind][0], kind, quantity, *firm, staff, None, self.moment(place.held_on))
                if kind == "union_intent":
                    intents.append((tally_id, tap[12]))
                yield tap

        self.copy("tallies", ("id", "idempotency_key", "meeting_id", "venue_id", "booth_id", "kind", "quantity",
                              "firm_name", "contact_name", "contact_phone", "staff_id", "undoes_id", "created_at"),
                  rows())
        return intents

    def contacts(self, firms, intents) -> None:
        """Contacts with the firms over the year; 建会意向 taps become contacts of a firm too."""
        first, rows = self.next_id("contact_records"), []
        kinds = ("visit", "phone", "meeting", "other")
        for n in range(at_scale("contacts", self.scale)):
            firm_id, town, _, _ = firms[self.rng.randrange(len(firms))]
            tally_id, day = None, self.today - timedelta(days=self.rng.randrange(365))
            kind = self.rng.choice(kinds)
            if n < len(intents):
                tally_id, day, kind = intents[n][0], intents[n][1].astimezone(SHANGHAI).date(), "union_intent"
            rows.append((first + n, firm_id, day, kind, self.rng.choice(("有建会意向", "已建会", "暂不考虑", "")),
                         "与企业负责人沟通了建会流程", self.reviewer(town), tally_id, self.now))
        self.copy("contact_records", ("id", "enterprise_id", "contacted_on", "kind", "outcome", "note", "staff_id",
                                      "tally_id", "created_at"), rows)

    def audit_rows(self, applications: list[Application]) -> None:
        """The decisions and card steps as the app records them, then reveals, lookups and exports up to the total."""
        first, total = self.next_id("audit_logs"), at_scale("audit_rows", self.scale)
        actions = {"approved": "application.approve", "rejected": "application.reject",
                   "returned": "application.return", "sent_to_bank": "cards.send_to_bank", "issued": "cards.issued",
                   "rejected_card": "cards.rejected"}
        others = ("pii.reveal", "application.lookup", "export.applications", "booth_pass.enter")

        def events():
            for a in applications:
                if a.decided_at is not None:
                    detail = {"member_no": a.member_no} if a.member_no else {"reason": "请补充工作单位"}
                    yield a.decided_by_id, actions[a.status], "membership_application", a.id, detail, a.decided_at
            for card_id, status, moment, a in self.card_decisions:
                action = actions["rejected_card" if status == "rejected" else status]
                yield self.reviewer(a.place.host_org_id), action, "mutual_aid_card_application", card_id, {}, moment
            while True:
                a = applications[self.rng.randrange(len(applications))]
                action = self.rng.choice(others)
                target = ("export", None, {"rows": 100}) if action.startswith("export") else \
                    ("membership_application", a.id, {})
                yield self.reviewer(a.place.host_org_id), action, *target, self.past(a.submitted_at,
                                                                                     self.rng.uniform(0, 30))

        def rows():
            for audit_id, (user_id, action, target_type, target_id, detail, moment) in zip(
                    range(first, first + total), events(), strict=False):
                yield (audit_id, user_id, action, target_type, target_id, json.dumps(detail, ensure_ascii=False),
                       "10.1.2.3", moment)

        self.copy("audit_logs", ("id", "user_id", "action", "target_type", "target_id", "detail", "ip", "created_at"),
                  rows())

    def member_numbers_so_far(self) -> Counter:
        """The last member number handed out per (union, year): a second seed goes on from the first."""
        rows = db.session.execute(text("SELECT org_id, year, last_value FROM member_number_sequences"))
        return Counter({(org_id, year): last for org_id, year, last in rows})

    def member_number_sequences(self, applications: list[Application]) -> None:
        last = Counter()
        for a in applications:
            if a.member_no:
                org, year, seq = a.member_no.split("-")
                key = (a.place.host_org_id, int(year))
                last[key] = max(last[key], int(seq))
        for (org_id, year), value in last.items():
            db.session.execute(text(
                "INSERT INTO member_number_sequences (org_id, year, last_value) VALUES (:org, :year, :value) "
                "ON CONFLICT (org_id, year) DO UPDATE SET last_value = greatest("
                "member_number_sequences.last_value, excluded.last_value)"
            ), {"org": org_id, "year": year, "value": value})


def id_number(serial: int) -> str:
    """A valid 18-digit 身份证号, a different one per serial (an order number per birth day, 1960–2004)."""
    birth = date(1960, 1, 1) + timedelta(days=serial % 16_000)
    order = serial // 16_000 % 1000
    body = f"{SHUNYI_REGIONS[serial // 16_000_000 % len(SHUNYI_REGIONS)]}{birth:%Y%m%d}{order:03d}"
    return body + identity.id_check_char(body)


def credit_code(serial: int) -> str:
    first_17 = f"{CREDIT_CODE_PREFIX}{serial:09d}"
    return first_17 + identity.credit_code_check_char(first_17)


def seed_year(scale: float, town_username: str = "renhe") -> YearSeed:
    """Seed one district's year times `scale` into the current app's PostgreSQL database, and commit."""
    return Seeder(scale, town_username).run()


# Every staff page a year's history could weigh on, as (label, path): lists with their usual filters, and the
# detail pages of a district day, a town's meeting, an application and a firm.
def staff_pages(seed: YearSeed) -> list[tuple[str, str]]:
    return [
        ("home", "/"),
        ("meetings", "/meetings"),
        ("district day", f"/meetings/{seed.big_meeting_id}"),
        ("town meeting", f"/meetings/{seed.town_meeting_id}"),
        ("day summary", f"/meetings/{seed.big_meeting_id}/summary"),
        ("day totals", f"/api/meetings/{seed.big_meeting_id}/totals"),
        ("review", "/review"),
        ("review, all", "/review?status=all"),
        ("review detail", f"/review/{seed.application_id}"),
        ("cards", "/cards"),
        ("cards, all", "/cards?status=all"),
        ("exports", "/exports"),
        ("ledger", "/ledger"),
        ("ledger, 应建未建", "/ledger?should_found=1"),
        ("firm", f"/ledger/{seed.enterprise_id}"),
        ("overview", "/overview"),
        ("audit", "/audit"),
        ("accounts", "/accounts"),
        ("unions", "/unions"),
    ]


STAFF = ("district", "renhe")  # the district's admin and a town's (仁和镇)
