import math
import random
import zipfile
from pathlib import Path

import pytest

from oreo.blocks import METRIC_NAMES, Block
from oreo.extract import EXTRACTOR_VERSION, FileExtraction, extract_source

JDK_SOURCES = Path("/usr/lib/jvm/java-17-openjdk-amd64/lib/src.zip")

needs_jdk = pytest.mark.skipif(
    not JDK_SOURCES.exists(), reason=f"JDK sources not found at {JDK_SOURCES}"
)


def extract(java: str, path: str = "Sample.java") -> FileExtraction:
    return extract_source(java.encode(), path=path, folder="demo")


def extract_method(body: str, name: str = "f") -> Block:
    """Extract the method `name` from class members given as Java text."""
    result = extract("class Sample {\n" + body + "\n}\n")
    assert result.syntax_errors == 0
    matches = [block for block in result.blocks if block.name == name]
    assert len(matches) == 1, [block.name for block in result.blocks]
    return matches[0]


def metric(block: Block, name: str) -> float:
    return block.metrics[METRIC_NAMES.index(name)]


def names(result: FileExtraction) -> list[str]:
    return [block.name for block in result.blocks]


def read_jdk(name: str) -> bytes:
    with zipfile.ZipFile(JDK_SOURCES) as archive:
        return archive.read(name)


def line_of(source: bytes, text: bytes) -> int:
    return source[: source.index(text)].count(b"\n") + 1


def test_extractor_version_is_text():
    assert isinstance(EXTRACTOR_VERSION, str)
    assert EXTRACTOR_VERSION


# Block boundaries and names.


def test_block_location_fields():
    result = extract_source(
        b"class A {\n  void run() {\n  }\n}\n", path="src/A.java", folder="p-1.0"
    )
    block = result.blocks[0]
    assert block.file == "src/A.java"
    assert block.folder == "p-1.0"
    assert block.start_line == 2
    assert block.end_line == 3


def test_block_lines_include_annotations_and_modifiers():
    java = (
        "class A {\n"
        "  /** Javadoc is not part of the method. */\n"
        "  @Override\n"
        '  @SuppressWarnings("unchecked")\n'
        "  public final String toString() {\n"
        '    return "A";\n'
        "  }\n"
        "}\n"
    )
    block = extract(java).blocks[0]
    assert block.start_line == 3
    assert block.end_line == 7


def test_constructor_block_named_after_class():
    result = extract("class Point {\n  Point(int x) {\n    this.x = x;\n  }\n}\n")
    assert names(result) == ["Point"]


def test_methods_without_body_skipped():
    java = (
        "abstract class A {\n  abstract void f();\n  native void g();\n"
        "  void h() {}\n}\n"
        "interface I {\n  void i();\n  default void j() {}\n"
        "  static void k() {}\n  private void l() {}\n}\n"
    )
    assert names(extract(java)) == ["h", "j", "k", "l"]


def test_nested_class_methods_are_blocks():
    java = """
class A {
  Runnable make() {
    class Local {
      int size() { return 1; }
    }
    return new Runnable() {
      @Override
      public void run() { System.out.println(new Local().size()); }
    };
  }
}
"""
    assert names(extract(java)) == ["make", "size", "run"]


def test_outer_method_includes_local_class_counts():
    java = """
class A {
  Runnable make() {
    return new Runnable() {
      public void run() { for (;;) { go(); } }
    };
  }
}
"""
    blocks = {block.name: block for block in extract(java).blocks}
    assert metric(blocks["make"], "LOOP") == 1
    assert metric(blocks["make"], "LMET") == 1
    assert metric(blocks["make"], "MDN") == 3
    assert metric(blocks["run"], "MDN") == 2


def test_lambda_is_not_a_block():
    block_names = names(extract("class A {\n  void f() { Runnable r = () -> {}; }\n}"))
    assert block_names == ["f"]


def test_enum_constant_body_methods_are_blocks():
    java = """
enum Op {
  PLUS { int apply(int a, int b) { return a + b; } },
  MINUS { int apply(int a, int b) { return a - b; } };
  abstract int apply(int a, int b);
  Op() {}
}
"""
    assert names(extract(java)) == ["apply", "apply", "Op"]


def test_record_members_are_blocks():
    java = """
public record Range(int low, int high) {
  public Range {
    if (low > high) throw new IllegalArgumentException("low > high");
  }
  public Range(int high) { this(0, high); }
  int length() { return high - low; }
}
"""
    result = extract(java)
    assert result.syntax_errors == 0
    assert names(result) == ["Range", "Range", "length"]


def test_compact_constructor_has_no_arguments():
    java = "record R(int a) {\n  R {\n    check(a);\n  }\n}\n"
    block = extract(java).blocks[0]
    assert metric(block, "NOA") == 0
    assert block.start_line == 2


# Modern syntax parses without errors.

MODERN_SYNTAX = {
    "sealed_types": """
sealed interface Shape permits Circle, Square {}
record Circle(double r) implements Shape {}
non-sealed class Square implements Shape {
  double side() { return 1.0; }
}
""",
    "switch_expression_and_patterns": """
class A {
  static String describe(Object o) {
    return switch (o) {
      case Integer i when i > 0 -> "positive";
      case Integer i -> "integer";
      case String s -> { yield "text " + s; }
      default -> "other";
    };
  }
}
""",
    "record_patterns": """
class A {
  record Point(int x, int y) {}
  static int sum(Object o) {
    if (o instanceof Point(int x, int y)) { return x + y; }
    return switch (o) { case Point(var x, var y) -> x * y; default -> 0; };
  }
}
""",
    "text_block": '''
class A {
  String query() {
    return """
        SELECT *
        FROM t
        """;
  }
}
''',
    "generics_and_wildcards": """
class Box<T extends Comparable<? super T>> {
  <U, V extends Map<U, List<? extends T>>> V convert(Function<? super T, ? extends U> f) {
    return null;
  }
}
""",
    "var_and_lambdas": """
class A {
  void f(List<String> xs) {
    var total = 0;
    BiFunction<Integer, Integer, Integer> add = (a, b) -> a + b;
    xs.forEach(x -> System.out.println(x));
    xs.stream().map(String::length).reduce(Integer::sum);
  }
}
""",
    "annotations_everywhere": """
@Retention(RetentionPolicy.RUNTIME)
@interface Tag { String value() default ""; int[] codes() default {1, 2}; }
class A {
  @Tag(value = "x", codes = {3}) void f(@Deprecated final int a) {
    @SuppressWarnings("unused") List<@NonNull String> l = null;
  }
}
""",
    "enum_with_bodies": """
enum Planet {
  EARTH(5.97e24) { @Override String label() { return "home"; } },
  MARS(6.42e23);
  private final double mass;
  Planet(double mass) { this.mass = mass; }
  String label() { return name(); }
}
""",
    "unicode_escapes": """
class A {
  int f() {
    int \\u0061bc = 1;
    char c = '\\u0041';
    String s = "caf\\u00e9";
    return abc;
  }
}
""",
    "qualified_record_patterns": """
class A {
  sealed interface Shape permits Shape.Circle, Shape.Square {
    record Circle(double r) implements Shape {}
    record Square(double side) implements Shape {}
  }
  static double area(Object o) {
    if (o instanceof Shape.Circle(double r)) { return Math.PI * r * r; }
    return switch (o) {
      case Shape.Square(var side) -> side * side;
      case java.util.Map.Entry<?, ?> e -> 0;
      default -> -1;
    };
  }
}
""",
    "nested_and_inner_classes": """
class Outer {
  class Inner {
    void g() { Outer.this.h(); }
  }
  static class Nested { Nested() { super(); } }
  void h() {}
}
""",
}


@pytest.mark.parametrize("case", sorted(MODERN_SYNTAX))
def test_modern_syntax_parses_without_errors(case):
    result = extract(MODERN_SYNTAX[case])
    assert result.syntax_errors == 0
    assert result.blocks


def test_unicode_escape_in_identifier_keeps_method():
    result = extract(MODERN_SYNTAX["unicode_escapes"])
    assert names(result) == ["f"]
    assert result.blocks[0].end_line == 8


def test_qualified_record_pattern_keeps_lines():
    result = extract(MODERN_SYNTAX["qualified_record_patterns"])
    block = next(block for block in result.blocks if block.name == "area")
    assert block.start_line == 7
    assert block.end_line == 14


def test_pattern_variables_are_declared():
    block = extract_method(
        "void f(Object o) {\n"
        "  if (o instanceof String s) {}\n"
        "  switch (o) { case Integer i -> {} default -> {} }\n"
        "}"
    )
    assert metric(block, "VDEC") == 2


# One test per metric.


def test_metrics_of_small_method_match_hand_count():
    # Tokens: int, f, int, a, return, a, 1. Operators: + and return.
    # Operands after removing the method's own name: int x2, a x2, 1.
    block = extract_method("int f(int a) { return a + 1; }")
    volume = (5 + 2) * math.log2(5)
    expected = {
        "COMP": 1,
        "NOS": 2,
        "HVOC": 5,
        "HEFF": round(1 * volume, 2),
        "CREF": 0,
        "XMET": 0,
        "LMET": 0,
        "NOA": 1,
        "HDIF": 1,
        "VDEC": 0,
        "EXCT": 0,
        "EXCR": 0,
        "CAST": 0,
        "NAND": 5,
        "VREF": 1,
        "NOPR": 2,
        "MDN": 1,
        "NEXP": 3,
        "LOOP": 0,
        "NBLTRL": 0,
        "NCLTRL": 0,
        "NNLTRL": 1,
        "NNULLTRL": 0,
        "NSLTRL": 0,
    }
    for name, value in expected.items():
        assert metric(block, name) == value, name
    assert block.tokens == 7
    assert block.unique_tokens == 5


def test_comp_counts_branches_loops_catches_and_cases():
    block = extract_method(
        """void f(int x) {
  if (x > 0 && x < 9) {}
  for (int i = 0; i < x; i++) {}
  while (x > 0) { x--; }
  do { x++; } while (x < 3);
  for (int y : new int[] {1}) {}
  try { g(); } catch (RuntimeException e) {} finally {}
  switch (x) { case 1: break; case 2: case 3: break; default: break; }
  int z = x > 1 ? 1 : 2;
}"""
    )
    # 1 + if + 4 loops + catch + 3 case labels; && and ?: are not branches.
    assert metric(block, "COMP") == 10


def test_nos_counts_statements():
    block = extract_method(
        """void f(int x) {
  int a = 1;
  a++;
  ;
  if (a > x) return;
  label: for (;;) { break label; }
  synchronized (this) { g(); }
  assert a > 0;
  throw new IllegalStateException();
}"""
    )
    # Declaration, local variable, a++, empty statement, if, return,
    # labeled, for, break, synchronized, g(), assert, throw.
    assert metric(block, "NOS") == 13


def test_nos_counts_switch_statement_and_entries():
    block = extract_method(
        "void f(int x) {\n  switch (x) { case 1 -> g(); default -> {} }\n}"
    )
    # Declaration, switch, two entries, g().
    assert metric(block, "NOS") == 5


def test_xmet_and_lmet_by_receiver():
    block = extract_method(
        """void f(Job job) {
  run(job.callable);
  this.go();
  helper();
  Outer.this.later();
  job.start();
  super.close();
  Math.max(1, 2);
}"""
    )
    assert metric(block, "LMET") == 4
    assert metric(block, "XMET") == 3


def test_cref_counts_types_and_class_receivers():
    block = extract_method(
        """void f() {
  List<String> l = new ArrayList<>();
  Math.max(1, 2);
  System.out.println(l);
  int n = count;
}"""
    )
    # List, String, ArrayList, Math, System.
    assert metric(block, "CREF") == 5


def test_cref_counts_non_ascii_class_names():
    block = extract_method(
        "void f() { \u00dcbung u = \u00dcbung.neu(); \u00e4hnlich(); }"
    )
    # The type and the receiver; the lower-case call is not a class.
    assert metric(block, "CREF") == 2


def test_noa_counts_parameters_including_varargs():
    block = extract_method("void f(int a, final String b, Object... rest) {}")
    assert metric(block, "NOA") == 3


def test_vdec_counts_declared_variables():
    block = extract_method(
        """void f(List<String> xs, Object o) {
  int a = 1, b;
  for (String s : xs) {}
  for (int i = 0; i < 2; i++) {}
  try (var r = open()) {} catch (Exception e) {}
  if (o instanceof String t) {}
}"""
    )
    # a, b, s, i, r, t; the catch parameter is not a declared variable.
    assert metric(block, "VDEC") == 6


def test_exct_counts_throw_statements():
    block = extract_method(
        """void f(int x) throws IOException {
  if (x < 0) throw new IllegalArgumentException();
  throw new IOException();
}"""
    )
    assert metric(block, "EXCT") == 2


def test_excr_counts_caught_exception_types():
    block = extract_method(
        """void f() {
  try { g(); } catch (IOException | RuntimeException e) { if (a || b) {} }
  try { g(); } catch (Exception e) {}
}"""
    )
    assert metric(block, "EXCR") == 3


def test_cast_counts_casts():
    block = extract_method("long f(Object o) { return (long) (int) (Integer) o; }")
    assert metric(block, "CAST") == 3


def test_mdn_counts_nested_blocks():
    block = extract_method(
        "void f(int x) {\n  if (x > 0) {\n    while (x > 1) {\n      x--;\n"
        "    }\n  }\n}"
    )
    assert metric(block, "MDN") == 3


def test_mdn_of_constructor_body():
    result = extract("class A {\n  A() { { } }\n}\n")
    assert metric(result.blocks[0], "MDN") == 2


def test_loop_counts_every_loop_kind():
    block = extract_method(
        """void f(int[] xs) {
  for (int i = 0; i < 1; i++) {}
  for (int x : xs) {}
  while (false) {}
  do {} while (false);
}"""
    )
    assert metric(block, "LOOP") == 4


def test_literal_metrics_by_kind():
    block = extract_method(
        '''Object[] f() {
  return new Object[] {
    true, false, 'c', '\\n', 1, 2L, 0x1F, 0b1, 017, 1.5, 1e3f, null,
    "text", """
      block
      """};
}'''
    )
    assert metric(block, "NBLTRL") == 2
    assert metric(block, "NCLTRL") == 2
    assert metric(block, "NNLTRL") == 7
    assert metric(block, "NNULLTRL") == 1
    assert metric(block, "NSLTRL") == 2


def test_annotation_strings_are_not_string_literals():
    block = extract_method(
        """@SuppressWarnings("unchecked")
void f() {
  @SuppressWarnings({"rawtypes", "unused"}) List l = null;
  g("real");
}"""
    )
    assert metric(block, "NSLTRL") == 1


def test_nexp_counts_expressions():
    block = extract_method("int f(int[] a, int i) { return (a[i] + 1) * i; }")
    # a, i, a[i], 1, a[i] + 1, ( ), i, ( ) * i.
    assert metric(block, "NEXP") == 8


def test_nexp_ignores_condition_parentheses():
    block = extract_method("void f(boolean b) { if (b) {} }")
    assert metric(block, "NEXP") == 1


def test_nopr_counts_operators():
    block = extract_method(
        "int f(int[] a, int i) {\n  int x = a[i] + 1;\n  x += -i;\n"
        "  return x > 0 ? x : g(x);\n}"
    )
    # =, [], +, +=, unary -, >, ?:, g(), return.
    assert metric(block, "NOPR") == 9


def test_hvoc_counts_distinct_operands_operators():
    block = extract_method("int f(int a, int b) { return a * b + a; }")
    # Operands: int, a, b. Operators: *, +, return.
    assert metric(block, "HVOC") == 6


def test_hdif_uses_integer_division():
    block = extract_method("int f(int a, int b) { return a * b + a; }")
    # Operands: int x3, a x3, b x2. Difficulty is
    # (3 operators // 2) * (8 operands // 3 distinct) = 1 * 2.
    assert metric(block, "NAND") == 8
    assert metric(block, "HDIF") == 2


def test_heff_is_difficulty_times_volume():
    block = extract_method("int f(int a, int b) { return a * b + a; }")
    volume = (8 + 3) * math.log2(6)
    assert metric(block, "HEFF") == round(2 * volume, 2)


def test_vref_counts_variable_references():
    block = extract_method(
        """int f(int p) {
  int local = p;
  local = local + field + other.size;
  return local;
}"""
    )
    # Uses of local (3), p (1), field and other. The declaring occurrences
    # of local and p, the accessed field size and the type int do not count.
    assert metric(block, "VREF") == 6


# Action tokens, stop words, tokens and SLOC.


def test_action_tokens_calls_fields_and_arrays():
    block = extract_method(
        """void f(int[] arr, int i) {
  list.add(x);
  list.add(y);
  this.count = arr[i] + arr[i + 1];
  System.out.println(arr.length);
}"""
    )
    assert block.action_tokens == {
        "add()": 2,
        "count": 1,
        "out": 1,
        "arrayAccess[]": 1,
        "arrayBinaryAccess[]": 1,
    }


def test_action_tokens_in_oreo_order():
    block = extract_method("void f(int[] a) { a[0] = this.x; go(); }")
    assert list(block.action_tokens) == ["go()", "x", "arrayAccess[]"]


def test_stop_words_are_kept_apart():
    block = extract_method(
        "void f(int[] a) { System.out.println(a.length); System.out.println(); }"
    )
    assert block.stop_tokens == {"println()": 2, "length": 1}


def test_method_reference_is_not_a_call():
    block = extract_method(
        "void f(List<String> xs) { xs.forEach(System.out::println); }"
    )
    assert block.action_tokens == {"forEach()": 1, "out": 1}


def test_tokens_count_modifiers_keywords_and_names():
    block = extract_method("public static void f() throws E { return; }")
    # public, static, void, f, throws, E, return.
    assert block.tokens == 7


def test_sloc_skips_blank_and_comment_lines():
    block = extract_method(
        """void f() {
  // a comment

  /* a block
     comment */
  int a = 1; // trailing comment
  g(/* inline */ a);
}"""
    )
    assert block.sloc == 4


def test_equal_bodies_give_equal_metrics_hash():
    result = extract(
        "class A {\n  int f(int a) { return a + 1; }\n"
        "  int g(int b) { return b + 1; }\n}\n"
    )
    f, g = result.blocks
    assert f.metrics == g.metrics
    assert f.metrics_hash == g.metrics_hash


def test_metrics_hash_differs_for_different_metrics():
    result = extract(
        "class A {\n  int f(int a) { return a + 1; }\n"
        "  int g(int a) { if (a > 0) return a; return 1; }\n}\n"
    )
    f, g = result.blocks
    assert f.metrics_hash != g.metrics_hash


# Bad input.


def test_non_utf8_file_decoded_as_latin1():
    java = 'class A {\n  String f() { return "caf\u00e9"; }\n}\n'.encode("latin-1")
    result = extract_source(java, path="Latin.java")
    assert "not valid UTF-8" in result.error
    assert "ISO-8859-1" in result.error
    assert names(result) == ["f"]
    assert metric(result.blocks[0], "NSLTRL") == 1


def test_byte_order_mark_is_ignored():
    result = extract_source(b"\xef\xbb\xbfclass A { void f() {} }", path="A.java")
    assert result.syntax_errors == 0
    assert result.error == ""
    assert names(result) == ["f"]


def test_syntax_error_keeps_methods_that_parse():
    java = """
class A {
  void good() { g(); }
  void bad() { int x = ; if ( }
  void alsoGood() { h(); }
}
"""
    result = extract(java)
    assert result.syntax_errors > 0
    assert "good" in names(result)
    assert "alsoGood" in names(result)
    assert "bad" not in names(result)
    assert result.skipped_methods == 1


def test_truncated_file_keeps_complete_methods():
    result = extract("class A {\n  void f() { g(); }\n  void h() { if (x) {")
    assert result.syntax_errors > 0
    assert names(result) == ["f"]


def test_empty_and_non_java_input():
    assert extract("").blocks == []
    assert extract("just some text, not Java").blocks == []


def test_deeply_nested_expression():
    depth = 5000
    java = "class A {\n  int f() {\n    return " + "(" * depth + "1" + ")" * depth
    java += ";\n  }\n}\n"
    result = extract(java)
    assert names(result) == ["f"]
    assert metric(result.blocks[0], "NEXP") == depth + 1


def test_deeply_nested_binary_expression():
    depth = 5000
    java = "class A {\n  int f(int a) {\n    return a" + " + a" * depth
    java += ";\n  }\n}\n"
    result = extract(java)
    assert names(result) == ["f"]
    assert metric(result.blocks[0], "NOPR") == depth + 1


def test_huge_generated_method():
    statements = "".join(f"    x{i} = x{i} + {i};\n" for i in range(20000))
    result = extract("class A {\n  void f() {\n" + statements + "  }\n}\n")
    block = result.blocks[0]
    assert metric(block, "NOS") == 20001
    assert block.sloc == 20002


# Real JDK sources.


@needs_jdk
def test_jdk_arraylist_blocks():
    source = read_jdk("java.base/java/util/ArrayList.java")
    result = extract_source(source, path="java/util/ArrayList.java")
    assert result.syntax_errors == 0
    assert result.error == ""
    # JDK 17's ArrayList.java declares 128 methods and constructors with a body.
    assert 110 <= len(result.blocks) <= 150
    block_names = set(names(result))
    assert {"ArrayList", "add", "removeIf", "trimToSize", "forEach"} <= block_names


@needs_jdk
def test_jdk_arraylist_trim_to_size_lines():
    source = read_jdk("java.base/java/util/ArrayList.java")
    result = extract_source(source, path="java/util/ArrayList.java")
    block = next(block for block in result.blocks if block.name == "trimToSize")
    start = line_of(source, b"    public void trimToSize() {")
    assert block.start_line == start
    assert block.end_line == start + 7
    assert metric(block, "COMP") == 2


@needs_jdk
def test_jdk_string_blocks():
    source = read_jdk("java.base/java/lang/String.java")
    result = extract_source(source, path="java/lang/String.java")
    assert result.syntax_errors == 0
    # JDK 17's String.java declares 154 methods and constructors with a body.
    assert 130 <= len(result.blocks) <= 180
    assert "equals" in names(result)


@needs_jdk
def test_jdk_sample_extracts_sane_blocks():
    with zipfile.ZipFile(JDK_SOURCES) as archive:
        java_names = sorted(n for n in archive.namelist() if n.endswith(".java"))
        sample = random.Random(17).sample(java_names, 300)
        results = [extract_source(archive.read(n), path=n) for n in sample]
    blocks = [block for result in results for block in result.blocks]
    assert sum(result.syntax_errors for result in results) == 0
    assert len(blocks) > 2000
    for block in blocks:
        assert 1 <= block.start_line <= block.end_line, block
        assert len(block.metrics) == len(METRIC_NAMES), block
        assert all(math.isfinite(v) and v >= 0 for v in block.metrics), block
        assert 1 <= block.sloc <= block.end_line - block.start_line + 1, block
        assert block.tokens >= block.unique_tokens >= 1, block


def test_bodiless_inner_method_keeps_outer_header():
    block = extract_method(
        """public int f(int a) {
  abstract class Local {
    protected abstract void g(int x, int y) throws Exception;
  }
  return a;
}"""
    )
    assert metric(block, "NOA") == 1
    # public, int, f, int, a, Local, void, g, int, x, int, y, Exception,
    # return, a. The nested method's modifiers and `throws` are not tokens.
    assert block.tokens == 15
