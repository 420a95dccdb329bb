// The word parsers on their own: addresses, netmasks, MACs, numbers.
#include <catch2/catch.hpp>

#include "addr_parse.hpp"
#include "value_parse.hpp"

using namespace ifctl::cli;

TEST_CASE("netmask spellings", "[parsers]") {
    uint8_t p = 0;
    std::string why;
    for (const char* s : {"0", "0.0.0.0", "0x0", "0x00000000"}) {
        INFO(s);
        REQUIRE(parse_netmask(s, p, why));
        CHECK(p == 0);
    }
    for (const char* s : {"32", "255.255.255.255", "0xffffffff", "0XFFFFFFFF"}) {
        INFO(s);
        REQUIRE(parse_netmask(s, p, why));
        CHECK(p == 32);
    }
    REQUIRE(parse_netmask("255.255.240.0", p, why));
    CHECK(p == 20);
    for (const char* s : {"", "0x", "0xgg", "1.2.3", "-1", "255.255.0.255", "0x0000ffff"}) {
        INFO(s);
        CHECK_FALSE(parse_netmask(s, p, why));
    }
}

TEST_CASE("MAC spellings", "[parsers]") {
    Mac m{};
    std::string why;
    REQUIRE(parse_mac("02-AB-cd-ef-01-02", m, why));
    CHECK(m == Mac{0x02, 0xab, 0xcd, 0xef, 0x01, 0x02});
    REQUIRE(parse_mac("2:0:0:0:0:1", m, why));  // as BSD prints it
    CHECK(m == Mac{2, 0, 0, 0, 0, 1});
    for (const char* s : {"", "02:ab:cd:ef:01", "02:ab:cd:ef:01:02:03", "02:ab:cd:ef:01:", "002:ab:cd:ef:01:02",
                          "02:ab:cd:ef:01:0g", "02:ab-cd:ef:01:02", "02::cd:ef:01:02"}) {
        INFO(s);
        CHECK_FALSE(parse_mac(s, m, why));
    }
}

TEST_CASE("address helpers", "[parsers]") {
    CHECK(netmask_of(0) == 0);
    CHECK(netmask_of(24) == 0xffffff00);
    CHECK(netmask_of(32) == 0xffffffff);
    const uint8_t a[4] = {10, 1, 2, 3};
    CHECK(broadcast_of(a, 24) == Inet4{10, 1, 2, 255});
    CHECK(broadcast_of(a, 8) == Inet4{10, 255, 255, 255});
    CHECK(broadcast_of(a, 32) == Inet4{10, 1, 2, 3});
}

TEST_CASE("numbers are decimal only", "[parsers]") {
    uint32_t u = 0;
    int32_t s = 0;
    uint64_t l = 0;
    std::string why;
    CHECK(parse_u32("4294967295", u, why));
    CHECK_FALSE(parse_u32("0x10", u, why));
    CHECK_FALSE(parse_u32("", u, why));
    CHECK_FALSE(parse_u32(" 1", u, why));
    CHECK(parse_s32("-2147483648", s, why));
    CHECK(parse_u64("18446744073709551615", l, why));
    CHECK_FALSE(parse_u64("18446744073709551616", l, why));
    CHECK(why == "out of range (0 to 18446744073709551615)");
}
