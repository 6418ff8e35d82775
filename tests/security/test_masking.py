"""Masking of names, phone numbers and ID numbers for public output."""

import pytest

from app.security.masking import mask_id_number, mask_name, mask_phone


@pytest.mark.parametrize("name, shown", [
    ("张三明", "张*明"), ("张三", "张*"), ("欧阳小明", "欧**明"), ("张", "*"), ("", ""), (None, ""),
    (" 李 四 ", "李*"), ("买买提·艾力", "买****力"),
])
def test_mask_name(name, shown):
    assert mask_name(name) == shown


@pytest.mark.parametrize("phone, shown", [
    ("13812341234", "138****1234"), ("0719-4212345", "****-***2345"), ("1234", "****"), ("", ""), (None, ""),
    ("138 1234 1234", "138****1234"),
])
def test_mask_phone(phone, shown):
    assert mask_phone(phone) == shown


@pytest.mark.parametrize("number, shown", [
    ("11010519491231002X", "****002X"), ("11010519491231002x", "****002X"), ("420323", "****0323"),
    ("1234", "****"), ("", ""), (None, ""),
])
def test_mask_id_number_keeps_only_the_last_four(number, shown):
    assert mask_id_number(number) == shown


def test_masked_id_number_does_not_reveal_length():
    assert len(mask_id_number("11010519491231002X")) == len(mask_id_number("110105491231002")) == 8
