""".dockerignore files: reading them and matching paths the way the Docker CLI does.

The semantics are those of the Docker CLI (moby's `ignorefile` reader and
`patternmatcher`), which decide what goes into a build context:

* A line whose first character is `#` is a comment (a `#` after leading
  blanks is not). Blank lines are skipped; each line is trimmed, a UTF-8 BOM at
  the start of the file is dropped.
* `!` starts an exception (a re-inclusion). The rest of the line is trimmed and
  cleaned like a Go `filepath.Clean` (`./a//b/` → `a/b`, `a/../b` → `b`), and a
  leading `/` is removed: patterns are relative to the context root.
* Patterns are Go `filepath.Match` patterns — `*` (any run of non-`/`
  characters), `?` (one non-`/` character), `[a-z]` / `[^a-z]` classes, `\\`
  escapes the next character — plus `**`, which matches any number of
  directories, zero included (`**/x`, `a/**/b`, `a/**`).
* A pattern that matches a directory matches everything below it.
* The last pattern that matches decides: an exclusion excludes, an exception
  re-includes.

`PatternMatcher.matches` answers for one path (it also tries the path's parent
directories); `PatternMatcher.matches_using_parent` is the incremental form used
while walking a tree. Walking into excluded directories (only when an
exception could re-include something below them) is done by the caller: see
`PatternMatcher.may_reinclude_below`.

Deliberate differences from `patternmatcher`, all in patterns it handles by
accident: a backslash escape is always the literal next character (its regular
expression translation gives `\\d`, `\\w`, … their regex meaning), and a
character class is always a `filepath.Match` class (its translation mangles
classes holding `*` or `?`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from ._errors import DockerError

__all__ = [
    "DockerignoreError",
    "MatchInfo",
    "Pattern",
    "PatternMatcher",
    "escape_pattern",
    "go_clean",
    "parse_dockerignore",
]

# Go's unicode.IsSpace: the Unicode White_Space property (which str.isspace
# does not follow exactly: it also counts \x1c-\x1f).
_GO_SPACE: Final = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
_BOM: Final = "\ufeff"

# The per-pattern match results of a directory, handed down to its entries.
MatchInfo = tuple[bool, ...]


class DockerignoreError(DockerError, ValueError):
    """A .dockerignore pattern is malformed (the Docker CLI refuses it too)."""


def go_clean(path: str) -> str:
    """Go's `filepath.Clean` on a slash-separated path.

    Unlike `posixpath.normpath`, a leading `//` becomes `/` and `..` above the
    root of a rooted path is dropped.
    """
    if not path:
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


def parse_dockerignore(content: str | bytes) -> list[str]:
    """The patterns of a .dockerignore file, in order, exceptions prefixed with `!`.

    Mirrors the Docker CLI's reader: comments (`#` in the first column) and
    blank lines are dropped, lines are trimmed, patterns cleaned and made
    relative (`/a/` → `a`, `! ./b` → `!b`).
    """
    text = content.decode("utf-8", "surrogateescape") if isinstance(content, bytes) else content
    text = text.removeprefix(_BOM)
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the newline ending the last line ends no further line
    patterns: list[str] = []
    for raw in lines:
        line = raw.removesuffix("\r")
        if line.startswith("#"):
            continue
        line = line.strip(_GO_SPACE)
        if not line:
            continue
        invert = line.startswith("!")
        if invert:
            line = line[1:].strip(_GO_SPACE)
        if line:
            line = go_clean(line)
            if len(line) > 1 and line.startswith("/"):
                line = line[1:]
        patterns.append("!" + line if invert else line)
    return patterns


# How a pattern is matched (after patternmatcher's classification, which
# decides some corner cases, e.g. `**foo` is a plain suffix test).
_EXACT, _PREFIX, _SUFFIX, _REGEXP = "exact", "prefix", "suffix", "regexp"


class Pattern:
    """One cleaned pattern (without its `!`): `match(path)` tests a slash-separated relative path."""

    __slots__ = ("_kind", "_regex", "exclusion", "text")

    def __init__(self, text: str, *, exclusion: bool = False) -> None:
        self.text = text
        self.exclusion = exclusion
        self._kind, self._regex = _compile(text)

    def match(self, path: str) -> bool:
        """Whether `path` itself (not its parents) matches."""
        kind = self._kind
        if kind == _EXACT:
            return path == self.text
        if kind == _PREFIX:
            return path.startswith(self.text[:-2])
        if kind == _SUFFIX:
            suffix = self.text[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        assert self._regex is not None
        return self._regex.fullmatch(path) is not None

    def __str__(self) -> str:
        return ("!" if self.exclusion else "") + self.text

    def __repr__(self) -> str:
        return f"Pattern({str(self)!r})"


def _compile(pattern: str) -> tuple[str, re.Pattern[str] | None]:
    """Classify `pattern` and, when needed, translate it to a regular expression."""
    out: list[str] = []
    kind = _EXACT
    i, n = 0, len(pattern)
    first = True
    while i < n:
        ch = pattern[i]
        i += 1
        if ch == "*":
            if i < n and pattern[i] == "*":
                i += 1
                if i < n and pattern[i] == "/":
                    i += 1
                if i >= n:  # `**` at the end: everything below
                    if kind == _EXACT:
                        kind = _PREFIX
                    else:
                        out.append(".*")
                        kind = _REGEXP
                else:
                    out.append("(?:.*/)?")
                    kind = _REGEXP
                if first:
                    kind = _SUFFIX
            else:
                out.append("[^/]*")
                kind = _REGEXP
        elif ch == "?":
            out.append("[^/]")
            kind = _REGEXP
        elif ch == "\\":
            if i >= n:
                raise DockerignoreError(f"syntax error in pattern {pattern!r}: trailing backslash")
            out.append(re.escape(pattern[i]))
            i += 1
            kind = _REGEXP
        elif ch == "[":
            cls, i = _char_class(pattern, i)
            out.append(cls)
            kind = _REGEXP
        else:
            out.append(re.escape(ch))
        first = False
    if kind != _REGEXP:
        return kind, None
    return kind, re.compile("".join(out))


def _class_char(pattern: str, i: int) -> tuple[str, int]:
    """One (possibly escaped) character of a class, as `filepath.Match` reads it."""
    n = len(pattern)
    if i >= n or pattern[i] in "-]":
        raise DockerignoreError(f"syntax error in pattern {pattern!r}: bad character class")
    if pattern[i] == "\\":
        i += 1
        if i >= n:
            raise DockerignoreError(f"syntax error in pattern {pattern!r}: bad character class")
    ch = pattern[i]
    i += 1
    if i >= n:
        raise DockerignoreError(f"syntax error in pattern {pattern!r}: unterminated character class")
    return ch, i


def _char_class(pattern: str, i: int) -> tuple[str, int]:
    """Translate the class starting after `[` at `i`; return it and the index after `]`."""
    negated = i < len(pattern) and pattern[i] == "^"
    if negated:
        i += 1
    items: list[str] = []
    while True:
        if items and i < len(pattern) and pattern[i] == "]":
            i += 1
            break
        lo, i = _class_char(pattern, i)
        hi = lo
        if pattern[i] == "-":
            hi, i = _class_char(pattern, i + 1)
        if lo > hi:
            # filepath.Match accepts it, but the Docker CLI then fails to match anything with it.
            raise DockerignoreError(f"syntax error in pattern {pattern!r}: invalid character class range {lo}-{hi}")
        items.append(re.escape(lo) if lo == hi else f"{re.escape(lo)}-{re.escape(hi)}")
    return ("[^" if negated else "[") + "".join(items) + "]", i


class PatternMatcher:
    """A list of patterns; `matches(path)` is true when the path is excluded.

    `PatternMatcher(["*.log", "!keep.log"])` or `PatternMatcher.from_dockerignore(text)`.
    """

    __slots__ = ("exclusions", "patterns")

    def __init__(self, patterns: Iterable[str]) -> None:
        compiled: list[Pattern] = []
        for raw in patterns:
            text = raw.strip(_GO_SPACE)
            if not text:
                continue
            text = go_clean(text)
            exclusion = text.startswith("!")
            if exclusion:
                if len(text) == 1:
                    raise DockerignoreError('illegal exclusion pattern: "!"')
                text = text[1:]
            compiled.append(Pattern(text, exclusion=exclusion))
        self.patterns: tuple[Pattern, ...] = tuple(compiled)
        self.exclusions = any(p.exclusion for p in compiled)

    @classmethod
    def from_dockerignore(cls, content: str | bytes) -> PatternMatcher:
        return cls(parse_dockerignore(content))

    def matches(self, path: str) -> bool:
        """Whether `path` (relative, slash-separated) is excluded: the last pattern
        matching it or one of its parent directories decides."""
        path = go_clean(path)
        if path == ".":
            return False
        return self.matches_using_parent(path, None)[0]

    def matches_using_parent(self, path: str, parent: MatchInfo | None) -> tuple[bool, MatchInfo]:
        """Whether `path` is excluded, given `parent`: what this method returned as
        second value for the path's directory (None: work it out from the path).

        The second value is to be passed for the entries of `path` when it is a
        directory. This is the walk of `docker build`'s context, including its
        way of skipping patterns that cannot change the answer.
        """
        if parent is not None and len(parent) != len(self.patterns):
            raise ValueError("parent match info is for another pattern list")
        parents: list[str] | None = None
        matched = False
        info: list[bool] = []
        for index, pattern in enumerate(self.patterns):
            match = parent[index] if parent is not None else False
            if not match:
                if pattern.exclusion != matched:
                    info.append(False)
                    continue
                match = pattern.match(path)
                if not match and parent is None:
                    if parents is None:
                        parents = _parents(path)
                    match = any(pattern.match(p) for p in parents)
            info.append(match)
            if match:
                matched = not pattern.exclusion
        return matched, tuple(info)

    def may_reinclude_below(self, directory: str) -> bool:
        """Whether an exception may re-include something below the excluded
        `directory`, so that the walk must go into it (Docker's test: an
        exception's text starts with `directory/`; wildcards are not expanded)."""
        if not self.exclusions:
            return False
        prefix = directory + "/"
        return any(p.exclusion and (p.text + "/").startswith(prefix) for p in self.patterns)

    def __repr__(self) -> str:
        return f"PatternMatcher({[str(p) for p in self.patterns]!r})"


def _parents(path: str) -> list[str]:
    """`a/b/c` → [`a`, `a/b`]."""
    parts = path.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def escape_pattern(path: str) -> str:
    """A pattern matching exactly `path` (its `*?[\\` escaped)."""
    return re.sub(r"([*?\[\\])", r"\\\1", path)
