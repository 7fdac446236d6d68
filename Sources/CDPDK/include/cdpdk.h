/*
 * CDPDK: the only place where GovFwd touches DPDK's C API.
 *
 * Swift cannot import `struct rte_mbuf` (marker fields, packed unions), nor DPDK's
 * function-like macros. Every such access is a `static inline` accessor here, prefixed
 * `cdpdk_`, with a one-line comment naming the DPDK macro, field or function it wraps.
 * Sources/Pipeline/DPDK.swift gives them Swift names in one place.
 */
#ifndef CDPDK_H
#define CDPDK_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_launch.h>
#include <rte_cycles.h>
#include <rte_prefetch.h>
#include <rte_mempool.h>
#include <rte_mbuf.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_jhash.h>
#include <rte_hash_crc.h>
#include <rte_meter.h>
#include <rte_malloc.h>
#include <rte_version.h>

#include "govcmac.h"

/* ---- mbuf ---------------------------------------------------------------------------- */

/* rte_pktmbuf_mtod(m, void *): start of the packet data in the first segment. */
static inline void *cdpdk_mbuf_data(struct rte_mbuf *m) { return rte_pktmbuf_mtod(m, void *); }
/* m->data_len: bytes of data in this segment. */
static inline uint16_t cdpdk_mbuf_data_len(const struct rte_mbuf *m) { return m->data_len; }
/* m->pkt_len: bytes of data in the whole chain. */
static inline uint32_t cdpdk_mbuf_pkt_len(const struct rte_mbuf *m) { return m->pkt_len; }
/* m->nb_segs: segments in the chain. */
static inline uint16_t cdpdk_mbuf_nb_segs(const struct rte_mbuf *m) { return m->nb_segs; }
/* m->port: the input port the PMD stamped on the mbuf. */
static inline uint16_t cdpdk_mbuf_port(const struct rte_mbuf *m) { return m->port; }
/* m->ol_flags: offload flags (RTE_MBUF_F_*). */
static inline uint64_t cdpdk_mbuf_ol_flags(const struct rte_mbuf *m) { return m->ol_flags; }
/* m->packet_type: RTE_PTYPE_* classification from the PMD, 0 when unknown. */
static inline uint32_t cdpdk_mbuf_packet_type(const struct rte_mbuf *m) { return m->packet_type; }
/* rte_mbuf_refcnt_read(). */
static inline uint16_t cdpdk_mbuf_refcnt(const struct rte_mbuf *m) { return rte_mbuf_refcnt_read(m); }
/* rte_mbuf_refcnt_update(m, delta): used to send one mbuf out of two ports (audit copy). */
static inline uint16_t cdpdk_mbuf_refcnt_update(struct rte_mbuf *m, int16_t delta) { return rte_mbuf_refcnt_update(m, delta); }
/* rte_pktmbuf_headroom(). */
static inline uint16_t cdpdk_mbuf_headroom(const struct rte_mbuf *m) { return rte_pktmbuf_headroom(m); }
/* rte_pktmbuf_tailroom(). */
static inline uint16_t cdpdk_mbuf_tailroom(const struct rte_mbuf *m) { return rte_pktmbuf_tailroom(m); }
/* rte_pktmbuf_adj(m, len): remove len bytes from the front; NULL if too long. */
static inline void *cdpdk_mbuf_adj(struct rte_mbuf *m, uint16_t len) { return rte_pktmbuf_adj(m, len); }
/* rte_pktmbuf_prepend(m, len): grow the front by len bytes; NULL without headroom. */
static inline void *cdpdk_mbuf_prepend(struct rte_mbuf *m, uint16_t len) { return rte_pktmbuf_prepend(m, len); }
/* rte_pktmbuf_append(m, len): grow the tail by len bytes; NULL without tailroom. */
static inline void *cdpdk_mbuf_append(struct rte_mbuf *m, uint16_t len) { return rte_pktmbuf_append(m, len); }
/* rte_pktmbuf_alloc(). */
static inline struct rte_mbuf *cdpdk_mbuf_alloc(struct rte_mempool *mp) { return rte_pktmbuf_alloc(mp); }
/* rte_pktmbuf_alloc_bulk(); 0 on success. */
static inline int cdpdk_mbuf_alloc_bulk(struct rte_mempool *mp, struct rte_mbuf **mbufs, unsigned n) { return rte_pktmbuf_alloc_bulk(mp, mbufs, n); }
/* rte_pktmbuf_free(). */
static inline void cdpdk_mbuf_free(struct rte_mbuf *m) { rte_pktmbuf_free(m); }
/* rte_pktmbuf_free_bulk(): one call frees a whole array of mbufs. */
static inline void cdpdk_mbuf_free_bulk(struct rte_mbuf **mbufs, unsigned n) { rte_pktmbuf_free_bulk(mbufs, n); }
/* rte_prefetch0() on the packet data of m. */
static inline void cdpdk_mbuf_prefetch_data(struct rte_mbuf *m) { rte_prefetch0(rte_pktmbuf_mtod(m, void *)); }
/* RTE_MBUF_DEFAULT_BUF_SIZE: 2048 bytes of data plus the default headroom. */
static inline uint16_t cdpdk_mbuf_default_buf_size(void) { return RTE_MBUF_DEFAULT_BUF_SIZE; }
/* RTE_PKTMBUF_HEADROOM. */
static inline uint16_t cdpdk_mbuf_default_headroom(void) { return RTE_PKTMBUF_HEADROOM; }

/* ---- mempool ------------------------------------------------------------------------- */

/* rte_pktmbuf_pool_create() with the default data room. */
static inline struct rte_mempool *cdpdk_pktmbuf_pool_create(const char *name, unsigned n, unsigned cache, int socket) {
    return rte_pktmbuf_pool_create(name, n, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
}
/* rte_mempool_in_use_count(): mbufs handed out and not returned. */
static inline unsigned cdpdk_mempool_in_use(const struct rte_mempool *mp) { return rte_mempool_in_use_count(mp); }
/* rte_mempool_avail_count(). */
static inline unsigned cdpdk_mempool_avail(const struct rte_mempool *mp) { return rte_mempool_avail_count(mp); }
/* RTE_MEMPOOL_CACHE_MAX_SIZE. */
static inline unsigned cdpdk_mempool_cache_max(void) { return RTE_MEMPOOL_CACHE_MAX_SIZE; }

/* ---- ethdev -------------------------------------------------------------------------- */

/* rte_eth_rx_burst(). */
static inline uint16_t cdpdk_rx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n) {
    return rte_eth_rx_burst(port, queue, pkts, n);
}
/* rte_eth_tx_burst(). */
static inline uint16_t cdpdk_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n) {
    return rte_eth_tx_burst(port, queue, pkts, n);
}
/* RTE_MAX_ETHPORTS. */
static inline uint16_t cdpdk_max_ethports(void) { return RTE_MAX_ETHPORTS; }
/* RTE_ETH_FOREACH_DEV: next valid, unowned port at or after `port`; RTE_MAX_ETHPORTS when none. */
static inline uint16_t cdpdk_eth_next_port(uint16_t port) { return (uint16_t)rte_eth_find_next_owned_by(port, RTE_ETH_DEV_NO_OWNER); }

/* Port capabilities and limits, from rte_eth_dev_info_get(). */
struct cdpdk_port_info {
    char name[RTE_ETH_NAME_MAX_LEN];
    char driver[64];
    uint16_t max_rx_queues;
    uint16_t max_tx_queues;
    uint16_t rx_desc_max, rx_desc_min, tx_desc_max, tx_desc_min;
    uint64_t flow_type_rss_offloads;
    int socket_id;
};
int cdpdk_port_info(uint16_t port, struct cdpdk_port_info *out);

/* Configure a port (rte_eth_dev_configure, queue set-up, rte_eth_dev_start). RSS over IP and
 * UDP when more than one rx queue and the PMD supports it. Returns 0 or a negative errno and
 * the name of the step that failed in *step. */
int cdpdk_port_setup(uint16_t port, uint16_t nb_rxq, uint16_t nb_txq, uint16_t nb_rxd, uint16_t nb_txd,
                     struct rte_mempool *pool, const char **step);

/* Link state, from rte_eth_link_get_nowait(): speed in Mb/s, up/down, full duplex. */
struct cdpdk_link { uint32_t speed; bool up; bool full_duplex; };
int cdpdk_link_get(uint16_t port, struct cdpdk_link *out);

/* rte_eth_promiscuous_enable(); 0, or -ENOTSUP for PMDs without the notion. */
static inline int cdpdk_promiscuous_enable(uint16_t port) { return rte_eth_promiscuous_enable(port); }

/* ---- EAL, lcores, time --------------------------------------------------------------- */

/* rte_errno (a per-lcore variable). */
static inline int cdpdk_errno(void) { return rte_errno; }
/* rte_lcore_id(). */
static inline unsigned cdpdk_lcore_id(void) { return rte_lcore_id(); }
/* rte_get_main_lcore(). */
static inline unsigned cdpdk_main_lcore(void) { return rte_get_main_lcore(); }
/* RTE_LCORE_FOREACH_WORKER: next enabled worker lcore after `i` (start with -1 as UINT_MAX); RTE_MAX_LCORE when none. */
static inline unsigned cdpdk_next_worker_lcore(unsigned i) { return rte_get_next_lcore(i, 1, 0); }
/* RTE_MAX_LCORE. */
static inline unsigned cdpdk_max_lcore(void) { return RTE_MAX_LCORE; }
/* rte_lcore_to_socket_id(). */
static inline unsigned cdpdk_lcore_socket(unsigned lcore) { return rte_lcore_to_socket_id(lcore); }
/* rte_socket_id(): NUMA socket of the calling lcore. */
static inline int cdpdk_socket_id(void) { return (int)rte_socket_id(); }
/* rte_eal_remote_launch(). */
static inline int cdpdk_remote_launch(int (*fn)(void *), void *arg, unsigned lcore) { return rte_eal_remote_launch(fn, arg, lcore); }
/* rte_eal_wait_lcore(): the worker's return value. */
static inline int cdpdk_wait_lcore(unsigned lcore) { return rte_eal_wait_lcore(lcore); }
/* rte_rdtsc(). */
static inline uint64_t cdpdk_rdtsc(void) { return rte_rdtsc(); }
/* rte_get_tsc_hz(). */
static inline uint64_t cdpdk_tsc_hz(void) { return rte_get_tsc_hz(); }
/* rte_pause(): spin-wait hint. */
static inline void cdpdk_pause(void) { rte_pause(); }
/* rte_version(). */
static inline const char *cdpdk_version(void) { return rte_version(); }
/* rte_hugepages_enabled? rte_eal_has_hugepages(). */
static inline int cdpdk_has_hugepages(void) { return rte_eal_has_hugepages(); }

/* The stop flag: set from a signal handler, polled by every worker loop (l2fwd's force_quit). */
extern volatile int cdpdk_force_quit;
/* Read the stop flag. */
static inline bool cdpdk_should_stop(void) { return cdpdk_force_quit != 0; }
/* Set the stop flag. */
static inline void cdpdk_request_stop(void) { cdpdk_force_quit = 1; }
/* Install SIGINT and SIGTERM handlers that only set the stop flag. */
void cdpdk_install_signal_handlers(void);
/* The signal that set the stop flag, 0 if none. */
int cdpdk_stop_signal(void);
/* Set while a reload (SIGHUP) is pending; cleared by the reader. */
bool cdpdk_take_reload_request(void);

/* ---- rte_hash ------------------------------------------------------------------------ */

/* rte_hash_create() for fixed-size keys hashed with rte_hash_crc; NULL and rte_errno on failure. */
struct rte_hash *cdpdk_hash_create(const char *name, uint32_t entries, uint32_t key_len, int socket);
/* rte_hash_hash(): the signature of a key, to pass to the *_with_hash calls. */
static inline uint32_t cdpdk_hash_hash(const struct rte_hash *h, const void *key) { return rte_hash_hash(h, key); }
/* rte_hash_add_key(): position (>= 0) or negative errno. */
static inline int32_t cdpdk_hash_add(const struct rte_hash *h, const void *key) { return rte_hash_add_key(h, key); }
/* rte_hash_lookup(): position (>= 0) or -ENOENT. */
static inline int32_t cdpdk_hash_lookup(const struct rte_hash *h, const void *key) { return rte_hash_lookup(h, key); }
/* rte_hash_lookup_bulk(): positions of up to RTE_HASH_LOOKUP_BULK_MAX keys, -ENOENT for a miss. */
static inline int cdpdk_hash_lookup_bulk(const struct rte_hash *h, const void **keys, uint32_t n, int32_t *positions) {
    return rte_hash_lookup_bulk(h, keys, n, positions);
}
/* rte_hash_count(). */
static inline int32_t cdpdk_hash_count(const struct rte_hash *h) { return rte_hash_count(h); }
/* rte_hash_free(). */
static inline void cdpdk_hash_free(struct rte_hash *h) { rte_hash_free(h); }
/* RTE_HASH_LOOKUP_BULK_MAX. */
static inline uint32_t cdpdk_hash_lookup_bulk_max(void) { return RTE_HASH_LOOKUP_BULK_MAX; }

/* ---- rte_meter (srTCM, RFC 2697) ----------------------------------------------------- */

/* rte_meter_srtcm_profile_config(): cir in bytes/s, cbs and ebs in bytes. */
static inline int cdpdk_srtcm_profile(struct rte_meter_srtcm_profile *p, uint64_t cir, uint64_t cbs, uint64_t ebs) {
    struct rte_meter_srtcm_params params = { .cir = cir, .cbs = cbs, .ebs = ebs };
    return rte_meter_srtcm_profile_config(p, &params);
}
/* rte_meter_srtcm_config(). */
static inline int cdpdk_srtcm_init(struct rte_meter_srtcm *m, struct rte_meter_srtcm_profile *p) { return rte_meter_srtcm_config(m, p); }
/* rte_meter_srtcm_color_blind_check(): 0 green, 1 yellow, 2 red. */
static inline int cdpdk_srtcm_check(struct rte_meter_srtcm *m, struct rte_meter_srtcm_profile *p, uint64_t now, uint32_t len) {
    return (int)rte_meter_srtcm_color_blind_check(m, p, now, len);
}

#endif /* CDPDK_H */
