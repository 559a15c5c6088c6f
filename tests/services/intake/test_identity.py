"""身份证号, mobile and credit code: normalisation first, then the checks a worker sees as field errors."""

from datetime import date

import pytest

from app.services.intake import identity
from app.services.intake.identity import IdentityError
from tests.factories import id_number

TODAY = date(2026, 11, 27)


def test_the_standards_own_example_id_number_is_valid_and_gives_birth_date_and_gender():
    parsed = identity.parse_id_number("11010519491231002X", TODAY)
    assert (parsed.birth_date, parsed.gender) == (date(1949, 12, 31), "女")
    assert identity.parse_id_number(id_number(date(1990, 5, 17)), TODAY).gender == "男"


def test_full_width_digits_a_lower_case_x_and_spaces_normalise_to_one_id_number():
    assert identity.normalise_id_number(" １１０１０５１９４９１２３１００２ｘ ") == "11010519491231002X"
    assert identity.normalise_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("110105194912310021", "校验位"),
        ("11010519491231002", "18位"),
        ("01010519491231002X", "18位"),
        ("1101051949123100XX", "18位"),
    ],
)
def test_a_wrong_id_number_is_refused_with_the_reason(value, says):
    with pytest.raises(IdentityError, match=says):
        identity.parse_id_number(value, TODAY)


def test_an_id_number_with_an_impossible_birth_date_is_refused():
    body = "11011319900230001"  # 30 February
    with pytest.raises(IdentityError, match="出生日期不存在"):
        identity.parse_id_number(body + identity.id_check_char(body), TODAY)


def test_a_birth_date_in_the_future_is_refused():
    with pytest.raises(IdentityError, match="出生日期不正确"):
        identity.parse_id_number(id_number(date(2027, 1, 1)), TODAY)


def test_a_worker_may_join_from_the_sixteenth_birthday_in_beijing_time():
    assert identity.parse_id_number(id_number(date(2010, 11, 27)), TODAY)
    with pytest.raises(IdentityError, match="年满16周岁"):
        identity.parse_id_number(id_number(date(2010, 11, 28)), TODAY)


@pytest.mark.parametrize("raw", ["13812345678", "+86 138 1234 5678", "86-138-1234-5678", "１３８１２３４５６７８"])
def test_mobiles_drop_spaces_dashes_and_the_country_code(raw):
    assert identity.check_mobile(identity.normalise_mobile(raw)) == "13812345678"


@pytest.mark.parametrize("raw", ["12812345678", "1381234567", "138123456789", "abc"])
def test_a_mobile_that_is_not_a_mainland_number_is_refused(raw):
    with pytest.raises(IdentityError, match="手机号"):
        identity.check_mobile(identity.normalise_mobile(raw))


@pytest.mark.parametrize("code", ["91350100M000100Y43", "91110108551385082Q", "91110000100011743x"])
def test_valid_credit_codes_pass_their_gb_32100_checksum(code):
    assert identity.check_credit_code(identity.normalise_credit_code(code)) == code.upper()


@pytest.mark.parametrize(("code", "says"), [("91350100M000100Y44", "校验位"), ("91350100M00010", "18位"),
                                            ("91350100I000100Y43", "18位")])
def test_a_wrong_credit_code_is_refused(code, says):
    with pytest.raises(IdentityError, match=says):
        identity.check_credit_code(code)


def test_control_characters_are_dropped_because_postgresql_refuses_nul():
    assert identity.normalise_text("北京\x00顺义\t物流 ") == "北京顺义物流"
