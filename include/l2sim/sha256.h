/*
 * SHA-256 (FIPS 180-4), for the scenario digest stored with every run.
 * None of the project's libraries exports a SHA-256, so it is written here
 * from the standard and tested against its published vectors.
 */
#ifndef L2SIM_SHA256_H
#define L2SIM_SHA256_H

#include <stddef.h>
#include <stdint.h>

/* Writes the 64 lowercase hex digits and a NUL to hex[65]. */
void sha256_hex(const void *data, size_t len, char hex[65]);

#endif
