/* <net/if_types.h> for BSD code built on Linux with ifctl: IFT_ETHER, IFT_LOOP, IFT_OTHER.
 * Everything is in <ifctl/compat.h>; this file only forwards there, so that a
 * BSD source compiles unchanged with `pkg-config --cflags libifctl-bsd`. */
#include <ifctl/compat.h>
