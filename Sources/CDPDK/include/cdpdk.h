/*
 * CDPDK: the only place where GovFwd touches DPDK's C API.
 *
 * This header is self-contained: it includes no DPDK header, so every Swift module that
 * imports it (SwiftPM's generated test-discovery module among them, which cannot be given
 * DPDK's include flags) builds without them. The DPDK headers are included by cdpdk.c only.
 *
 * - Per-packet mbuf accessors are `static inline` and read the fields at their offsets in
 *   DPDK 22.11's `struct rte_mbuf` (rte_mbuf_core.h); cdpdk.c checks every offset against
 *   the real struct with _Static_assert, so a DPDK with another layout fails to build.
 * - Everything per burst or per set-up step is a function in cdpdk.c wrapping the DPDK call
 *   named in its comment (a call per burst costs nothing measurable).
 * Every symbol is prefixed `cdpdk_`. Sources/Pipeline/DPDK.swift gives them Swift names.
 */
#ifndef CDPDK_H
#define CDPDK_H

#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>

#include "govcmac.h"

struct rte_mbuf;
struct rte_mempool;
struct rte_hash;

/* ---- mbuf: per-packet accessors (struct rte_mbuf, DPDK 22.11) ------------------------ */

#define CDPDK_MBUF_OFF_BUF_ADDR    0  /* void *buf_addr */
#define CDPDK_MBUF_OFF_DATA_OFF   16  /* uint16_t data_off */
#define CDPDK_MBUF_OFF_REFCNT     18  /* uint16_t refcnt */
#define CDPDK_MBUF_OFF_NB_SEGS    20  /* uint16_t nb_segs */
#define CDPDK_MBUF_OFF_PORT       22  /* uint16_t port */
#define CDPDK_MBUF_OFF_OL_FLAGS   24  /* uint64_t ol_flags */
#define CDPDK_MBUF_OFF_PTYPE      32  /* uint32_t packet_type */
#define CDPDK_MBUF_OFF_PKT_LEN    36  /* uint32_t pkt_len */
#define CDPDK_MBUF_OFF_DATA_LEN   40  /* uint16_t data_len */
#define CDPDK_MBUF_OFF_BUF_LEN    54  /* uint16_t buf_len */

#define CDPDK_MBUF_FIELD(m, off, type) (*(type *)((char *)(m) + (off)))

/* rte_pktmbuf_mtod(m, void *): start of the packet data in the first segment. */
static inline void *cdpdk_mbuf_data(struct rte_mbuf *m) {
    return (char *)CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_BUF_ADDR, void *) + CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_DATA_OFF, uint16_t);
}
/* m->data_len: bytes of data in this segment. */
static inline uint16_t cdpdk_mbuf_data_len(struct rte_mbuf *m) { return CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_DATA_LEN, uint16_t); }
/* m->nb_segs: segments in the chain. */
static inline uint16_t cdpdk_mbuf_nb_segs(struct rte_mbuf *m) { return CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_NB_SEGS, uint16_t); }
/* m->port: the input port the PMD stamped on the mbuf. */
static inline uint16_t cdpdk_mbuf_port(struct rte_mbuf *m) { return CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_PORT, uint16_t); }
/* m->ol_flags: offload flags (RTE_MBUF_F_*). */
static inline uint64_t cdpdk_mbuf_ol_flags(struct rte_mbuf *m) { return CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_OL_FLAGS, uint64_t); }
/* m->packet_type: RTE_PTYPE_* classification from the PMD, 0 when unknown. */
static inline uint32_t cdpdk_mbuf_packet_type(struct rte_mbuf *m) { return CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_PTYPE, uint32_t); }
/* rte_mbuf_refcnt_read(). */
static inline uint16_t cdpdk_mbuf_refcnt(struct rte_mbuf *m) {
    return __atomic_load_n(&CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_REFCNT, uint16_t), __ATOMIC_RELAXED);
}
/* rte_pktmbuf_headroom(): m->data_off. */
static inline uint16_t cdpdk_mbuf_headroom(struct rte_mbuf *m) { return CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_DATA_OFF, uint16_t); }
/* rte_pktmbuf_tailroom() of a one-segment mbuf: buf_len - data_off - data_len. */
static inline uint16_t cdpdk_mbuf_tailroom(struct rte_mbuf *m) {
    return (uint16_t)(CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_BUF_LEN, uint16_t) - cdpdk_mbuf_headroom(m) - cdpdk_mbuf_data_len(m));
}
/* rte_pktmbuf_adj(m, len): remove len bytes from the front; NULL if longer than the first segment. */
static inline void *cdpdk_mbuf_adj(struct rte_mbuf *m, uint16_t len) {
    if (len > cdpdk_mbuf_data_len(m))
        return NULL;
    CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_DATA_LEN, uint16_t) -= len;
    CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_DATA_OFF, uint16_t) += len;
    CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_PKT_LEN, uint32_t) -= len;
    return cdpdk_mbuf_data(m);
}
/* rte_pktmbuf_prepend(m, len): grow the front by len bytes; NULL without the headroom. */
static inline void *cdpdk_mbuf_prepend(struct rte_mbuf *m, uint16_t len) {
    if (len > cdpdk_mbuf_headroom(m))
        return NULL;
    CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_DATA_OFF, uint16_t) -= len;
    CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_DATA_LEN, uint16_t) += len;
    CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_PKT_LEN, uint32_t) += len;
    return cdpdk_mbuf_data(m);
}
/* rte_pktmbuf_append(m, len) on a one-segment mbuf: grow the tail; NULL without the tailroom. */
static inline void *cdpdk_mbuf_append(struct rte_mbuf *m, uint16_t len) {
    if (cdpdk_mbuf_nb_segs(m) != 1 || len > cdpdk_mbuf_tailroom(m))
        return NULL;
    void *tail = (char *)cdpdk_mbuf_data(m) + cdpdk_mbuf_data_len(m);
    CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_DATA_LEN, uint16_t) += len;
    CDPDK_MBUF_FIELD(m, CDPDK_MBUF_OFF_PKT_LEN, uint32_t) += len;
    return tail;
}
/* rte_prefetch0(): one cache line into every level. Swift inlines it (no call per packet). */
static inline __attribute__((always_inline)) void cdpdk_prefetch0(const void *p) { __builtin_prefetch(p, 0, 3); }

/* rte_pktmbuf_refcnt_update(m, delta): the reference count of every segment of the chain, so
 * that one packet can leave by two ports (audit copy) and each transmit frees one reference of
 * each segment. Updating the first segment alone frees the later ones twice. */
void cdpdk_pktmbuf_refcnt_update(struct rte_mbuf *m, int16_t delta);
/* Cuts the packet to its first `len` bytes, whatever its segments (rte_pktmbuf_trim takes only
 * bytes of the last segment): the segment where the packet now ends keeps its part, the
 * segments after it are freed. -1 if `len` is longer than the packet. */
int cdpdk_pktmbuf_truncate(struct rte_mbuf *m, uint32_t len);
/* rte_mbuf_check(m, 1): 0 when the mbuf chain is sane (pool, refcnt, segment count and
 * lengths), else -1 with a static text in *reason. */
int cdpdk_mbuf_check(const struct rte_mbuf *m, const char **reason);
/* m->pkt_len of the chain, and the bytes of [offset, offset + len) copied into buf when they
 * span segments (rte_pktmbuf_read); NULL if the packet is shorter. */
const void *cdpdk_pktmbuf_read(const struct rte_mbuf *m, uint32_t offset, uint32_t len, void *buf);
/* Appends a segment holding `len` bytes from `data` to the chain `head` (rte_pktmbuf_chain);
 * 0, or a negative errno. */
int cdpdk_pktmbuf_append_segment(struct rte_mempool *mp, struct rte_mbuf *head, const void *data, uint16_t len);
/* rte_pktmbuf_alloc(). */
struct rte_mbuf *cdpdk_mbuf_alloc(struct rte_mempool *mp);
/* rte_pktmbuf_alloc_bulk(); 0 on success. */
int cdpdk_mbuf_alloc_bulk(struct rte_mempool *mp, struct rte_mbuf **mbufs, unsigned n);
/* rte_pktmbuf_free(). */
void cdpdk_mbuf_free(struct rte_mbuf *m);
/* rte_pktmbuf_free_bulk(): one call frees a whole array of mbufs. */
void cdpdk_mbuf_free_bulk(struct rte_mbuf **mbufs, unsigned n);
/* RTE_MBUF_DEFAULT_BUF_SIZE: 2048 bytes of data plus the default headroom. */
uint16_t cdpdk_mbuf_default_buf_size(void);
/* RTE_PKTMBUF_HEADROOM. */
uint16_t cdpdk_mbuf_default_headroom(void);

/* ---- mempool ------------------------------------------------------------------------- */

/* rte_pktmbuf_pool_create() with the default data room; NULL and cdpdk_errno() on failure. */
struct rte_mempool *cdpdk_pktmbuf_pool_create(const char *name, unsigned n, unsigned cache, int socket);
/* rte_mempool_in_use_count(): mbufs handed out and not returned. It clamps at 0: a pool that
 * was given more frees than it handed out says 0 here (see cdpdk_mempool_in_use_signed). */
unsigned cdpdk_mempool_in_use(const struct rte_mempool *mp);
/* The pool's size less the objects in its ring and every lcore cache, not clamped: negative
 * after a double free (the ring of the default ring-based handlers plus each cache's len; the
 * clamped count for other handlers). */
long cdpdk_mempool_in_use_signed(const struct rte_mempool *mp);
/* rte_mempool_avail_count(). */
unsigned cdpdk_mempool_avail(const struct rte_mempool *mp);
/* rte_mempool_free(). */
void cdpdk_mempool_free(struct rte_mempool *mp);
/* RTE_MEMPOOL_CACHE_MAX_SIZE. */
unsigned cdpdk_mempool_cache_max(void);

/* ---- ethdev -------------------------------------------------------------------------- */

/* rte_eth_rx_burst(). */
uint16_t cdpdk_rx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n);
/* rte_eth_tx_burst(). */
uint16_t cdpdk_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n);
/* RTE_MAX_ETHPORTS. */
uint16_t cdpdk_max_ethports(void);
/* RTE_ETH_FOREACH_DEV: next valid, unowned port at or after `port`; RTE_MAX_ETHPORTS when none. */
uint16_t cdpdk_eth_next_port(uint16_t port);
/* rte_eth_dev_get_port_by_name(): 0 and *port, or a negative errno. */
int cdpdk_port_by_name(const char *name, uint16_t *port);

/* Port capabilities and limits, from rte_eth_dev_info_get(). */
struct cdpdk_port_info {
    char name[64];
    char driver[64];
    uint16_t max_rx_queues;
    uint16_t max_tx_queues;
    uint16_t rx_desc_max, rx_desc_min, tx_desc_max, tx_desc_min;
    uint64_t flow_type_rss_offloads;
    int socket_id;
};
int cdpdk_port_info(uint16_t port, struct cdpdk_port_info *out);

/* Configure and start a port (rte_eth_dev_configure, rte_eth_dev_adjust_nb_rx_tx_desc, queue
 * set-up, rte_eth_dev_start). RSS over IP and UDP when more than one rx queue and the PMD
 * supports it. Returns 0, or a negative errno with the name of the failed call in *step. */
int cdpdk_port_setup(uint16_t port, uint16_t nb_rxq, uint16_t nb_txq, uint16_t nb_rxd, uint16_t nb_txd,
                     struct rte_mempool *pool, const char **step);
/* rte_eth_dev_stop(). */
int cdpdk_port_stop(uint16_t port);
/* rte_eth_dev_close(). */
int cdpdk_port_close(uint16_t port);
/* rte_eth_promiscuous_enable(); 0, or -ENOTSUP for PMDs without the notion. */
int cdpdk_promiscuous_enable(uint16_t port);

/* Link state, from rte_eth_link_get_nowait(): speed in Mb/s, up/down, full duplex. */
struct cdpdk_link { uint32_t speed; bool up; bool full_duplex; };
int cdpdk_link_get(uint16_t port, struct cdpdk_link *out);

/* The PMD's counters, from rte_eth_stats_get(). */
struct cdpdk_port_stats {
    uint64_t ipackets, opackets, ibytes, obytes, imissed, ierrors, oerrors, rx_nombuf;
};
int cdpdk_port_stats(uint16_t port, struct cdpdk_port_stats *out);

/* ---- EAL, lcores, time, errors ------------------------------------------------------- */

/* rte_eal_init(): the number of arguments consumed, or -1 with cdpdk_errno() set. */
int cdpdk_eal_init(int argc, char **argv);
/* rte_eal_cleanup(). */
int cdpdk_eal_cleanup(void);
/* rte_errno (a per-lcore variable). */
int cdpdk_errno(void);
/* rte_strerror(). */
const char *cdpdk_strerror(int err);
/* RTE_LCORE_FOREACH_WORKER: next enabled worker lcore after `i` (start from UINT_MAX); RTE_MAX_LCORE when none. */
unsigned cdpdk_next_worker_lcore(unsigned i);
/* RTE_MAX_LCORE. */
unsigned cdpdk_max_lcore(void);
/* rte_socket_id(): NUMA socket of the calling lcore. */
int cdpdk_socket_id(void);
/* rte_eal_remote_launch(). */
int cdpdk_remote_launch(int (*fn)(void *), void *arg, unsigned lcore);
/* rte_eal_wait_lcore(): the worker's return value. */
int cdpdk_wait_lcore(unsigned lcore);
/* rte_get_tsc_hz(). */
uint64_t cdpdk_tsc_hz(void);
/* rte_version(). */
const char *cdpdk_version(void);
/* rte_eal_get_runtime_dir(): the folder of this process's runtime files (/var/run/dpdk/PREFIX). */
const char *cdpdk_runtime_dir(void);

/* rte_rdtsc(): the time-stamp counter. */
static inline uint64_t cdpdk_rdtsc(void) { return __builtin_ia32_rdtsc(); }

/* __atomic_exchange_n of a pointer slot (acquire-release): hands an object from one lcore to another. */
static inline void *cdpdk_ptr_exchange(void *volatile *slot, void *value) { return __atomic_exchange_n(slot, value, __ATOMIC_ACQ_REL); }
/* __atomic_load_n of a pointer slot (acquire). */
static inline void *cdpdk_ptr_load(void *volatile *slot) { return __atomic_load_n(slot, __ATOMIC_ACQUIRE); }

/* The stop flag: set from a signal handler, polled by every worker loop (l2fwd's force_quit). */
extern volatile int cdpdk_force_quit;
/* Read the stop flag. */
static inline bool cdpdk_should_stop(void) { return __atomic_load_n(&cdpdk_force_quit, __ATOMIC_RELAXED) != 0; }
/* Set the stop flag. */
static inline void cdpdk_request_stop(void) { __atomic_store_n(&cdpdk_force_quit, 1, __ATOMIC_RELAXED); }
/* Install SIGINT and SIGTERM handlers that only set the stop flag, and a SIGHUP handler that
 * only records a reload request. */
void cdpdk_install_signal_handlers(void);
/* The signal that set the stop flag, 0 if none. */
int cdpdk_stop_signal(void);
/* True once per SIGHUP received since the last call. */
bool cdpdk_take_reload_request(void);

/* ---- rte_hash ------------------------------------------------------------------------ */

/* rte_hash_create() for fixed-size keys hashed with rte_hash_crc; NULL and cdpdk_errno() on failure. */
struct rte_hash *cdpdk_hash_create(const char *name, uint32_t entries, uint32_t key_len, int socket);
/* rte_hash_add_key(): position (>= 0) or negative errno. */
int32_t cdpdk_hash_add(const struct rte_hash *h, const void *key);
/* rte_hash_lookup(): position (>= 0) or -ENOENT. */
int32_t cdpdk_hash_lookup(const struct rte_hash *h, const void *key);
/* rte_hash_lookup_bulk(): positions of up to CDPDK_HASH_LOOKUP_BULK_MAX keys, -ENOENT for a miss. */
int cdpdk_hash_lookup_bulk(const struct rte_hash *h, const void **keys, uint32_t n, int32_t *positions);
/* rte_hash_count(). */
int32_t cdpdk_hash_count(const struct rte_hash *h);
/* rte_hash_free(). */
void cdpdk_hash_free(struct rte_hash *h);
/* RTE_HASH_LOOKUP_BULK_MAX. */
#define CDPDK_HASH_LOOKUP_BULK_MAX 64

/* ---- rte_meter (srTCM, RFC 2697) ----------------------------------------------------- */

/* A set of `n` srTCM meters, each with its own profile (rte_meter_srtcm + _profile). */
struct cdpdk_meters;
struct cdpdk_meters *cdpdk_meters_create(unsigned n);
void cdpdk_meters_free(struct cdpdk_meters *ms);
/* rte_meter_srtcm_profile_config() + rte_meter_srtcm_config() of meter i: cir in bytes/s, cbs and ebs in bytes.
 * -ERANGE for a rate whose token-bucket period does not fit the profile. */
int cdpdk_meter_config(struct cdpdk_meters *ms, unsigned i, uint64_t cir, uint64_t cbs, uint64_t ebs);
/* rte_meter_srtcm_color_blind_check() of meter i at TSC time `now`: 0 green, 1 yellow, 2 red. */
int cdpdk_meter_check(struct cdpdk_meters *ms, unsigned i, uint64_t now, uint32_t len);

#endif /* CDPDK_H */
