/**
 * Spring Boot Actuator support for the LLM throttles: the {@code llmthrottle} endpoint
 * (state per provider and a runtime change of limits), the {@code llmthrottleevents}
 * endpoint (recent events), a health contribution per provider, and their
 * auto-configurations, each backing off when Actuator or the health module is absent.
 * Partition keys appear only hashed; free text is redacted.
 */
@NullMarked
package dev.llmthrottle.autoconfigure.actuate;

import org.jspecify.annotations.NullMarked;
