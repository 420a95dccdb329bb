// DatagramBatch, the event socket's reader, against a Unix datagram socketpair:
// how many datagrams one receive() takes, their bytes, truncation, errors.
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "daemon/kernel/datagram_batch.hpp"

using ifctl::daemon::DatagramBatch;

namespace {

struct Pair {
    int in = -1, out = -1;
    Pair() {
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
        in = sv[0];
        out = sv[1];
        // Room for the oversized datagram below.
        const int big = 1 << 20;
        REQUIRE(::setsockopt(out, SOL_SOCKET, SO_SNDBUF, &big, sizeof big) == 0);
        REQUIRE(::setsockopt(in, SOL_SOCKET, SO_RCVBUF, &big, sizeof big) == 0);
    }
    ~Pair() {
        ::close(in);
        ::close(out);
    }
    void send(const std::string& s) { REQUIRE(::send(out, s.data(), s.size(), 0) == static_cast<ssize_t>(s.size())); }
};

std::string text(const DatagramBatch& b, unsigned i) {
    return {reinterpret_cast<const char*>(b.data(i)), b.size(i)};
}

}  // namespace

TEST_CASE("datagram batch: an empty queue is 0, without waiting") {
    Pair p;
    DatagramBatch b;
    CHECK(b.receive(p.in) == 0);
}

TEST_CASE("datagram batch: each datagram whole, in order, in one call") {
    Pair p;
    p.send("one");
    p.send(std::string(3000, 'x'));
    p.send("three");
    DatagramBatch b;
    REQUIRE(b.receive(p.in) == 3);
    CHECK(text(b, 0) == "one");
    CHECK(text(b, 1) == std::string(3000, 'x'));
    CHECK(text(b, 2) == "three");
    for (unsigned i = 0; i < 3; ++i) CHECK_FALSE(b.truncated(i));
    CHECK(b.receive(p.in) == 0);
}

TEST_CASE("datagram batch: more than kSlots queued take several calls, none lost") {
    Pair p;
    const unsigned total = DatagramBatch::kSlots + 2;
    for (unsigned k = 0; k < total; ++k) p.send("d" + std::to_string(k));
    DatagramBatch b;
    REQUIRE(b.receive(p.in) == static_cast<int>(DatagramBatch::kSlots));
    for (unsigned i = 0; i < DatagramBatch::kSlots; ++i) CHECK(text(b, i) == "d" + std::to_string(i));
    REQUIRE(b.receive(p.in) == 2);
    CHECK(text(b, 0) == "d" + std::to_string(DatagramBatch::kSlots));
    CHECK(text(b, 1) == "d" + std::to_string(DatagramBatch::kSlots + 1));
    CHECK(b.receive(p.in) == 0);
}

TEST_CASE("datagram batch: a datagram longer than a slot is reported truncated; the next is whole") {
    Pair p;
    p.send(std::string(DatagramBatch::kSlotBytes + 100, 'y'));
    p.send("after");
    DatagramBatch b;
    REQUIRE(b.receive(p.in) == 2);
    CHECK(b.truncated(0));
    CHECK(b.size(0) == DatagramBatch::kSlotBytes);
    CHECK_FALSE(b.truncated(1));
    CHECK(text(b, 1) == "after");
}

TEST_CASE("datagram batch: a bad descriptor is -EBADF") {
    DatagramBatch b;
    CHECK(b.receive(-1) == -EBADF);
}
