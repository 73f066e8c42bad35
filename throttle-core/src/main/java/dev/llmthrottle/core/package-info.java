/**
 * The engine's vocabulary: dimensions, limits, costs, time and the rejections callers
 * see. This package and its sub-packages import nothing from Spring, so the rules of
 * throttling can be read and tested on their own.
 *
 * <p>
 * Public API: {@link dev.llmthrottle.core.Cost}, {@link dev.llmthrottle.core.Dimension},
 * {@link dev.llmthrottle.core.Limit}, {@link dev.llmthrottle.core.Priority} (the lane a
 * waiting call queues in), {@link dev.llmthrottle.core.TimeSource},
 * {@link dev.llmthrottle.core.SystemTimeSource},
 * {@link dev.llmthrottle.core.VirtualTimeSource} (time as a dependency, virtual in tests)
 * and the rejections {@link dev.llmthrottle.core.ThrottleRejectedException},
 * {@link dev.llmthrottle.core.MaxWaitExceededException},
 * {@link dev.llmthrottle.core.QueueFullException},
 * {@link dev.llmthrottle.core.RequestTooLargeException},
 * {@link dev.llmthrottle.core.UnknownProviderException}. Internal (public only for the
 * library's other packages, may change without notice):
 * {@link dev.llmthrottle.core.DurationFormat}.
 */
@NullMarked
package dev.llmthrottle.core;

import org.jspecify.annotations.NullMarked;
