/*
 * AES-CMAC-128 (RFC 4493) with AES-NI, for the governance header MAC (DESIGN.md 1.3).
 *
 * AES-NI is latency-bound for one message: each round (AESENC) has a latency of a few
 * cycles, and CMAC chains the blocks of one message, so a single 3-block message costs
 * 30 dependent rounds. The same unit accepts one or two new rounds per cycle, so the burst
 * path runs GOV_CMAC_LANES independent messages side by side, round by round, and the
 * rounds of the other lanes fill the latency of each; on a CPU with VAES, sixteen lanes in
 * 256-bit registers do two blocks per instruction. A full group of one key whose messages
 * all begin with one block starts one block in, from the state an entry of
 * gov_cmac_first_blocks holds for it (govcmac.h). See docs/mac.md for measurements.
 */
#include "govcmac.h"

#include <string.h>
#include <wmmintrin.h>
#include <emmintrin.h>
#include <immintrin.h>

/* Messages computed side by side by gov_cmac_burst. Eight AESENC in flight cover a
 * latency of four cycles at two per cycle (Zen 3) and fit the 16 XMM registers. */
#define GOV_CMAC_LANES 8

#define GOV_INLINE static inline __attribute__((always_inline))

bool gov_cmac_cpu_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("aes") && __builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("popcnt");
}

void gov_wipe(void *p, size_t n) { explicit_bzero(p, n); }

/* ---- AES-128 ------------------------------------------------------------------------- */

/* One step of the AES-128 key schedule (FIPS-197 5.2): `assist` is AESKEYGENASSIST of the
 * previous round key with this round's constant. */
GOV_INLINE __m128i key_step(__m128i key, __m128i assist) {
    assist = _mm_shuffle_epi32(assist, 0xff);
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    key = _mm_xor_si128(key, _mm_slli_si128(key, 4));
    return _mm_xor_si128(key, assist);
}

/* AES-128 encryption of one block with the expanded key. */
GOV_INLINE __m128i aes_encrypt(const __m128i *rk, __m128i block) {
    block = _mm_xor_si128(block, _mm_load_si128(&rk[0]));
    for (int r = 1; r < 10; r++) block = _mm_aesenc_si128(block, _mm_load_si128(&rk[r]));
    return _mm_aesenclast_si128(block, _mm_load_si128(&rk[10]));
}

/* ---- CMAC subkeys (RFC 4493 2.3) ------------------------------------------------------ */

/* Doubling in GF(2^128) as CMAC defines it: the block read as a big-endian number,
 * shifted left one bit, XORed with Rb = 0x87 when the top bit fell off. */
static void gf_double(uint8_t out[16], const uint8_t in[16]) {
    uint8_t carry = in[0] >> 7;
    for (int i = 0; i < 15; i++) out[i] = (uint8_t)((in[i] << 1) | (in[i + 1] >> 7));
    out[15] = (uint8_t)((in[15] << 1) ^ (0x87 & (uint8_t)(0 - carry)));
}

/* The id of the next key expanded (gov_cmac_key.id). */
static uint64_t next_key_id = 1;

void gov_cmac_key_expand(gov_cmac_key *k, const uint8_t key[16]) {
    k->id = __atomic_fetch_add(&next_key_id, 1, __ATOMIC_RELAXED);
    __m128i *rk = (__m128i *)k->round_keys;
    rk[0] = _mm_loadu_si128((const __m128i *)key);
    rk[1] = key_step(rk[0], _mm_aeskeygenassist_si128(rk[0], 0x01));
    rk[2] = key_step(rk[1], _mm_aeskeygenassist_si128(rk[1], 0x02));
    rk[3] = key_step(rk[2], _mm_aeskeygenassist_si128(rk[2], 0x04));
    rk[4] = key_step(rk[3], _mm_aeskeygenassist_si128(rk[3], 0x08));
    rk[5] = key_step(rk[4], _mm_aeskeygenassist_si128(rk[4], 0x10));
    rk[6] = key_step(rk[5], _mm_aeskeygenassist_si128(rk[5], 0x20));
    rk[7] = key_step(rk[6], _mm_aeskeygenassist_si128(rk[6], 0x40));
    rk[8] = key_step(rk[7], _mm_aeskeygenassist_si128(rk[7], 0x80));
    rk[9] = key_step(rk[8], _mm_aeskeygenassist_si128(rk[8], 0x1b));
    rk[10] = key_step(rk[9], _mm_aeskeygenassist_si128(rk[9], 0x36));

    /* L = AES(K, 0^128); K1 = double(L); K2 = double(K1). */
    uint8_t l[16];
    _mm_storeu_si128((__m128i *)l, aes_encrypt(rk, _mm_setzero_si128()));
    gf_double(k->k1, l);
    gf_double(k->k2, k->k1);
    gov_wipe(l, sizeof l);
}

/* ---- One message ---------------------------------------------------------------------- */

void gov_cmac(const gov_cmac_key *k, const uint8_t *msg, size_t len, uint8_t tag[16]) {
    const __m128i *rk = (const __m128i *)k->round_keys;
    __m128i state = _mm_setzero_si128();

    /* All blocks but the last go through plain CBC (RFC 4493 2.4 step 6). */
    size_t whole = len == 0 ? 0 : (len - 1) / 16;
    for (size_t i = 0; i < whole; i++) {
        state = aes_encrypt(rk, _mm_xor_si128(state, _mm_loadu_si128((const __m128i *)(msg + 16 * i))));
    }

    /* The last block: complete, XOR K1; otherwise padded with 10*, XOR K2 (step 4). */
    size_t rest = len - 16 * whole;
    __m128i last;
    if (rest == 16) {
        last = _mm_xor_si128(_mm_loadu_si128((const __m128i *)(msg + 16 * whole)),
                             _mm_load_si128((const __m128i *)k->k1));
    } else {
        _Alignas(16) uint8_t padded[16] = {0};
        memcpy(padded, msg + 16 * whole, rest);
        padded[rest] = 0x80;
        last = _mm_xor_si128(_mm_load_si128((const __m128i *)padded), _mm_load_si128((const __m128i *)k->k2));
    }
    _mm_storeu_si128((__m128i *)tag, aes_encrypt(rk, _mm_xor_si128(state, last)));
}

/* A message of `nb` whole blocks (a constant after inlining): CBC, last block XOR K1. */
GOV_INLINE void single_fixed(const gov_cmac_key *k, const uint8_t *msg, unsigned nb, uint8_t tag[16]) {
    const __m128i *rk = (const __m128i *)k->round_keys;
    __m128i state = _mm_setzero_si128();
    for (unsigned b = 0; b < nb; b++) {
        __m128i m = _mm_loadu_si128((const __m128i *)(msg + 16 * b));
        if (b + 1 == nb) m = _mm_xor_si128(m, _mm_load_si128((const __m128i *)k->k1));
        state = aes_encrypt(rk, _mm_xor_si128(state, m));
    }
    _mm_storeu_si128((__m128i *)tag, state);
}

void gov_cmac_3(const gov_cmac_key *k, const uint8_t msg[48], uint8_t tag[16]) { single_fixed(k, msg, 3, tag); }

void gov_cmac_4(const gov_cmac_key *k, const uint8_t msg[64], uint8_t tag[16]) { single_fixed(k, msg, 4, tag); }

/* ---- Bursts --------------------------------------------------------------------------- */

/*
 * Stores the tags of GOV_CMAC_LANES lanes and, with packet_tags, compares each with its
 * packet's tag while still in a register: equal[j] = 1 when all 16 bytes match, with no
 * branch on any of them.
 */
GOV_INLINE void finish_lanes(const __m128i *s, uint8_t (*tags)[16], const uint8_t *const *packet_tags,
                             uint8_t *equal) {
    for (int j = 0; j < GOV_CMAC_LANES; j++) _mm_storeu_si128((__m128i *)tags[j], s[j]);
    if (!packet_tags) return;
    for (int j = 0; j < GOV_CMAC_LANES; j++) {
        __m128i eq = _mm_cmpeq_epi8(s[j], _mm_loadu_si128((const __m128i *)packet_tags[j]));
        equal[j] = _mm_movemask_epi8(eq) == 0xffff;
    }
}

/*
 * GOV_CMAC_LANES messages of `nb` whole blocks each, interleaved round by round. Lane j
 * reads msgs + j * GOV_CMAC_MSG_STRIDE with keys[j]. Inlined with a constant `nb` so that
 * the block loop unrolls and the lane states stay in registers.
 */
GOV_INLINE void lanes_fixed(const gov_cmac_key *const *keys, const uint8_t *msgs, unsigned nb,
                            uint8_t (*tags)[16], const uint8_t *const *packet_tags, uint8_t *equal) {
    __m128i s[GOV_CMAC_LANES];
    const __m128i *rk[GOV_CMAC_LANES];
    for (int j = 0; j < GOV_CMAC_LANES; j++) {
        rk[j] = (const __m128i *)keys[j]->round_keys;
        s[j] = _mm_setzero_si128();
    }
    for (unsigned b = 0; b < nb; b++) {
        for (int j = 0; j < GOV_CMAC_LANES; j++) {
            __m128i m = _mm_loadu_si128((const __m128i *)(msgs + j * GOV_CMAC_MSG_STRIDE + 16 * b));
            if (b + 1 == nb) m = _mm_xor_si128(m, _mm_load_si128((const __m128i *)keys[j]->k1));
            s[j] = _mm_xor_si128(_mm_xor_si128(s[j], m), _mm_load_si128(&rk[j][0]));
        }
        for (int r = 1; r < 10; r++) {
            for (int j = 0; j < GOV_CMAC_LANES; j++) s[j] = _mm_aesenc_si128(s[j], _mm_load_si128(&rk[j][r]));
        }
        for (int j = 0; j < GOV_CMAC_LANES; j++) s[j] = _mm_aesenclast_si128(s[j], _mm_load_si128(&rk[j][10]));
    }
    finish_lanes(s, tags, packet_tags, equal);
}

/* ---- First blocks (gov_cmac_first_blocks) --------------------------------------------- */

/* True when the second of the messages at msgs begins with the first one's block: the one
 * compare that turns away most groups whose messages begin differently. */
GOV_INLINE int first_two_alike(const uint8_t *msgs) {
    __m128i diff = _mm_xor_si128(_mm_loadu_si128((const __m128i *)msgs),
                                 _mm_loadu_si128((const __m128i *)(msgs + GOV_CMAC_MSG_STRIDE)));
    return _mm_testz_si128(diff, diff);
}

/* True when each of the `lanes` messages at msgs begins with the first one's block. */
GOV_INLINE int first_blocks_alike(const uint8_t *msgs, int lanes) {
    if (!first_two_alike(msgs)) return 0;
    __m128i want = _mm_loadu_si128((const __m128i *)msgs);
    __m128i diff = _mm_setzero_si128();
    for (int j = 2; j < lanes; j++)
        diff = _mm_or_si128(diff, _mm_xor_si128(_mm_loadu_si128((const __m128i *)(msgs + j * GOV_CMAC_MSG_STRIDE)),
                                                want));
    return _mm_testz_si128(diff, diff);
}

/* The entry that holds key k's state after the block the message at msgs begins with, or NULL. */
GOV_INLINE const gov_cmac_first_block *first_block_entry(const gov_cmac_first_blocks *first, const gov_cmac_key *k,
                                                         const uint8_t *msgs) {
    __m128i block = _mm_loadu_si128((const __m128i *)msgs);
    for (int e = 0; e < GOV_CMAC_FIRST_BLOCKS; e++) {
        const gov_cmac_first_block *x = &first->entries[e];
        __m128i diff = _mm_xor_si128(block, _mm_load_si128((const __m128i *)x->block));
        if (x->key_id == k->id && _mm_testz_si128(diff, diff)) return x;
    }
    return NULL;
}

/* Puts the block the message at msgs begins with, and the state after it under k, in the next
 * entry in turn. The state is one more block encryption, a chain of its own whose latency the
 * next group does not hide (docs/mac.md: about 2.5 cycles per message of the group). */
GOV_INLINE void first_block_keep(gov_cmac_first_blocks *first, const gov_cmac_key *k, const uint8_t *msgs) {
    gov_cmac_first_block *x = &first->entries[first->next % GOV_CMAC_FIRST_BLOCKS];
    first->next = (first->next + 1) % GOV_CMAC_FIRST_BLOCKS;
    __m128i block = _mm_loadu_si128((const __m128i *)msgs);
    _mm_store_si128((__m128i *)x->block, block);
    _mm_store_si128((__m128i *)x->state, aes_encrypt((const __m128i *)k->round_keys, block));
    x->key_id = k->id;
}

/*
 * The common case of lanes_fixed: every lane uses the same key (packets of a burst mostly
 * share authority and epoch). Each round key is loaded once per round for all lanes. The
 * lanes start at block `start` from state `init`: block 0 from zero, or block 1 from an
 * entry's state.
 */
GOV_INLINE void lanes_one_key_from(const gov_cmac_key *k, const uint8_t *msgs, unsigned start, unsigned nb,
                                   __m128i init, uint8_t (*tags)[16], const uint8_t *const *packet_tags,
                                   uint8_t *equal) {
    const __m128i *rk = (const __m128i *)k->round_keys;
    __m128i s[GOV_CMAC_LANES];
    for (int j = 0; j < GOV_CMAC_LANES; j++) s[j] = init;
    for (unsigned b = start; b < nb; b++) {
        __m128i first_key = _mm_load_si128(&rk[0]);
        if (b + 1 == nb) first_key = _mm_xor_si128(first_key, _mm_load_si128((const __m128i *)k->k1));
        for (int j = 0; j < GOV_CMAC_LANES; j++) {
            __m128i m = _mm_loadu_si128((const __m128i *)(msgs + j * GOV_CMAC_MSG_STRIDE + 16 * b));
            s[j] = _mm_xor_si128(_mm_xor_si128(s[j], m), first_key);
        }
        for (int r = 1; r < 10; r++) {
            __m128i key = _mm_load_si128(&rk[r]);
            for (int j = 0; j < GOV_CMAC_LANES; j++) s[j] = _mm_aesenc_si128(s[j], key);
        }
        __m128i last = _mm_load_si128(&rk[10]);
        for (int j = 0; j < GOV_CMAC_LANES; j++) s[j] = _mm_aesenclast_si128(s[j], last);
    }
    finish_lanes(s, tags, packet_tags, equal);
}

/* Eight messages of one key and `nb` blocks (3 or 4): from the entry of `first` that holds
 * the block they all begin with, else from the start, keeping that block in an entry. */
GOV_INLINE void lanes_fixed_one_key(const gov_cmac_key *k, const uint8_t *msgs, unsigned nb, uint8_t (*tags)[16],
                                    const uint8_t *const *packet_tags, uint8_t *equal, gov_cmac_first_blocks *first) {
    int alike = first && k->id != 0 && first_blocks_alike(msgs, GOV_CMAC_LANES);
    const gov_cmac_first_block *x = alike ? first_block_entry(first, k, msgs) : NULL;
    if (x) {
        lanes_one_key_from(k, msgs, 1, nb, _mm_load_si128((const __m128i *)x->state), tags, packet_tags, equal);
        return;
    }
    lanes_one_key_from(k, msgs, 0, nb, _mm_setzero_si128(), tags, packet_tags, equal);
    if (alike) first_block_keep(first, k, msgs);
}

/*
 * VAES (256-bit AESENC, two blocks per instruction: Intel Ice Lake and later, AMD Zen 3 and
 * later): 16 messages of one key and `nb` blocks, as 8 registers of two lanes each, so that
 * eight instructions in flight carry 16 blocks and the AES units do twice the work per cycle
 * of the 128-bit code. Compiled for VAES alone (the target attribute); called only when the
 * CPU has it (gov_cmac_burst checks once).
 */
#define GOV_CMAC_WIDE_LANES 16
#define GOV_VAES __attribute__((target("avx2,vaes"), always_inline)) static inline

GOV_VAES __m256i pair_load(const uint8_t *lo, const uint8_t *hi) {
    return _mm256_inserti128_si256(_mm256_castsi128_si256(_mm_loadu_si128((const __m128i *)lo)),
                                   _mm_loadu_si128((const __m128i *)hi), 1);
}

/* first_blocks_alike for the sixteen messages of a VAES group, two first blocks per compare. */
GOV_VAES int wide_first_blocks_alike(const uint8_t *msgs) {
    if (!first_two_alike(msgs)) return 0;
    __m256i want = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)msgs));
    __m256i diff = _mm256_setzero_si256();
    for (int p = 1; p < GOV_CMAC_WIDE_LANES / 2; p++) {
        const uint8_t *lo = msgs + (2 * p) * GOV_CMAC_MSG_STRIDE;
        diff = _mm256_or_si256(diff, _mm256_xor_si256(pair_load(lo, lo + GOV_CMAC_MSG_STRIDE), want));
    }
    return _mm256_testz_si256(diff, diff);
}

GOV_VAES void wide_one_key_from(const gov_cmac_key *k, const uint8_t *msgs, unsigned start, unsigned nb,
                                __m128i init, uint8_t (*tags)[16], const uint8_t *const *packet_tags,
                                uint8_t *equal) {
    enum { PAIRS = GOV_CMAC_WIDE_LANES / 2 };
    const __m128i *rk = (const __m128i *)k->round_keys;
    __m256i s[PAIRS];
    for (int p = 0; p < PAIRS; p++) s[p] = _mm256_broadcastsi128_si256(init);
    for (unsigned b = start; b < nb; b++) {
        __m128i first_key = _mm_load_si128(&rk[0]);
        if (b + 1 == nb) first_key = _mm_xor_si128(first_key, _mm_load_si128((const __m128i *)k->k1));
        __m256i first2 = _mm256_broadcastsi128_si256(first_key);
        for (int p = 0; p < PAIRS; p++) {
            const uint8_t *lo = msgs + (2 * p) * GOV_CMAC_MSG_STRIDE + 16 * b;
            __m256i m = pair_load(lo, lo + GOV_CMAC_MSG_STRIDE);
            s[p] = _mm256_xor_si256(_mm256_xor_si256(s[p], m), first2);
        }
        for (int r = 1; r < 10; r++) {
            __m256i key = _mm256_broadcastsi128_si256(_mm_load_si128(&rk[r]));
            for (int p = 0; p < PAIRS; p++) s[p] = _mm256_aesenc_epi128(s[p], key);
        }
        __m256i last = _mm256_broadcastsi128_si256(_mm_load_si128(&rk[10]));
        for (int p = 0; p < PAIRS; p++) s[p] = _mm256_aesenclast_epi128(s[p], last);
    }
    for (int p = 0; p < PAIRS; p++) {
        _mm_storeu_si128((__m128i *)tags[2 * p], _mm256_castsi256_si128(s[p]));
        _mm_storeu_si128((__m128i *)tags[2 * p + 1], _mm256_extracti128_si256(s[p], 1));
    }
    if (!packet_tags) return;
    /* Each pair of tags against its two packets' tags while still in registers: one 32-byte
     * compare and one movemask, every byte compared, no branch on any of them. */
    for (int p = 0; p < PAIRS; p++) {
        __m256i t = pair_load(packet_tags[2 * p], packet_tags[2 * p + 1]);
        unsigned mask = (unsigned)_mm256_movemask_epi8(_mm256_cmpeq_epi8(s[p], t));
        equal[2 * p] = (mask & 0xffffu) == 0xffffu;
        equal[2 * p + 1] = (mask >> 16) == 0xffffu;
    }
}

/* lanes_fixed_one_key for sixteen messages, on the VAES path. */
GOV_VAES void wide_fixed_one_key(const gov_cmac_key *k, const uint8_t *msgs, unsigned nb, uint8_t (*tags)[16],
                                 const uint8_t *const *packet_tags, uint8_t *equal, gov_cmac_first_blocks *first) {
    int alike = first && k->id != 0 && wide_first_blocks_alike(msgs);
    const gov_cmac_first_block *x = alike ? first_block_entry(first, k, msgs) : NULL;
    if (x) {
        wide_one_key_from(k, msgs, 1, nb, _mm_load_si128((const __m128i *)x->state), tags, packet_tags, equal);
        return;
    }
    wide_one_key_from(k, msgs, 0, nb, _mm_setzero_si128(), tags, packet_tags, equal);
    if (alike) first_block_keep(first, k, msgs);
}

__attribute__((target("avx2,vaes"))) static void wide_fixed_one_key_3(const gov_cmac_key *k, const uint8_t *msgs,
                                                                      uint8_t (*tags)[16],
                                                                      const uint8_t *const *packet_tags,
                                                                      uint8_t *equal, gov_cmac_first_blocks *first) {
    wide_fixed_one_key(k, msgs, 3, tags, packet_tags, equal, first);
}

__attribute__((target("avx2,vaes"))) static void wide_fixed_one_key_4(const gov_cmac_key *k, const uint8_t *msgs,
                                                                      uint8_t (*tags)[16],
                                                                      const uint8_t *const *packet_tags,
                                                                      uint8_t *equal, gov_cmac_first_blocks *first) {
    wide_fixed_one_key(k, msgs, 4, tags, packet_tags, equal, first);
}

/* 1 when the CPU has VAES and AVX2, else 0; -1 until checked (by the first burst of any
 * thread: they all store the same answer). */
static int wide_supported = -1;

static int check_wide(void) {
    __builtin_cpu_init();
    int yes = __builtin_cpu_supports("vaes") && __builtin_cpu_supports("avx2") ? 1 : 0;
    __atomic_store_n(&wide_supported, yes, __ATOMIC_RELAXED);
    return yes;
}

/*
 * Up to GOV_CMAC_LANES messages of 1..4 blocks each, in any mix. Unused lanes repeat lane 0;
 * a lane whose message has ended keeps encrypting its state (harmlessly) until the longest
 * one ends, its tag having been stored after its own last block.
 */
static void lanes_mixed(const gov_cmac_key *const *keys, const uint8_t *msgs, const uint8_t *nblocks,
                        uint8_t (*tags)[16], unsigned n) {
    __m128i s[GOV_CMAC_LANES];
    const __m128i *rk[GOV_CMAC_LANES];
    const uint8_t *m[GOV_CMAC_LANES];
    unsigned nb[GOV_CMAC_LANES];
    unsigned longest = 0;
    for (unsigned j = 0; j < GOV_CMAC_LANES; j++) {
        unsigned i = j < n ? j : 0;
        rk[j] = (const __m128i *)keys[i]->round_keys;
        m[j] = msgs + i * GOV_CMAC_MSG_STRIDE;
        nb[j] = nblocks[i];
        s[j] = _mm_setzero_si128();
        if (nb[j] > longest) longest = nb[j];
    }
    for (unsigned b = 0; b < longest; b++) {
        for (unsigned j = 0; j < GOV_CMAC_LANES; j++) {
            if (b < nb[j]) {
                __m128i x = _mm_loadu_si128((const __m128i *)(m[j] + 16 * b));
                if (b + 1 == nb[j]) x = _mm_xor_si128(x, _mm_load_si128((const __m128i *)keys[j < n ? j : 0]->k1));
                s[j] = _mm_xor_si128(s[j], x);
            }
            s[j] = _mm_xor_si128(s[j], _mm_load_si128(&rk[j][0]));
        }
        for (int r = 1; r < 10; r++) {
            for (unsigned j = 0; j < GOV_CMAC_LANES; j++) s[j] = _mm_aesenc_si128(s[j], _mm_load_si128(&rk[j][r]));
        }
        for (unsigned j = 0; j < GOV_CMAC_LANES; j++) {
            s[j] = _mm_aesenclast_si128(s[j], _mm_load_si128(&rk[j][10]));
            if (j < n && b + 1 == nb[j]) _mm_storeu_si128((__m128i *)tags[j], s[j]);
        }
    }
}

/*
 * gov_cmac_burst, and with packet_tags the comparison of gov_cmac_burst_verify: a group of
 * sixteen on the VAES path and a group of eight of one length compare their tags while still
 * in registers; a mixed or out-of-range group compares once its tags are stored. `equal` is
 * NULL without packet_tags. Full groups of one key and 3 or 4 blocks use and fill `first`.
 */
GOV_INLINE void burst(const gov_cmac_key *const *keys, const uint8_t *msgs, const uint8_t *nblocks,
                      uint8_t (*tags)[16], const uint8_t *const *packet_tags, uint8_t *equal, unsigned n,
                      gov_cmac_first_blocks *first) {
    unsigned i = 0;
    int wide = __atomic_load_n(&wide_supported, __ATOMIC_RELAXED);
    if (wide < 0) wide = check_wide();
    while (i < n) {
        /* Sixteen messages of one key and one length, on a CPU with VAES. */
        if (wide && n - i >= GOV_CMAC_WIDE_LANES && (nblocks[i] == 3 || nblocks[i] == 4)) {
            unsigned j = 1;
            while (j < GOV_CMAC_WIDE_LANES && nblocks[i + j] == nblocks[i] && keys[i + j] == keys[i]) j++;
            if (j == GOV_CMAC_WIDE_LANES) {
                const uint8_t *group = msgs + (size_t)i * GOV_CMAC_MSG_STRIDE;
                const uint8_t *const *pt = packet_tags ? packet_tags + i : NULL;
                uint8_t *eq = packet_tags ? equal + i : NULL;
                if (nblocks[i] == 3) wide_fixed_one_key_3(keys[i], group, tags + i, pt, eq, first);
                else wide_fixed_one_key_4(keys[i], group, tags + i, pt, eq, first);
                i += GOV_CMAC_WIDE_LANES;
                continue;
            }
        }
        unsigned count = n - i < GOV_CMAC_LANES ? n - i : GOV_CMAC_LANES;
        const uint8_t *group = msgs + (size_t)i * GOV_CMAC_MSG_STRIDE;

        /* A length outside 1..4 does not fit the stride: such a message is computed alone,
         * clamped to the stride (0 blocks is the empty message), so no byte past its slot is read. */
        unsigned same = nblocks[i], valid = 1, one_key = 1;
        for (unsigned j = 0; j < count; j++) {
            unsigned b = nblocks[i + j];
            if (b != same) same = 0;
            if (b == 0 || b > GOV_CMAC_MSG_STRIDE / 16) valid = 0;
            if (keys[i + j] != keys[i]) one_key = 0;
        }
        const uint8_t *const *pt = packet_tags ? packet_tags + i : NULL;
        uint8_t *eq = packet_tags ? equal + i : NULL;
        unsigned compared = 0;
        if (!valid) {
            for (unsigned j = 0; j < count; j++) {
                unsigned b = nblocks[i + j] > GOV_CMAC_MSG_STRIDE / 16 ? GOV_CMAC_MSG_STRIDE / 16 : nblocks[i + j];
                gov_cmac(keys[i + j], group + (size_t)j * GOV_CMAC_MSG_STRIDE, 16 * (size_t)b, tags[i + j]);
            }
        } else if (count == GOV_CMAC_LANES && same == 3 && one_key) {
            lanes_fixed_one_key(keys[i], group, 3, tags + i, pt, eq, first);
            compared = 1;
        } else if (count == GOV_CMAC_LANES && same == 4 && one_key) {
            lanes_fixed_one_key(keys[i], group, 4, tags + i, pt, eq, first);
            compared = 1;
        } else if (count == GOV_CMAC_LANES && same == 3) {
            lanes_fixed(keys + i, group, 3, tags + i, pt, eq);
            compared = 1;
        } else if (count == GOV_CMAC_LANES && same == 4) {
            lanes_fixed(keys + i, group, 4, tags + i, pt, eq);
            compared = 1;
        } else {
            lanes_mixed(keys + i, group, nblocks + i, tags + i, count);
        }
        if (pt && !compared) gov_tags_equal_burst((const uint8_t (*)[16])(tags + i), pt, count, eq);
        i += count;
    }
}

void gov_cmac_burst(const gov_cmac_key *const *keys, const uint8_t *msgs, const uint8_t *nblocks,
                    uint8_t (*tags)[16], unsigned n, gov_cmac_first_blocks *first) {
    burst(keys, msgs, nblocks, tags, NULL, NULL, n, first);
}

void gov_cmac_burst_verify(const gov_cmac_key *const *keys, const uint8_t *msgs, const uint8_t *nblocks,
                           uint8_t (*tags)[16], const uint8_t *const *packet_tags, uint8_t *equal, unsigned n,
                           gov_cmac_first_blocks *first) {
    burst(keys, msgs, nblocks, tags, packet_tags, equal, n, first);
}

/* ---- Tags ----------------------------------------------------------------------------- */

bool gov_tag_equal(const uint8_t a[16], const uint8_t b[16]) {
    /* One 16-byte compare and one movemask: no branch or early exit depends on the bytes. */
    __m128i eq = _mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)a), _mm_loadu_si128((const __m128i *)b));
    return _mm_movemask_epi8(eq) == 0xffff;
}

void gov_tags_equal_burst(const uint8_t (*tags)[16], const uint8_t *const *packet_tags, unsigned n,
                          uint8_t *equal) {
    for (unsigned i = 0; i < n; i++) equal[i] = gov_tag_equal(tags[i], packet_tags[i]);
}
