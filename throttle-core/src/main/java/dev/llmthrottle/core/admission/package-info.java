/**
 * Admission: a {@link dev.llmthrottle.core.admission.Partition} per provider and key admits calls atomically over
 * concurrency and every limit, in arrival order, and hands out {@link dev.llmthrottle.core.admission.Permit}s that
 * are closed with the outcome. Spring-free.
 */
@NullMarked
package dev.llmthrottle.core.admission;

import org.jspecify.annotations.NullMarked;
