#!/usr/bin/env python3
"""Runs the examples of the manual pages and the README against a real ifctld.

An example is a fenced block (```) marked by the lines just before it:
"; example" in a scdoc page (a scdoc comment, not rendered) or
"<!-- example -->" in Markdown. More marker lines may follow "example":

  setup: CMD     run CMD first, unseen by the reader (a TAP the example needs)
  while: CMD     the block's one command keeps running (ifctl monitor): CMD
                 runs meanwhile, then the command gets SIGINT
  status: N      the commands' expected exit status (default 0)
  c              the block is a C program: compiled against libifctl and run
  prompt: #      commands start with "# " (root's prompt) instead of "$ "

Inside the block, lines starting with "$ " are commands and the lines after
one, up to the next, are what it prints (standard output and error). Without
any "$ " line, every line is a command whose output is not shown. Output is
compared after normalising what differs from run to run: MAC addresses,
IPv6 link-local addresses, times; JSON output is compared as JSON, key order
included, with counters, indexes and times left out.

Each example gets a fresh daemon (and a fresh state directory), in this
process's network namespace, which must be a private one: meson runs this
under `unshare --net`.

usage: run_examples.py --ifctld PATH --bin-dir DIR --include DIR --lib-dir DIR FILE...
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

MARKERS = {".scd": re.compile(r"^; ?(.*)$"), ".md": re.compile(r"^<!--\s*(.*?)\s*-->$")}


class Example:
    def __init__(self, path, line, directives, body):
        self.path, self.line, self.body = path, line, body
        self.setup, self.during, self.status, self.c, self.prompt = [], [], 0, False, "$ "
        for d in directives:
            key, _, value = d.partition(":")
            key, value = key.strip(), value.strip()
            if key == "setup":
                self.setup.append(value)
            elif key == "while":
                self.during.append(value)
            elif key == "status":
                self.status = int(value)
            elif key == "c":
                self.c = True
            elif key == "prompt":
                self.prompt = value + " "
            elif key != "example":
                raise SystemExit(f"{path}:{line}: unknown example marker {d!r}")

    def steps(self):
        """(command, expected output or None) pairs."""
        if self.c:
            return [("cc -std=c99 -D_DEFAULT_SOURCE -Wall -Werror -o example example.c -I\"$IFCTL_INCLUDE\" "
                     "-L\"$IFCTL_LIBDIR\" -Wl,-rpath,\"$IFCTL_LIBDIR\" -lifctl && ./example", None)]
        if not any(l.startswith(self.prompt) for l in self.body):
            return [(l.strip(), None) for l in self.body if l.strip()]
        steps = []
        for l in self.body:
            if l.startswith(self.prompt):
                steps.append([l[len(self.prompt):], []])
            elif steps:
                steps[-1][1].append(l)
        return [(c, "\n".join(o)) for c, o in steps]


def extract(path):
    marker = MARKERS[os.path.splitext(path)[1]]
    lines = open(path, encoding="utf-8").read().split("\n")
    examples, pending, i = [], [], 0
    while i < len(lines):
        m = marker.match(lines[i])
        if m and (pending or m.group(1).startswith("example")):
            pending.append(m.group(1))
        elif lines[i].lstrip().startswith("```") and pending:
            start = i + 1
            i += 1
            while not lines[i].lstrip().startswith("```"):
                i += 1
            body = lines[start:i]
            if path.endswith(".scd"):  # scdoc's escapes, in code blocks too: "\\n" shows as "\n"
                body = [re.sub(r"\\(.)", r"\1", l) for l in body]
            examples.append(Example(path, start, pending, body))
            pending = []
        else:
            pending = []
        i += 1
    return examples


MAC = re.compile(r"\b[0-9a-f]{2}(:[0-9a-f]{2}){5}\b")
LINK_LOCAL = re.compile(r"fe80::[0-9a-f:]+")
TIME_MS = re.compile(r"\b1[0-9]{12}\b")
VOLATILE = {"index", "lladdr", "change_time_ms", "time_ms", "stats", "seq"}


def normal_text(s):
    s = MAC.sub("MAC", s)
    s = LINK_LOCAL.sub("fe80::LL", s)
    s = TIME_MS.sub("TIME", s)
    return "\n".join(l.rstrip() for l in s.strip("\n").split("\n"))


def normal_json(v):
    """Key order kept (lists of pairs), volatile values dropped."""
    if isinstance(v, list) and all(isinstance(p, tuple) for p in v):
        return [(k, "*" if k in VOLATILE else normal_json(x)) for k, x in v]
    if isinstance(v, list):
        return [normal_json(x) for x in v]
    if isinstance(v, str):
        return normal_text(v)
    return v


def as_json(s):
    try:
        return [normal_json(json.loads(l, object_pairs_hook=list)) for l in s.strip().split("\n")] \
            if s.strip().startswith("{\"seq\"") else normal_json(json.loads(s, object_pairs_hook=list))
    except ValueError:
        return None


def same_output(expected, got):
    e, g = as_json(expected), as_json(got)
    if e is not None or g is not None:
        return e == g
    return normal_text(expected) == normal_text(got)


class Daemon:
    def __init__(self, ifctld, env):
        self.dir = tempfile.mkdtemp(prefix="ifctl-doc-example.")
        self.socket = os.path.join(self.dir, "ifctld.sock")
        self.log = open(os.path.join(self.dir, "ifctld.log"), "w")
        # The embedded defaults whatever the machine's /etc/ifctl/ifctl.conf says, and
        # a stop for good: the next example's daemon finds no TAP of this one's.
        empty = os.path.join(self.dir, "empty.conf")
        open(empty, "w").close()
        self.proc = subprocess.Popen([ifctld, "--foreground", "--socket", self.socket, "--state-dir",
                                      os.path.join(self.dir, "state"), "--config", empty, "--on-stop", "destroy"],
                                     stdout=self.log, stderr=self.log, env=env)
        for _ in range(100):
            if os.path.exists(self.socket):
                return
            time.sleep(0.05)
        raise RuntimeError("ifctld did not open its socket")

    def stop(self, keep):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        if keep:
            print(f"  daemon log kept: {self.dir}/ifctld.log", file=sys.stderr)
        else:
            shutil.rmtree(self.dir, ignore_errors=True)


def sh(cmd, env, timeout=60, cwd=None):
    return subprocess.run(["bash", "-c", cmd], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=timeout, cwd=cwd)


def settle_link_local(env, timeout=2.0):
    """Waits (bounded) until every link that is up with carrier and makes an
    IPv6 link-local address has it, final: the kernel adds and announces it
    from its address work, after the command that raised the link returned,
    and an example's output shows it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        links = json.loads(sh("ip -j -d link show", env).stdout or "[]")
        addrs = json.loads(sh("ip -j -6 addr show scope link", env).stdout or "[]")
        have = {a["ifname"]: a.get("addr_info", []) for a in addrs}
        pending = [l["ifname"] for l in links
                   if l["ifname"] != "lo" and {"UP", "LOWER_UP"} <= set(l.get("flags", []))
                   and l.get("inet6_addr_gen_mode") == "eui64"
                   and not any(not i.get("tentative") for i in have.get(l["ifname"], []))]
        if not pending:
            time.sleep(0.05)  # the daemon reads the kernel's announcement
            return
        time.sleep(0.02)


def run(example, ifctld, env):
    """A list of failures (empty: the example works as documented)."""
    d = Daemon(ifctld, env)
    env = dict(env, IFCTL_SOCKET=d.socket)
    cwd = d.dir  # files an example makes (setup: ... > FILE) go with the daemon's directory
    if example.c:
        with open(os.path.join(d.dir, "example.c"), "w") as f:
            f.write("\n".join(example.body) + "\n")
    failures = []
    try:
        for cmd in example.setup:
            r = sh(cmd, env, cwd=cwd)
            if r.returncode:
                failures.append(f"setup {cmd!r} failed ({r.returncode}):\n{r.stdout}")
        if example.setup and not failures:
            settle_link_local(env)
        for cmd, expected in ([] if failures else example.steps()):
            if example.during:
                p = subprocess.Popen(["bash", "-c", "exec " + cmd], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True, cwd=cwd)
                time.sleep(0.5)
                for other in example.during:
                    sh(other, env, cwd=cwd)
                time.sleep(0.5)
                p.send_signal(signal.SIGINT)
                out, _ = p.communicate(timeout=10)
                status = p.returncode
            else:
                r = sh(cmd, env, cwd=cwd)
                out, status = r.stdout, r.returncode
            if status != example.status:
                failures.append(f"$ {cmd}\nexit status {status}, expected {example.status}; it printed:\n{out}")
            elif expected is not None and not same_output(expected, out):
                failures.append(f"$ {cmd}\nexpected:\n{expected}\nprinted:\n{out}")
    finally:
        d.stop(keep=bool(failures))
    return failures


def private_netns():
    # Run as `unshare --net -- run_examples.py`: the parent (the test runner)
    # is still in the namespace that must not be touched.
    return os.stat("/proc/self/ns/net").st_ino != os.stat(f"/proc/{os.getppid()}/ns/net").st_ino


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ifctld", required=True)
    ap.add_argument("--bin-dir", required=True, help="directory holding the ifctl to run")
    ap.add_argument("--include", required=True, help="libifctl's public headers (for C examples)")
    ap.add_argument("--lib-dir", required=True, help="directory holding libifctl.so (for C examples)")
    ap.add_argument("--no-c", action="store_true",
                    help="skip C examples (a sanitized libifctl.so cannot be linked by a plain cc)")
    ap.add_argument("files", nargs="+")
    a = ap.parse_args()
    if os.geteuid() != 0:
        print("needs root (skipped)")
        return 77
    if not private_netns():
        print("refusing to run outside a private network namespace (run under unshare --net)", file=sys.stderr)
        return 1
    # Addresses final at once (no duplicate address detection), loopback up.
    subprocess.run(["sysctl", "-qw", "net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0"])
    subprocess.run(["ip", "link", "set", "lo", "up"])
    env = dict(os.environ, PATH=os.path.abspath(a.bin_dir) + ":" + os.environ.get("PATH", "/usr/bin:/bin"), NO_COLOR="1",
               IFCTL_INCLUDE=os.path.abspath(a.include), IFCTL_LIBDIR=os.path.abspath(a.lib_dir))
    total, failed = 0, 0
    for path in a.files:
        examples = extract(path)
        if not examples:
            print(f"{path}: no examples marked", file=sys.stderr)
            failed += 1
        for ex in examples:
            if ex.c and a.no_c:
                print(f"skip {os.path.basename(path)}:{ex.line} (C example, --no-c)")
                continue
            total += 1
            problems = run(ex, a.ifctld, env)
            print(f"{'FAIL' if problems else 'ok  '} {os.path.basename(path)}:{ex.line}")
            for p in problems:
                failed += 1
                print("  " + p.replace("\n", "\n  "))
    print(f"{total} examples, {failed} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
