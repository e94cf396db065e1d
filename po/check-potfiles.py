#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# check-potfiles.py: po/POTFILES.in lists every file with translatable strings
#
# Usage: check-potfiles.py SOURCE_ROOT
#
# Walks src/, ui/ and data/ of the source tree (tracked or not), finds every
# file that holds a string for translators, and fails when one of them is
# missing from po/POTFILES.in, when POTFILES.in names a file that does not
# exist, lists a file twice, or is not sorted (byte order, as `LC_ALL=C sort`).

import os
import re
import sys

SCANNED_DIRS = ("src", "ui", "data")

# _("..."), N_("..."), C_("ctx", "..."), NC_(...) and the glib plural and
# context helpers. \b keeps identifiers such as foo_( from matching.
C_CALL = re.compile(r"\b(?:_|N_|C_|NC_|g_dngettext|g_dpgettext2|ngettext)\s*\(")
UI_TRANSLATABLE = re.compile(r"""\btranslatable\s*=\s*["'](?:yes|true|1)["']""",
                             re.IGNORECASE)
DESKTOP_KEY = re.compile(r"^(?:Name|GenericName|Comment|Keywords)\s*=\s*\S",
                         re.MULTILINE)
# Elements that the AppStream ITS rules extract unless marked translate="no".
METAINFO_ELEMENT = re.compile(
    r"<(name|summary|p|li|caption|developer_name)\b(?![^>]*\btranslate\s*=\s*[\"']no[\"'])[^>]*>",
)
GSCHEMA_ELEMENT = re.compile(r"<(summary|description)\b[^>]*>")


def strip_c_comments_and_strings(text):
    """Blanks out comments and literals so that `_(` inside them is ignored."""
    out = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            out.append(" ")
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + c)
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def has_translatable_strings(path):
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except (UnicodeDecodeError, OSError):
        return False

    if name.endswith((".c", ".h")):
        return bool(C_CALL.search(strip_c_comments_and_strings(text)))
    if name.endswith(".ui"):
        return bool(UI_TRANSLATABLE.search(text))
    if name.endswith(".desktop.in"):
        return bool(DESKTOP_KEY.search(text))
    if name.endswith((".metainfo.xml.in", ".appdata.xml.in")):
        return bool(METAINFO_ELEMENT.search(text))
    if name.endswith(".gschema.xml"):
        return bool(GSCHEMA_ELEMENT.search(text))
    return False


def read_potfiles(path):
    entries = []
    with open(path, encoding="utf-8") as f:
        for number, line in enumerate(f, start=1):
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            entries.append((number, line))
    return entries


def main(argv):
    if len(argv) != 2:
        print("usage: %s SOURCE_ROOT" % argv[0], file=sys.stderr)
        return 2
    root = os.path.abspath(argv[1])
    potfiles_path = os.path.join(root, "po", "POTFILES.in")
    problems = []

    entries = read_potfiles(potfiles_path)
    listed = [e for _, e in entries]

    seen = set()
    for number, entry in entries:
        if entry in seen:
            problems.append("po/POTFILES.in:%d: %s is listed twice" % (number, entry))
        seen.add(entry)
        if not os.path.isfile(os.path.join(root, entry)):
            problems.append("po/POTFILES.in:%d: %s does not exist" % (number, entry))

    sorted_listed = sorted(listed, key=lambda s: s.encode("utf-8"))
    if listed != sorted_listed:
        for a, b in zip(listed, sorted_listed):
            if a != b:
                problems.append("po/POTFILES.in is not sorted: %s should come "
                                "before %s (sort it with `LC_ALL=C sort`)" % (b, a))
                break

    needed = []
    for top in SCANNED_DIRS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames.sort()
            for filename in sorted(filenames):
                path = os.path.join(dirpath, filename)
                if has_translatable_strings(path):
                    needed.append(os.path.relpath(path, root).replace(os.sep, "/"))

    for path in needed:
        if path not in seen:
            problems.append("%s has translatable strings but is missing from "
                            "po/POTFILES.in" % path)

    for problem in problems:
        print(problem)
    print("%d files with translatable strings, %d listed in po/POTFILES.in, "
          "%d problems" % (len(needed), len(listed), len(problems)))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
