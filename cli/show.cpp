#include "show.hpp"

#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "output.hpp"
#include "report.hpp"

namespace ifctl::cli {

namespace {

int failed(const std::string& name, const client::Result& r) {
    std::cerr << "ifctl: " << failure_message(name, "", r.error, r.message, false) << "\n";
    return kExitFailed;
}

// --format, checked by main before anything is asked of the daemon.
TextFormat text_format(const Options& o) {
    TextFormat f;
    std::string ignored;
    parse_text_format(o.format, f, ignored);
    return f;
}

}  // namespace

int show_interface(client::Connection& c, const std::string& name, const Options& o) {
    proto::Interface rec;
    if (client::Result r = c.get(client::InterfaceRef::by_name(name), rec); !r.ok()) return failed(name, r);
    std::cout << (o.json ? json_interface(rec) : text_interface(rec, colour_wanted(STDOUT_FILENO), text_format(o)));
    return kExitOk;
}

int show_list(client::Connection& c, const Options& o) {
    std::vector<proto::Interface> list;
    if (client::Result r = c.list(list); !r.ok()) return failed("list", r);
    if (o.up_only || o.down_only)
        std::erase_if(list, [&](const proto::Interface& i) { return bool(i.flags & IFF_UP) != o.up_only; });
    if (!o.group.empty())
        std::erase_if(list, [&](const proto::Interface& i) {
            return std::find(i.groups.begin(), i.groups.end(), o.group) == i.groups.end();
        });
    if (o.names_only) {
        std::cout << (o.json ? json_names(list) : text_names(list));
    } else if (o.brief) {
        std::cout << (o.json ? json_brief(list) : text_brief(list, colour_wanted(STDOUT_FILENO)));
    } else if (o.json) {
        std::cout << json_interfaces(list);
    } else {
        const bool colour = colour_wanted(STDOUT_FILENO);
        const TextFormat fmt = text_format(o);
        for (const proto::Interface& i : list) std::cout << text_interface(i, colour, fmt);
    }
    return kExitOk;
}

int show_cloners(const Options& o) {
    // ifctld makes TAP interfaces only.
    std::cout << (o.json ? "{\n  \"cloners\": [\n    \"tap\"\n  ]\n}\n" : "tap\n");
    return kExitOk;
}

}  // namespace ifctl::cli
