#include "stop_kind.hpp"

#include <spdlog/spdlog.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-login.h>

#include <cstdlib>
#include <cstring>
#include <memory>

namespace ifctl::daemon {
namespace {

constexpr const char* kSystemd = "org.freedesktop.systemd1";
// A stop waits for the answer: systemd answers at once, or is gone.
constexpr uint64_t kBusTimeoutUsec = 2'000'000;

struct BusUnref {
    void operator()(sd_bus* b) const { sd_bus_flush_close_unref(b); }
};
using Bus = std::unique_ptr<sd_bus, BusUnref>;

std::string failed(const std::string& what, int rc) { return "?" + what + ": " + std::strerror(rc < 0 ? -rc : rc); }

// The manager's private socket first (root, no D-Bus broker needed: a minimal
// system has none), then the system bus.
int connect_manager(Bus& out) {
    sd_bus* b = nullptr;
    int rc = sd_bus_new(&b);
    if (rc < 0) return rc;
    Bus bus(b);
    if ((rc = sd_bus_set_address(b, "unix:path=/run/systemd/private")) < 0 || (rc = sd_bus_start(b)) < 0) {
        bus.reset();
        b = nullptr;
        if ((rc = sd_bus_open_system(&b)) < 0) return rc;
        bus.reset(b);
    }
    sd_bus_set_method_call_timeout(b, kBusTimeoutUsec);
    out = std::move(bus);
    return 0;
}

}  // namespace

std::string own_unit_job() {
    if (!std::getenv("NOTIFY_SOCKET")) return "?not started by systemd";
    char* unit_c = nullptr;
    if (int rc = sd_pid_get_unit(0, &unit_c); rc < 0) return failed("which unit", rc);
    const std::string unit = unit_c;
    std::free(unit_c);
    Bus bus;
    if (int rc = connect_manager(bus); rc < 0) return failed("connecting to systemd", rc);
    sd_bus_error error = SD_BUS_ERROR_NULL;
    sd_bus_message* reply = nullptr;
    int rc = sd_bus_call_method(bus.get(), kSystemd, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                "GetUnit", &error, &reply, "s", unit.c_str());
    const char* path = nullptr;
    if (rc >= 0) rc = sd_bus_message_read(reply, "o", &path);
    std::string unit_path = rc >= 0 ? path : "";
    sd_bus_message_unref(reply);
    reply = nullptr;
    sd_bus_error_free(&error);
    if (rc < 0) return failed("GetUnit " + unit, rc);
    // Unit.Job is (job id, job path); id 0: no job.
    rc = sd_bus_get_property(bus.get(), kSystemd, unit_path.c_str(), "org.freedesktop.systemd1.Unit", "Job", &error,
                             &reply, "(uo)");
    uint32_t id = 0;
    const char* job_path = nullptr;
    if (rc >= 0) rc = sd_bus_message_read(reply, "(uo)", &id, &job_path);
    const std::string job = rc >= 0 && job_path ? job_path : "";
    sd_bus_message_unref(reply);
    sd_bus_error_free(&error);
    if (rc < 0) return failed("the job of " + unit, rc);
    if (id == 0) return "";
    char* type = nullptr;
    rc = sd_bus_get_property_string(bus.get(), kSystemd, job.c_str(), "org.freedesktop.systemd1.Job", "JobType",
                                    &error, &type);
    sd_bus_error_free(&error);
    if (rc < 0) return failed("the type of job " + std::to_string(id), rc);
    std::string out = type;
    std::free(type);
    return out;
}

bool stop_is_for_good(const std::string& on_stop) {
    if (on_stop == "destroy") return true;
    if (on_stop == "keep") return false;
    const std::string job = own_unit_job();
    if (job == "stop") {
        spdlog::info("systemd is stopping ifctld for good: non-persistent TAPs nobody holds a queue of go");
        return true;
    }
    if (!job.empty() && job[0] == '?')
        spdlog::info("stopping; every TAP stays for the next start (cannot tell a stop for good: {})", job.substr(1));
    else
        spdlog::info("stopping for a restart ({}): every TAP stays for the next start", job.empty() ? "no job" : job);
    return false;
}

}  // namespace ifctl::daemon
