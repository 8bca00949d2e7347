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

Malformed and odd patterns behave as in Docker too: a pattern is checked the
way Docker checks it, with Go's `filepath.Match(pattern, ".")`, which reads only
as much of it as it needs (`DockerignoreError` at once); the rest is found out
when the pattern is first used, as Docker then compiles its regular expression
translation (`DockerignoreError` from `matches`). That translation's quirks
are kept: in a pattern with wildcards, classes and escapes follow Go's regexp
syntax (`[[:digit:]]`, `\\d`, `[]a]`), `^` is an anchor, and a trailing
backslash escapes the final `$`, making a prefix test. Only Unicode classes
(`\\pL`) are not supported: such a pattern raises when used.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

from ._errors import DockerignoreError

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


# How a pattern is matched (patternmatcher's classification, which decides
# some corner cases: e.g. `**foo` is a plain suffix test).
_EXACT, _PREFIX, _SUFFIX, _REGEXP = "exact", "prefix", "suffix", "regexp"


class Pattern:
    """One cleaned pattern (without its `!`): `match(path)` tests a slash-separated relative path.

    A pattern that Go's `filepath.Match` rejects raises `DockerignoreError`
    here; one that only fails when first used (as Docker's regular expression
    translation of it does not compile) raises when `match` is called.
    """

    __slots__ = ("_error", "_kind", "_regex", "exclusion", "text")

    def __init__(self, text: str, *, exclusion: bool = False) -> None:
        self.text = text
        self.exclusion = exclusion
        try:
            _fp_match(text, ".")
        except _BadPattern as exc:
            raise DockerignoreError(f"syntax error in pattern {text!r}: {exc}") from None
        self._kind, go_regex = _go_regex(text)
        self._regex: re.Pattern[str] | None = None
        self._error: str | None = None
        if self._kind == _REGEXP:
            try:
                self._regex = re.compile(_GoRegex("^" + go_regex + "$").translate(), re.ASCII)
            except (_BadPattern, re.error) as exc:
                self._error = f"syntax error in pattern {text!r}: {exc}"

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
        if self._regex is None:
            raise DockerignoreError(self._error or f"bad pattern {self.text!r}")
        # Go's MatchString searches; the anchors make it a whole match, except
        # after a trailing backslash, which escapes the `$` (Docker's quirk).
        return self._regex.search(path) is not None

    def __str__(self) -> str:
        return ("!" if self.exclusion else "") + self.text

    def __repr__(self) -> str:
        return f"Pattern({str(self)!r})"


class _BadPattern(Exception):
    pass


# --- Go's filepath.Match, used (as Docker does) only to validate a pattern ---


def _fp_scan_chunk(pattern: str) -> tuple[bool, str, str]:
    star = False
    while pattern.startswith("*"):
        pattern = pattern[1:]
        star = True
    in_range = False
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 < len(pattern):
                i += 1
        elif c == "[":
            in_range = True
        elif c == "]":
            in_range = False
        elif c == "*" and not in_range:
            break
        i += 1
    return star, pattern[:i], pattern[i:]


def _fp_get_esc(chunk: str) -> tuple[str, str]:
    if not chunk or chunk[0] in "-]":
        raise _BadPattern("bad character class")
    if chunk[0] == "\\":
        chunk = chunk[1:]
        if not chunk:
            raise _BadPattern("bad escape")
    ch, chunk = chunk[0], chunk[1:]
    if not chunk:
        raise _BadPattern("unterminated character class")
    return ch, chunk


def _fp_match_chunk(chunk: str, s: str) -> tuple[str, bool]:
    failed = False
    while chunk:
        if not failed and not s:
            failed = True
        c = chunk[0]
        if c == "[":
            r = ""
            if not failed:
                r, s = s[0], s[1:]
            chunk = chunk[1:]
            negated = chunk.startswith("^")
            if negated:
                chunk = chunk[1:]
            matched = False
            count = 0
            while True:
                if chunk.startswith("]") and count > 0:
                    chunk = chunk[1:]
                    break
                lo, chunk = _fp_get_esc(chunk)
                hi = lo
                if chunk[0] == "-":
                    hi, chunk = _fp_get_esc(chunk[1:])
                if lo <= r <= hi:
                    matched = True
                count += 1
            if matched == negated:
                failed = True
            continue
        if c == "?":
            if not failed:
                if s[0] == "/":
                    failed = True
                s = s[1:]
            chunk = chunk[1:]
            continue
        if c == "\\":
            chunk = chunk[1:]
            if not chunk:
                raise _BadPattern("trailing backslash")
        if not failed:
            if chunk[0] != s[0]:
                failed = True
            s = s[1:]
        chunk = chunk[1:]
    return ("", False) if failed else (s, True)


def _fp_match(pattern: str, name: str) -> bool:
    """Go's `filepath.Match`: a malformed pattern raises `_BadPattern`, as far
    as Go's matcher reads the pattern before deciding."""
    while pattern:
        star, chunk, pattern = _fp_scan_chunk(pattern)
        if star and not chunk:
            return "/" not in name
        rest, ok = _fp_match_chunk(chunk, name)
        if ok and (not rest or pattern):
            name = rest
            continue
        if star:
            found = False
            for i in range(len(name)):
                if name[i] == "/":
                    break
                rest, ok = _fp_match_chunk(chunk, name[i + 1 :])
                if ok:
                    if not pattern and rest:
                        continue
                    name = rest
                    found = True
                    break
            if found:
                continue
        return False
    return not name


# --- patternmatcher's translation to a (Go) regular expression ---

_REGEX_ESCAPED = frozenset(".+()|{}$")


def _go_regex(pattern: str) -> tuple[str, str]:
    """The pattern's kind and, for `_REGEXP`, the text of Docker's Go regular
    expression for it (without the `^` and `$` around it)."""
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
                    out.append("(.*/)?")
                    kind = _REGEXP
                if first:
                    kind = _SUFFIX
            else:
                out.append("[^/]*")
                kind = _REGEXP
        elif ch == "?":
            out.append("[^/]")
            kind = _REGEXP
        elif ch in _REGEX_ESCAPED:
            out.append("\\" + ch)
        elif ch == "\\":
            if i < n:
                out.append("\\" + pattern[i])
                i += 1
                kind = _REGEXP
            else:
                out.append("\\")
        elif ch in "[]":
            out.append(ch)
            kind = _REGEXP
        else:
            out.append(ch)
        first = False
    return kind, "".join(out)


# --- the Go regular expressions above, in Python's syntax ---

_MAX_RUNE = 0x10FFFF
_PERL_CLASSES: dict[str, list[tuple[int, int]]] = {
    "d": [(0x30, 0x39)],
    "s": [(0x09, 0x0A), (0x0C, 0x0D), (0x20, 0x20)],
    "w": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
}
_POSIX_CLASSES: dict[str, list[tuple[int, int]]] = {
    "alnum": [(0x30, 0x39), (0x41, 0x5A), (0x61, 0x7A)],
    "alpha": [(0x41, 0x5A), (0x61, 0x7A)],
    "ascii": [(0x00, 0x7F)],
    "blank": [(0x09, 0x09), (0x20, 0x20)],
    "cntrl": [(0x00, 0x1F), (0x7F, 0x7F)],
    "digit": [(0x30, 0x39)],
    "graph": [(0x21, 0x7E)],
    "lower": [(0x61, 0x7A)],
    "print": [(0x20, 0x7E)],
    "punct": [(0x21, 0x2F), (0x3A, 0x40), (0x5B, 0x60), (0x7B, 0x7E)],
    "space": [(0x09, 0x0D), (0x20, 0x20)],
    "upper": [(0x41, 0x5A)],
    "word": [(0x30, 0x39), (0x41, 0x5A), (0x5F, 0x5F), (0x61, 0x7A)],
    "xdigit": [(0x30, 0x39), (0x41, 0x46), (0x61, 0x66)],
}
_CONTROL_ESCAPES = {"a": 7, "f": 12, "t": 9, "n": 10, "r": 13, "v": 11}
_OCTAL = "01234567"
_HEX = "0123456789abcdefABCDEF"


def _negate(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    nxt = 0
    for lo, hi in sorted(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = max(nxt, hi + 1)
    if nxt <= _MAX_RUNE:
        out.append((nxt, _MAX_RUNE))
    return out


def _class_text(ranges: list[tuple[int, int]]) -> str:
    if not ranges:
        return "(?!)"
    items = (f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges)
    return "[" + "".join(items) + "]"


class _GoRegex:
    """Translates the Go regular expressions `_go_regex` makes — literal
    characters, escapes, classes, `.`, `(.*/)?`, `*`/`?` and `^` — to Python,
    raising `_BadPattern` where Go's compiler fails."""

    def __init__(self, src: str) -> None:
        self.src = src
        self.i = 0

    def translate(self) -> str:
        src, n = self.src, len(self.src)
        out: list[str] = []
        while self.i < n:
            c = src[self.i]
            if c == "\\":
                out.append(self._escape_outside())
            elif c == "[":
                out.append(_class_text(self._class()))
            elif c == "(":
                if not src.startswith("(.*/)", self.i):
                    raise _BadPattern("unsupported group")
                out.append("(?:.*/)")
                self.i += 5
            elif c in "*?":
                if not out:
                    raise _BadPattern("missing argument to repetition operator")
                out.append(c)
                self.i += 1
            elif c in ".^":
                out.append(c)
                self.i += 1
            elif c == "$":
                out.append("\\Z")
                self.i += 1
            else:
                out.append(re.escape(c))
                self.i += 1
        return "".join(out)

    def _escape_outside(self) -> str:
        src = self.src
        if self.i + 1 >= len(src):
            raise _BadPattern("trailing backslash at end of expression")
        c = src[self.i + 1]
        if c in "AzbB":
            self.i += 2
            return {"A": "\\A", "z": "\\Z", "b": "\\b", "B": "\\B"}[c]
        if c.lower() in _PERL_CLASSES:
            self.i += 2
            ranges = _PERL_CLASSES[c.lower()]
            return _class_text(_negate(ranges) if c.isupper() else ranges)
        if c == "Q":
            end = src.find("\\E", self.i + 2)
            literal = src[self.i + 2 :] if end < 0 else src[self.i + 2 : end]
            self.i = len(src) if end < 0 else end + 2
            return re.escape(literal)
        return re.escape(chr(self._escape_char()))

    def _escape_char(self) -> int:
        """The character of the escape at `self.i` (a backslash), as Go reads it."""
        src, n = self.src, len(self.src)
        if self.i + 1 >= n:
            raise _BadPattern("trailing backslash at end of expression")
        c = src[self.i + 1]
        self.i += 2
        if c.isascii() and not c.isalnum():
            return ord(c)
        if c in _CONTROL_ESCAPES:
            return _CONTROL_ESCAPES[c]
        if c in _OCTAL:
            digits = c
            if c != "0" and not (self.i < n and src[self.i] in _OCTAL):
                raise _BadPattern("invalid escape sequence (back-references are not supported)")
            while len(digits) < 3 and self.i < n and src[self.i] in _OCTAL:
                digits += src[self.i]
                self.i += 1
            return int(digits, 8)
        if c == "x":
            if self.i < n and src[self.i] == "{":
                end = src.find("}", self.i)
                digits = src[self.i + 1 : end] if end > 0 else ""
                if not digits or any(d not in _HEX for d in digits) or int(digits, 16) > _MAX_RUNE:
                    raise _BadPattern("invalid escape sequence")
                self.i = end + 1
                return int(digits, 16)
            digits = src[self.i : self.i + 2]
            if len(digits) < 2 or any(d not in _HEX for d in digits):
                raise _BadPattern("invalid escape sequence")
            self.i += 2
            return int(digits, 16)
        raise _BadPattern(f"invalid escape sequence \\{c}")

    def _class(self) -> list[tuple[int, int]]:
        """The class at `self.i` (`[`), in Go's syntax, as code point ranges."""
        src, n = self.src, len(self.src)
        self.i += 1
        negated = self.i < n and src[self.i] == "^"
        if negated:
            self.i += 1
        ranges: list[tuple[int, int]] = []
        first = True
        while self.i >= n or src[self.i] != "]" or first:
            if self.i >= n:
                raise _BadPattern("missing closing ]")
            first = False
            if src.startswith("[:", self.i):
                end = src.find(":]", self.i + 2)
                if end >= 0:
                    name = src[self.i + 2 : end]
                    group = _POSIX_CLASSES.get(name.removeprefix("^"))
                    if group is None:
                        raise _BadPattern(f"invalid character class range [:{name}:]")
                    ranges += _negate(group) if name.startswith("^") else group
                    self.i = end + 2
                    continue
            if src.startswith("\\", self.i) and self.i + 1 < n:
                c = src[self.i + 1]
                if c.lower() in _PERL_CLASSES:
                    group = _PERL_CLASSES[c.lower()]
                    ranges += _negate(group) if c.isupper() else group
                    self.i += 2
                    continue
                if c in "pP":
                    raise _BadPattern("Unicode classes are not supported")
            lo = self._class_char()
            hi = lo
            if self.i + 1 < n and src[self.i] == "-" and src[self.i + 1] != "]":
                self.i += 1
                hi = self._class_char()
                if hi < lo:
                    raise _BadPattern(f"invalid character class range {chr(lo)}-{chr(hi)}")
            ranges.append((lo, hi))
        self.i += 1
        return _negate(ranges) if negated else ranges

    def _class_char(self) -> int:
        src = self.src
        if self.i >= len(src):
            raise _BadPattern("missing closing ]")
        if src[self.i] == "\\":
            return self._escape_char()
        self.i += 1
        return ord(src[self.i - 1])


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
    """A pattern matching exactly `path` (its `*?[\\^` and a leading `!` escaped)."""
    escaped = re.sub(r"([*?\[\\^])", r"\\\1", path)
    return "\\" + escaped if escaped.startswith("!") else escaped
