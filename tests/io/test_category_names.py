"""`--class-map`: category names from the class-map files teams keep (CSV with a header, JSON
{id: name}, JSON records keyed by class index, a COCO file), Korean names included."""

from __future__ import annotations

import json

import pytest

from pill_compare.errors import ConfigError, InputFormatError
from pill_compare.io.category_names import load_category_names
from tests.conftest import SAMPLE, write_text

KOREAN_CSV = (
    "class_index,dl_name,category_id,item_seq\n"
    "0,보령부스파정 5mg,1899,200808876\n"
    "1,뮤테란캡슐 100mg,3482,200003092\n"
)


def test_csv_header_names_the_category_id_and_name_columns(tmp_path):
    # class_index is the detector's index, never the id: category_id is; dl_name the name.
    m = load_category_names(write_text(tmp_path, "m.csv", KOREAN_CSV))
    assert m.names == {1899: "보령부스파정 5mg", 3482: "뮤테란캡슐 100mg"}
    assert (m.id_column, m.name_column, m.encoding) == ("category_id", "dl_name", "utf-8")


def test_csv_orig_id_is_the_id_and_yolo_id_an_index(tmp_path):
    text = "orig_id,yolo_id,class_name,shape\n16547,0,타이레놀정500mg,round\n1899,1,A,oval\n"
    m = load_category_names(write_text(tmp_path, "m.csv", text))
    assert m.names == {1899: "A", 16547: "타이레놀정500mg"}
    assert (m.id_column, m.name_column) == ("orig_id", "class_name")


def test_csv_saved_by_korean_excel_in_cp949_is_read(tmp_path):
    m = load_category_names(write_text(tmp_path, "m.csv", KOREAN_CSV.encode("cp949")))
    assert m.names[1899] == "보령부스파정 5mg" and m.encoding == "cp949"


def test_columns_named_by_the_user(tmp_path):
    path = write_text(tmp_path, "m.csv", "a,b,c\n1,2,x\n3,4,y\n")
    # Two columns of whole numbers and no known header: the file is refused, naming them...
    with pytest.raises(InputFormatError, match=r'columns of whole numbers: "a", "b"'):
        load_category_names(path)
    # ...and --class-map-columns b,c reads ids from b and names from c.
    assert load_category_names(path, columns=("b", "c")).names == {2: "x", 4: "y"}
    with pytest.raises(ConfigError, match=r'names "d", but the header has "a", "b", "c"'):
        load_category_names(path, columns=("d", "c"))


def test_json_object_of_id_to_name(tmp_path):
    path = write_text(tmp_path, "m.json", json.dumps({"1899": "가", "3482": "나"}))
    assert load_category_names(path).names == {1899: "가", 3482: "나"}


def test_json_records_keyed_by_class_index_take_the_id_from_the_record(tmp_path):
    doc = {
        "0": {"name": "타이레놀정500mg", "class_id": 16547},
        "1": {"name": "A", "class_id": 1899},
    }
    m = load_category_names(write_text(tmp_path, "m.json", json.dumps(doc)))
    assert m.names == {1899: "A", 16547: "타이레놀정500mg"}  # keys 0, 1 are not ids
    assert (m.id_column, m.name_column) == ("class_id", "name")


def test_coco_file_is_read_as_its_categories():
    m = load_category_names(SAMPLE / "train_annotations.json")
    assert m.names[1899] == "K-001900 white round" and len(m) == 22


def test_an_id_named_twice_differently_is_refused(tmp_path):
    path = write_text(tmp_path, "m.csv", "category_id,name\n1899,A\n1899,B\n")
    with pytest.raises(InputFormatError, match=r"line 3: id 1899 is named \"B\" here and \"A\""):
        load_category_names(path)


def test_coverage_counts_named_ids():
    m = load_category_names(SAMPLE / "train_annotations.json")
    assert m.coverage([1899, 1899, 5]) == (1, 2)
