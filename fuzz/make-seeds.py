#!/usr/bin/env python3
"""Writes the seed corpora in fuzz/corpus/<target>/: a few well-formed inputs per
target, so the fuzzer starts from inputs that reach deep code. Rerun after a
protocol change: python3 fuzz/make-seeds.py"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def attr(t, payload):
    a = struct.pack("=HH", 4 + len(payload), t) + payload
    return a + b"\0" * (-len(a) % 4)


def u8(t, v): return attr(t, struct.pack("=B", v))
def u32(t, v): return attr(t, struct.pack("=I", v))
def s32(t, v): return attr(t, struct.pack("=i", v))
def string(t, s): return attr(t, s.encode() + b"\0")


def frame(op, attrs=b"", flags=0, id_=1, status=0):
    return struct.pack("=IHHIi", 16 + len(attrs), op, flags, id_, status) + attrs


def address(t, fam, local, prefix, extra=b""):
    return attr(t, u8(22, fam) + attr(23, bytes(local)) + u8(24, prefix) + extra)


NAME = string(3, "tap0")
A4 = address(11, 2, [192, 0, 2, 1], 24, attr(25, bytes([192, 0, 2, 255])) + string(27, "tap0:1"))
A6 = address(11, 10, [0x20, 1, 0xd, 0xb8] + [0] * 11 + [1], 64)
RECORD = attr(13, u32(4, 3) + NAME + string(44, "tun") + u32(6, 0x1043) + u32(8, 1500) + u8(19, 1)
              + attr(10, bytes([2, 0, 0, 0, 0, 1])) + A4 + A6)

seeds = {
    "protocol": {
        "hello": frame(1, u32(1, 1) + string(2, "seed")),
        "list": frame(2),
        "get-name": frame(3, NAME),
        "get-index": frame(3, u32(4, 3)),
        "create": frame(4, string(5, "tap%d") + u32(17, 2) + u32(15, 1000)),
        "set-flags": frame(6, NAME + u32(6, 1) + u32(7, 1)),
        "set-mtu": frame(7, NAME + u32(8, 1400)),
        "set-metric": frame(8, NAME + s32(9, -1)),
        "addr-add": frame(11, NAME + A4),
        "addr-replace": frame(13, NAME + A6.replace(struct.pack("=HH", len(A6), 11), struct.pack("=HH", len(A6), 12), 1) + A4),
        "rename": frame(14, NAME + string(5, "wan0")),
        "multi-add": frame(15, NAME + attr(10, bytes([1, 0, 0x5e, 0, 0, 1]))),
        "reply-record": frame(3, RECORD, flags=1),
        "reply-error": frame(3, string(14, "no such interface") + u8(20, 1), flags=1, status=19),
        "reply-more": frame(2, RECORD + RECORD, flags=3),
    },
    "config": {
        "defaults": b'[daemon]\nsocket = "/run/ifctl/ifctld.sock"\nsocket_group = "ifctl"\n'
                    b'state_dir = "/var/lib/ifctl"\nlog_level = "info"\n\n[limits]\nmax_queues = 16\n'
                    b'max_queued_replies = 1024\n',
        "limits": b"[limits]\nmax_queues = 256\nmax_queued_replies = 1\n",
        "bad-key": b"[daemon]\nsokcet = 1\n",
        "wrong-type": b"[limits]\nmax_queues = \"x\"\n",
        "policy": b"[policy]\nallow = [\"root\"]\n",
        "inline": b"daemon = { log_level = \"debug\" }\n",
    },
    "cli": {
        "inet": b"tap0\0inet\x00192.0.2.1/24\0up",
        "inet6": b"tap0\0inet6\x002001:db8::1/64\0alias",
        "netmask": b"tap0\x00192.0.2.1\0netmask\x00255.255.255.0\0broadcast\x00192.0.2.255",
        "mtu": b"tap0\0mtu\x001400\0metric\x003\0txqueuelen\x00500",
        "create": b"tap\0create\0queues\x002\0owner\0root\0vnet_hdr",
        "ether": b"tap0\0ether\x0002:00:00:00:00:01\0-arp\0promisc",
        "rename": b"tap0\0name\0vm0",
        "delete": b"tap0\0-alias\x00192.0.2.1\0down",
        "multi": b"tap0\0addmulti\x0001:00:5e:00:00:01",
        "options": b"--json\0-a",
        "destroy": b"tap0\0destroy",
    },
    # The ioctl target reads its bytes through FuzzedDataProvider; plain
    # patterns are enough to start from.
    "ioctl": {
        "zeros": bytes(96),
        "ones": b"\x01" * 96,
        "tap0": b"\x00\x00\x01" + b"tap0" + bytes(36) + b"\x01" * 64,
        "ramp": bytes(range(256)),
    },
}


def snapshot_region(records, complete=True, slot=512):
    """A small read-only snapshot region (libifctl/protocol/snapshot_layout.hpp):
    the header, one entry, name/index/order table and slot per (name, index,
    record); slots of `slot` bytes so that it fits the short run's max_len."""
    cap = len(records)
    hdr = 80
    entries = hdr
    by_name = entries + 24 * cap
    by_index = by_name + 4 * cap
    order = by_index + 4 * cap
    slots = (order + 4 * cap + 7) & ~7
    size = slots + slot * cap
    out = bytearray(size)
    struct.pack_into("=IIIIQQIIIIIIIIIIQ", out, 0, 0x50414e53, 1, 2, 0, 0, size, 1 if complete else 0,
                     cap, cap, slot, entries, by_name, by_index, order, slots, 0, 1)
    for i, (name, index, rec) in enumerate(records):
        struct.pack_into("=16sII", out, entries + 24 * i, name.encode(), index, len(rec))
        out[slots + slot * i:slots + slot * i + len(rec)] = rec
    for k, i in enumerate(sorted(range(cap), key=lambda i: records[i][0])):
        struct.pack_into("=I", out, by_name + 4 * k, i)
    for k, i in enumerate(sorted(range(cap), key=lambda i: records[i][1])):
        struct.pack_into("=I", out, by_index + 4 * k, i)
    for i in range(cap):
        struct.pack_into("=I", out, order + 4 * i, i)
    return bytes(out)


LO = attr(13, u32(4, 1) + string(3, "lo") + u32(6, 0x49) + u32(8, 65536))
seeds["snapshot"] = {
    "one": snapshot_region([("tap0", 3, RECORD)]),
    "two": snapshot_region([("tap0", 3, RECORD), ("lo", 1, LO)]),
    "incomplete": snapshot_region([("lo", 1, LO)], complete=False),
    "header": snapshot_region([])[:80],
}

for target, files in seeds.items():
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
