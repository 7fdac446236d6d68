/* Placeholder until the AES-NI implementation lands; see govcmac.h. */
#include "govcmac.h"
#include <string.h>
bool gov_cmac_cpu_supported(void) { return __builtin_cpu_supports("aes"); }
void gov_cmac_key_expand(gov_cmac_key *k, const uint8_t key[16]) { memset(k, 0, sizeof(*k)); (void)key; }
void gov_cmac(const gov_cmac_key *k, const uint8_t *msg, size_t len, uint8_t tag[16]) { (void)k; (void)msg; (void)len; memset(tag, 0, 16); }
void gov_cmac_burst(const gov_cmac_key *const *keys, const uint8_t *msgs, const uint8_t *nblocks, uint8_t (*tags)[16], unsigned n) { (void)keys; (void)msgs; (void)nblocks; (void)tags; (void)n; }
bool gov_tag_equal(const uint8_t a[16], const uint8_t b[16]) { uint8_t d = 0; for (int i = 0; i < 16; i++) d |= a[i] ^ b[i]; return d == 0; }
