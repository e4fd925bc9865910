"""The console login's QEMU cases (docs/login.md): the system's archive (`login` on the serial
console, the users service holding /etc/users on an ext3 disk made on the host)."""
import os
import re
import shutil
import subprocess
import tempfile
import time

from qemu import SYSTEM_INITRD, Console, fresh_disk
from net_tests import settle, shell

LOGIN = r"Nexus OS login: "
PROMPT = r"\nnsh> "
NEW_PASSWORD = "s3cret horse"
SECOND_PASSWORD = "alice's own"
NOT_THERE = r"(?i)no such|not found|cannot|error"
def login_disk(name):
    """A 16 MiB ext3 disk with nothing on it: the first boot makes the accounts."""
    with tempfile.TemporaryDirectory() as tree:
        return fresh_disk(name, 16, tree)


def disk_file(image, path):
    """The file at path on image (its journal replayed first), or None."""
    copy = image + ".check"
    shutil.copy(image, copy)
    subprocess.run(["e2fsck", "-y", "-E", "journal_only", copy], capture_output=True)
    got = subprocess.run(["debugfs", "-R", f"cat {path}", copy], capture_output=True)
    fsck = subprocess.run(["e2fsck", "-fn", copy], capture_output=True, text=True)
    os.remove(copy)
    return got.stdout if got.returncode == 0 and got.stdout else None, fsck.returncode


def put_disk_file(image, path, data):
    """Replace the file at path on image (debugfs write) with data."""
    with tempfile.NamedTemporaryFile() as f:
        f.write(data)
        f.flush()
        subprocess.run(["e2fsck", "-y", "-E", "journal_only", image], capture_output=True)
        subprocess.run(["debugfs", "-w", "-R", f"rm {path}", image], capture_output=True)
        subprocess.run(["debugfs", "-w", "-R", f"write {f.name} {path}", image],
                       capture_output=True, check=True)


def attempt(con, name, password, expect, timeout=60):
    """Type a name and a password at the login prompt; problems if `expect` does not follow."""
    if con.expect(LOGIN, timeout=timeout) is None:
        return [f"no login prompt before {name!r}"]
    con.send(name + "\r", chunk=64)
    if con.expect(r"Password: ", timeout=30) is None:
        return [f"no password prompt after {name[:20]!r}"]
    con.send(password + "\r", chunk=64)
    if con.expect(expect, timeout=timeout) is None:
        return [f"login {name[:20]!r}: no {expect!r}"]
    return []


def log_in(con, name="nexus", password="nexus"):
    """Log in at the console's prompt (the first-boot account unless told); problems."""
    return attempt(con, name, password, r"Welcome, %s\." % name)


def boot(image):
    con = Console(disk=image, initrd=SYSTEM_INITRD)
    settle(con, quiet=2, timeout=60)
    return con


def power_off(con, problems):
    con.send("poweroff\r")
    if not con.close(timeout=30):
        problems.append("QEMU did not power off")


def useradd(con, name, recovery, password, expect):
    """useradd name from the shell with these passwords; problems if expect does not follow."""
    con.send(f"useradd {name}\r")
    for prompt, typed in (("Password of recovery: ", recovery), ("New password: ", password),
                          ("Retype new password: ", password)):
        if con.expect(prompt, timeout=60) is None:
            return [f"useradd: no {prompt!r}"]
        con.send(typed + "\r")
    if con.expect(expect, timeout=60) is None:
        return [f"useradd {name}: no {expect!r}"]
    return []


def second_user(con):
    """From nexus's shell: useradd refused without the recovery password, done with it; the
    new user logs in to an empty home and cannot reach nexus's."""
    problems = useradd(con, "alice", "not recovery", SECOND_PASSWORD,
                       r"useradd: alice: wrong password")
    time.sleep(1.5)   # the recovery account's delay after the wrong password
    problems += useradd(con, "alice", "recovery", SECOND_PASSWORD,
                        r"useradd: alice added: uid 1001, home /home/alice")
    problems += useradd(con, "nexus", "recovery", SECOND_PASSWORD, r"useradd: nexus: not a valid")
    p, _ = shell(con, "exit\r", [r"Logged out\."], until=LOGIN)
    problems += p
    con.pos = max(0, con.pos - 100)   # the login prompt again, for attempt
    problems += attempt(con, "alice", SECOND_PASSWORD, r"Welcome, alice\.[\s\S]*" + PROMPT)
    steps = [
        ("ls /\r", []),
        ("cat /note.txt\r", [NOT_THERE]),
        ("cat /home/nexus/note.txt\r", [NOT_THERE]),
        ("echo mine > /a.txt; cat /a.txt\r", [r"\bmine\b"]),
    ]
    for keys, expect in steps:
        p, reply = shell(con, keys, expect)
        problems += p
        if keys == "ls /\r" and "note.txt" in reply:
            problems.append("alice's / lists nexus's note.txt")
    return problems


def kills(con):
    """A user's shell kills its own background job (its pid as the job started) but not a
    service init started: the login passes on proc:view, not proc."""
    problems = []
    p, reply = shell(con, "nc -l 7123 &\r", [r"\[\d+\] (\d+) nc -l 7123\n"])
    problems += p
    job = re.search(r"\[\d+\] (\d+) nc -l 7123\n", reply)
    if job:
        p, _ = shell(con, f"kill {job.group(1)}\r", [rf"killed process {job.group(1)}\n"])
        problems += p
    service = r"(?m)^\s*(\d+)\s+running\s.*\sfs\s*$"   # ps: PID STATE ... NAME
    p, reply = shell(con, "ps\r", [service])
    problems += p
    fs = re.search(service, reply)
    if fs:
        p, _ = shell(con, f"kill {fs.group(1)}\r",
                     [rf"process {fs.group(1)} is not this shell's, and this session may not stop"])
        problems += p
    return problems


def check_console_login(name):
    """First boot makes the account; wrong passwords are refused with a growing delay; the right
    one opens a shell confined to the home and /boot; passwd changes the password, the old
    one stops working; nothing typed as a password shows anywhere; the change persists."""
    image = login_disk(name)
    con = boot(image)
    problems = []
    problems += attempt(con, "nexus", "wrong", r"Login incorrect\. Next try in 1 s")
    problems += attempt(con, "nexus", "wrong again", r"Login incorrect\. Next try in 2 s")
    problems += attempt(con, "nobody", "x", r"Login incorrect\. Next try in 1 s")
    problems += attempt(con, "n" * 10000, "x", r"Too long")
    problems += attempt(con, "nexus", "\xff\xfe", r"Not a valid name or password")
    problems += attempt(con, "nexus", "p" * 100000, r"Too long", timeout=120)
    problems += attempt(con, "nexus", "nexus", r"Welcome, nexus\.[\s\S]*" + PROMPT)
    steps = [
        ("ls /boot\r", [r"\bnsh\b", r"\bhello\b"]),
        ("echo kept > /note.txt\r", []),
        ("cat /note.txt\r", [r"\bkept\b"]),
        ("cat /etc/users\r", [NOT_THERE]),
        ("ls /\r", [r"note\.txt"]),
    ]
    for keys, expect in steps:
        p, _ = shell(con, keys, expect)
        problems += p
    problems += kills(con)
    con.send("passwd\r")
    for prompt, typed in (("Current password: ", "nexus"), ("New password: ", NEW_PASSWORD),
                          ("Retype new password: ", NEW_PASSWORD)):
        if con.expect(prompt, timeout=60) is None:
            problems.append(f"passwd: no {prompt!r}")
        con.send(typed + "\r")
    if con.expect(r"password of nexus changed", timeout=60) is None:
        problems.append("passwd did not change the password")
    p, _ = shell(con, "exit\r", [r"Logged out\."], until=LOGIN)
    problems += p
    con.pos = max(0, con.pos - 100)
    problems += attempt(con, "nexus", "nexus", r"Login incorrect")
    problems += attempt(con, "nexus", NEW_PASSWORD, r"Welcome, nexus\.[\s\S]*" + PROMPT)
    p, _ = shell(con, "log\r", [r"logged in"])
    problems += p
    problems += second_user(con)
    power_off(con, problems)
    out = con.text()
    for secret in ("wrong again", NEW_PASSWORD, "s3cret", SECOND_PASSWORD, "not recovery"):
        if secret in out:
            problems.append(f"{secret!r} was shown on the console")
    users, fsck = disk_file(image, "/etc/users")
    if users is None or not re.search(rb"^nexus:1000:/home/nexus:\$argon2id\$v=19\$m=7168,t=5,p=1\$",
                                      users, re.M):
        problems.append(f"/etc/users on the disk: {users!r}")
    elif NEW_PASSWORD.encode() in users or b"nexus:1000:/home/nexus:nexus" in users:
        problems.append("a password is in /etc/users in clear")
    if fsck:
        problems.append("e2fsck -fn found problems")
    # The second boot reads what the first wrote.
    con = boot(image)
    problems += attempt(con, "nexus", NEW_PASSWORD, r"Welcome, nexus\.[\s\S]*" + PROMPT)
    power_off(con, problems)
    return problems, out + con.text()


def check_corrupt_users_file(name):
    """A users file damaged on the disk: the login says so and refuses its users; the recovery
    account still logs in with its own password, and sees the whole disk."""
    image = login_disk(name)
    con = boot(image)
    problems = attempt(con, "nexus", "nexus", r"Welcome, nexus\.[\s\S]*" + PROMPT)
    power_off(con, problems)
    first = con.text()
    put_disk_file(image, "/etc/users", b"nexus:1000:/home/nexus:$argon2id$v=19$broken\n")
    con = boot(image)
    problems += attempt(con, "nexus", "nexus", r"The user database is damaged: only 'recovery'")
    problems += attempt(con, "recovery", "recovery", r"Welcome, recovery\.[\s\S]*" + PROMPT)
    p, _ = shell(con, "cat /etc/users\r", [r"broken"])
    problems += p
    power_off(con, problems)
    out = con.text()
    if not re.search(r"/etc/users is corrupt \(line 1", out):
        problems.append("the corrupt file was not reported with its line")
    return problems, first + out


CASES = [
    ("console_login_delays_confines_and_passwd", check_console_login),
    ("console_login_corrupt_users_file_recovery", check_corrupt_users_file),
]
