#include "plan_check.hpp"

#include <pwd.h>

#include "command_line.hpp"
#include "value_parse.hpp"

namespace ifctl::cli {

bool resolve_user(const std::string& user, uint32_t& uid) {
    std::string ignored;
    if (parse_u32(user, uid, ignored)) return true;
    const passwd* pw = ::getpwnam(user.c_str());
    if (!pw) return false;
    uid = pw->pw_uid;
    return true;
}

int check_plan(const Plan& plan, std::string& error) {
    const std::string lacks = ": not supported by this ifctld yet";
    for (const Action& a : plan.actions) {
        if (std::holds_alternative<op::Unsupported>(a.op)) {
            error = plan.name + ": " + a.words + lacks;
            return kExitFailed;
        }
        const auto* c = std::get_if<op::Create>(&a.op);
        if (!c) continue;
        if (!c->unsupported.empty()) {
            error = plan.name + ": " + c->unsupported.front() + lacks;
            return kExitFailed;
        }
        uint32_t uid = 0;
        if (c->owner && !resolve_user(*c->owner, uid)) {
            error = plan.name + ": owner \"" + *c->owner + "\": no such user";
            return kExitUsage;
        }
    }
    return kExitOk;
}

}  // namespace ifctl::cli
