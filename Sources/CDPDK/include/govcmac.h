/*
 * AES-CMAC-128 (RFC 4493) with AES-NI, for the governance header MAC (DESIGN.md 1.3).
 *
 * A key is expanded once per (authority, epoch) into a gov_cmac_key: the AES-128 round keys
 * and the CMAC subkeys K1, K2. The per-packet inputs of the governance MAC are always whole
 * 16-byte blocks (48 bytes for IPv4, 64 for IPv6), so the last block is always XORed with K1.
 */
#ifndef GOVCMAC_H
#define GOVCMAC_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

/* An expanded AES-128 key with its CMAC subkeys, and the id of this expansion (from a
 * process-wide counter, never 0), by which gov_cmac_first_blocks knows the key without
 * keeping a copy of it. Write a key only with gov_cmac_key_expand (which gives it a new id)
 * or by copying a whole expanded key, never by editing its bytes in place: the entries trust
 * that an id's contents never change. A key with id 0 (not expanded here) uses no entry.
 * Ids are unique within one process. 16-byte aligned; 224 bytes. */
typedef struct gov_cmac_key {
    _Alignas(16) uint8_t round_keys[11][16];
    _Alignas(16) uint8_t k1[16];
    _Alignas(16) uint8_t k2[16];
    uint64_t id;
} gov_cmac_key;

/* The stride of one message in a burst scratch buffer: room for the 64-byte IPv6 input. */
#define GOV_CMAC_MSG_STRIDE 64

/* True when the CPU has AES-NI, SSE4.2 and POPCNT (the shim is built for corei7). */
bool gov_cmac_cpu_supported(void);

/* Expand a 16-byte key into round keys and subkeys, with a new id. */
void gov_cmac_key_expand(gov_cmac_key *k, const uint8_t key[16]);

/* CMAC of a message of any length (RFC 4493 section 2.4). */
void gov_cmac(const gov_cmac_key *k, const uint8_t *msg, size_t len, uint8_t tag[16]);

/* CMAC of the 48-byte IPv4 MAC input (3 blocks), without the length dispatch of gov_cmac. */
void gov_cmac_3(const gov_cmac_key *k, const uint8_t msg[48], uint8_t tag[16]);

/* CMAC of the 64-byte IPv6 MAC input (4 blocks), without the length dispatch of gov_cmac. */
void gov_cmac_4(const gov_cmac_key *k, const uint8_t msg[64], uint8_t tag[16]);

/* CMAC states after a first block under a key, AES_K(block), kept by a worker from one burst
 * to the next. The packets of one sender's capability share their MAC input's first block
 * (the header's bytes 0-15: version, header length, next protocol, the zeroed hop budget,
 * scope, trust level, route class, key epoch, authority; DESIGN.md 1.2), so the messages of a
 * burst often begin alike. A full group of one key and 3 or 4 blocks (sixteen messages on the
 * VAES path, or eight) whose messages all begin with one block starts from the state an
 * entry holds for that block and key, one block in; if no entry holds it, the group runs
 * from the start and its block and state go into the next entry in turn. Groups whose
 * messages begin differently, and all other groups, leave the entries alone. Several
 * entries, so that a worker polling several ports (or serving several senders) keeps one for
 * each. Keys are known by their id. Zero-initialised it holds nothing; one per thread. The
 * states derive from keys: wipe it (gov_wipe) before freeing it. */
#define GOV_CMAC_FIRST_BLOCKS 4

typedef struct gov_cmac_first_block {
    _Alignas(16) uint8_t block[16];
    _Alignas(16) uint8_t state[16];
    uint64_t key_id;  /* 0: holds nothing */
} gov_cmac_first_block;

typedef struct gov_cmac_first_blocks {
    gov_cmac_first_block entries[GOV_CMAC_FIRST_BLOCKS];
    uint32_t next;  /* the entry the next group that misses fills */
} gov_cmac_first_blocks;

/* CMACs of n messages of whole blocks, computed interleaved. Message i starts at
 * msgs + i * GOV_CMAC_MSG_STRIDE, is nblocks[i] blocks long (1..4) and uses keys[i]. `first`
 * (may be NULL) is used and filled as gov_cmac_first_blocks says. */
void gov_cmac_burst(const gov_cmac_key *const *keys, const uint8_t *msgs, const uint8_t *nblocks,
                    uint8_t (*tags)[16], unsigned n, gov_cmac_first_blocks *first);

/* gov_cmac_burst, then equal[i] = 1 when the 16 bytes at packet_tags[i] are tags[i], else 0,
 * for i < n, in constant time as gov_tags_equal_burst (for groups of one length while the tags
 * are still in registers). */
void gov_cmac_burst_verify(const gov_cmac_key *const *keys, const uint8_t *msgs, const uint8_t *nblocks,
                           uint8_t (*tags)[16], const uint8_t *const *packet_tags, uint8_t *equal, unsigned n,
                           gov_cmac_first_blocks *first);

/* Zeroes n bytes at p, a store the compiler may not drop (explicit_bzero): for key material. */
void gov_wipe(void *p, size_t n);

/* Constant-time comparison of two 16-byte tags. */
bool gov_tag_equal(const uint8_t a[16], const uint8_t b[16]);

/* equal[i] = 1 when the 16 bytes at packet_tags[i] are tags[i], else 0, for i < n: every byte
 * of every tag compared, no branch on any of them. */
void gov_tags_equal_burst(const uint8_t (*tags)[16], const uint8_t *const *packet_tags, unsigned n,
                          uint8_t *equal);

#endif /* GOVCMAC_H */
