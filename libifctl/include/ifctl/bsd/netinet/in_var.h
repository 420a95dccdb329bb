/* <netinet/in_var.h> for BSD code built on Linux with ifctl: struct ifaliasreq, struct in_aliasreq.
 * Everything is in <ifctl/compat.h>; this file only forwards there, so that a
 * BSD source compiles unchanged with `pkg-config --cflags libifctl-bsd`. */
#include <ifctl/compat.h>
