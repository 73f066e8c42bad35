/**
 * What happened to each provider, kept in memory for operators: a
 * {@link dev.llmthrottle.core.admission.ThrottleListener} that records rejections, 429s,
 * retries, cooldowns, learned limits, quota exhaustion and backend trouble into a bounded
 * ring buffer per provider. Spring-free; the actuator endpoint in
 * {@code dev.llmthrottle.autoconfigure.actuate} exposes it. Partition keys arrive already
 * hashed and free text is redacted before it is stored.
 */
@NullMarked
package dev.llmthrottle.autoconfigure.events;

import org.jspecify.annotations.NullMarked;
