#include "record.hpp"

#include <arpa/inet.h>

#include <cerrno>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace ifctl::daemon {

using json = nlohmann::json;

namespace {

constexpr const char* kFormat = "ifctld-interface";

std::string hex64(uint64_t v) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string mac_text(const uint8_t* p, size_t n) {
    std::string s;
    char b[4];
    for (size_t i = 0; i < n; ++i) {
        std::snprintf(b, sizeof b, i ? ":%02x" : "%02x", p[i]);
        s += b;
    }
    return s;
}

std::vector<uint8_t> mac_bytes(const std::string& s) {
    std::vector<uint8_t> out;
    if (s.empty()) return out;
    for (size_t i = 0; i < s.size(); i += 3) {
        if (i + 2 > s.size() || (i + 2 < s.size() && s[i + 2] != ':')) throw std::invalid_argument("bad link address");
        out.push_back(static_cast<uint8_t>(std::stoul(s.substr(i, 2), nullptr, 16)));
    }
    return out;
}

// inet_pton into `out`; throws on text that is not an address of the family.
template <size_t N>
void ip_bytes(uint8_t family, const std::string& text, std::array<uint8_t, N>& out) {
    std::array<uint8_t, 16> buf{};
    if (inet_pton(family == AF_INET ? AF_INET : AF_INET6, text.c_str(), buf.data()) != 1)
        throw std::invalid_argument("bad address " + text);
    std::copy_n(buf.begin(), N, out.begin());
}

json address_json(const proto::Address& a) {
    json j{{"family", a.family == AF_INET ? "inet" : "inet6"},
           {"local", proto::format_address(a.family, a.local.data())},
           {"prefix", a.prefix},
           {"flags", a.flags}};
    if (a.broadcast) j["broadcast"] = proto::format_address(AF_INET, a.broadcast->data());
    if (a.peer) j["peer"] = proto::format_address(a.family, a.peer->data());
    if (!a.label.empty()) j["label"] = a.label;
    return j;
}

proto::Address address_from(const json& j) {
    proto::Address a;
    const std::string fam = j.at("family").get<std::string>();
    if (fam != "inet" && fam != "inet6") throw std::invalid_argument("bad address family " + fam);
    a.family = fam == "inet" ? AF_INET : AF_INET6;
    ip_bytes(a.family, j.at("local").get<std::string>(), a.local);
    a.prefix = j.at("prefix").get<uint8_t>();
    if (a.prefix > a.length() * 8) throw std::invalid_argument("bad prefix length");
    a.flags = j.value("flags", 0u);
    if (j.contains("broadcast")) {
        std::array<uint8_t, 4> b{};
        ip_bytes(AF_INET, j["broadcast"].get<std::string>(), b);
        a.broadcast = b;
    }
    if (j.contains("peer")) {
        std::array<uint8_t, 16> p{};
        ip_bytes(a.family, j["peer"].get<std::string>(), p);
        a.peer = p;
    }
    a.label = j.value("label", std::string());
    return a;
}

json record_json(const StoredInterface& r) {
    json addrs = json::array();
    for (const auto& a : r.addresses) addrs.push_back(address_json(a));
    json multi = json::array();
    for (const auto& m : r.multicast) multi.push_back(mac_text(m.data(), m.size()));
    json j{{"unique_id", r.unique_id},
           {"unique_family", r.unique_family},
           {"caller_id", r.caller_id},
           {"attached", r.attached},
           {"owner", r.owner},
           {"vnet_hdr", r.vnet_hdr},
           {"queues", r.max_queues},
           {"metric", r.metric},
           {"persistent", r.persistent},
           {"netns", r.netns},
           {"multicast", multi},
           {"groups", r.groups},
           {"no_dad", r.no_dad},
           {"kernel",
            {{"index", r.index},
             {"name", r.name},
             {"mtu", r.mtu},
             {"txqlen", r.txqlen},
             {"flags", r.flags},
             {"lladdr", mac_text(r.lladdr.data(), r.lladdr.size())},
             {"addresses", addrs},
             {"description", r.description},
             {"auto_linklocal", r.auto_linklocal}}}};
    j["group"] = r.group ? json(*r.group) : json(nullptr);
    return j;
}

// Reads a record of format version 1 (or later versions' fields we know).
// Fields a version-1 file may lack get their defaults, so older files load.
StoredInterface record_from(const json& j) {
    StoredInterface r;
    r.unique_id = j.at("unique_id").get<uint64_t>();
    // Files from before caller-chosen ids have neither: the id is the daemon's.
    r.caller_id = j.value("caller_id", uint64_t{0});
    r.unique_family = r.caller_id ? j.value("unique_family", std::string()) : std::string();
    r.attached = j.value("attached", true);
    r.owner = j.at("owner").get<uint32_t>();
    if (j.contains("group") && !j["group"].is_null()) r.group = j["group"].get<uint32_t>();
    r.vnet_hdr = j.value("vnet_hdr", false);
    r.max_queues = j.value("queues", 1u);
    r.metric = j.value("metric", 0);
    r.persistent = j.value("persistent", false);
    r.netns = j.value("netns", std::string());
    for (const auto& m : j.value("multicast", json::array())) {
        const auto b = mac_bytes(m.get<std::string>());
        if (b.size() != 6) throw std::invalid_argument("bad multicast address");
        std::array<uint8_t, 6> a{};
        std::copy(b.begin(), b.end(), a.begin());
        r.multicast.push_back(a);
    }
    const json& k = j.at("kernel");
    r.index = k.at("index").get<uint32_t>();
    r.name = k.at("name").get<std::string>();
    if (r.name.empty() || r.name.size() > 15) throw std::invalid_argument("bad interface name");
    r.mtu = k.value("mtu", 0u);
    r.txqlen = k.value("txqlen", 0u);
    r.flags = k.value("flags", 0u);
    r.lladdr = mac_bytes(k.value("lladdr", std::string()));
    for (const auto& a : k.value("addresses", json::array())) r.addresses.push_back(address_from(a));
    r.description = k.value("description", std::string());
    r.auto_linklocal = k.value("auto_linklocal", true);
    r.groups = j.value("groups", std::vector<std::string>());
    r.no_dad = j.value("no_dad", false);
    return r;
}

}  // namespace

uint64_t fnv1a64(std::string_view s) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : s) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    return h;
}

namespace {

// The envelope every state file has: format, version, checksum, payload.
std::string wrap(const char* format, const json& payload) {
    const json env{{"format", format},
                   {"version", kStateVersion},
                   {"checksum", "fnv1a64:" + hex64(fnv1a64(payload.dump()))},
                   {"record", payload}};
    return env.dump(1) + "\n";
}

// Parses and checks an envelope; calls `take` on its payload. Exceptions from
// `take` (missing or malformed fields) count as corruption.
template <typename Take>
int unwrap(std::string_view bytes, const char* format, std::string& why, Take take) {
    try {
        const json env = json::parse(bytes);
        if (!env.is_object() || env.value("format", std::string()) != format) {
            why = std::string("not an ") + format + " file";
            return -EBADMSG;
        }
        const int version = env.at("version").get<int>();
        if (version > kStateVersion) {
            why = "written by a newer ifctld (format version " + std::to_string(version) + ", this one reads up to " +
                  std::to_string(kStateVersion) + ")";
            return -EPROTONOSUPPORT;
        }
        if (version < 1) {
            why = "bad format version " + std::to_string(version);
            return -EBADMSG;
        }
        const json& payload = env.at("record");
        if (env.at("checksum").get<std::string>() != "fnv1a64:" + hex64(fnv1a64(payload.dump()))) {
            why = "checksum mismatch (the file is damaged or was edited)";
            return -EBADMSG;
        }
        take(payload);
        return 0;
    } catch (const std::exception& e) {
        why = std::string("unreadable (torn or corrupt): ") + e.what();
        return -EBADMSG;
    }
}

}  // namespace

std::string encode_record(const StoredInterface& r) { return wrap(kFormat, record_json(r)); }

int decode_record(std::string_view bytes, StoredInterface& out, std::string& why) {
    return unwrap(bytes, kFormat, why, [&](const json& p) { out = record_from(p); });
}

std::string encode_ids(uint64_t next_unique_id) { return wrap("ifctld-ids", json{{"next_unique_id", next_unique_id}}); }

int decode_ids(std::string_view bytes, uint64_t& next_unique_id, std::string& why) {
    return unwrap(bytes, "ifctld-ids", why,
                  [&](const json& p) { next_unique_id = p.at("next_unique_id").get<uint64_t>(); });
}

std::string encode_batch(const BatchIntent& b) {
    json before = json::array();
    for (const StoredInterface& r : b.before) before.push_back(record_json(r));
    return wrap("ifctld-batch", json{{"steps", b.steps}, {"first_new_id", b.first_new_id}, {"before", before}});
}

int decode_batch(std::string_view bytes, BatchIntent& out, std::string& why) {
    return unwrap(bytes, "ifctld-batch", why, [&](const json& p) {
        BatchIntent b;
        b.steps = p.at("steps").get<size_t>();
        b.first_new_id = p.at("first_new_id").get<uint64_t>();
        for (const json& r : p.at("before")) b.before.push_back(record_from(r));
        out = std::move(b);
    });
}

}  // namespace ifctl::daemon
