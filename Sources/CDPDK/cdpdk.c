/* Non-inline parts of the DPDK shim: port set-up, signals, hash creation. */
#include "cdpdk.h"

#include <signal.h>
#include <string.h>
#include <stdio.h>

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
