#include "log_sink.hpp"

#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <syslog.h>
#include <systemd/sd-journal.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <mutex>

#include "daemon/core/log_text.hpp"

namespace ifctl::daemon {

namespace {

int priority(spdlog::level::level_enum l) {
    switch (l) {
        case spdlog::level::trace:
        case spdlog::level::debug: return LOG_DEBUG;
        case spdlog::level::info: return LOG_INFO;
        case spdlog::level::warn: return LOG_WARNING;
        case spdlog::level::err: return LOG_ERR;
        default: return LOG_CRIT;
    }
}

class JournalSink : public spdlog::sinks::base_sink<std::mutex> {
protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        const std::vector<std::string> fields =
            journal_fields(msg.level, std::string_view(msg.payload.data(), msg.payload.size()));
        std::vector<iovec> iov;
        iov.reserve(fields.size());
        for (const auto& f : fields) iov.push_back({const_cast<char*>(f.data()), f.size()});
        sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
    }
    void flush_() override {}
};

// Escapes each message, then hands it to the sink that writes it.
class EscapingSink : public spdlog::sinks::sink {
public:
    explicit EscapingSink(spdlog::sink_ptr inner) : inner_(std::move(inner)) { set_level(spdlog::level::trace); }
    void log(const spdlog::details::log_msg& msg) override {
        const std::string text = escape_log_text(std::string_view(msg.payload.data(), msg.payload.size()));
        spdlog::details::log_msg copy = msg;
        copy.payload = spdlog::string_view_t(text.data(), text.size());
        inner_->log(copy);
    }
    void flush() override { inner_->flush(); }
    void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
    void set_formatter(std::unique_ptr<spdlog::formatter> f) override { inner_->set_formatter(std::move(f)); }

private:
    spdlog::sink_ptr inner_;
};

}  // namespace

std::shared_ptr<spdlog::logger> plain_logger(const std::string& name, spdlog::sink_ptr sink) {
    auto logger = std::make_shared<spdlog::logger>(name, std::make_shared<EscapingSink>(std::move(sink)));
    spdlog::register_logger(logger);
    return logger;
}

bool stderr_is_journal() {
    const char* js = std::getenv("JOURNAL_STREAM");
    if (!js) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(js, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st {};
    return ::fstat(2, &st) == 0 && st.st_dev == dev && st.st_ino == ino;
}

void log_to_journal() {
    auto logger = std::make_shared<spdlog::logger>("ifctld", std::make_shared<JournalSink>());
    logger->set_level(spdlog::get_level());
    spdlog::set_default_logger(logger);
}

std::vector<std::string> journal_fields(spdlog::level::level_enum level, std::string_view message) {
    std::vector<std::string> f;
    f.push_back("MESSAGE=" + std::string(message));
    f.push_back("PRIORITY=" + std::to_string(priority(level)));
    f.push_back("SYSLOG_IDENTIFIER=ifctld");
    const auto name = spdlog::level::to_string_view(level);
    f.push_back("IFCTL_LEVEL=" + std::string(name.data(), name.size()));
    // "audit: ..." -> IFCTL_TOPIC=audit: one lower-case word before ": ".
    const size_t colon = message.find(": ");
    if (colon != std::string_view::npos && colon > 0 && colon <= 16) {
        const std::string_view word = message.substr(0, colon);
        bool plain = true;
        for (char ch : word) plain = plain && (std::islower(static_cast<unsigned char>(ch)) || ch == '-');
        if (plain) f.push_back("IFCTL_TOPIC=" + std::string(word));
    }
    return f;
}

}  // namespace ifctl::daemon
