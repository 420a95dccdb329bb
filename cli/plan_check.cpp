#include "plan_check.hpp"

#include <grp.h>
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

bool resolve_group(const std::string& group, uint32_t& gid) {
    std::string ignored;
    if (parse_u32(group, gid, ignored)) return true;
    const struct group* gr = ::getgrnam(group.c_str());
    if (!gr) return false;
    gid = gr->gr_gid;
    return true;
}

int check_plan(const Plan& plan, std::string& error) {
    const std::string lacks = ": not supported by this ifctld yet";
    for (const Action& a : plan.actions) {
        if (std::holds_alternative<op::Unsupported>(a.op)) {
            error = plan.name + ": " + a.words + lacks;
            return kExitFailed;
        }
        uint32_t id = 0;
        if (const auto* o = std::get_if<op::Owner>(&a.op); o && !resolve_user(o->user, id)) {
            error = plan.name + ": owner \"" + o->user + "\": no such user";
            return kExitUsage;
        }
        const auto* c = std::get_if<op::Create>(&a.op);
        if (!c) continue;
        if (c->owner && !resolve_user(*c->owner, id)) {
            error = plan.name + ": owner \"" + *c->owner + "\": no such user";
            return kExitUsage;
        }
        if (c->tap_group && !resolve_group(*c->tap_group, id)) {
            error = plan.name + ": tapgroup \"" + *c->tap_group + "\": no such group";
            return kExitUsage;
        }
    }
    return kExitOk;
}

}  // namespace ifctl::cli
