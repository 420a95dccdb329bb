#include "show.hpp"

#include <net/if.h>
#include <unistd.h>

#include <algorithm>
#include <iostream>

#include "output.hpp"
#include "report.hpp"

namespace ifctl::cli {

namespace {

int failed(client::Connection& c, const std::string& name, int rc) {
    std::cerr << "ifctl: " << failure_message(name, "", rc, c.message(), false) << "\n";
    return kExitFailed;
}

}  // namespace

int show_interface(client::Connection& c, const std::string& name, const Options& o) {
    proto::Interface rec;
    if (int rc = c.get(client::Target::by_name(name), rec); rc < 0) return failed(c, name, rc);
    std::cout << (o.json ? json_interface(rec) : text_interface(rec, colour_wanted(STDOUT_FILENO)));
    return kExitOk;
}

int show_list(client::Connection& c, const Options& o) {
    std::vector<proto::Interface> list;
    if (int rc = c.list(list); rc < 0) return failed(c, "list", rc);
    if (o.up_only || o.down_only)
        std::erase_if(list, [&](const proto::Interface& i) { return bool(i.flags & IFF_UP) != o.up_only; });
    if (o.names_only) {
        std::cout << (o.json ? json_names(list) : text_names(list));
    } else if (o.json) {
        std::cout << json_interfaces(list);
    } else {
        const bool colour = colour_wanted(STDOUT_FILENO);
        for (const proto::Interface& i : list) std::cout << text_interface(i, colour);
    }
    return kExitOk;
}

}  // namespace ifctl::cli
