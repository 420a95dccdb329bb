// Interfaces whose record is too large for a frame (thousands of addresses added
// outside the daemon): a list carries them without their addresses and the log
// says so once per interface, not once per list, until the record fits again.
#pragma once

#include <cstdint>

namespace ifctl::daemon {

// True the first time the interface's record is found too large since it last fit.
bool oversized_record_first_seen(uint32_t index);
// The interface's record fits a frame again: a later overflow is told anew.
void record_fits(uint32_t index);

}  // namespace ifctl::daemon
