#include <stdio.h>
#include <pcap/pcap.h>

#include "libpcap_fuzz.h"

int govfwd_fuzz_libpcap(const uint8_t *data, size_t size)
{
    if (size == 0)
        return -1;
    FILE *file = fmemopen((void *)data, size, "rb");
    if (file == NULL)
        return -1;
    char error[PCAP_ERRBUF_SIZE];
    pcap_t *pcap = pcap_fopen_offline(file, error);   /* owns `file` from here */
    if (pcap == NULL) {
        fclose(file);
        return -1;
    }
    struct pcap_pkthdr *header;
    const u_char *packet;
    int n = 0;
    while (pcap_next_ex(pcap, &header, &packet) == 1)
        n++;
    pcap_close(pcap);
    return n;
}
