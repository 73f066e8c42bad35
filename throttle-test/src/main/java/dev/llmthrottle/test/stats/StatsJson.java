package dev.llmthrottle.test.stats;

import dev.llmthrottle.test.config.GoDuration;
import java.time.Instant;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/** The JSON form of {@link ProviderStats} served at {@code GET /stats}. */
public final class StatsJson {

	private static final JsonMapper MAPPER = JsonMapper.builder().build();

	private StatsJson() {
	}

	/**
	 * The statistics as a JSON object (instants in ISO-8601, periods as Go durations).
	 */
	public static String toJson(ProviderStats stats) {
		ObjectNode root = MAPPER.createObjectNode();
		root.put("received", stats.received());
		root.put("admitted", stats.admitted());
		root.put("completed", stats.completed());
		root.put("rejected", stats.rejected());
		counters(root.putObject("rejectedByReason"), stats.rejectedByReason());
		root.put("tooManyRequests", stats.tooManyRequests());
		ObjectNode statuses = root.putObject("responsesByStatus");
		stats.responsesByStatus().forEach((k, v) -> statuses.put(Integer.toString(k), v));
		counters(root.putObject("faults"), stats.faults());
		ArrayNode limits = root.putArray("limits");
		for (LimitStats l : stats.limits()) {
			ObjectNode node = limits.addObject();
			node.put("limit", l.limit().toString());
			node.put("dimension", l.limit().dimension().key());
			node.put("amount", l.limit().amount());
			node.put("period", GoDuration.format(l.limit().period()));
			node.put("maxInWindow", l.maxInWindow());
			node.put("maxInAnySecond", l.maxInAnySecond());
			node.put("total", l.total());
			node.put("exceeded", l.exceeded());
		}
		counters(root.putObject("admittedByDimension"), stats.admittedByDimension());
		root.put("maxRequestsInAnySecond", stats.maxRequestsInAnySecond());
		root.put("inFlight", stats.inFlight());
		root.put("maxInFlight", stats.maxInFlight());
		instant(root, "firstAdmission", stats.firstAdmission());
		instant(root, "lastCompletion", stats.lastCompletion());
		stats.activeSpan()
			.ifPresentOrElse(span -> root.put("activeSpanMillis", span.toMillis()),
					() -> root.putNull("activeSpanMillis"));
		return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
	}

	private static void counters(ObjectNode node, Map<String, Long> counters) {
		counters.forEach(node::put);
	}

	private static void instant(ObjectNode root, String name, Instant instant) {
		if (instant == null) {
			root.putNull(name);
		}
		else {
			root.put(name, instant.toString());
		}
	}

}
