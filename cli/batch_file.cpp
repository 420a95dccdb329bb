#include "batch_file.hpp"


#include "command_line.hpp"
#include "plan_check.hpp"

namespace ifctl::cli {

namespace {

// Splits a line into words at white space; "double quotes" make one word of
// what they hold (a description with spaces), and '#' outside them starts a
// comment. False for a quote left open.
bool split_words(const std::string& line, std::vector<std::string>& words) {
    std::string w;
    bool in_word = false, quoted = false;
    for (char c : line) {
        if (quoted) {
            if (c == '"') quoted = false;
            else w += c;
            continue;
        }
        if (c == '#') break;
        if (c == '"') {
            quoted = in_word = true;
        } else if (c == ' ' || c == '\t' || c == '\r') {
            if (in_word) words.push_back(std::move(w));
            w.clear();
            in_word = false;
        } else {
            w += c;
            in_word = true;
        }
    }
    if (in_word) words.push_back(std::move(w));
    return !quoted;
}

}  // namespace

int parse_batch_file(std::istream& in, const std::string& label, std::vector<FileLine>& out, std::string& error) {
    std::vector<FileLine> lines;
    std::string raw;
    for (int number = 1; std::getline(in, raw); ++number) {
        std::vector<std::string> words;
        const std::string where = label + ":" + std::to_string(number) + ": ";
        if (!split_words(raw, words)) {
            error = where + "a quote is not closed";
            return kExitUsage;
        }
        if (words.empty()) continue;
        FileLine line;
        line.number = number;
        for (const std::string& w : words) line.text += (line.text.empty() ? "" : " ") + w;
        std::string why;
        if (!parse_words(words, line.plan, why)) {
            error = where + why;
            return kExitUsage;
        }
        const Plan& p = line.plan;
        if (p.actions.empty()) {
            error = where + p.name + ": nothing to do (a line of a batch file changes something)";
            return kExitUsage;
        }
        for (const Action& a : p.actions) {
            if (std::holds_alternative<op::WaitUp>(a.op)) {
                error = where + p.name + ": " + a.words + ": waiting cannot be part of a batch";
                return kExitUsage;
            }
        }
        // The daemon picks a pattern's name when the batch runs: nothing later can name it.
        if (const auto* c = std::get_if<op::Create>(&p.actions.front().op);
            c && c->name.find('%') != std::string::npos && p.actions.size() > 1) {
            error = where + p.name + ": in a batch file, create with more keywords needs an exact name (such as " +
                    (p.name.find('%') == std::string::npos ? p.name + "0" : "tap0") + ")";
            return kExitUsage;
        }
        if (int status = check_plan(p, why); status != kExitOk) {
            error = where + why;
            return status;
        }
        lines.push_back(std::move(line));
    }
    if (in.bad()) {
        error = label + ": read error";
        return kExitFailed;
    }
    if (lines.empty()) {
        error = label + ": no changes in the file";
        return kExitUsage;
    }
    out = std::move(lines);
    return kExitOk;
}

}  // namespace ifctl::cli
