"""Masking of personal data for public output: names, phone numbers and ID numbers.

Rules (documented in docs/disclosure-content.md):
- name: keep the first and the last character, one `*` per hidden character; two characters keep the first
  ("张三" -> "张*"), one character becomes "*". Separators such as "·" in minority names count as characters.
- phone: 11-digit mobile numbers keep the first 3 and last 4 ("138****1234"); other numbers keep the last 4 with
  every other digit starred; 4 characters or fewer are fully starred.
- ID number: only the last 4 characters are kept behind a fixed "****" ("****1234"), so the length of the hidden
  part (and with it the kind of document) is not revealed; 4 characters or fewer become "****".
None and empty strings become "" so a template never prints "None".
"""


def _clean(value):
    if value is None:
        return ""
    return "".join(str(value).split())


def mask_name(name):
    """Mask a person's name: 张三明 -> 张*明, 张三 -> 张*, 欧阳小明 -> 欧**明."""
    text = _clean(name)
    if len(text) <= 1:
        return "*" if text else ""
    if len(text) == 2:
        return text[0] + "*"
    return text[0] + "*" * (len(text) - 2) + text[-1]


def mask_phone(phone):
    """Mask a phone number: 13812341234 -> 138****1234."""
    text = _clean(phone)
    if not text:
        return ""
    if len(text) <= 4:
        return "*" * len(text)
    if len(text) == 11 and text.isdigit():
        return text[:3] + "****" + text[-4:]
    head = "".join("*" if ch.isdigit() else ch for ch in text[:-4])
    return head + text[-4:]


def mask_id_number(id_number):
    """Mask an ID number down to its last 4 characters: 420323199001011234 -> ****1234."""
    text = _clean(id_number).upper()
    if not text:
        return ""
    if len(text) <= 4:
        return "****"
    return "****" + text[-4:]
