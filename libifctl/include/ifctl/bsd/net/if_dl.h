/* <net/if_dl.h> for BSD code built on Linux with ifctl: struct sockaddr_dl, AF_LINK, LLADDR().
 * Everything is in <ifctl/compat.h>; this file only forwards there, so that a
 * BSD source compiles unchanged with `pkg-config --cflags libifctl-bsd`. */
#include <ifctl/compat.h>
