/*
 * sjk_atomic.h — atomic loads and read-modify-writes on shared-memory fields, for the Swift
 * core. Counters of plain ajp13 workers are updated without the segment lock (as mod_jk's
 * JK_ATOMIC_INCREMENT does); every other writer of the same fields uses these too, so no update
 * is lost between processes. Compiler builtins only: this header includes nothing.
 */
#ifndef SJK_ATOMIC_H
#define SJK_ATOMIC_H

#include <stdint.h>

/** Adds `value` to a 64-bit counter. */
static inline void sjk_atomic_add_u64(uint64_t *field, uint64_t value) {
    __atomic_fetch_add(field, value, __ATOMIC_RELAXED);
}

/** Adds `value` to a 64-bit counter, stopping at UINT64_MAX. */
static inline void sjk_atomic_add_saturating_u64(uint64_t *field, uint64_t value) {
    uint64_t seen = __atomic_load_n(field, __ATOMIC_RELAXED);
    for (;;) {
        uint64_t next = seen > UINT64_MAX - value ? UINT64_MAX : seen + value;
        if (__atomic_compare_exchange_n(field, &seen, next, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            return;
        }
    }
}

/** Adds a non-negative `value` to a 32-bit counter, stopping at INT32_MAX. */
static inline void sjk_atomic_add_saturating_i32(int32_t *field, int32_t value) {
    int32_t seen = __atomic_load_n(field, __ATOMIC_RELAXED);
    for (;;) {
        int32_t next = seen > INT32_MAX - value ? INT32_MAX : seen + value;
        if (__atomic_compare_exchange_n(field, &seen, next, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            return;
        }
    }
}

/** Adds `value` to a 32-bit gauge and returns the new value. */
static inline int32_t sjk_atomic_add_i32(int32_t *field, int32_t value) {
    return __atomic_add_fetch(field, value, __ATOMIC_RELAXED);
}

/** Decrements a 32-bit gauge unless it is already 0 or less; returns the new value. */
static inline int32_t sjk_atomic_decrement_floor0_i32(int32_t *field) {
    int32_t seen = __atomic_load_n(field, __ATOMIC_RELAXED);
    while (seen > 0) {
        if (__atomic_compare_exchange_n(field, &seen, seen - 1, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            return seen - 1;
        }
    }
    return seen;
}

/** Increments a 32-bit gauge when the result stays within `limit` (limit <= 0: no limit);
 *  returns the new value, or -1 (nothing changed) when the limit was reached. */
static inline int32_t sjk_atomic_increment_within_i32(int32_t *field, int32_t limit) {
    int32_t seen = __atomic_load_n(field, __ATOMIC_RELAXED);
    for (;;) {
        if (seen == INT32_MAX || (limit > 0 && seen >= limit)) {
            return -1;
        }
        if (__atomic_compare_exchange_n(field, &seen, seen + 1, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
            return seen + 1;
        }
    }
}

/** Raises a 32-bit high-water mark to `value` when it is lower. */
static inline void sjk_atomic_max_i32(int32_t *field, int32_t value) {
    int32_t seen = __atomic_load_n(field, __ATOMIC_RELAXED);
    while (seen < value &&
           !__atomic_compare_exchange_n(field, &seen, value, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
    }
}

/** Reads a 32-bit field written by another process. */
static inline uint32_t sjk_atomic_load_u32(const uint32_t *field) {
    return __atomic_load_n(field, __ATOMIC_ACQUIRE);
}

/** Stores a 32-bit field that other threads read with sjk_atomic_load_u32. */
static inline void sjk_atomic_store_u32(uint32_t *field, uint32_t value) {
    __atomic_store_n(field, value, __ATOMIC_RELEASE);
}

/** Reads a 32-bit field (a member's state) outside the segment lock. */
static inline int32_t sjk_atomic_load_i32(const int32_t *field) {
    return __atomic_load_n(field, __ATOMIC_RELAXED);
}

/** Stores a 32-bit field (a member's state) that is read outside the segment lock. */
static inline void sjk_atomic_store_i32(int32_t *field, int32_t value) {
    __atomic_store_n(field, value, __ATOMIC_RELAXED);
}

/** Reads a 64-bit field (a time) outside the segment lock. */
static inline int64_t sjk_atomic_load_i64(const int64_t *field) {
    return __atomic_load_n(field, __ATOMIC_RELAXED);
}

/** Stores a 64-bit field (a time) that other processes read. */
static inline void sjk_atomic_store_i64(int64_t *field, int64_t value) {
    __atomic_store_n(field, value, __ATOMIC_RELAXED);
}

/** Increments a 32-bit sequence number (writers hold the segment lock). */
static inline void sjk_atomic_increment_u32(uint32_t *field) {
    __atomic_fetch_add(field, 1, __ATOMIC_RELEASE);
}

/** Reads a pointer published by sjk_atomic_store_pointer. */
static inline void *sjk_atomic_load_pointer(void *const *field) {
    return __atomic_load_n(field, __ATOMIC_ACQUIRE);
}

/** Publishes a pointer. */
static inline void sjk_atomic_store_pointer(void **field, void *value) {
    __atomic_store_n(field, value, __ATOMIC_RELEASE);
}

#endif /* SJK_ATOMIC_H */
