"""The masks: what a masked list shows cannot be combined back into the 身份证号."""

from datetime import date

from app.services import privacy


def test_a_masked_id_number_keeps_only_the_first_three_and_last_four():
    assert privacy.mask_id_number("110113199005171239") == "110***********1239"


def test_a_masked_birth_date_is_the_year_alone():
    assert privacy.mask_birth_date(date(1990, 5, 17)) == "1990年"
    assert privacy.mask_birth_date(None) == ""
