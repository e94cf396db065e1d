#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
# test-e2e.py: drives the real Clientele app through AT-SPI, as a user would
#
# Fills a fresh database with `clientele demo`, starts the app on it, switches
# between the views, searches a contact by a Chinese name and opens its
# detail. Runs under dbus-run-session and xvfb-run (see tests/meson.build);
# prints TAP.

import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time

import gi

gi.require_version("Atspi", "2.0")
from gi.repository import Atspi  # noqa: E402

CLIENTELE = os.environ["CLIENTELE_BIN"]
TIMEOUT = 30.0

results = []


def tap(ok, name, detail=""):
    results.append(ok)
    line = "%s %d - %s" % ("ok" if ok else "not ok", len(results), name)
    print(line, flush=True)
    if detail:
        for d in detail.splitlines():
            print("# " + d, flush=True)


def wait_for(what, func, timeout=TIMEOUT):
    """Polls func until it returns something true; clicks are asynchronous."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            value = func()
        except gi.repository.GLib.Error:
            value = None
        if value:
            return value
        time.sleep(0.2)
    raise TimeoutError("timed out waiting for " + what)


def walk(node, depth=0, max_depth=60):
    if node is None or depth > max_depth:
        return
    yield node
    try:
        n = node.get_child_count()
    except gi.repository.GLib.Error:
        return
    for i in range(n):
        try:
            child = node.get_child_at_index(i)
        except gi.repository.GLib.Error:
            continue
        yield from walk(child, depth + 1, max_depth)


def role(node):
    try:
        return node.get_role_name()
    except gi.repository.GLib.Error:
        return ""


def name(node):
    try:
        return node.get_name() or ""
    except gi.repository.GLib.Error:
        return ""


def is_showing(node):
    """GTK 4.8 sets neither SHOWING nor a useful VISIBLE on widgets of a
    hidden stack page, but gives them empty extents; a widget on screen
    has a size."""
    try:
        component = node.get_component_iface()
        if component is None:
            return False
        extents = component.get_extents(Atspi.CoordType.WINDOW)
        return extents.width > 0 and extents.height > 0
    except gi.repository.GLib.Error:
        return False


def find(root, pred):
    for node in walk(root):
        if pred(node):
            return node
    return None


def find_app(proc):
    desktop = Atspi.get_desktop(0)
    for i in range(desktop.get_child_count()):
        app = desktop.get_child_at_index(i)
        if app is None:
            continue
        try:
            if app.get_process_id() == proc.pid:
                return app
        except gi.repository.GLib.Error:
            continue
    return None


def texts_showing(root):
    out = []
    for node in walk(root):
        if not is_showing(node):
            continue
        n = name(node)
        if n:
            out.append(n)
        if role(node) in ("label", "text"):
            try:
                t = node.get_text_iface()
                if t is not None:
                    out.append(t.get_text(0, -1))
            except (gi.repository.GLib.Error, AttributeError):
                pass
    return out


def click(node):
    action = node.get_action_iface()
    if action is None:
        raise RuntimeError("%s %r has no action" % (role(node), name(node)))
    action.do_action(0)


def main():
    tmp = tempfile.mkdtemp(prefix="clientele-e2e-")
    db_path = os.path.join(tmp, "business.db")
    proc = None
    print("TAP version 13", flush=True)
    try:
        env = dict(os.environ)
        env.pop("GTK_A11Y", None)
        env.pop("NO_AT_BRIDGE", None)
        env["LANG"] = "C.UTF-8"
        env["LANGUAGE"] = "en"
        env["GSETTINGS_BACKEND"] = "memory"

        demo = subprocess.run([CLIENTELE, "demo", "--db", db_path,
                               "--contacts", "400", "--seed", "11"],
                              env=env, capture_output=True, text=True)
        tap(demo.returncode == 0, "clientele demo fills a database",
            demo.stdout + demo.stderr)

        # A Chinese-named contact to look for, chosen from what demo made.
        con = sqlite3.connect(db_path)
        row = con.execute(
            "SELECT last_name || first_name, email FROM contacts"
            " WHERE unicode(last_name) BETWEEN 19968 AND 40959"
            " AND email IS NOT NULL ORDER BY id LIMIT 1").fetchone()
        con.close()
        tap(row is not None, "the demo has contacts with Chinese names")
        chinese_name, email = row

        proc = subprocess.Popen([CLIENTELE, "--db", db_path], env=env)
        app = wait_for("the app on the accessibility bus", lambda: find_app(proc))
        tap(True, "the app shows up on the accessibility bus")

        def tab(label):
            return find(app, lambda n: name(n) == label and is_showing(n)
                        and role(n) in ("toggle button", "push button", "radio button",
                                        "page tab", "button"))

        for page, expect in (("Purchases", "Amount"), ("Products", "Price"),
                             ("Contacts", "Email")):
            button = wait_for("the %s switcher button" % page, lambda: tab(page))
            click(button)
            ok = True
            try:
                wait_for("the %s page" % page,
                         lambda: expect in texts_showing(app))
            except TimeoutError:
                ok = False
            tap(ok, "switching to %s shows its list" % page)

        search = wait_for("the contact search entry", lambda: find(
            app, lambda n: name(n) == "Search contacts" and is_showing(n)))
        editable = find(search, lambda n: n.get_editable_text_iface() is not None)
        tap(editable is not None, "the search entry is editable through AT-SPI")
        editable.get_editable_text_iface().set_text_contents(chinese_name)

        def matching_cell():
            return find(app, lambda n: is_showing(n) and role(n) in ("label", "table cell", "text")
                        and email in (name(n) + " " + "".join(
                            n.get_text_iface().get_text(0, -1) if n.get_text_iface() else "")))

        ok = True
        try:
            cell = wait_for("the search result", matching_cell)
        except TimeoutError:
            ok = False
        tap(ok, "searching %s finds the contact" % chinese_name)

        # Open the detail: select the row holding the email.
        if ok:
            row_node = cell
            while row_node is not None and role(row_node) not in ("table row", "row", "list item"):
                row_node = row_node.get_parent()
            target = row_node or cell
            sel = target.get_parent().get_selection_iface() if target.get_parent() else None
            if sel is not None:
                sel.select_child(target.get_index_in_parent())
            else:
                click(target)

            def detail_open():
                return find(app, lambda n: is_showing(n) and role(n) == "label"
                            and name(n) == chinese_name)
            ok = True
            try:
                wait_for("the contact detail", detail_open)
            except TimeoutError:
                ok = False
            tap(ok, "selecting the contact opens its detail")
        else:
            tap(False, "selecting the contact opens its detail", "no row to select")
    except Exception as e:  # report, never hang
        tap(False, "end-to-end run", repr(e))
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % len(results), flush=True)
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
