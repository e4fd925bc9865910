"""The login screen's QEMU cases (docs/login.md, user/apps/greeter): the default system with
make gui's devices and an ext3 disk (the users service makes the account nexus on it), driven
through QMP as a person would: keys, clicks, and the screen read back."""
import os
import re
import shutil
import tempfile
import time

from login_tests import login_disk
from net_tests import manifest_with, shell
from qemu import ROOT, Console, archive_with_manifest
from qmp import (FIRST_PASSWORD, GUI_DEVICES, LOGIN_NAME, LOGIN_PASSWORD, LOGIN_PROBES, QMP, SCREEN_W,
                 TERMINAL_AT, gui_login, gui_login_refused, is_login_screen, pixel, png_rgb,
                 qmp_pointer_to, qmp_tap, qmp_type, region, screen_shot, wait_for_login_screen,
                 wait_for_terminal)

GREETING = os.path.join(ROOT, "tests", "host", "data", "golden", "terminal_boot.png")
WRONG = ("wrong1", "wrong22")   # never to be seen on the console
STEP_S = 30


def boot_gui(name, initrd=None, extra=()):
    """Boot with make gui's devices (and the QEMU arguments extra) and a fresh ext3 disk: the
    console, QMP, its directory and a scratch screendump path."""
    qmp_dir = tempfile.mkdtemp(prefix="nexus-qmp-")
    sock, ppm = os.path.join(qmp_dir, "qmp.sock"), os.path.join(qmp_dir, "screen.ppm")
    con = Console(disk=login_disk(name), extra=list(extra) +
                  ["-qmp", f"unix:{sock},server=on,wait=off"] + GUI_DEVICES,
                  **({"initrd": initrd} if initrd else {}))
    return con, QMP(sock), qmp_dir, ppm


def shut_down(con, qmp, qmp_dir, program, problems, user="nexus"):
    """The greeter's log must show the session of program started and ended (the last
    session's: user's); QEMU stopped. The console's text."""
    problems += shell(con, "log | grep greeter\r",
                      [rf"I greeter: session of {user} started: " + re.escape(program),
                       rf"I greeter: session of {user} ended"])[0]
    qmp.close()
    con.close(timeout=0)
    shutil.rmtree(qmp_dir, ignore_errors=True)
    return con.text()


def wait_changed(qmp, ppm, rect, before, timeout=STEP_S):
    """The screen once rect differs from before (its bytes), or None."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        screen = screen_shot(qmp, ppm)
        if region(screen, rect) != before:
            return screen
        time.sleep(0.3)
    return None


def typed_shows(qmp, ppm, problems):
    """Typing into the name and password fields changes their pixels (the password's as
    bullets: the text itself is never drawn, which the golden cannot show but the log can)."""
    screen = screen_shot(qmp, ppm)
    for rect, text, what in ((LOGIN_NAME, "abc", "name"), (LOGIN_PASSWORD, "xyz", "password")):
        before = region(screen, rect)
        if what == "password":
            qmp_tap(qmp, "tab")
        qmp_type(qmp, text)
        screen = wait_changed(qmp, ppm, rect, before)
        if screen is None:
            problems.append(f"typing into the {what} field changed nothing on the screen")
            return


def confined(con, qmp, ppm, problems):
    """In the session's Terminal (focused): another home and /etc/users are out of reach, the
    own home is "/"; the serial console's shell (the whole disk) reads what it wrote."""
    lines = ["cat /home/other/secret.txt > /r1.txt", "cat /etc/users >> /r1.txt",
             "echo inhome > /r2.txt", "ls / > /r3.txt", "sync"]
    for line in lines:
        qmp_type(qmp, line + "\r")
        time.sleep(1)
    checks = [("cat /home/nexus/r2.txt\r", [r"\ninhome\r?\n"]),
              ("cat /home/nexus/r3.txt\r", [r"r1\.txt", r"r2\.txt"]),
              ("cat /home/nexus/r1.txt; echo end\r", [r"\nend\r?\n"])]
    for keys, expect in checks:
        p, out = shell(con, keys, expect)
        problems += p
        if "topsecret" in out or "argon2id" in out:
            problems.append("the session read another user's file or /etc/users")


SECOND_USER, SECOND_PW = "alice", "alicepw1"


def add_second_user(qmp):
    """In nexus's session Terminal (focused): useradd alice, authorised by the recovery
    account's password (each prompt answered after the hash before it has had time)."""
    qmp_type(qmp, f"useradd {SECOND_USER}\r")
    for typed in ("recovery", SECOND_PW, SECOND_PW):
        time.sleep(8)
        qmp_type(qmp, typed + "\r")
    time.sleep(8)


def second_user_confined(con, qmp, ppm, greeting, problems):
    """Logged out, then in as alice: her session's "/" is her own home, where nexus's files
    are not; what she writes lands in /home/alice (read from the serial console's shell)."""
    problems += shell(con, "ls /home\r", [r"\nalice/?\r?\n"])[0]
    if not gui_login(qmp, SECOND_USER, SECOND_PW, path=ppm):
        problems.append("no login screen for the second user")
        return
    if wait_for_terminal(qmp, ppm, greeting, TERMINAL_AT[:1], 60) is None:
        problems.append("alice's password did not start her session's Terminal")
        return
    for line in ("cat /home/nexus/r2.txt > /a1.txt", "cat r2.txt >> /a1.txt", "ls / > /a2.txt",
                 "sync"):
        qmp_type(qmp, line + "\r")
        time.sleep(1)
    for keys, expect in (("cat /home/alice/a2.txt; echo end\r", [r"a1\.txt", r"\nend\r?\n"]),
                         ("cat /home/alice/a1.txt; echo end\r", [r"\nend\r?\n"])):
        p, out = shell(con, keys, expect)
        problems += p
        if "inhome" in out or "r1.txt" in out:
            problems.append("alice's session reached nexus's home")
    qmp_type(qmp, "exit\r")
    if wait_for_login_screen(qmp, ppm, 30) is None:
        problems.append("the login screen did not come back after alice's exit")


def check_gui_login(name):
    """Boot with make gui's devices: the login screen shows (not the Terminal); typing changes
    its fields; two wrong passwords show the refusal with the delay, the second longer (the
    message differs, the log says 1 s then 2 s); no password reaches the console; the right
    one starts the session, a Terminal showing nsh's greeting; that session's shell cannot
    reach another home or /etc/users and adds the user alice; `exit` logs out and the login
    screen comes back; alice logs in, her session cannot reach nexus's home, and logs out."""
    con, qmp, qmp_dir, ppm = boot_gui(name)
    problems = []
    greeting = png_rgb(GREETING)
    screen = wait_for_login_screen(qmp, ppm, 90)
    if screen is None:
        problems.append("no login screen")
    elif wait_for_terminal(qmp, ppm, greeting, TERMINAL_AT, 0.1) is not None:
        problems.append("a Terminal showed before anyone logged in")
    if not problems:
        problems += shell(con, "mkdir /home/other; echo topsecret > /home/other/secret.txt\r",
                          [])[0]
        typed_shows(qmp, ppm, problems)
        first = gui_login_refused(qmp, ppm, "nexus", WRONG[0])
        time.sleep(1.5)   # the first delay (1 s) over
        second = gui_login_refused(qmp, ppm, "nexus", WRONG[1])
        if first is None or second is None:
            problems.append("a wrong password showed no message")
        elif first == second:
            problems.append("the second refusal looks like the first (its delay should be longer)")
        # (read now: the input drivers' records of the keys typed later push them out)
        problems += shell(con, "log | grep greeter\r",
                          [r"I greeter: login refused: next try in 1 s",
                           r"I greeter: login refused: next try in 2 s"])[0]
        time.sleep(2.5)   # the second delay (2 s) over
        gui_login(qmp)
        at = wait_for_terminal(qmp, ppm, greeting, TERMINAL_AT[:1], 60)
        if at is None:
            problems.append("the right password did not start the session's Terminal")
        else:
            confined(con, qmp, ppm, problems)
            add_second_user(qmp)
            qmp_type(qmp, "exit\r")
            if wait_for_login_screen(qmp, ppm, 30) is None:
                problems.append("the login screen did not come back after the session's exit")
            else:
                second_user_confined(con, qmp, ppm, greeting, problems)
    out = shut_down(con, qmp, qmp_dir, "/boot/terminal", problems, SECOND_USER)
    problems += [f"the password {w!r} was shown on the console" for w in WRONG + (SECOND_PW,)
                 if w in out]
    problems += ["unexpected: " + p for p in (r"PANIC", r"killed", r"E greeter:", r"terminal: ")
                 if re.search(p, out)]
    return problems, out


# The login screen's heading (above the name field): "Log in to Nexus OS", or when locked
# "Locked: the password of NAME".
HEADING = (SCREEN_W // 2 - 180, LOGIN_NAME[1] - 62, 360, 28)


def session_archive(name, session="sessiontest"):
    """The test archive with the greeter's session manifest /boot/SESSION.session
    (sessiontest's by default)."""
    def edit(text):
        return re.sub(r"^(service greeter .*)$", r"\1 -- session=" + session, text,
                      flags=re.M)
    return archive_with_manifest(manifest_with(name, edit))


def wait_for(qmp, ppm, shows, timeout=STEP_S):
    """Whether the screen shows(screen) within timeout seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if shows(screen_shot(qmp, ppm)):
            return True
        time.sleep(0.3)
    return False


def check_lock_and_logout(name):
    """A session (sessiontest) that finds its namespace as documented, asks for the lock: the
    login screen comes back on top, headed for the session's user; a wrong password is
    refused there, the right one takes it down with the session still running; the session
    asks for the logout: the greeter kills it and the login screen comes back."""
    con, qmp, qmp_dir, ppm = boot_gui(name, session_archive(name))
    problems = []
    screen = wait_for_login_screen(qmp, ppm, 90)
    if screen is None:
        problems.append("no login screen")
    else:
        heading = region(screen, HEADING)
        gui_login(qmp)
        if con.expect(r"sessiontest: lock ok", timeout=60) is None:
            problems.append("the session did not lock the screen")
        # (the login screen may still show for a moment, then the compositor's background)
        if not wait_for(qmp, ppm, lambda screen: is_login_screen(screen) and
                        region(screen, HEADING) != heading):
            problems.append("no lock screen headed for the session's user")
        if gui_login_refused(qmp, ppm, None, WRONG[0]) is None:
            problems.append("a wrong password did not show a refusal on the lock screen")
        time.sleep(1.5)   # the delay (1 s) over
        qmp_type(qmp, "nexus\r")
        if not wait_for(qmp, ppm, lambda screen: not is_login_screen(screen)):
            problems.append("the right password did not take the lock screen down")
        problems += shell(con, "echo bye > /home/nexus/logout\r", [])[0]
        # (anywhere in the text: it may come before the shell's prompt)
        end = time.monotonic() + STEP_S
        while "sessiontest: logout ok" not in con.text() and time.monotonic() < end:
            time.sleep(0.2)
        if "sessiontest: logout ok" not in con.text():
            problems.append("the session's logout call failed")
        elif wait_for_login_screen(qmp, ppm, 30) is None:
            problems.append("the login screen did not come back after the logout")
    return finish_session_case(con, qmp, qmp_dir, "sessiontest", (
        "a session endpoint", "no fs grant", "/boot/nsh reachable", "/etc/users out of reach",
        "an unknown call refused"), problems)


def finish_session_case(con, qmp, qmp_dir, program, checks, problems):
    """QEMU stopped (shut_down); the session program's checks all ok, the wrong password
    never on the console, no panic, no failed check, no greeter error. (problems, text)."""
    out = shut_down(con, qmp, qmp_dir, "/boot/" + program, problems)
    for what in checks:
        if f"{program}: {what} ok" not in out:
            problems.append(f"{program}: {what} not ok")
    if WRONG[0] in out:
        problems.append(f"the password {WRONG[0]!r} was shown on the console")
    problems += ["unexpected: " + p for p in (r"PANIC", r"WRONG", r"E greeter:")
                 if re.search(p, out)]
    return problems, out


def is_red(screen):
    """Whether locktest's fullscreen surface (220, 20, 20) shows at the screen's corners."""
    return all(r >= 180 and g <= 60 and b <= 60
               for r, g, b in (pixel(screen, x, y) for x, y in LOGIN_PROBES))


def is_lock_screen(heading):
    """A test of a screen: the login screen headed otherwise than heading (the login's)."""
    return lambda screen: is_login_screen(screen) and region(screen, HEADING) != heading


def inactivity_lock(con, qmp, ppm, heading, problems):
    """Pointer motions every 6 s for 48 s keep the session (lock_delay_s 30) unlocked; once
    they stop, the lock screen comes back after about 30 s. The seconds it took, or None."""
    for i in range(8):
        qmp_pointer_to(qmp, 200 + 10 * i, 300)
        last = time.monotonic()
        time.sleep(6)
        if not is_red(screen_shot(qmp, ppm)):
            problems.append(f"locked while input was coming ({6 * (i + 1)} s)")
            return None
    while time.monotonic() < last + 90:
        if is_lock_screen(heading)(screen_shot(qmp, ppm)):
            return time.monotonic() - last
        time.sleep(0.5)
    problems.append("no inactivity lock within 90 s")
    return None


def unlock_to_locktest(con, qmp, ppm, key, problems):
    """The password on the lock screen: locktest's red surface shows again, and key typed
    then reaches it. Whether it did."""
    qmp_type(qmp, FIRST_PASSWORD + "\r")
    if not wait_for(qmp, ppm, is_red):
        problems.append("the unlock did not show the session's fullscreen surface")
    qmp_type(qmp, key)
    if con.expect(r"locktest: key " + key, timeout=STEP_S) is None:
        problems.append(f"the key {key!r} did not reach the session after the unlock")
        return False
    return True


def check_lock_layer_and_inactivity_lock(name):
    """A session (locktest) refused the lock layer asks for the lock, then puts a fullscreen
    and a top surface up: the lock screen stays on top and keys typed there never reach the
    session; after the unlock its surface shows and keys reach it. With lock_delay_s 30 (set
    from the serial shell before the login), input keeps the session unlocked, and 30 s
    without any lock it; the password returns to the same session, which a 'q' ends."""
    con, qmp, qmp_dir, ppm = boot_gui(name, session_archive(name, "locktest"))
    problems = []
    screen = wait_for_login_screen(qmp, ppm, 90)
    if screen is None:
        problems.append("no login screen")
    else:
        problems += shell(con, "settings set lock_delay_s 30\r", [r"\nlock_delay_s=30\n"])[0]
        heading = region(screen, HEADING)
        gui_login(qmp)
        if con.expect(r"locktest: covering", timeout=60) is None:
            problems.append("the session did not try to cover the lock screen")
        time.sleep(1)   # its frames composed, had they gone anywhere
        if not is_lock_screen(heading)(screen_shot(qmp, ppm)):
            problems.append("the session's surfaces went over the lock screen")
        if gui_login_refused(qmp, ppm, None, WRONG[0]) is None:
            problems.append("a wrong password did not show a refusal on the lock screen")
        if "locktest: key" in con.text():
            problems.append("keys typed on the lock screen reached the session")
        time.sleep(1.5)   # the delay (1 s) over
        unlock_to_locktest(con, qmp, ppm, "k", problems)
        took = inactivity_lock(con, qmp, ppm, heading, problems)
        if took is not None and not 29 <= took <= 60:
            problems.append(f"the inactivity lock came after {took:.1f} s, not about 30 s")
        print(f"    inactivity lock after {took:.1f} s without input" if took else "")
        problems += shell(con, "log | grep greeter\r",
                          [r"I greeter: session of nexus locked: no input for 30 s"])[0]
        if unlock_to_locktest(con, qmp, ppm, "q", problems) and \
                wait_for_login_screen(qmp, ppm, 30) is None:
            problems.append("the login screen did not come back after the session ended")
    return finish_session_case(con, qmp, qmp_dir, "locktest", (
        "the lock layer refused", "lock", "the lock screen up", "a fullscreen surface",
        "a top surface", "the lock screen still active"), problems)


CASES = [
    ("gui_login_errors_delays_session_confined_logout", check_gui_login),
    ("gui_login_lock_and_logout", check_lock_and_logout),
    ("gui_lock_layer_and_inactivity_lock", check_lock_layer_and_inactivity_lock),
]
