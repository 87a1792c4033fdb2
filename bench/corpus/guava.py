"""Guava-using methods added to real JDK classes, in their Guava 18 and 21 forms.

Guava 18 deprecated `Objects.toStringHelper` and `Objects.firstNonNull` in
favour of `MoreObjects`, and Guava 21 removed them. Guava 21 code also passes
an executor to `Futures.transform`. Each method kind below renders the code a
project has before and after that migration. IMMUTABLE_LIST uses Guava the
same way in both forms, so a job must not report it.
"""

from collections.abc import Iterable
from dataclasses import dataclass

TO_STRING_HELPER = "to_string_helper"
FUTURES_TRANSFORM = "futures_transform"
FIRST_NON_NULL = "first_non_null"
IMMUTABLE_LIST = "immutable_list"
MIGRATED_KINDS = (TO_STRING_HELPER, FUTURES_TRANSFORM, FIRST_NON_NULL)

_TO_STRING_HELPER = """\
    public String {name}() {{
        return {helper}.toStringHelper(this)
                .add("{field0}", {field0})
                .add("{field1}", {field1})
                .add("type", getClass().getSimpleName())
                .omitNullValues()
{extra}                .toString();
    }}
"""

_FUTURES_TRANSFORM = """\
    public ListenableFuture<String> {name}(ListenableFuture<Integer> {parameter}) {{
        return Futures.transform({parameter}, new Function<Integer, String>() {{
            @Override
            public String apply(Integer {local}) {{
{extra}                String text = String.valueOf({local});
                return text.concat(" of ").concat(String.valueOf({field0}));
            }}
        }}{executor});
    }}
"""

_FIRST_NON_NULL = """\
    String {name}(String {parameter}) {{
        String {local} = {helper}.firstNonNull(String.valueOf({field0}), {parameter});
        Preconditions.checkState(!{local}.isEmpty(), "empty {field0}");
{extra}        return {local}.trim();
    }}
"""

_IMMUTABLE_LIST = """\
    java.util.List<String> {name}() {{
        ImmutableList.Builder<String> {local} = ImmutableList.builder();
        {local}.add(String.valueOf({field0}));
        {local}.add(String.valueOf({field1}));
{extra}        return {local}.build();
    }}
"""

_TEMPLATES = {
    TO_STRING_HELPER: _TO_STRING_HELPER,
    FUTURES_TRANSFORM: _FUTURES_TRANSFORM,
    FIRST_NON_NULL: _FIRST_NON_NULL,
    IMMUTABLE_LIST: _IMMUTABLE_LIST,
}

# Statements a type-3 copy adds, one template per kind, so the copy differs
# from the corpus method by one line.
_EXTRA_STATEMENTS = {
    TO_STRING_HELPER: '                .add("hash", hashCode())\n',
    FUTURES_TRANSFORM: "                Preconditions.checkNotNull({local});\n",
    FIRST_NON_NULL: '        Preconditions.checkArgument({parameter} != null, "{name}");\n',
    IMMUTABLE_LIST: "        {local}.add(getClass().getName());\n",
}

_IMPORTS_BEFORE = {
    TO_STRING_HELPER: ("com.google.common.base.Objects",),
    FUTURES_TRANSFORM: (
        "com.google.common.base.Function",
        "com.google.common.util.concurrent.Futures",
        "com.google.common.util.concurrent.ListenableFuture",
    ),
    FIRST_NON_NULL: (
        "com.google.common.base.Objects",
        "com.google.common.base.Preconditions",
    ),
    IMMUTABLE_LIST: ("com.google.common.collect.ImmutableList",),
}
_IMPORTS_AFTER = {
    TO_STRING_HELPER: ("com.google.common.base.MoreObjects",),
    FUTURES_TRANSFORM: (
        *_IMPORTS_BEFORE[FUTURES_TRANSFORM],
        "com.google.common.util.concurrent.MoreExecutors",
    ),
    FIRST_NON_NULL: (
        "com.google.common.base.MoreObjects",
        "com.google.common.base.Preconditions",
    ),
    IMMUTABLE_LIST: _IMPORTS_BEFORE[IMMUTABLE_LIST],
}


@dataclass(frozen=True)
class GuavaMethod:
    """One Guava-using method: its kind, its names and the class fields it reads.

    `extra_statement` adds one statement, which makes a type-3 copy.
    """

    kind: str
    name: str
    fields: tuple[str, str]
    parameter: str = "input"
    local: str = "value"
    extra_statement: bool = False

    def render(self, *, migrated: bool) -> str:
        """Return the method's text, in its Guava 21 form when `migrated`."""
        names = {
            "name": self.name,
            "field0": self.fields[0],
            "field1": self.fields[1],
            "parameter": self.parameter,
            "local": self.local,
        }
        extra = ""
        if self.extra_statement:
            extra = _EXTRA_STATEMENTS[self.kind].format(**names)
        return _TEMPLATES[self.kind].format(
            **names,
            extra=extra,
            helper="MoreObjects" if migrated else "Objects",
            executor=", MoreExecutors.directExecutor()" if migrated else "",
        )

    def imports(self, *, migrated: bool) -> tuple[str, ...]:
        """Return the classes the method needs imported."""
        table = _IMPORTS_AFTER if migrated else _IMPORTS_BEFORE
        imports = table[self.kind]
        if self.extra_statement and self.kind == FUTURES_TRANSFORM:
            imports = (*imports, "com.google.common.base.Preconditions")
        return imports


def import_lines(methods: Iterable[GuavaMethod], *, migrated: bool) -> str:
    """Return the sorted import declarations that `methods` need."""
    names = sorted({name for m in methods for name in m.imports(migrated=migrated)})
    return "".join(f"import {name};\n" for name in names)
