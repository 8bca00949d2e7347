""".dockerignore reading and matching (`docker_engine._dockerignore`), table-driven.

The expected answers are Docker's: the CLI's reader and `patternmatcher`
(checked against the real `docker build` context in tests/live/test_build_live.py).
"""

from __future__ import annotations

import pytest
from docker_engine._dockerignore import (
    DockerignoreError,
    PatternMatcher,
    escape_pattern,
    go_clean,
    parse_dockerignore,
)
from docker_engine._errors import DockerError

# (patterns, path, excluded)
MATCHES: list[tuple[list[str], str, bool]] = [
    # `*`: any run of non-slash characters, in one path component
    (["*"], "a", True),
    (["*"], "a/b", True),  # through its parent
    (["*.log"], "x.log", True),
    (["*.log"], "x.txt", False),
    (["*.log"], "dir/x.log", False),
    (["*/*.log"], "dir/x.log", True),
    (["*/*.log"], "a/b/x.log", False),
    (["a*b"], "a/b", False),
    # `?`: one non-slash character
    (["?"], "a", True),
    (["?"], "ab", False),
    (["?.txt"], "a.txt", True),
    (["?.txt"], "ab.txt", False),
    (["a?b"], "a/b", False),
    # classes
    (["[a-c]x"], "bx", True),
    (["[a-c]x"], "dx", False),
    (["[^a-c]x"], "dx", True),
    (["[^a-c]x"], "ax", False),
    (["[!a]"], "!", True),  # Go's negation is `^`; `!` is a plain member
    (["[!a]"], "a", True),
    (["[!a]"], "b", False),
    (["[.]log"], ".log", True),
    (["[.]log"], "xlog", False),
    (["[\\]]"], "]", True),
    # `**`: any number of directories, zero included
    (["**/*.log"], "x.log", True),
    (["**/*.log"], "a/b/x.log", True),
    (["**/*.log"], "a/b/x.txt", False),
    (["**/secret"], "secret", True),
    (["**/secret"], "a/b/secret", True),
    (["**/secret"], "a/b/secret/inner", True),
    (["**/secret"], "a/xsecret", False),
    (["**"], "anything/at/all", True),
    (["dir/**"], "dir/x", True),
    (["dir/**"], "dir/a/b", True),
    (["dir/**"], "dir", False),  # `dir/**` is what is below dir
    (["dir/**"], "dirx/a", False),
    (["a/**/b"], "a/b", True),
    (["a/**/b"], "a/x/y/b", True),
    (["a/**/b"], "a/xb", False),
    (["a/**/b"], "a/x/b/c", True),
    (["**foo"], "xfoo", True),  # patternmatcher's quirk: a leading `**` is a plain suffix test
    (["foo**"], "foobar", True),
    (["foo**"], "foo/bar", True),
    # leading `/` and `./`, trailing `/`, cleaning
    (["/abs"], "abs", True),
    (["/abs"], "x/abs", False),
    (["./rel/"], "rel", True),
    (["./rel/"], "rel/x", True),
    (["dir/"], "dir", True),
    (["dir/"], "dir/f", True),
    (["dir/"], "dirx", False),
    (["a//b/../c"], "a/c", True),
    (["a//b/../c"], "a/b", False),
    # a pattern names a path from the root only
    (["dir"], "x/dir", False),
    (["dir/f"], "dir/f", True),
    (["dir/f"], "dir/f/g", True),
    # escapes: the literal next character
    (["\\*"], "*", True),
    (["\\*"], "a", False),
    (["a\\?"], "a?", True),
    (["a\\?"], "ab", False),
    # regex-special characters are literal
    (["a.b"], "a.b", True),
    (["a.b"], "axb", False),
    (["a+(b)|c$"], "a+(b)|c$", True),
    (["{a,b}"], "a", False),
    # exceptions, later lines win
    (["*.log", "!keep.log"], "a.log", True),
    (["*.log", "!keep.log"], "keep.log", False),
    (["!keep.log", "*.log"], "keep.log", True),
    (["*.log", "!keep.log", "keep.log"], "keep.log", True),
    (["dir", "!dir/keep"], "dir", True),
    (["dir", "!dir/keep"], "dir/keep", False),
    (["dir", "!dir/keep"], "dir/keep/below", False),
    (["dir", "!dir/keep"], "dir/other", True),
    (["dir", "!dir/keep", "dir/keep/*.tmp"], "dir/keep/x.tmp", True),
    (["dir", "!dir"], "dir/x", False),
    (["*", "!*.md"], "README.md", False),
    (["*", "!*.md"], "docs/a.md", True),  # `docs` matches `*` and `*.md` does not match the path
    # patterns Go's filepath.Match lets through are matched as Docker's regular expression does
    (["a**b/[]a]"], "ab/]", True),
    (["a**b/[]a]"], "ab/a", True),
    (["x*[a-]"], "x-", True),
    (["x*[[:digit:]]"], "x1", True),
    (["x*[[:digit:]]"], "xa", False),
    (["x*a^b"], "xa^b", False),  # `^` is an anchor there
    (["a^b"], "a^b", True),  # …but not in a pattern compared as plain text
    (["x*a\\"], "xya$", True),  # a trailing backslash escapes the regex's `$`: a prefix test
    (["x*a\\"], "xya$/more", True),
    (["x*a\\"], "xya", False),
    # the context root itself is never excluded
    (["*"], ".", False),
]


@pytest.mark.parametrize(("patterns", "path", "excluded"), MATCHES)
def test_matches(patterns: list[str], path: str, excluded: bool) -> None:
    assert PatternMatcher.from_dockerignore("\n".join(patterns)).matches(path) is excluded


@pytest.mark.parametrize(("patterns", "path", "excluded"), MATCHES)
def test_incremental_matching_agrees(patterns: list[str], path: str, excluded: bool) -> None:
    """Matching level by level with the parent's results (as the context walk
    does) gives the same answer for these paths."""
    if path == ".":
        return
    matcher = PatternMatcher.from_dockerignore("\n".join(patterns))
    parts = path.split("/")
    info = None
    result = False
    for depth in range(1, len(parts) + 1):
        result, info = matcher.matches_using_parent("/".join(parts[:depth]), info)
    assert result is excluded


# (file content, patterns)
PARSES: list[tuple[str, list[str]]] = [
    ("", []),
    ("a\nb\n", ["a", "b"]),
    ("# comment\n\n   \n\tfoo  \n", ["foo"]),
    (" # not a comment\n", ["# not a comment"]),  # `#` counts only in the first column
    ("/abs\n/a/file/here\n", ["abs", "a/file/here"]),
    ("! /inverted/abs/path\n", ["!inverted/abs/path"]),
    ("!\n! \n", ["!", "!"]),
    ("./x/\n.\n/\n", ["x", ".", "/"]),
    ("a/./b//c/../d\n", ["a/b/d"]),
    ("../up\n", ["../up"]),
    ("win\r\ndows\r\n", ["win", "dows"]),
    ("\ufeffbom\n", ["bom"]),
    ("last-without-newline", ["last-without-newline"]),
    ("\u00a0nbsp\u3000\n", ["nbsp"]),  # Go trims Unicode white space
]


@pytest.mark.parametrize(("content", "patterns"), PARSES)
def test_parse_dockerignore(content: str, patterns: list[str]) -> None:
    assert parse_dockerignore(content) == patterns
    assert parse_dockerignore(content.encode()) == patterns


def test_from_dockerignore_with_comments_and_blank_lines() -> None:
    matcher = PatternMatcher.from_dockerignore("# logs\n*.log\n\n# but this one\n!keep.log\n")
    assert [str(p) for p in matcher.patterns] == ["*.log", "!keep.log"]
    assert matcher.exclusions
    assert matcher.matches("a.log") and not matcher.matches("keep.log")


@pytest.mark.parametrize("bad", ["!", "[", "[abc", "[]a]", "[a-]", "[-a]", "a\\", "[\\", "x/[", "!a["])
def test_malformed_patterns_raise(bad: str) -> None:
    """What Go's filepath.Match rejects (`docker build`: "syntax error in pattern")."""
    with pytest.raises(DockerignoreError) as info:
        PatternMatcher([bad])
    assert isinstance(info.value, DockerError) and isinstance(info.value, ValueError)


@pytest.mark.parametrize("bad", ["[z-a]", "*[z-a]", "x*[b", "a*\\8", "a*\\é"])
def test_patterns_failing_only_when_used(bad: str) -> None:
    """filepath.Match stops reading these early; Docker fails when it first
    matches a path against one (its regular expression does not compile)."""
    matcher = PatternMatcher(["x", "!" + bad])
    assert matcher.matches("y") is False  # the exception is not tried: no error
    with pytest.raises(DockerignoreError, match="syntax error in pattern"):
        matcher.matches("x")


def test_may_reinclude_below_is_dockers_literal_prefix_test() -> None:
    matcher = PatternMatcher(["dir", "!dir/sub/keep", "!**/x"])
    assert matcher.may_reinclude_below("dir")
    assert matcher.may_reinclude_below("dir/sub")
    assert not matcher.may_reinclude_below("dir/other")
    assert not matcher.may_reinclude_below("elsewhere")  # `**/x` is not expanded
    assert not PatternMatcher(["dir"]).may_reinclude_below("dir")


@pytest.mark.parametrize(
    ("path", "cleaned"),
    [
        ("", "."),
        (".", "."),
        ("./a/", "a"),
        ("a//b", "a/b"),
        ("//a", "/a"),
        ("/../a", "/a"),
        ("../a/..", ".."),
        ("a/../..", ".."),
        ("a/b/../../..", ".."),
        ("/", "/"),
    ],
)
def test_go_clean(path: str, cleaned: str) -> None:
    assert go_clean(path) == cleaned


@pytest.mark.parametrize("name", ["Dockerfile", "docker/Dockerfile.[prod]", "a*b?c\\d", "x^y[1]", "!bang"])
def test_escape_pattern_matches_exactly_the_path(name: str) -> None:
    matcher = PatternMatcher([escape_pattern(name)])
    assert matcher.matches(name)
    assert not matcher.matches(name + "x")
