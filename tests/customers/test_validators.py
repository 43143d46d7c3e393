"""Turkish tax numbers (TCKN, VKN) and phone numbers."""

import pytest
from django.core.exceptions import ValidationError
from phonenumber_field.phonenumber import PhoneNumber

from customers.validators import validate_turkish_tax_number


@pytest.mark.parametrize("number", ["10000000146", "4540536920", "1234567890"])
def test_valid_tckn_and_vkn_pass(number):
    validate_turkish_tax_number(number)


def test_tckn_with_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError) as caught:
        validate_turkish_tax_number("10000000147")
    assert caught.value.code == "tax_number_checksum"


def test_vkn_with_wrong_check_digit_is_refused():
    with pytest.raises(ValidationError) as caught:
        validate_turkish_tax_number("1111111111")
    assert caught.value.code == "tax_number_checksum"


@pytest.mark.parametrize("number", ["123", "123456789012", "12345abcde"])
def test_tax_number_of_wrong_length_or_letters_is_refused(number):
    with pytest.raises(ValidationError) as caught:
        validate_turkish_tax_number(number)
    assert caught.value.code == "tax_number_format"


@pytest.mark.parametrize("typed", ["0532 123 45 67", "+90 532 123 4567", "(532) 123-4567"])
def test_turkish_mobile_typed_any_way_normalises_to_e164(typed):
    phone = PhoneNumber.from_string(typed, region="TR")
    assert phone.is_valid()
    assert phone.as_e164 == "+905321234567"


def test_too_short_phone_is_invalid():
    assert not PhoneNumber.from_string("0532 12", region="TR").is_valid()
