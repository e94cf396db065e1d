#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# check-translations.py: every language in po/LINGUAS is complete
#
# Usage: check-translations.py SOURCE_ROOT
#
# Extracts a fresh template from the files in po/POTFILES.in (as the meson
# glib preset does), merges each po/LANG.po against it in a temporary
# directory and fails when any message is untranslated or fuzzy, or when
# msgfmt --check finds an error. The po files themselves are never touched.

import os
import re
import shutil
import subprocess
import sys
import tempfile

# The keywords and flags of meson's i18n 'glib' preset.
XGETTEXT_ARGS = [
    "--from-code=UTF-8",
    "--add-comments",
    "--keyword=_",
    "--keyword=N_",
    "--keyword=C_:1c,2",
    "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2",
    "--keyword=g_dngettext:2,3",
    "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format",
    "--flag=C_:2:pass-c-format",
    "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format",
    "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format",
    "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format",
    "--flag=g_set_error:4:c-format",
    "--flag=g_markup_printf_escaped:1:c-format",
    "--flag=g_log:3:c-format",
    "--flag=g_print:1:c-format",
    "--flag=g_printerr:1:c-format",
    "--flag=g_printf:1:c-format",
    "--flag=g_fprintf:2:c-format",
    "--flag=g_sprintf:2:c-format",
    "--flag=g_snprintf:3:c-format",
]

STATISTICS = re.compile(r"(\d+) (translated|fuzzy|untranslated)")


def run(cmd, **kwargs):
    return subprocess.run(cmd, capture_output=True, text=True, **kwargs)


def tool(name):
    path = shutil.which(name)
    if path is None:
        print("%s is not installed (package gettext)" % name)
        sys.exit(1)
    return path


def list_messages(msgattrib, po, which):
    """The msgids msgattrib selects (--untranslated or --only-fuzzy)."""
    result = run([msgattrib, which, "--no-obsolete", "--no-wrap", po])
    ids = []
    for block in re.findall(r'^msgid ((?:".*"\n)+)', result.stdout, re.MULTILINE):
        text = "".join(re.findall(r'"(.*)"', block))
        if text:
            ids.append(text)
    return ids


def main(argv):
    if len(argv) != 2:
        print("usage: %s SOURCE_ROOT" % argv[0], file=sys.stderr)
        return 2
    root = os.path.abspath(argv[1])
    po_dir = os.path.join(root, "po")
    xgettext = tool("xgettext")
    msgmerge = tool("msgmerge")
    msgfmt = tool("msgfmt")
    msgattrib = tool("msgattrib")

    with open(os.path.join(po_dir, "LINGUAS"), encoding="utf-8") as f:
        languages = [w for line in f
                     for w in line.split("#", 1)[0].split()]
    if not languages:
        print("po/LINGUAS names no language")
        return 1

    failed = False
    with tempfile.TemporaryDirectory(prefix="clientele-po-") as tmp:
        pot = os.path.join(tmp, "clientele.pot")
        result = run([xgettext, *XGETTEXT_ARGS,
                      "--package-name=clientele",
                      "--directory=" + root,
                      "--files-from=" + os.path.join(po_dir, "POTFILES.in"),
                      "--output=" + pot])
        if result.returncode != 0 or not os.path.exists(pot):
            print("xgettext failed to extract the messages:")
            print(result.stderr.strip() or "(no template written)")
            return 1

        for lang in languages:
            po = os.path.join(po_dir, lang + ".po")
            if not os.path.isfile(po):
                print("po/%s.po is missing although po/LINGUAS lists %s" % (lang, lang))
                failed = True
                continue

            merged = os.path.join(tmp, lang + ".po")
            result = run([msgmerge, "--quiet", "--output-file=" + merged, po, pot])
            if result.returncode != 0:
                print("msgmerge failed on po/%s.po:" % lang)
                print(result.stderr.strip())
                failed = True
                continue

            result = run([msgfmt, "--statistics", "--check",
                          "--output-file=" + os.devnull, merged])
            counts = {kind: int(n) for n, kind in STATISTICS.findall(result.stderr)}
            translated = counts.get("translated", 0)
            fuzzy = counts.get("fuzzy", 0)
            untranslated = counts.get("untranslated", 0)
            print("po/%s.po: %d translated, %d fuzzy, %d untranslated"
                  % (lang, translated, fuzzy, untranslated))

            if result.returncode != 0:
                print("msgfmt --check found errors in po/%s.po:" % lang)
                print(result.stderr.strip())
                failed = True
            if translated == 0:
                print("po/%s.po translates nothing" % lang)
                failed = True
            for msgid in list_messages(msgattrib, merged, "--untranslated"):
                print("  untranslated: \"%s\"" % msgid)
            for msgid in list_messages(msgattrib, merged, "--only-fuzzy"):
                print("  fuzzy (check and remove the fuzzy flag): \"%s\"" % msgid)
            if fuzzy or untranslated:
                print("po/%s.po is incomplete: update it with "
                      "`meson compile -C build clientele-update-po` and "
                      "translate the messages above" % lang)
                failed = True

    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
