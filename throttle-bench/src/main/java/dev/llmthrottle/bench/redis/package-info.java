/**
 * Redis backend benchmarks (issue 8, part 3): admissions per second from one JVM against
 * a local Redis.
 */
package dev.llmthrottle.bench.redis;
