// apply_address_event: an address event applied where the kernel's order after
// it follows from the event, refused (the list is read again) elsewhere. The
// expected orders are the kernel's (daemon/kernel/address_order.cpp); the
// integration test "the address list is the kernel's, in its order" checks
// them against `ip -j addr show`.
#include <linux/if_addr.h>

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "daemon/kernel/address_order.hpp"
#include "tests/integration/support/addresses.hpp"

using ifctl::daemon::AddressEvent;
using ifctl::daemon::apply_address_event;
using ifctl::proto::Address;
using ifctl::test::v4;
using ifctl::test::v6;

namespace {

Address secondary(Address a) {
    a.flags |= IFA_F_SECONDARY;
    return a;
}

Address flagged(Address a, uint32_t flags) {
    a.flags = flags;
    return a;
}

std::vector<std::string> text(const std::vector<Address>& list) {
    std::vector<std::string> out;
    for (const Address& a : list)
        out.push_back(ifctl::proto::format_address(a.family, a.local.data()) + "/" + std::to_string(a.prefix));
    return out;
}

using Strings = std::vector<std::string>;

}  // namespace

TEST_CASE("the first address of a family goes to that family's place") {
    std::vector<Address> list;
    CHECK(apply_address_event(list, AddressEvent::Added, v6("fe80::1")));
    CHECK(apply_address_event(list, AddressEvent::Added, v4("10.0.0.1")));
    CHECK(text(list) == Strings{"10.0.0.1/24", "fe80::1/64"});
    std::vector<Address> only6;
    CHECK(apply_address_event(only6, AddressEvent::Added, v6("::1", 128)));  // a scope not told from the prefix
    CHECK(text(only6) == Strings{"::1/128"});
}

TEST_CASE("an inet secondary goes to the tail of the inet addresses; a new primary is read again") {
    std::vector<Address> list{v4("10.0.0.1"), v6("fe80::1")};
    CHECK(apply_address_event(list, AddressEvent::Added, secondary(v4("10.0.0.2"))));
    CHECK(text(list) == Strings{"10.0.0.1/24", "10.0.0.2/24", "fe80::1/64"});
    const std::vector<Address> before = list;
    CHECK_FALSE(apply_address_event(list, AddressEvent::Added, v4("10.1.0.1", 16)));
    CHECK(list == before);
    // Another prefix of a listed local address: refused as well.
    CHECK_FALSE(apply_address_event(list, AddressEvent::Added, secondary(v4("10.0.0.1", 16))));
    CHECK(list == before);
}

TEST_CASE("inet6 addresses go in front of the first of a scope not above theirs") {
    std::vector<Address> list{v4("10.0.0.1"), v6("fe80::1")};
    CHECK(apply_address_event(list, AddressEvent::Added, v6("2001:db8::1")));
    CHECK(apply_address_event(list, AddressEvent::Added, v6("fec0::1")));
    CHECK(apply_address_event(list, AddressEvent::Added, v6("fd00::1")));
    CHECK(apply_address_event(list, AddressEvent::Added, v6("fe80::5")));
    CHECK(text(list) == Strings{"10.0.0.1/24", "fd00::1/64", "2001:db8::1/64", "fec0::1/64", "fe80::5/64", "fe80::1/64"});
    // A scope the prefix does not tell, new or listed: read again.
    const std::vector<Address> before = list;
    CHECK_FALSE(apply_address_event(list, AddressEvent::Added, v6("::ffff:10.0.0.9", 128)));
    CHECK(list == before);
    std::vector<Address> odd{v6("::2", 128)};
    CHECK_FALSE(apply_address_event(odd, AddressEvent::Added, v6("2001:db8::1")));
}

TEST_CASE("a listed address announced again changes in place, unless promoted") {
    std::vector<Address> list{v4("10.0.0.1"), secondary(v4("10.0.0.2")), v6("2001:db8::1"), v6("fe80::1")};
    CHECK(apply_address_event(list, AddressEvent::Added, flagged(v6("2001:db8::1"), IFA_F_PERMANENT)));
    CHECK(list[2].flags == IFA_F_PERMANENT);
    CHECK(text(list) == Strings{"10.0.0.1/24", "10.0.0.2/24", "2001:db8::1/64", "fe80::1/64"});
    // The promoted secondary: announced without IFA_F_SECONDARY, moved by the kernel.
    const std::vector<Address> before = list;
    CHECK_FALSE(apply_address_event(list, AddressEvent::Added, v4("10.0.0.2")));
    CHECK(list == before);
    CHECK(list[1].flags == IFA_F_SECONDARY);
}

TEST_CASE("a removal takes the one address out; one not listed is read again") {
    std::vector<Address> list{v4("10.0.0.1"), secondary(v4("10.0.0.2")), v4("10.1.0.1", 16), v6("fe80::1")};
    CHECK(apply_address_event(list, AddressEvent::Removed, v4("10.0.0.1")));
    CHECK(text(list) == Strings{"10.0.0.2/24", "10.1.0.1/16", "fe80::1/64"});
    const std::vector<Address> before = list;
    CHECK_FALSE(apply_address_event(list, AddressEvent::Removed, v4("10.9.0.1")));
    CHECK_FALSE(apply_address_event(list, AddressEvent::Removed, v4("10.1.0.1", 24)));  // another prefix
    CHECK(list == before);
}
