/**
 * The engine's vocabulary: dimensions, limits, costs, time and the rejections callers see. This package and its
 * sub-packages import nothing from Spring, so the rules of throttling can be read and tested on their own.
 */
@NullMarked
package dev.llmthrottle.core;

import org.jspecify.annotations.NullMarked;
