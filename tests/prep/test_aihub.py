"""K-codes, dl_idx and the pill codes an AIHub image file name lists."""

import pytest

from pill_compare.prep.aihub import k_code, k_number, listed_pill_codes


@pytest.mark.parametrize(
    ("file_name", "codes"),
    [
        (
            "K-001900-010224-016551-031705_0_2_0_2_70_000_200.png",
            ("K-001900", "K-010224", "K-016551", "K-031705"),
        ),
        # The form with a K- before every code (data/sample uses it).
        ("K-016551-K-019861-K-025367_0001.png", ("K-016551", "K-019861", "K-025367")),
        ("K-003544_0_2_0_2_90_000_200.png", ("K-003544",)),
        ("train/K-003544-012247_0_2.png", ("K-003544", "K-012247")),
        ("K-003544.png", ("K-003544",)),
        ("17.png", ()),
        ("IMG_0001.jpg", ()),
        ("K-00A900_0.png", ()),
    ],
)
def test_listed_pill_codes(file_name, codes):
    assert listed_pill_codes(file_name) == codes


def test_k_number_and_k_code_invert_each_other():
    assert k_number("K-001900") == 1900
    assert k_code(1900) == "K-001900"
    assert k_number(k_code(36636)) == 36636
    assert k_number("1900") is None
    assert k_number(None) is None


@pytest.mark.parametrize("code", ["K-００１９００", "K-" + "9" * 5000, "K-²"])
def test_k_codes_are_ascii_digits_that_fit_int64(code):
    assert k_number(code) is None
    assert listed_pill_codes(f"{code}_0_2_0_2_70_000_200.png") == ()
