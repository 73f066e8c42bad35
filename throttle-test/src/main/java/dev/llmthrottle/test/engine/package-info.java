/**
 * The enforcement engine: one meter per configured limit, implementing the
 * {@link dev.llmthrottle.test.config.EnforcementModel}s, and an
 * {@link dev.llmthrottle.test.engine.Enforcer} that admits a request only when every
 * limit has room, then settles the charge from actual usage. Time comes from a
 * {@link dev.llmthrottle.test.clock.SimClock}, so decisions are unit-tested on virtual
 * time. Nothing here knows about HTTP.
 */
@NullMarked
package dev.llmthrottle.test.engine;

import org.jspecify.annotations.NullMarked;
