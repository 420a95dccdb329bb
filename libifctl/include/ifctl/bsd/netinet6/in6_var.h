/* <netinet6/in6_var.h> for BSD code built on Linux with ifctl: struct in6_aliasreq,
 * struct in6_ifreq and the IPv6 address requests (SIOCAIFADDR_IN6, ...).
 * Everything is in <ifctl/compat.h>; this file only forwards there, so that a
 * BSD source compiles unchanged with `pkg-config --cflags libifctl-bsd`. */
#include <ifctl/compat.h>
