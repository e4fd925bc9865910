"""The network's QEMU cases (docs/network.md): the system booted with a virtio-net card on
QEMU's user network (DHCP, the gateway 10.0.2.2 is the host's loopback, a forwarded host port
on 127.0.0.1 reaches the guest's httpd), or two systems joined by a dgram netdev on 127.0.0.1.
Every transfer is bounded in size and time; nothing leaves the host."""
import hashlib
import http.server
import os
import random
import re
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import urllib.request

from qemu import ROOT, INITRD, Console, archive_with_manifest, fresh_disk

PROMPT = r"\nnsh> "
BIG_MIB = 64


def free_port():
    """A TCP/UDP port on 127.0.0.1 nobody uses now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def nic(netdev="user,id=n0", mac="52:54:00:12:34:56"):
    return ["-netdev", netdev, "-device", f"virtio-net-device,netdev=n0,mac={mac}"]


def user_nic(http_port=None):
    """QEMU's user network, with host 127.0.0.1:http_port forwarded to the guest's port 80."""
    fwd = f",hostfwd=tcp:127.0.0.1:{http_port}-:80" if http_port else ""
    return nic("user,id=n0,restrict=off" + fwd)


def manifest_with(name, edit):
    """The test archive's manifest (the system's with nsh on the console) with edit(text)
    applied, as a file for archive_with_manifest."""
    with open(os.path.join(ROOT, "build", "packed-test", "manifest")) as f:
        text = edit(f.read())
    path = os.path.join(ROOT, "build", "tests", "manifest-" + name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def static_address(addr):
    """A system whose stack takes addr ("10.0.3.1/24") instead of asking DHCP."""
    def edit(text):
        return re.sub(r"^(service net .*)$", rf"\1 -- addr={addr}", text, flags=re.M)
    return archive_with_manifest(manifest_with("net-" + addr.split("/")[0], edit))


def www_tree(name, big_mib=0):
    """build/tests/NAME: /www with index.html (and big.bin: big_mib MiB of seeded random
    bytes), and /data for what the guest writes."""
    tree = os.path.join(ROOT, "build", "tests", name)
    shutil.rmtree(tree, ignore_errors=True)
    os.makedirs(os.path.join(tree, "www", "sub"))
    os.makedirs(os.path.join(tree, "data"))
    with open(os.path.join(tree, "www", "index.html"), "w") as f:
        f.write("<html><body><h1>hello from nexus</h1></body></html>\n")
    with open(os.path.join(tree, "www", "sub", "note.txt"), "w") as f:
        f.write("a note in a subdirectory\n" * 100)
    with open(os.path.join(tree, "secret.txt"), "w") as f:
        f.write("outside /www: never served\n")
    if big_mib:
        with open(os.path.join(tree, "www", "big.bin"), "wb") as f:
            f.write(random.Random(14).randbytes(big_mib << 20))
    return tree


def file_sha(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def debugfs_dump(image, path, out):
    subprocess.run(["debugfs", "-R", f"dump {path} {out}", image], capture_output=True)
    return os.path.exists(out)


def wait_text(con, regex, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        m = re.search(regex, con.text())
        if m:
            return m
        time.sleep(0.2)
    return None


def settle(con, quiet=1.5, timeout=20):
    """Wait until the console has printed nothing for `quiet` seconds (services' messages at
    boot redraw the prompt, which a command typed meanwhile would be mixed into)."""
    end = time.monotonic() + timeout
    seen, since = len(con.text()), time.monotonic()
    while time.monotonic() < end and time.monotonic() - since < quiet:
        time.sleep(0.1)
        if len(con.text()) != seen:
            seen, since = len(con.text()), time.monotonic()


def shell(con, keys, expect, timeout=30, until=PROMPT):
    """Type keys into the console's shell; the problems with what came back before the next
    prompt (expect: regexes that must be in it). The prompt is looked for only after the
    command line itself ended: prompts printed before, or redrawn by a message while the
    keys went in, are not taken for the next one."""
    with con.lock:
        con.pos = len(con.out)
    con.send(keys)
    line = re.escape(keys.rstrip("\r").encode()) + rb"\r*(?=\n)"  # the \n may start the prompt
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        with con.lock:
            out = con.out[con.pos:]
        entered = list(re.finditer(line, out))
        done = entered and re.search(until.encode(), out[entered[-1].end():])
        if done:
            reply = out[:entered[-1].end() + done.end()].decode(errors="replace")
            with con.lock:
                con.pos += entered[-1].end() + done.end()
            reply = re.sub(r"\r+\n", "\n", reply)
            return [f"after {keys.strip()!r}: no {e!r}" for e in expect if not re.search(e, reply)], reply
        time.sleep(0.1)
    return [f"after {keys.strip()!r}: no prompt within {timeout} s"], ""


def http_get(port, path, timeout=60):
    """(status, body) of GET path from the guest's httpd through the forwarded port."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()
    except OSError as e:
        return None, str(e).encode()


def http_get_to_file(port, path, out, timeout=240):
    """Stream GET path into out; (status, bytes, seconds)."""
    start = time.monotonic()
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r, \
            open(out, "wb") as f:
        n = 0
        for chunk in iter(lambda: r.read(1 << 20), b""):
            f.write(chunk)
            n += len(chunk)
        return r.status, n, time.monotonic() - start


def unexpected(out, extra=()):
    return ["unexpected: " + p for p in (r"PANIC", r"killed: ", r"E net:", r"E netdev:") + tuple(extra)
            if re.search(p, out)]


def boot_shell(disk, extra, initrd=INITRD, timeout=90):
    """A console on a system booted with extra QEMU arguments, at its first prompt, once the
    stack has an address (or None and the output)."""
    con = Console(disk=disk, initrd=initrd, extra=extra)
    if con.expect(PROMPT, timeout=60) is None:
        con.close(timeout=0)
        return None, con.text()
    if wait_text(con, r"net: address \d+\.\d+\.\d+\.\d+", timeout) is None:
        con.close(timeout=0)
        return None, con.text()
    settle(con)
    return con, ""


def power_off(con, problems):
    con.send("poweroff\r")
    if not con.close(timeout=30):
        problems.append("QEMU did not power off")


def check_dhcp_ping_ifconfig(name):
    """DHCP gives the address; ifconfig shows it, the link and the counters; ping reaches the
    gateway."""
    con, out = boot_shell(fresh_disk(name, 8), user_nic())
    if con is None:
        return ["no prompt or no DHCP lease"], out
    problems = []
    p, _ = shell(con, "ifconfig\r", [r"10\.0\.2\.15", r"255\.255\.255\.0", r"10\.0\.2\.2",
                                      r"52:54:00:12:34:56", r"(?i)link.*up", r"(?i)dhcp"])
    problems += p
    p, _ = shell(con, "ping -c 3 10.0.2.2\r", [r"(?i)3 (packets )?received|3/3"], timeout=40)
    problems += p
    p, _ = shell(con, "ping -c 1 10.0.2.99\r", [r"(?i)0 (packets )?received|100% (packet )?loss|0/1"],
                 timeout=40)
    problems += p
    power_off(con, problems)
    out = con.text()
    return problems + unexpected(out), out


def check_httpd_page_and_big_file(name):
    """The guest's httpd serves /www through the forwarded port: a page, a file in a
    subdirectory, errors for what is missing or outside /www, and a 64 MiB file whose checksum
    matches."""
    tree = www_tree(name, BIG_MIB)
    port = free_port()
    disk = fresh_disk(name, BIG_MIB + 48, tree)
    con = Console(disk=disk, extra=user_nic(port))
    problems = []
    status, body = None, b""
    end = time.monotonic() + 120
    while status != 200 and time.monotonic() < end:
        status, body = http_get(port, "/", timeout=10)
        if status != 200:
            time.sleep(1)
    with open(os.path.join(tree, "www", "index.html"), "rb") as f:
        if status != 200 or body != f.read():
            problems.append(f"GET / gave {status} {body[:80]!r}")
    status, body = http_get(port, "/sub/note.txt")
    if status != 200 or body != b"a note in a subdirectory\n" * 100:
        problems.append(f"GET /sub/note.txt gave {status}, {len(body)} bytes")
    for path, want in (("/nope.html", 404), ("/../secret.txt", None), ("/%2e%2e/secret.txt", None)):
        status, body = http_get(port, path)
        if b"never served" in body or (want and status != want) or status == 200:
            problems.append(f"GET {path} gave {status} {body[:60]!r}")
    out_path = os.path.join(ROOT, "build", "tests", name + "-big.bin")
    try:
        status, n, secs = http_get_to_file(port, "/big.bin", out_path)
        if status != 200 or n != BIG_MIB << 20 or file_sha(out_path) != file_sha(
                os.path.join(tree, "www", "big.bin")):
            problems.append(f"GET /big.bin: status {status}, {n} bytes, checksum differs")
        else:
            print(f"     {name}: {BIG_MIB} MiB in {secs:.1f} s ({BIG_MIB / secs:.1f} MiB/s)")
    except OSError as e:
        problems.append(f"GET /big.bin failed: {e}")
    os.remove(out_path) if os.path.exists(out_path) else None
    if con.expect(PROMPT, timeout=5) is not None or True:
        power_off(con, problems)
    out = con.text()
    return problems + unexpected(out), out


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def host_http_server(directory):
    """python3's http.server on 127.0.0.1 (a free port) serving directory, in a thread."""
    handler = lambda *a, **k: QuietHandler(*a, directory=directory, **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def check_fetch_from_the_host(name):
    """The guest's fetch downloads from an http.server on the host's loopback, reached
    through QEMU's gateway (10.0.2.2); the file lands on the disk whole."""
    served = tempfile.mkdtemp(prefix="nexus-http-")
    data = random.Random(15).randbytes(3 << 20)
    with open(os.path.join(served, "file.bin"), "wb") as f:
        f.write(data)
    server = host_http_server(served)
    port = server.server_address[1]
    disk = fresh_disk(name, 16, www_tree(name))
    con, out = boot_shell(disk, user_nic())
    problems = []
    if con is None:
        server.shutdown()
        return ["no prompt or no DHCP lease"], out
    p, _ = shell(con, f"fetch http://10.0.2.2:{port}/file.bin /data/file.bin\r",
                 [str(len(data))], timeout=120)
    problems += p
    p, _ = shell(con, f"fetch http://10.0.2.2:{port}/missing.bin /data/missing.bin\r", [r"404"])
    problems += p
    p, _ = shell(con, f"fetch http://10.0.2.2:{free_port()}/ /data/refused\r",
                 [r"(?i)refused"])
    problems += p
    power_off(con, problems)
    server.shutdown()
    shutil.rmtree(served, ignore_errors=True)
    got = os.path.join(ROOT, "build", "tests", name + "-file.bin")
    if not debugfs_dump(disk, "/data/file.bin", got) or open(got, "rb").read() != data:
        problems.append("/data/file.bin on the disk is not the host's file")
    out = con.text()
    return problems + unexpected(out), out


def check_two_guests(name):
    """Two systems joined by a dgram netdev on 127.0.0.1 (static addresses 10.0.3.1 and .2):
    nc sends a file each way over one TCP connection; both land whole; ping between them."""
    pa, pb = free_port(), free_port()
    rng = random.Random(16)
    guests = []
    for who, addr, local, remote, mac in (("a", "10.0.3.1/24", pa, pb, "52:54:00:00:03:01"),
                                          ("b", "10.0.3.2/24", pb, pa, "52:54:00:00:03:02")):
        tree = www_tree(f"{name}-{who}")
        payload = rng.randbytes(300 * 1024 + 17)
        with open(os.path.join(tree, "data", "out.bin"), "wb") as f:
            f.write(payload)
        disk = fresh_disk(f"{name}-{who}", 8, tree)
        netdev = (f"dgram,id=n0,local.type=inet,local.host=127.0.0.1,local.port={local},"
                  f"remote.type=inet,remote.host=127.0.0.1,remote.port={remote}")
        guests.append((disk, payload, nic(netdev, mac), static_address(addr)))
    cons = []
    for disk, _, extra, initrd in guests:
        con, out = boot_shell(disk, extra, initrd=initrd)
        if con is None:
            for c in cons:
                c.close(timeout=0)
            return ["a guest had no prompt or no address"], out
        cons.append(con)
    a, b = cons
    problems = []
    p, _ = shell(a, "ping -c 2 10.0.3.2\r", [r"(?i)2 (packets )?received|2/2"], timeout=40)
    problems += p
    a.send("nc -l 7000 < /data/out.bin > /data/in.bin\r")
    time.sleep(2)
    p, _ = shell(b, "nc 10.0.3.1 7000 < /data/out.bin > /data/in.bin\r", [], timeout=120)
    problems += p
    if a.expect(PROMPT, timeout=60) is None:
        problems.append("nc -l on a did not end")
    for con in cons:
        power_off(con, problems)
    for (disk, _, _, _), (_, other, _, _), who in zip(guests, reversed(guests), "ab"):
        got = os.path.join(ROOT, "build", "tests", f"{name}-{who}-in.bin")
        if not debugfs_dump(disk, "/data/in.bin", got) or open(got, "rb").read() != other:
            problems.append(f"guest {who}'s /data/in.bin is not what the other sent")
    out = a.text() + "\n----- b -----\n" + b.text()
    return problems + unexpected(out), out


def check_stack_restart(name):
    """The stack killed under an open listener: the listener fails with a clear error
    (ENETDOWN), init restarts the stack, new sockets work."""
    con, out = boot_shell(fresh_disk(name, 8), user_nic())
    if con is None:
        return ["no prompt or no DHCP lease"], out
    problems = []
    con.send("nc -l 7100 &\r")
    time.sleep(1)
    stack = r"(?m)^\s*(\d+)\s+running\s.*\snet\s*$"   # ps: PID STATE ... NAME
    p, reply = shell(con, "ps\r", [stack])
    problems += p
    m = re.search(stack, reply)
    if m:
        p, _ = shell(con, f"kill {m.group(1)}\r", [])
        problems += p
        if wait_text(con, r"(?i)nc: .*(network is down|ENETDOWN)", 20) is None:
            problems.append("the listener did not fail with ENETDOWN")
        if wait_text(con, r"net: address 10\.0\.2\.15[\s\S]*net: address 10\.0\.2\.15", 60) is None:
            problems.append("the restarted stack got no address")
        p, _ = shell(con, "ping -c 1 10.0.2.2\r", [r"(?i)1 (packets )?received|1/1"], timeout=40)
        problems += p
    power_off(con, problems)
    out = con.text()
    return problems + unexpected(out, (r"PANIC",)), out


def echo_server():
    """A TCP echo server on 127.0.0.1 (a free port), one connection at a time, in a thread;
    close the socket it returns to stop it."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(4)

    def serve():
        while True:
            try:
                c, _ = ls.accept()
            except OSError:
                return
            with c:
                c.settimeout(60)
                try:
                    while (b := c.recv(65536)):
                        c.sendall(b)
                except OSError:
                    pass
    threading.Thread(target=serve, daemon=True).start()
    return ls


def check_socket_calls(name):
    """libnx's sockets against the stack (tests/qemu/progs/socktest.c): argument errors, a
    refused connection blocking and non-blocking (poll, SO_ERROR), 200,000 bytes through the
    host's echo server with read/write and end of stream, EPIPE, a UDP exchange with QEMU's
    name server, getaddrinfo numeric and by DNS, EMFILE at the per-process limit."""
    ls = echo_server()
    con, out = boot_shell(fresh_disk(name, 8), user_nic())
    if con is None:
        ls.close()
        return ["no prompt or no DHCP lease"], out
    problems, _ = shell(con, f"socktest {ls.getsockname()[1]}\r", [r"socktest: all passed"],
                        timeout=120)
    power_off(con, problems)
    ls.close()
    out = con.text()
    return problems + unexpected(out, (r"socktest: .* WRONG",)), out


def check_grant_and_policy(name):
    """A program started without the `net` grant is refused with a clear error; the policy
    lets the shell's programs connect out but listen on no port."""
    def edit(text):
        text = re.sub(r"^net nsh .*$", "net nsh connect", text, flags=re.M)
        return text + "service noping bin=ping prio=16 pages=256 grant=log -- -c 1 10.0.2.2\n"
    initrd = archive_with_manifest(manifest_with(name, edit))
    con, out = boot_shell(fresh_disk(name, 8), user_nic(), initrd=initrd)
    if con is None:
        return ["no prompt or no DHCP lease"], out
    problems = []
    if wait_text(con, r"ping: socket: Permission denied \(this program has no `net` grant", 20) is None:
        problems.append("ping without the grant was not refused clearly")
    p, _ = shell(con, "nc -l 7000\r", [r"nc: listen: Permission denied"])
    problems += p
    p, _ = shell(con, "ping -c 1 10.0.2.2\r", [r"1 received"], timeout=40)
    problems += p
    power_off(con, problems)
    out = con.text()
    return problems + unexpected(out), out


def check_peer_never_reads_and_a_connection_flood(name):
    """Bad peers: a host listener that accepts and never reads (the guest's nc fills the
    window and waits: the stack's memory stays its own, bounded pools), and 60 connections
    opened at once to httpd's forwarded port and left silent (its 8 connections and the
    stack's backlog of 16 hold; the rest are refused or wait). Meanwhile the stack keeps
    serving: ping, ifconfig, and a page from httpd once the flood is gone; nothing restarts."""
    tree = www_tree(name, 8)
    port = free_port()
    sink = socket.socket()
    sink.bind(("127.0.0.1", 0))
    sink.listen(1)
    sink.settimeout(60)
    con, out = boot_shell(fresh_disk(name, 40, tree), user_nic(port))
    if con is None:
        sink.close()
        return ["no prompt or no DHCP lease"], out
    problems = []
    con.send(f"nc 10.0.2.2 {sink.getsockname()[1]} < /www/big.bin &\r")
    try:
        held, _ = sink.accept()
    except OSError as e:
        held = None
        problems.append(f"the guest's nc did not connect: {e}")
    time.sleep(3)
    flood = []
    for _ in range(60):
        try:
            flood.append(socket.create_connection(("127.0.0.1", port), timeout=5))
        except OSError:
            pass
    p, _ = shell(con, "ping -c 1 10.0.2.2\r", [r"1 received"], timeout=40)
    problems += p
    p, reply = shell(con, "ifconfig\r", [r"tcp connections out \d+  in \d+"])
    problems += p
    for s in flood:
        s.close()
    status, body = None, b""
    end = time.monotonic() + 60
    while status != 200 and time.monotonic() < end:
        status, body = http_get(port, "/", timeout=10)
    if status != 200 or b"hello from nexus" not in body:
        problems.append(f"after the flood, GET / gave {status}")
    if held:
        held.close()
    if wait_text(con, r"nc: .*(reset|closed|Broken pipe|EPIPE|ECONNRESET)", 30) is None and \
            wait_text(con, r"process \d+ \(nc\) exited", 5) is None:
        problems.append("the guest's nc did not end when the host closed")
    power_off(con, problems)
    sink.close()
    out = con.text()
    if len(re.findall(r"net: address 10\.0\.2\.15", out)) != 1:
        problems.append("the stack restarted")
    return problems + unexpected(out, (r"init: (net|netdev|httpd) .*died",)), out


CASES = [
    ("net_dhcp_lease_ifconfig_and_ping", check_dhcp_ping_ifconfig),
    ("net_httpd_serves_www_and_64_mib", check_httpd_page_and_big_file),
    ("net_fetch_from_the_hosts_http_server", check_fetch_from_the_host),
    ("net_two_guests_tcp_both_ways", check_two_guests),
    ("net_stack_killed_and_restarted", check_stack_restart),
    ("net_socket_calls", check_socket_calls),
    ("net_grant_and_policy", check_grant_and_policy),
    ("net_peer_never_reads_and_a_connection_flood", check_peer_never_reads_and_a_connection_flood),
]
