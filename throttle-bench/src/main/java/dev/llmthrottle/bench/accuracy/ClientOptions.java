package dev.llmthrottle.bench.accuracy;

import java.time.Duration;

import dev.llmthrottle.protocol.tokens.JtokkitTokenCounter;

/**
 * What every client of a run is built with.
 *
 * @param maxConcurrent the concurrency cap (the number of caller threads)
 * @param seed the seed of anything random in a client
 * @param tokenCounter the token counter, shared by every cell as an application shares
 * one
 * @param burst llm-throttle's {@code burst} setting; zero, the default, unless a
 * diagnostic run says otherwise
 */
record ClientOptions(int maxConcurrent, long seed, JtokkitTokenCounter tokenCounter, Duration burst) {
}
