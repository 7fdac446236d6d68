/*
 * The CPU gate: the Swift code of GovFwd is compiled for x86-64-v3 (Package.swift,
 * `GOVFWD_TARGET_CPU`), and a CPU without those features would stop on an illegal instruction
 * somewhere in it. When the build targets x86-64-v3, a constructor in cpugate.c checks the
 * CPU before main and exits with a message naming the missing feature instead.
 */
#ifndef GOV_CPUGATE_H
#define GOV_CPUGATE_H

#include <stdint.h>

/* What cpuid and xgetbv report, in the registers that hold the x86-64-v3 features. */
typedef struct gov_cpu_report {
    uint32_t leaf1_ecx;     /* cpuid 1, ECX */
    uint32_t leaf7_ebx;     /* cpuid 7.0, EBX */
    uint32_t ext1_ecx;      /* cpuid 0x80000001, ECX */
    uint64_t xcr0;          /* xgetbv 0 (0 when the OS has not enabled xsave) */
} gov_cpu_report;

/* This CPU's report. */
gov_cpu_report gov_cpu_read(void);

/* The first x86-64-v3 feature `r` lacks, by name ("AVX2", "BMI2", ...), or NULL when it has
 * every one, with the OS saving the AVX registers. */
const char *gov_cpu_missing_v3(gov_cpu_report r);

/* 1 when this build's Swift code targets x86-64-v3 and the gate runs at start-up, else 0. */
int gov_cpu_gate_enabled(void);

#endif
