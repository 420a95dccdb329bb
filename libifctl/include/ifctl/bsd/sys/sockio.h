/* <sys/sockio.h> for BSD code built on Linux with ifctl: the interface
 * requests Linux lacks (SIOCAIFADDR, SIOCGIFCAP, SIOCIFCREATE, ...).
 * Everything is in <ifctl/compat.h>; this file only forwards there, so that a
 * BSD source compiles unchanged with `pkg-config --cflags libifctl-bsd`. */
#include <ifctl/compat.h>
