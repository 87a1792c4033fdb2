import io
import re
import zipfile
from pathlib import Path

import pytest

from oreo.blocks import Block
from oreo.extract import extract_source
from oreo.metricfile import (
    MetricFileError,
    MetricFileProblem,
    format_block,
    parse_block,
    read_metric_file,
    write_metric_file,
)

JDK_SOURCES = Path("/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip")


def make_block(**changes) -> Block:
    values = dict(
        folder="guava-31.0",
        file="src/main/java/Cache.java",
        start_line=10,
        end_line=24,
        name="load",
        tokens=57,
        unique_tokens=21,
        metrics_hash="0cc175b9c0f1b6a831c399e269772661",
        metrics=tuple(float(i) for i in range(24))[:3] + (123.45,) + (0.0,) * 20,
        action_tokens={"get()": 2, "size": 1, "arrayAccess[]": 1},
        stop_tokens={"length": 1},
        sloc=12,
    )
    values.update(changes)
    return Block(**values)


def good_line() -> str:
    return format_block(make_block())


def replace_part(line: str, index: int, text: str) -> str:
    parts = line.split("@#@")
    parts[index] = text
    return "@#@".join(parts)


# Writing.


def test_format_block_matches_oreo_layout():
    block = make_block(
        metrics=(1.0, 2.0) + (0.0,) * 22,
        action_tokens={"get()": 2},
        stop_tokens={},
    )
    parts = format_block(block).split("@#@")
    assert len(parts) == 6
    metadata = parts[0].split(",")
    assert metadata[:8] == [
        "guava-31.0",
        "src/main/java/Cache.java",
        "10",
        "24",
        "load",
        "57",
        "21",
        "0cc175b9c0f1b6a831c399e269772661",
    ]
    assert len(metadata) == 10
    assert parts[1] == "1,2" + ",0" * 22
    assert parts[2] == "get():2"
    assert parts[3] == ""
    assert parts[4] == "_@load@_:1"
    assert parts[5] == "12"


def test_format_block_ids_are_numbers_java_can_read():
    metadata = good_line().split("@#@")[0].split(",")
    for text in metadata[8:]:
        assert 0 <= int(text) < 2**63


def test_format_block_ids_are_stable():
    assert good_line() == good_line()


def test_format_block_has_no_line_break():
    assert "\n" not in good_line()


def test_format_block_writes_fractional_metric():
    metrics_part = good_line().split("@#@")[1]
    assert metrics_part.split(",")[3] == "123.45"


def test_format_block_escapes_separators_in_names():
    block = make_block(folder="a,b@#@c", file="100%/x\ny.java")
    metadata = format_block(block).split("@#@")[0].split(",")
    assert metadata[0] == "a%2Cb%40#%40c"
    assert metadata[1] == "100%25/x%0Ay.java"


def test_format_block_rejects_invalid_method_name():
    with pytest.raises(MetricFileError, match="method name 'a,b'"):
        format_block(make_block(name="a,b"))


def test_format_block_rejects_wrong_metric_count():
    with pytest.raises(MetricFileError, match="has 3 metrics; expected 24"):
        format_block(make_block(metrics=(1.0, 2.0, 3.0)))


def test_format_block_rejects_token_with_separator():
    with pytest.raises(MetricFileError, match="token 'a:b'"):
        format_block(make_block(action_tokens={"a:b": 1}))


def test_write_metric_file_returns_line_count():
    stream = io.StringIO()
    written = write_metric_file([make_block(), make_block(name="save")], stream)
    assert written == 2
    assert stream.getvalue().count("\n") == 2


# Round trips.


def test_round_trip_of_block_is_exact():
    block = make_block()
    assert parse_block(format_block(block)) == block


def test_round_trip_of_escaped_names_is_exact():
    block = make_block(folder="a,b%2C@c", file="x\r\ny%.java")
    assert parse_block(format_block(block)) == block


def test_round_trip_of_empty_token_maps_is_exact():
    block = make_block(action_tokens={}, stop_tokens={})
    assert parse_block(format_block(block)) == block


def test_round_trip_keeps_token_order():
    block = make_block(action_tokens={"z()": 1, "a": 2, "arrayAccess[]": 3})
    assert list(parse_block(format_block(block)).action_tokens) == [
        "z()",
        "a",
        "arrayAccess[]",
    ]


def test_round_trip_of_extracted_blocks():
    java = b"""
class A {
  @Override public String toString() { return "A" + count + list.size(); }
  int sum(int[] xs) { int s = 0; for (int x : xs) s += x; return s; }
}
"""
    blocks = extract_source(java, path="p/A.java", folder="demo,1").blocks
    stream = io.StringIO()
    write_metric_file(blocks, stream)
    read, problems = read_metric_file(io.StringIO(stream.getvalue()))
    assert problems == []
    assert read == blocks


@pytest.mark.skipif(not JDK_SOURCES.exists(), reason="JDK sources not found")
def test_round_trip_of_jdk_blocks():
    with zipfile.ZipFile(JDK_SOURCES) as archive:
        source = archive.read("java.base/java/util/HashMap.java")
    blocks = extract_source(source, path="java/util/HashMap.java").blocks
    stream = io.StringIO()
    write_metric_file(blocks, stream)
    read, problems = read_metric_file(io.StringIO(stream.getvalue()))
    assert problems == []
    assert read == blocks
    assert stream.getvalue() == "".join(format_block(b) + "\n" for b in read)


# Reading lines from Oreo's own extractor.


def test_parse_block_accepts_oreo_line():
    line = (
        "proj,Foo.java,3,9,run,40,12,d41d8cd98f00b204e9800998ecf8427e,1001,100100"
        "1@#@2,4,20,371.2,1,2,0,1,3,1,0,0,0,15,4,9,1,12,0,0,0,1,0,1"
        "@#@append():2,out:1@#@println():1@#@_@run@_:1@#@7\n"
    )
    block = parse_block(line)
    assert block.folder == "proj"
    assert block.name == "run"
    assert block.metrics[3] == 371.2
    assert block.action_tokens == {"append()": 2, "out": 1}
    assert block.stop_tokens == {"println()": 1}
    assert block.sloc == 7


def test_parse_block_accepts_metadata_without_ids():
    line = good_line()
    metadata = line.split("@#@")[0].split(",")
    block = parse_block(replace_part(line, 0, ",".join(metadata[:8])))
    assert block == make_block()


def test_parse_block_accepts_java_double_format():
    line = replace_part(good_line(), 1, ",".join(["1.0"] * 23 + ["2.5E3"]))
    assert parse_block(line).metrics[-1] == 2500.0


# Bad lines.

BAD_LINES = {
    "too_few_parts": (lambda: good_line().rsplit("@#@", 1)[0], "expected 6 parts"),
    "too_many_parts": (lambda: good_line() + "@#@1", "expected 6 parts"),
    "comma_in_file_name": (
        lambda: good_line().replace("Cache.java", "Ca,che.java", 1),
        "metadata has 11 fields",
    ),
    "too_few_metadata_fields": (
        lambda: replace_part(good_line(), 0, "a,b,1,2,f,3,4"),
        "metadata has 7 fields",
    ),
    "start_line_not_integer": (
        lambda: good_line().replace(",10,24,", ",ten,24,", 1),
        "start line is 'ten'",
    ),
    "file_id_not_integer": (
        lambda: replace_part(good_line(), 0, "a,b.java,1,2,f,3,4,hash,id,5"),
        "file id is 'id'",
    ),
    "metric_not_numeric": (
        lambda: replace_part(good_line(), 1, ",".join(["1"] * 23 + ["x"])),
        "metric NSLTRL is 'x', not a number",
    ),
    "metric_nan": (
        lambda: replace_part(good_line(), 1, ",".join(["1"] * 23 + ["nan"])),
        "metric NSLTRL is 'nan', not a finite number",
    ),
    "metric_infinite": (
        lambda: replace_part(good_line(), 1, ",".join(["-inf"] + ["1"] * 23)),
        "metric COMP is '-inf', not a finite number",
    ),
    "metric_negative": (
        lambda: replace_part(good_line(), 1, ",".join(["1", "-2"] + ["1"] * 22)),
        "metric NOS is '-2', negative",
    ),
    "too_few_metrics": (
        lambda: replace_part(good_line(), 1, "1,2,3"),
        "expected 24 metrics, found 3",
    ),
    "action_token_without_count": (
        lambda: replace_part(good_line(), 2, "get()"),
        "action tokens entry 'get()' is not in the form token:count",
    ),
    "action_token_count_not_integer": (
        lambda: replace_part(good_line(), 2, "get():two"),
        "is 'two', not an integer",
    ),
    "stop_token_without_count": (
        lambda: replace_part(good_line(), 3, "length"),
        "stop-word tokens entry 'length'",
    ),
    "duplicate_action_token": (
        lambda: replace_part(good_line(), 2, "get():1,get():2"),
        "appears twice",
    ),
    "method_name_token_mismatch": (
        lambda: replace_part(good_line(), 4, "_@save@_:1"),
        "expected '_@load@_:1'",
    ),
    "sloc_not_integer": (
        lambda: replace_part(good_line(), 5, "12.5"),
        "SLOC is '12.5', not an integer",
    ),
    "empty_method_name": (
        lambda: good_line().replace(",load,", ",,", 1),
        "invalid method name ''",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_parse_block_rejects_bad_line(case):
    make_line, message = BAD_LINES[case]
    with pytest.raises(MetricFileError, match=re.escape(message)):
        parse_block(make_line())


@pytest.mark.parametrize("case", sorted(BAD_LINES))
def test_read_metric_file_skips_bad_line(case):
    make_line, message = BAD_LINES[case]
    text = good_line() + "\n" + make_line() + "\n" + good_line() + "\n"
    blocks, problems = read_metric_file(io.StringIO(text))
    assert len(blocks) == 2
    assert len(problems) == 1
    assert problems[0].line_number == 2
    assert message in problems[0].message


def test_read_metric_file_ignores_empty_lines():
    text = "\n" + good_line() + "\n\n" + good_line() + "\r\n"
    blocks, problems = read_metric_file(io.StringIO(text))
    assert blocks == [make_block(), make_block()]
    assert problems == []


def test_read_metric_file_reports_each_problem():
    text = "garbage\n" + good_line() + "\nmore garbage\n"
    blocks, problems = read_metric_file(io.StringIO(text))
    assert len(blocks) == 1
    assert [p.line_number for p in problems] == [1, 3]
    assert isinstance(problems[0], MetricFileProblem)


def test_read_metric_file_skips_line_not_utf8():
    text = good_line() + "\n" + good_line().replace("load", "l\xe9", 3) + "\n"
    lines = text.encode("utf-8") + good_line().encode("latin-1") + b"\xff\n"
    blocks, problems = read_metric_file(io.BytesIO(lines))
    assert len(blocks) == 2
    assert [problem.line_number for problem in problems] == [3]
    assert "invalid UTF-8 at byte" in problems[0].message


def test_read_metric_file_decodes_byte_lines():
    text = good_line().replace("Cache.java", "Caf\xe9.java", 1) + "\n"
    blocks, problems = read_metric_file(io.BytesIO(text.encode("utf-8")))
    assert problems == []
    assert blocks[0].file == "src/main/java/Caf\xe9.java"
