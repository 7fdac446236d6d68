/*
 * The CPU gate (cpugate.h). This file is compiled for the shim's own target (corei7 with
 * AES-NI), so the checks run on any x86-64 CPU.
 */
#include "cpugate.h"

#include <cpuid.h>
#include <stdio.h>
#include <unistd.h>

gov_cpu_report gov_cpu_read(void) {
    gov_cpu_report r = {0, 0, 0, 0};
    unsigned a, b, c, d;
    if (__get_cpuid(1, &a, &b, &c, &d)) r.leaf1_ecx = c;
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) r.leaf7_ebx = b;
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) r.ext1_ecx = c;
    if (r.leaf1_ecx & (1u << 27)) {                 /* OSXSAVE: xgetbv is available */
        uint32_t lo, hi;
        __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
        r.xcr0 = (uint64_t)hi << 32 | lo;
    }
    return r;
}

enum { LEAF1_ECX, LEAF7_EBX, EXT1_ECX };

/* The features of x86-64-v2 and x86-64-v3 (the x86-64 psABI's microarchitecture levels), with
 * XSAVE, which LLVM's v3 includes, and OSXSAVE, checked with XCR0 below. */
static const struct { const char *name; int reg; unsigned bit; } v3_features[] = {
    {"SSE3", LEAF1_ECX, 0},    {"SSSE3", LEAF1_ECX, 9},  {"FMA", LEAF1_ECX, 12},    {"CMPXCHG16B", LEAF1_ECX, 13},
    {"SSE4.1", LEAF1_ECX, 19}, {"SSE4.2", LEAF1_ECX, 20}, {"MOVBE", LEAF1_ECX, 22}, {"POPCNT", LEAF1_ECX, 23},
    {"XSAVE", LEAF1_ECX, 26},  {"AVX", LEAF1_ECX, 28},   {"F16C", LEAF1_ECX, 29},
    {"BMI1", LEAF7_EBX, 3},    {"AVX2", LEAF7_EBX, 5},   {"BMI2", LEAF7_EBX, 8},
    {"LAHF-SAHF", EXT1_ECX, 0}, {"LZCNT", EXT1_ECX, 5},
};

const char *gov_cpu_missing_v3(gov_cpu_report r) {
    for (size_t i = 0; i < sizeof v3_features / sizeof v3_features[0]; i++) {
        uint32_t reg = v3_features[i].reg == LEAF1_ECX ? r.leaf1_ecx
                     : v3_features[i].reg == LEAF7_EBX ? r.leaf7_ebx : r.ext1_ecx;
        if (!(reg & (1u << v3_features[i].bit))) return v3_features[i].name;
    }
    /* The OS must save the SSE and AVX registers (XCR0 bits 1 and 2) for AVX code to run. */
    if (!(r.leaf1_ecx & (1u << 27)) || (r.xcr0 & 6) != 6) return "AVX register state (OSXSAVE, XCR0)";
    return NULL;
}

#if defined(GOV_TARGET_X86_64_V3) && GOV_TARGET_X86_64_V3
int gov_cpu_gate_enabled(void) { return 1; }

/* Before main and before any Swift code: a clear refusal instead of SIGILL. */
__attribute__((constructor)) static void gov_cpu_gate(void) {
    const char *missing = gov_cpu_missing_v3(gov_cpu_read());
    if (missing == NULL) return;
    char msg[400];
    int n = snprintf(msg, sizeof msg,
                     "GovFwd: this CPU has no %s. This build needs an x86-64-v3 CPU (AVX2, BMI2, MOVBE, FMA: "
                     "Intel Core or Xeon from Haswell, AMD Zen or later). To build for any x86-64 CPU "
                     "with AES-NI, set GOVFWD_TARGET_CPU=x86-64 (docs/operations.md).\n", missing);
    if (n > 0) (void)!write(2, msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
    _exit(1);
}
#else
int gov_cpu_gate_enabled(void) { return 0; }
#endif
