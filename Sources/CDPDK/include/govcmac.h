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

/* An expanded AES-128 key with its CMAC subkeys. 16-byte aligned; 208 bytes. */
typedef struct gov_cmac_key {
    _Alignas(16) uint8_t round_keys[11][16];
    _Alignas(16) uint8_t k1[16];
    _Alignas(16) uint8_t k2[16];
} gov_cmac_key;

/* The stride of one message in a burst scratch buffer: room for the 64-byte IPv6 input. */
#define GOV_CMAC_MSG_STRIDE 64

/* True when the CPU has AES-NI. */
bool gov_cmac_cpu_supported(void);

/* Expand a 16-byte key into round keys and subkeys. */
void gov_cmac_key_expand(gov_cmac_key *k, const uint8_t key[16]);

/* CMAC of a message of any length (RFC 4493 section 2.4). */
void gov_cmac(const gov_cmac_key *k, const uint8_t *msg, size_t len, uint8_t tag[16]);

/* CMAC of the 48-byte IPv4 MAC input (3 blocks), without the length dispatch of gov_cmac. */
void gov_cmac_3(const gov_cmac_key *k, const uint8_t msg[48], uint8_t tag[16]);

/* CMAC of the 64-byte IPv6 MAC input (4 blocks), without the length dispatch of gov_cmac. */
void gov_cmac_4(const gov_cmac_key *k, const uint8_t msg[64], uint8_t tag[16]);

/* CMAC states after a first block under a key, AES_K(block), kept by a worker from one burst
 * to the next. The packets of one sender's capability share their MAC input's first block
 * (the header's bytes 0-15: version to authority, DESIGN.md 1.2), so the messages of a burst
 * often begin alike; the burst functions start a group whose messages all begin with a block
 * an entry holds, under the key whose first round key the entry holds, from the entry's
 * state, one block in. After any other group they put its first message's block and state in
 * an entry, replacing the entries in turn. Several entries, so that a worker polling several
 * ports (or serving several senders) keeps one for each. A key is recognised by its contents,
 * not its address, which a freed key's successor may take. Zero-initialised it holds
 * nothing; one per thread. It holds key material (copies of first round keys, which are the
 * keys, and states derived from them): wipe it before freeing it. */
#define GOV_CMAC_FIRST_ENTRIES 4
typedef struct gov_cmac_first_entry {
    _Alignas(16) uint8_t key[16];
    _Alignas(16) uint8_t block[16];
    _Alignas(16) uint8_t state[16];
    uint32_t held;
} gov_cmac_first_entry;

typedef struct gov_cmac_first {
    gov_cmac_first_entry entries[GOV_CMAC_FIRST_ENTRIES];
    uint32_t next;  /* the entry the next refill replaces */
} gov_cmac_first;

/* CMACs of n messages of whole blocks, computed interleaved. Message i starts at
 * msgs + i * GOV_CMAC_MSG_STRIDE, is nblocks[i] blocks long (1..4) and uses keys[i]. With
 * `first` (may be NULL), groups of one key and of 3 or 4 blocks use and refill it. */
void gov_cmac_burst(const gov_cmac_key *const *keys, const uint8_t *msgs, const uint8_t *nblocks,
                    uint8_t (*tags)[16], unsigned n, gov_cmac_first *first);

/* gov_cmac_burst, then equal[i] = 1 when the 16 bytes at packet_tags[i] are tags[i], else 0,
 * for i < n, in constant time as gov_tags_equal_burst (for groups of one length while the tags
 * are still in registers). */
void gov_cmac_burst_verify(const gov_cmac_key *const *keys, const uint8_t *msgs, const uint8_t *nblocks,
                           uint8_t (*tags)[16], const uint8_t *const *packet_tags, uint8_t *equal, unsigned n,
                           gov_cmac_first *first);

/* Constant-time comparison of two 16-byte tags. */
bool gov_tag_equal(const uint8_t a[16], const uint8_t b[16]);

/* equal[i] = 1 when the 16 bytes at packet_tags[i] are tags[i], else 0, for i < n: every byte
 * of every tag compared, no branch on any of them. */
void gov_tags_equal_burst(const uint8_t (*tags)[16], const uint8_t *const *packet_tags, unsigned n,
                          uint8_t *equal);

#endif /* GOVCMAC_H */
