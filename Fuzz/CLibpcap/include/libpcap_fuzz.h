/* libpcap's reader over a buffer, for the FuzzPcap target. */
#ifndef LIBPCAP_FUZZ_H
#define LIBPCAP_FUZZ_H
#include <stddef.h>
#include <stdint.h>

/* Opens `data` as a pcap or pcapng file (pcap_fopen_offline over fmemopen) and reads every
 * record (pcap_next_ex); the number read, or -1 when libpcap refuses the file. */
int govfwd_fuzz_libpcap(const uint8_t *data, size_t size);

#endif
