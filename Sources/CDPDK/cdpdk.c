/* The DPDK side of the shim: everything cdpdk.h declares, over the real DPDK headers. */
#include <signal.h>
#include <string.h>
#include <stdio.h>
#include <stdlib.h>

#include <rte_common.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_lcore.h>
#include <rte_launch.h>
#include <rte_cycles.h>
#include <rte_mempool.h>
#include <rte_ring.h>
#include <rte_mbuf.h>
#include <rte_ethdev.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_meter.h>
#include <rte_malloc.h>
#include <rte_version.h>

#include "cdpdk.h"

/* The inline accessors in cdpdk.h read struct rte_mbuf by offset: check every one. */
_Static_assert(offsetof(struct rte_mbuf, buf_addr) == CDPDK_MBUF_OFF_BUF_ADDR, "rte_mbuf.buf_addr moved");
_Static_assert(offsetof(struct rte_mbuf, data_off) == CDPDK_MBUF_OFF_DATA_OFF, "rte_mbuf.data_off moved");
_Static_assert(offsetof(struct rte_mbuf, refcnt) == CDPDK_MBUF_OFF_REFCNT, "rte_mbuf.refcnt moved");
_Static_assert(offsetof(struct rte_mbuf, nb_segs) == CDPDK_MBUF_OFF_NB_SEGS, "rte_mbuf.nb_segs moved");
_Static_assert(offsetof(struct rte_mbuf, port) == CDPDK_MBUF_OFF_PORT, "rte_mbuf.port moved");
_Static_assert(offsetof(struct rte_mbuf, ol_flags) == CDPDK_MBUF_OFF_OL_FLAGS, "rte_mbuf.ol_flags moved");
_Static_assert(offsetof(struct rte_mbuf, packet_type) == CDPDK_MBUF_OFF_PTYPE, "rte_mbuf.packet_type moved");
_Static_assert(offsetof(struct rte_mbuf, pkt_len) == CDPDK_MBUF_OFF_PKT_LEN, "rte_mbuf.pkt_len moved");
_Static_assert(offsetof(struct rte_mbuf, data_len) == CDPDK_MBUF_OFF_DATA_LEN, "rte_mbuf.data_len moved");
_Static_assert(offsetof(struct rte_mbuf, buf_len) == CDPDK_MBUF_OFF_BUF_LEN, "rte_mbuf.buf_len moved");
_Static_assert(sizeof(((struct rte_mbuf *)0)->data_off) == 2 && sizeof(((struct rte_mbuf *)0)->pkt_len) == 4 &&
               sizeof(((struct rte_mbuf *)0)->data_len) == 2, "rte_mbuf field sizes changed");
_Static_assert(RTE_HASH_LOOKUP_BULK_MAX == CDPDK_HASH_LOOKUP_BULK_MAX, "RTE_HASH_LOOKUP_BULK_MAX changed");
_Static_assert(RTE_ETH_NAME_MAX_LEN <= 64, "port names longer than cdpdk_port_info.name");

/* ---- mbuf and mempool ---- */

void cdpdk_pktmbuf_refcnt_update(struct rte_mbuf *m, int16_t delta) { rte_pktmbuf_refcnt_update(m, delta); }

int cdpdk_pktmbuf_truncate(struct rte_mbuf *m, uint32_t len)
{
    if (len > m->pkt_len)
        return -1;
    struct rte_mbuf *seg = m;
    uint32_t before = 0;   /* bytes in the segments before `seg` */
    while (before + seg->data_len < len && seg->next != NULL) {
        before += seg->data_len;
        seg = seg->next;
    }
    seg->data_len = (uint16_t)(len - before);
    if (seg->next != NULL) {
        uint16_t freed = 0;
        for (struct rte_mbuf *s = seg->next; s != NULL; s = s->next)
            freed++;
        rte_pktmbuf_free(seg->next);
        seg->next = NULL;
        m->nb_segs = (uint16_t)(m->nb_segs - freed);
    }
    m->pkt_len = len;
    return 0;
}

int cdpdk_mbuf_check(const struct rte_mbuf *m, const char **reason) { return rte_mbuf_check(m, 1, reason); }

const void *cdpdk_pktmbuf_read(const struct rte_mbuf *m, uint32_t offset, uint32_t len, void *buf)
{
    return rte_pktmbuf_read(m, offset, len, buf);
}

int cdpdk_pktmbuf_append_segment(struct rte_mempool *mp, struct rte_mbuf *head, const void *data, uint16_t len)
{
    struct rte_mbuf *seg = rte_pktmbuf_alloc(mp);
    if (seg == NULL)
        return -ENOMEM;
    char *room = rte_pktmbuf_append(seg, len);
    if (room == NULL) {
        rte_pktmbuf_free(seg);
        return -ENOSPC;
    }
    memcpy(room, data, len);
    int rc = rte_pktmbuf_chain(head, seg);
    if (rc != 0)
        rte_pktmbuf_free(seg);
    return rc;
}
struct rte_mbuf *cdpdk_mbuf_alloc(struct rte_mempool *mp) { return rte_pktmbuf_alloc(mp); }
int cdpdk_mbuf_alloc_bulk(struct rte_mempool *mp, struct rte_mbuf **mbufs, unsigned n) { return rte_pktmbuf_alloc_bulk(mp, mbufs, n); }
void cdpdk_mbuf_free(struct rte_mbuf *m) { rte_pktmbuf_free(m); }
void cdpdk_mbuf_free_bulk(struct rte_mbuf **mbufs, unsigned n) { rte_pktmbuf_free_bulk(mbufs, n); }
uint16_t cdpdk_mbuf_default_buf_size(void) { return RTE_MBUF_DEFAULT_BUF_SIZE; }
uint16_t cdpdk_mbuf_default_headroom(void) { return RTE_PKTMBUF_HEADROOM; }

struct rte_mempool *cdpdk_pktmbuf_pool_create(const char *name, unsigned n, unsigned cache, int socket)
{
    return rte_pktmbuf_pool_create(name, n, cache, 0, RTE_MBUF_DEFAULT_BUF_SIZE, socket);
}
unsigned cdpdk_mempool_in_use(const struct rte_mempool *mp) { return rte_mempool_in_use_count(mp); }

long cdpdk_mempool_in_use_signed(const struct rte_mempool *mp)
{
    /* rte_mempool_ops_get_count() is not exported: read the ring of the default ring-based
     * handlers directly; any other handler gets the clamped count. */
    const struct rte_mempool_ops *ops = rte_mempool_get_ops(mp->ops_index);
    if (strncmp(ops->name, "ring_", 5) != 0)
        return (long)rte_mempool_in_use_count(mp);
    long avail = (long)rte_ring_count((const struct rte_ring *)mp->pool_data);
    if (mp->cache_size != 0)
        for (unsigned lcore = 0; lcore < RTE_MAX_LCORE; lcore++)
            avail += mp->local_cache[lcore].len;
    return (long)mp->size - avail;
}
unsigned cdpdk_mempool_avail(const struct rte_mempool *mp) { return rte_mempool_avail_count(mp); }
void cdpdk_mempool_free(struct rte_mempool *mp) { rte_mempool_free(mp); }
unsigned cdpdk_mempool_cache_max(void) { return RTE_MEMPOOL_CACHE_MAX_SIZE; }

/* ---- ethdev ---- */

uint16_t cdpdk_rx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n) { return rte_eth_rx_burst(port, queue, pkts, n); }
uint16_t cdpdk_tx_burst(uint16_t port, uint16_t queue, struct rte_mbuf **pkts, uint16_t n) { return rte_eth_tx_burst(port, queue, pkts, n); }
uint16_t cdpdk_max_ethports(void) { return RTE_MAX_ETHPORTS; }
uint16_t cdpdk_eth_next_port(uint16_t port) { return (uint16_t)rte_eth_find_next_owned_by(port, RTE_ETH_DEV_NO_OWNER); }
int cdpdk_port_by_name(const char *name, uint16_t *port) { return rte_eth_dev_get_port_by_name(name, port); }
int cdpdk_port_stop(uint16_t port) { return rte_eth_dev_stop(port); }
int cdpdk_port_close(uint16_t port) { return rte_eth_dev_close(port); }
int cdpdk_promiscuous_enable(uint16_t port) { return rte_eth_promiscuous_enable(port); }

int cdpdk_port_stats(uint16_t port, struct cdpdk_port_stats *out)
{
    struct rte_eth_stats s;
    memset(out, 0, sizeof(*out));
    int rc = rte_eth_stats_get(port, &s);
    if (rc != 0)
        return rc;
    out->ipackets = s.ipackets;
    out->opackets = s.opackets;
    out->ibytes = s.ibytes;
    out->obytes = s.obytes;
    out->imissed = s.imissed;
    out->ierrors = s.ierrors;
    out->oerrors = s.oerrors;
    out->rx_nombuf = s.rx_nombuf;
    return 0;
}

/* ---- EAL ---- */

int cdpdk_eal_init(int argc, char **argv) { return rte_eal_init(argc, argv); }
int cdpdk_eal_cleanup(void) { return rte_eal_cleanup(); }
int cdpdk_errno(void) { return rte_errno; }
const char *cdpdk_strerror(int err) { return rte_strerror(err); }
unsigned cdpdk_next_worker_lcore(unsigned i) { return rte_get_next_lcore(i, 1, 0); }
unsigned cdpdk_max_lcore(void) { return RTE_MAX_LCORE; }
int cdpdk_socket_id(void) { return (int)rte_socket_id(); }
int cdpdk_remote_launch(int (*fn)(void *), void *arg, unsigned lcore) { return rte_eal_remote_launch(fn, arg, lcore); }
int cdpdk_wait_lcore(unsigned lcore) { return rte_eal_wait_lcore(lcore); }
uint64_t cdpdk_tsc_hz(void) { return rte_get_tsc_hz(); }
const char *cdpdk_version(void) { return rte_version(); }
const char *cdpdk_runtime_dir(void) { return rte_eal_get_runtime_dir(); }

/* ---- signals ---- */

volatile int cdpdk_force_quit = 0;
static volatile sig_atomic_t stop_signal = 0;
static volatile sig_atomic_t reload_requested = 0;

static void on_signal(int sig)
{
    if (sig == SIGHUP) {
        reload_requested = 1;
        return;
    }
    stop_signal = sig;
    cdpdk_force_quit = 1;
}

void cdpdk_install_signal_handlers(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
}

int cdpdk_stop_signal(void) { return stop_signal; }

bool cdpdk_take_reload_request(void)
{
    if (!reload_requested)
        return false;
    reload_requested = 0;
    return true;
}

int cdpdk_port_info(uint16_t port, struct cdpdk_port_info *out)
{
    struct rte_eth_dev_info info;
    memset(out, 0, sizeof(*out));
    int rc = rte_eth_dev_info_get(port, &info);
    if (rc != 0)
        return rc;
    rte_eth_dev_get_name_by_port(port, out->name);
    snprintf(out->driver, sizeof(out->driver), "%s", info.driver_name ? info.driver_name : "?");
    out->max_rx_queues = info.max_rx_queues;
    out->max_tx_queues = info.max_tx_queues;
    out->rx_desc_max = info.rx_desc_lim.nb_max;
    out->rx_desc_min = info.rx_desc_lim.nb_min;
    out->tx_desc_max = info.tx_desc_lim.nb_max;
    out->tx_desc_min = info.tx_desc_lim.nb_min;
    out->flow_type_rss_offloads = info.flow_type_rss_offloads;
    out->socket_id = rte_eth_dev_socket_id(port);
    return 0;
}

int cdpdk_port_setup(uint16_t port, uint16_t nb_rxq, uint16_t nb_txq, uint16_t nb_rxd, uint16_t nb_txd,
                     struct rte_mempool *pool, const char **step)
{
    struct rte_eth_dev_info info;
    struct rte_eth_conf conf;
    int rc;

    *step = "rte_eth_dev_info_get";
    rc = rte_eth_dev_info_get(port, &info);
    if (rc != 0)
        return rc;

    memset(&conf, 0, sizeof(conf));
    if (nb_rxq > 1) {
        uint64_t rss = (RTE_ETH_RSS_IP | RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
        if (rss != 0) {
            conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
            conf.rx_adv_conf.rss_conf.rss_hf = rss;
        }
    }
    if (info.tx_offload_capa & RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE)
        conf.txmode.offloads |= RTE_ETH_TX_OFFLOAD_MBUF_FAST_FREE;

    *step = "rte_eth_dev_configure";
    rc = rte_eth_dev_configure(port, nb_rxq, nb_txq, &conf);
    if (rc != 0)
        return rc;

    *step = "rte_eth_dev_adjust_nb_rx_tx_desc";
    rc = rte_eth_dev_adjust_nb_rx_tx_desc(port, &nb_rxd, &nb_txd);
    if (rc != 0)
        return rc;

    int socket = rte_eth_dev_socket_id(port);
    if (socket < 0)
        socket = (int)rte_socket_id();

    for (uint16_t q = 0; q < nb_rxq; q++) {
        struct rte_eth_rxconf rxconf = info.default_rxconf;
        rxconf.offloads = conf.rxmode.offloads;
        *step = "rte_eth_rx_queue_setup";
        rc = rte_eth_rx_queue_setup(port, q, nb_rxd, (unsigned)socket, &rxconf, pool);
        if (rc != 0)
            return rc;
    }
    for (uint16_t q = 0; q < nb_txq; q++) {
        struct rte_eth_txconf txconf = info.default_txconf;
        txconf.offloads = conf.txmode.offloads;
        *step = "rte_eth_tx_queue_setup";
        rc = rte_eth_tx_queue_setup(port, q, nb_txd, (unsigned)socket, &txconf);
        if (rc != 0)
            return rc;
    }

    *step = "rte_eth_dev_start";
    rc = rte_eth_dev_start(port);
    return rc;
}

int cdpdk_link_get(uint16_t port, struct cdpdk_link *out)
{
    struct rte_eth_link link;
    memset(&link, 0, sizeof(link));
    int rc = rte_eth_link_get_nowait(port, &link);
    out->speed = link.link_speed;
    out->up = link.link_status == RTE_ETH_LINK_UP;
    out->full_duplex = link.link_duplex == RTE_ETH_LINK_FULL_DUPLEX;
    return rc;
}

/* ---- rte_hash ---- */

int32_t cdpdk_hash_add(const struct rte_hash *h, const void *key) { return rte_hash_add_key(h, key); }
int32_t cdpdk_hash_lookup(const struct rte_hash *h, const void *key) { return rte_hash_lookup(h, key); }
int cdpdk_hash_lookup_bulk(const struct rte_hash *h, const void **keys, uint32_t n, int32_t *positions)
{
    return rte_hash_lookup_bulk(h, keys, n, positions);
}
int32_t cdpdk_hash_count(const struct rte_hash *h) { return rte_hash_count(h); }
void cdpdk_hash_free(struct rte_hash *h) { rte_hash_free(h); }

struct rte_hash *cdpdk_hash_create(const char *name, uint32_t entries, uint32_t key_len, int socket)
{
    struct rte_hash_parameters params = {
        .name = name,
        .entries = entries < 8 ? 8 : entries,
        .key_len = key_len,
        .hash_func = rte_hash_crc,
        .hash_func_init_val = 0,
        .socket_id = socket,
    };
    return rte_hash_create(&params);
}

/* ---- rte_meter ---- */

struct cdpdk_meter {
    struct rte_meter_srtcm meter;
    struct rte_meter_srtcm_profile profile;
};

struct cdpdk_meters {
    unsigned n;
    struct cdpdk_meter m[];
};

struct cdpdk_meters *cdpdk_meters_create(unsigned n)
{
    struct cdpdk_meters *ms = rte_zmalloc("cdpdk_meters", sizeof(*ms) + (size_t)n * sizeof(struct cdpdk_meter), RTE_CACHE_LINE_SIZE);
    if (ms != NULL)
        ms->n = n;
    return ms;
}

void cdpdk_meters_free(struct cdpdk_meters *ms) { rte_free(ms); }

int cdpdk_meter_config(struct cdpdk_meters *ms, unsigned i, uint64_t cir, uint64_t cbs, uint64_t ebs)
{
    if (i >= ms->n)
        return -EINVAL;
    struct rte_meter_srtcm_params params = { .cir = cir, .cbs = cbs, .ebs = ebs };
    int rc = rte_meter_srtcm_profile_config(&ms->m[i].profile, &params);
    if (rc != 0)
        return rc;
    /* For a rate near 2^64 / 100 the profile's period wraps to 0 and the first check divides
     * by it (SIGFPE): refuse what the profile cannot hold. */
    if (ms->m[i].profile.cir_period == 0 || ms->m[i].profile.cir_bytes_per_period == 0)
        return -ERANGE;
    return rte_meter_srtcm_config(&ms->m[i].meter, &ms->m[i].profile);
}

int cdpdk_meter_check(struct cdpdk_meters *ms, unsigned i, uint64_t now, uint32_t len)
{
    return (int)rte_meter_srtcm_color_blind_check(&ms->m[i].meter, &ms->m[i].profile, now, len);
}
