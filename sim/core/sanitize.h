/*
 * sanitize.h - tell AddressSanitizer about memory that is owned by a pool
 * or an arena but not handed out.
 *
 * Header only: two macros, no-ops unless the build uses
 * -fsanitize=address (gcc defines __SANITIZE_ADDRESS__, clang answers
 * __has_feature(address_sanitizer)).  A pool poisons an object when it is
 * put back and unpoisons it when it is handed out again, so a use after
 * pool_put() or after loop_cancel() is reported by ASan like a use after
 * free(), although the memory is never returned to malloc.
 */
#ifndef ESSIM_CORE_SANITIZE_H
#define ESSIM_CORE_SANITIZE_H

#if defined(__SANITIZE_ADDRESS__)
#define SAN_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SAN_ASAN 1
#endif
#endif

#ifdef SAN_ASAN
#include <sanitizer/asan_interface.h>
#define SAN_POISON(p, n)	ASAN_POISON_MEMORY_REGION((p), (n))
#define SAN_UNPOISON(p, n)	ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define SAN_POISON(p, n)	((void)(p), (void)(n))
#define SAN_UNPOISON(p, n)	((void)(p), (void)(n))
#endif

#endif /* ESSIM_CORE_SANITIZE_H */
