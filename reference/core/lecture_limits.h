// lecture_limits.h: the lecture's buffer sizes, defined once (G4, C1, C7).
//
// Every lecture program reads into `char buff[BUFSIZ]` with BUFSIZ = 8192 (glibc's): read and
// recvfrom are given BUFSIZ-1 bytes (room for the '\0' that printf("%s") needs), and fgets is
// given BUFSIZ-1 too, so it returns at most BUFSIZ-2 characters of a line. Must not: hold
// anything that is not one of the lecture's sizes.
#ifndef NETREF_REFERENCE_CORE_LECTURE_LIMITS_H_
#define NETREF_REFERENCE_CORE_LECTURE_LIMITS_H_

#include <cstddef>

namespace netref::core {

// BUFSIZ on the lecture's machine (glibc): the size of every buffer the programs read into.
inline constexpr std::size_t kLectureBufsiz = 8192;

// G4, C1: a read or a datagram takes at most BUFSIZ-1 bytes: `read(sd, rBuff, sizeof(rBuff)-1)`,
// `recvfrom(sock, buff, BUFSIZ-1, ...)`.
inline constexpr std::size_t kMaxRead = kLectureBufsiz - 1;

// C7: `fgets(buff, BUFSIZ-1, stdin)` returns at most BUFSIZ-2 characters of a line.
inline constexpr std::size_t kMaxFgetsLine = kLectureBufsiz - 2;

}  // namespace netref::core

#endif  // NETREF_REFERENCE_CORE_LECTURE_LIMITS_H_
