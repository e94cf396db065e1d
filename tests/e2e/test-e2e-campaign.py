#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-e2e-campaign.py: a campaign from a segment to its results, driven
# through AT-SPI as a user would
#
# On demo data: builds a segment on the Segments page and saves it,
# creates a campaign in the assistant (audience = that segment, content
# from a template), previews it as a real contact, sends it to the local
# provider emulator (tests/e2e/ct-e2e-emulator, the one the outbox tests
# use, speaking SendGrid), and sees the recipients, then after "Update
# Results" the deliveries and opens, on the Campaigns page. One member of
# the segment is on the suppression list and must not be mailed.
#
# Widgets are found by accessible name and role, never by position:
# the page switcher's "Segments" and "Campaigns"; on the Segments page
# "Add condition", "Save" and the save dialog's entry; on the Campaigns
# page "New Campaign", "Update Results" and the result buttons
# ("Recipients N", "Delivered N", "Opened N"); in the assistant the
# drop-downs "Audience", "Template" and "Preview as", the entry
# "Campaign name", the buttons "Use Template", "Next" and "Send", and
# the label starting "Subject: ". Drop-down items are picked with the
# keyboard (GTK 4.8 gives list items in a popover no action), so the
# registry daemon gets the display to send key events through XTest.
#
# Runs under dbus-run-session and xvfb-run (see tests/meson.build);
# prints TAP.

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi, GLib  # noqa: E402

CLIENTELE = os.environ["CLIENTELE_BIN"]
EMULATOR = os.environ["CLIENTELE_E2E_EMULATOR"]
KEY = "SG.e2e-test-key"
TIMEOUT = 30.0
SEGMENT = "E2E audience"
CAMPAIGN = "E2E welcome"
KEY_UP, KEY_DOWN, KEY_RETURN = 0xFF52, 0xFF54, 0xFF0D

results = []


def tap(ok, name, detail=""):
    results.append(bool(ok))
    print("%s %d - %s" % ("ok" if ok else "not ok", len(results), name), flush=True)
    for d in (detail or "").splitlines():
        print("# " + d, flush=True)
    return ok


def wait_for(what, func, timeout=TIMEOUT):
    """Polls func until it returns something true; clicks are asynchronous."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            value = func()
        except GLib.Error:
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError("timed out waiting for " + what)


def role(node):
    try:
        return node.get_role_name()
    except GLib.Error:
        return ""


def name(node):
    try:
        return node.get_name() or ""
    except GLib.Error:
        return ""


def text(node):
    try:
        iface = node.get_text_iface()
        return iface.get_text(0, -1) if iface is not None else ""
    except (GLib.Error, AttributeError):
        return ""


def on_screen(node):
    """GTK 4.8 gives the widgets of a hidden stack page empty extents."""
    try:
        component = node.get_component_iface()
        if component is None:
            return True
        e = component.get_extents(Atspi.CoordType.WINDOW)
        return e.width > 0 and e.height > 0
    except GLib.Error:
        return False


def walk(node, depth=0):
    """What is on screen, pruning hidden pages: walking the whole tree of
    a window with long lists takes half a minute."""
    if node is None or depth > 80 or (depth > 0 and not on_screen(node)):
        return
    yield node
    try:
        n = node.get_child_count()
    except GLib.Error:
        return
    for i in range(min(n, 300)):
        try:
            child = node.get_child_at_index(i)
        except GLib.Error:
            continue
        yield from walk(child, depth + 1)


def find(root, pred):
    for node in walk(root):
        if pred(node):
            return node
    return None


def named(label):
    """GTK 4.8 names a button with a mnemonic "_Save Save"."""
    return lambda n: name(n) == label or name(n).endswith(" " + label)


BUTTONS = ("push button", "toggle button", "page tab", "radio button", "check box")


def button(root, label):
    return find(root, lambda n: role(n) in BUTTONS and named(label)(n))


def click(node):
    action = node.get_action_iface()
    if action is None:
        raise RuntimeError("%s %r has no action" % (role(node), name(node)))
    action.do_action(0)


def click_button(root, label):
    click(wait_for("the button " + label, lambda: button(root, label)))


def toplevel(app, title):
    for i in range(app.get_child_count()):
        w = app.get_child_at_index(i)
        if w is not None and name(w) == title:
            return w
    return None


def find_app(pid):
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        try:
            if app is not None and app.get_process_id() == pid:
                return app
        except GLib.Error:
            continue
    return None


def labels_in(root):
    return [name(n) or text(n) for n in walk(root) if role(n) == "label"]


def label_matching(root, pattern):
    rx = re.compile(pattern)
    for n in walk(root):
        if role(n) == "label":
            m = rx.search(name(n) or text(n))
            if m:
                return m
    return None


def key(sym):
    Atspi.generate_keyboard_event(sym, None, Atspi.KeySynthType.SYM)
    time.sleep(0.15)


def dropdown_shown(combo):
    """The label the closed drop-down shows: the one in its button."""
    toggle = find(combo, lambda n: role(n) in ("push button", "toggle button"))
    return [l for l in labels_in(toggle) if l] if toggle is not None else []


def choose(combo, want):
    """Opens a drop-down and picks the item whose label is want (a
    function of the label), with the arrow keys and Return."""
    toggle = find(combo, lambda n: role(n) in ("push button", "toggle button"))
    before = dropdown_shown(combo)
    click(toggle)
    items = wait_for("the drop-down's list", lambda: [
        n for n in walk(combo) if role(n) == "list item"])
    labels = []
    for item in items:
        found = [l for l in labels_in(item) if l]
        labels.append(found[0] if found else "")
    target = next(i for i, l in enumerate(labels) if want(l))
    current = next((i for i, l in enumerate(labels) if before and l == before[0]), 0)
    time.sleep(0.5)
    for _ in range(abs(target - current)):
        key(KEY_DOWN if target > current else KEY_UP)
    key(KEY_RETURN)
    wait_for("the drop-down to show " + labels[target],
             lambda: labels[target] in dropdown_shown(combo))
    return labels[target]


def choose_another(combo):
    """Opens a drop-down with a search entry and picks another item with
    the arrow keys and Return; returns the label it then shows."""
    toggle = find(combo, lambda n: role(n) in ("push button", "toggle button"))
    before = dropdown_shown(combo)
    click(toggle)
    wait_for("the drop-down's list", lambda: [n for n in walk(combo) if role(n) == "list item"])
    time.sleep(0.5)
    for _ in range(3):
        key(KEY_DOWN)
    key(KEY_RETURN)
    return wait_for("the drop-down to change", lambda: dropdown_shown(combo) != before
                    and dropdown_shown(combo)[0])


class Emulator:
    def __init__(self):
        self.proc = subprocess.Popen([EMULATOR, "sendgrid", KEY], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline().split()
        assert line[0] == "URL", line
        self.url = line[1]

    def ask(self, command):
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()
        return self.proc.stdout.readline().rstrip("\n").split(" ", 1)[1]

    def violations(self):
        n = int(self.ask("violations"))
        return [self.proc.stdout.readline().rstrip("\n") for _ in range(n)]

    def close(self):
        try:
            self.proc.stdin.close()
            self.proc.wait(10)
        except Exception:
            self.proc.kill()


def cli(env, *args):
    r = subprocess.run([CLIENTELE] + list(args), env=env, capture_output=True, text=True)
    return r.returncode == 0, r.stdout + r.stderr


def main():
    tmp = tempfile.mkdtemp(prefix="clientele-e2e-campaign-")
    db_path = os.path.join(tmp, "business.db")
    proc = None
    emulator = None
    print("TAP version 13", flush=True)
    try:
        env = dict(os.environ)
        env.pop("GTK_A11Y", None)
        env.pop("NO_AT_BRIDGE", None)
        env.update(LANG="C.UTF-8", LANGUAGE="en", GSETTINGS_BACKEND="memory",
                   CLIENTELE_PROVIDER_KEY=KEY, XDG_DATA_HOME=os.path.join(tmp, "data"))
        # The accessibility registry is started by D-Bus, with the bus's
        # environment: give it the display, or synthesised keys go nowhere.
        subprocess.run(["dbus-update-activation-environment",
                        "DISPLAY=" + os.environ.get("DISPLAY", ""),
                        "XAUTHORITY=" + os.environ.get("XAUTHORITY", "")], check=False)

        ok, out = cli(env, "demo", "--db", db_path, "--contacts", "400", "--seed", "11")
        tap(ok, "clientele demo fills a database", out)

        emulator = Emulator()
        ok, out = cli(env, "provider", "set", "sendgrid", "--base-url", emulator.url,
                      "--from", "Owner <owner@example.com>",
                      "--postal-address", "1 Test Street, 100000 Beijing", "--db", db_path)
        tap(ok, "the provider points at the local emulator", out)

        # The segment the page builds by default is the first tag; who is
        # in it and may be mailed, less one put on the suppression list.
        con = sqlite3.connect(db_path)
        tag = con.execute("SELECT name FROM tags ORDER BY name COLLATE NOCASE LIMIT 1").fetchone()[0]
        member_sql = (" FROM contacts c JOIN contact_tags x ON x.contact_id = c.id"
                      " JOIN tags t ON t.id = x.tag_id WHERE t.name = ?"
                      " AND c.status = 'subscribed' AND coalesce(trim(c.email), '') != ''")
        rows = con.execute("SELECT c.email, c.first_name" + member_sql + " ORDER BY c.id", (tag,)).fetchall()
        con.close()
        members = [r[0] for r in rows]
        first_names = dict(rows)
        suppressed = members[0]
        ok, out = cli(env, "suppression", "add", suppressed, "--reason", "asked by phone", "--db", db_path)
        tap(ok, "one member of the segment is suppressed", out)
        expected = len(members) - 1
        tap(expected > 5, "the segment has members to mail", "%d" % expected)

        # xvfb-run can hand over its display a moment before the server
        # takes clients: an app that could not open it is started again.
        for attempt in range(5):
            proc = subprocess.Popen([CLIENTELE, "--db", db_path], env=env)
            app = wait_for("the app on the accessibility bus",
                           lambda: find_app(proc.pid) or proc.poll() is not None)
            if app is not True:
                break
            time.sleep(1)
        tap(app is not True, "the app shows up on the accessibility bus", "%d attempts" % (attempt + 1))
        main_window = wait_for("the main window", lambda: toplevel(app, "Clientele"))

        # Segments: a condition (the first tag, by default), then save.
        click_button(main_window, "Segments")
        click_button(main_window, "Add condition")
        picker = wait_for("the condition's value", lambda: label_matching(main_window, "^" + re.escape(tag) + "$"))
        tap(picker is not None, "the new condition is on tag %s" % tag)
        click_button(main_window, "Save")
        dialog = wait_for("the save dialog", lambda: toplevel(app, "Save Segment"))
        entry = wait_for("the name entry", lambda: find(dialog, lambda n: n.get_editable_text_iface() is not None))
        entry.get_editable_text_iface().set_text_contents(SEGMENT)
        click_button(dialog, "Save")
        ok = wait_for("the saved segment", lambda: label_matching(main_window, "^" + re.escape(SEGMENT) + "$"))
        tap(ok, "the segment is saved on the Segments page")

        # The assistant: audience, template, preview, send.
        click_button(main_window, "Campaigns")
        click_button(main_window, "New Campaign")
        assistant = wait_for("the assistant", lambda: toplevel(app, "New Campaign"))
        audience = wait_for("the audience drop-down", lambda: find(
            assistant, lambda n: role(n) == "combo box" and name(n) == "Audience"))
        picked = choose(audience, lambda l: SEGMENT in l and l.startswith("Segment"))
        m = wait_for("the audience count", lambda: label_matching(
            assistant, r"^(\d+) contacts? will receive it\.\n(\d+) (?:is|are) left out"))
        tap(int(m.group(1)) == expected,
            "audience %s: the assistant counts %s recipients, %s left out" % (picked, m.group(1), m.group(2)),
            "expected %d" % expected)

        click_button(assistant, "Next")
        template = wait_for("the template drop-down", lambda: find(
            assistant, lambda n: role(n) == "combo box" and name(n) == "Template"))
        choose(template, lambda l: l == "Welcome (English)")
        click_button(assistant, "Use Template")
        name_entry = wait_for("the campaign name entry", lambda: find(
            assistant, lambda n: name(n) == "Campaign name" and n.get_editable_text_iface() is not None))
        name_entry.get_editable_text_iface().set_text_contents(CAMPAIGN)
        click_button(assistant, "Next")
        preview = wait_for("the preview drop-down", lambda: find(
            assistant, lambda n: role(n) == "combo box" and name(n) == "Preview as"))
        # Another contact than the one shown first, to see the preview
        # follow. The list has a search entry that takes the first arrow
        # key in ways that vary, so whichever contact the keys land on
        # is the one checked.
        shown = wait_for("a contact to preview as", lambda: dropdown_shown(preview))
        picked = choose_another(preview)
        tap(picked != shown[0], "the preview can be switched to another contact",
            "from %r to %r" % (shown[0], picked))
        m = re.search(r"<([^>]+)>$", picked)
        preview_email = m.group(1) if m else picked
        want = "Subject: Welcome, %s!" % (first_names.get(preview_email) or "friend")
        ok = True
        try:
            wait_for("the preview's subject", lambda: label_matching(assistant, "^" + re.escape(want) + "$"))
        except TimeoutError:
            ok = False
        tap(ok, "the preview as %s shows %r" % (preview_email, want),
            "labels: %r" % [l for l in labels_in(assistant) if l.startswith("Subject")])

        click_button(assistant, "Next")
        wait_for("the send step", lambda: button(assistant, "Send"))
        click_button(assistant, "Send")

        # The Campaigns page: recipients once it is sent.
        def result(label):
            m = label_matching(main_window, r"^%s (\d+)$" % label) or None
            b = find(main_window, lambda n: role(n) == "push button"
                     and re.match(r"^%s \d+$" % label, name(n)))
            if b is not None:
                return int(name(b).split()[-1])
            return int(m.group(1)) if m else None

        ok = True
        try:
            wait_for("the campaign to be sent", lambda: label_matching(main_window, "^Sent$")
                     and result("Recipients") == expected, timeout=60)
        except TimeoutError:
            ok = False
        tap(ok, "the Campaigns page shows %d recipients, sent" % expected,
            "shown: %r; labels: %r" % (result("Recipients"), labels_in(main_window)[-12:]))
        tap(result("Delivered") == 0, "nothing is counted delivered before the provider says so",
            "shown: %r" % result("Delivered"))

        count = emulator.ask("count").split()
        tap(count == [str(expected), str(expected)],
            "the emulator got one message for each of the %d recipients" % expected, "got %r" % count)
        tap(emulator.ask("has " + suppressed) == "0", "the suppressed address got nothing")
        got = emulator.ask("subject " + preview_email)
        tap(got == want[len("Subject: "):], "%s got the subject the preview showed" % preview_email,
            "got %r" % got)

        # The provider reports them delivered and opened; the page pulls it.
        tap(emulator.ask("open-all") == str(expected), "the provider records every recipient's open")
        click_button(main_window, "Update Results")
        ok = True
        try:
            wait_for("the deliveries", lambda: result("Delivered") == expected
                     and result("Opened") == expected)
        except TimeoutError:
            ok = False
        tap(ok, "after Update Results the page shows %d delivered and opened" % expected,
            "delivered %r, opened %r" % (result("Delivered"), result("Opened")))
        violations = emulator.violations()
        tap(not violations, "every request kept to the provider's contract", "\n".join(violations))
    except Exception as e:  # report, never hang
        tap(False, "end-to-end campaign run", repr(e))
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if emulator is not None:
            emulator.close()
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(results), flush=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
