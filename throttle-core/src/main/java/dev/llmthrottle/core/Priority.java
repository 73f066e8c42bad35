package dev.llmthrottle.core;

import java.util.Locale;

/**
 * The lane a call waits in when its partition has no room for it now. Within a partition,
 * a caller of a higher lane is admitted before a caller of a lower one that queued
 * earlier; within a lane, callers go in arrival order. Each lane below
 * {@link #INTERACTIVE} keeps a minimum share of the admissions while it has callers
 * waiting (the provider's {@code min-share}), so a batch is slowed down by interactive
 * traffic but never starved.
 *
 * <p>
 * Three named lanes rather than a number: a number invites everyone to raise theirs, and
 * the engine serves lanes, not fine-grained ranks. The order of the constants is the
 * order of service.
 */
public enum Priority {

	/** A person waits for the answer: admitted first. */
	INTERACTIVE,

	/** Ordinary calls: what every entry point uses unless told otherwise. */
	DEFAULT,

	/**
	 * Bulk work whose latency matters little: admitted last, within its minimum share.
	 */
	BATCH;

	private static final Priority[] LANES = values();

	/** The number of lanes. */
	public static final int COUNT = LANES.length;

	/** The lane of a given {@link #ordinal()}. */
	public static Priority ofLane(int lane) {
		return LANES[lane];
	}

	/**
	 * Parses a name, ignoring case ({@code interactive}, {@code BATCH}).
	 * @throws IllegalArgumentException naming the accepted values
	 */
	public static Priority of(String name) {
		String normalized = name.trim().toUpperCase(Locale.ROOT);
		for (Priority priority : LANES) {
			if (priority.name().equals(normalized)) {
				return priority;
			}
		}
		throw new IllegalArgumentException(
				"unknown priority '" + name + "': expected one of interactive, default or batch");
	}

}
