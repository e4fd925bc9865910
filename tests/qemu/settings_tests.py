"""The settings service's QEMU cases (docs/settings.md): the system as `make run` boots it
(the settings service holding /etc/settings on an ext3 disk made on the host), driven through
the `settings` tool in the console's shell."""
import os
import tempfile

from qemu import Console, fresh_disk
from login_tests import disk_file, power_off
from net_tests import settle, shell

# nsh's stats line for the kernel's mode (NX_INFO_POWER_MODE: 0 performance, 1 balanced,
# 2 saver).
MODE = r"power mode \(0-2: NX_POWER_\*\) +%d\n"
DAMAGED = (b"# written by hand\n"
           b"power_mode=turbo\n"
           b"theme=light\n"
           b"lock_delay_s=5\n"
           b"colour=red\n"
           b"time_zone=UTC+5:30\n")


def settings_disk(name, text=None):
    """A 16 MiB ext3 disk, with /etc/settings holding text if given."""
    with tempfile.TemporaryDirectory() as tree:
        if text is not None:
            os.makedirs(os.path.join(tree, "etc"))
            with open(os.path.join(tree, "etc", "settings"), "wb") as f:
                f.write(text)
        return fresh_disk(name, 16, tree)


def file_is(image, want):
    """Problems unless /etc/settings on image holds want and e2fsck finds the disk clean."""
    text, fsck = disk_file(image, "/etc/settings")
    problems = [] if text == want else [f"/etc/settings on the disk: {text!r}"]
    return problems + (["e2fsck -fn found problems"] if fsck else [])


def boot(image):
    con = Console(disk=image)
    settle(con, quiet=2, timeout=60)
    return con


def run(con, steps):
    problems = []
    for keys, expect in steps:
        p, _ = shell(con, keys, expect)
        problems += p
    return problems


def check_persist_and_refuse(name):
    """Defaults on a blank disk; power_mode and theme set, the kernel's mode with them; values
    out of range and unknown keys refused with the reason, nothing changed; the file on the
    disk whole and clean; a reboot of the same disk keeps both, the kernel's mode too."""
    image = settings_disk(name)
    con = boot(image)
    problems = run(con, [
        ("settings\r", [r"power_mode=balanced\n", r"theme=dark\n", r"keyboard_layout=us\n",
                        r"lock_delay_s=300\n", r"time_zone=UTC\n"]),
        ("stats\r", [MODE % 1]),
        ("settings set power_mode saver\r", [r"\npower_mode=saver\n"]),
        ("settings set theme light\r", [r"\ntheme=light\n"]),
        ("settings set time_zone UTC+1\r", [r"\ntime_zone=UTC\+01:00\n"]),
        ("stats\r", [MODE % 2]),
        ("settings set lock_delay_s 5\r",
         [r"settings: refused: lock_delay_s: '5' is not 0 \(never\) or 30 to 3600 seconds"]),
        ("settings set power_mode turbo\r",
         [r"settings: refused: power_mode: 'turbo' is not performance, balanced or saver"]),
        ("settings set colour red\r", [r"settings: refused: no such setting"]),
        ("settings get colour\r", [r"settings: colour: no such setting"]),
        ("settings set theme " + "x" * 100 + "\r", [r"refused: the value is longer than 31"]),
        ("settings get\r", [r"usage: settings \[get KEY \| set KEY VALUE\]"]),
        ("settings\r", [r"power_mode=saver\n", r"theme=light\n", r"lock_delay_s=300\n",
                        r"time_zone=UTC\+01:00\n"]),
        ("stats\r", [MODE % 2]),
    ])
    power_off(con, problems)
    first = con.text()
    problems += file_is(image, b"power_mode=saver\ntheme=light\nkeyboard_layout=us\n"
                               b"lock_delay_s=300\ntime_zone=UTC+01:00\n")
    con = boot(image)
    problems += run(con, [
        ("settings get power_mode\r", [r"\nsaver\n"]),
        ("settings get theme\r", [r"\nlight\n"]),
        ("stats\r", [MODE % 2]),
        ("log\r", [r"I settings: settings up: power mode saver"]),
        ("settings set power_mode performance\r", [r"\npower_mode=performance\n"]),
        ("stats\r", [MODE % 0]),
        # Idle harts now poll before they halt: work across harts goes on as before.
        ("yes | head -c 200000 | wc -c; ls /etc\r", [r"\n *200000\n", r"\bsettings\b"]),
    ])
    power_off(con, problems)
    return problems, first + con.text()


def check_damaged_file(name):
    """/etc/settings damaged on the host: each bad line is reported with its number and its key
    keeps the default, the good lines load, the file stays as it was until a change, which
    writes it whole and clean."""
    image = settings_disk(name, DAMAGED)
    con = boot(image)
    problems = run(con, [
        ("settings\r", [r"power_mode=balanced\n", r"theme=light\n", r"lock_delay_s=300\n",
                        r"time_zone=UTC\+05:30\n"]),
        ("stats\r", [MODE % 1]),
        ("log\r", [r"/etc/settings line 2 ignored: power_mode: 'turbo' is not performance",
                   r"/etc/settings line 4 ignored: lock_delay_s: '5' is not 0",
                   r"/etc/settings line 5 ignored: unknown key 'colour'",
                   r"/etc/settings: 3 bad line\(s\): their settings at the default"]),
    ])
    power_off(con, problems)
    first = con.text()
    text, _ = disk_file(image, "/etc/settings")
    if text != DAMAGED:
        problems.append(f"the damaged file was changed without a change asked: {text!r}")
    con = boot(image)
    problems += run(con, [("settings set lock_delay_s 3600\r", [r"\nlock_delay_s=3600\n"])])
    power_off(con, problems)
    problems += file_is(image, b"power_mode=balanced\ntheme=light\nkeyboard_layout=us\n"
                               b"lock_delay_s=3600\ntime_zone=UTC+05:30\n")
    return problems, first + con.text()


CASES = [
    ("settings_persist_across_reboot_and_refuse_bad_values", check_persist_and_refuse),
    ("settings_damaged_file_loads_defaults_for_bad_keys", check_damaged_file),
]
