/**
 * Time as a dependency: the enforcement logic reads a
 * {@link dev.llmthrottle.test.clock.SimClock}, so its decisions can be tested on virtual
 * time with a {@link dev.llmthrottle.test.clock.ManualClock}.
 */
@NullMarked
package dev.llmthrottle.test.clock;

import org.jspecify.annotations.NullMarked;
