#include "daemon/service/reload.hpp"

#include <spdlog/spdlog.h>

#include <cerrno>

#include "daemon/config.hpp"
#include "daemon/core/dispatch.hpp"

namespace ifctl::daemon {

int reload_policy(const std::string& given, Dispatcher& dispatcher, std::string& message) {
    const std::string file = config_file_in_use(given);
    Config next;
    if (std::string err = load_config(given, next); !err.empty()) {
        message = err + " (the policy in force stays)";
        spdlog::error("reload refused: {}", message);
        return EINVAL;
    }
    dispatcher.set_policy(next.policy);
    message = file.empty() ? std::string(kDefaultConfigFile) + " does not exist: the built-in policy applies"
                           : "reloaded the policy from " + file + ": " + std::to_string(next.policy->rules.size()) +
                                 " rule(s); changes to [daemon] and [limits] take effect at the next start";
    spdlog::info("{}", message);
    return 0;
}

void reload_log_level(const std::string& config_file, const std::string& cli_level) {
    if (!cli_level.empty()) {
        spdlog::info("SIGHUP: log level stays {} (set by --log-level)", spdlog::level::to_string_view(spdlog::get_level()));
        return;
    }
    Config fresh;
    if (std::string err = load_config(config_file, fresh); !err.empty()) {
        spdlog::error("SIGHUP: {}; log level unchanged", err);
        return;
    }
    spdlog::set_level(spdlog::level::from_str(fresh.log_level));
    spdlog::info("SIGHUP: log level is now {}", fresh.log_level);
}

}  // namespace ifctl::daemon
