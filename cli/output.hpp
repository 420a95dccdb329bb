// Printing interface records: the ifconfig-like text layout (output_text.cpp,
// documented in ifctl(8)) and the JSON schema (output_json.cpp, docs/json.md).
// Every function returns the text, so tests can compare it.
#pragma once

#include <string>
#include <vector>

#include "libifctl/protocol/event.hpp"
#include "libifctl/protocol/model.hpp"

namespace ifctl::cli {

// Colour only on a terminal and never when NO_COLOR is set (no-color.org).
bool colour_wanted(int fd);

std::string text_interface(const proto::Interface& i, bool colour);
std::string text_names(const std::vector<proto::Interface>& list);  // "lo tap0 tap1\n"

std::string json_interface(const proto::Interface& i);
std::string json_interfaces(const std::vector<proto::Interface>& list);  // {"interfaces": [...]}
std::string json_names(const std::vector<proto::Interface>& list);       // {"names": [...]}

// ifctl monitor: one line per event, "SEQ NAME KIND DETAILS" or a JSON object.
std::string text_event(const proto::Event& e);
std::string json_event(const proto::Event& e);

}  // namespace ifctl::cli
