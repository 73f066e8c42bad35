package dev.llmthrottle.test;

import java.util.ArrayList;
import java.util.List;

/** Splits a server-sent-events body into events. */
public final class Sse {

	/** One event: its name ({@code null} if none) and data. */
	public record Event(String name, String data) {
	}

	private Sse() {
	}

	public static List<Event> parse(String body) {
		List<Event> events = new ArrayList<>();
		for (String block : body.split("\n\n")) {
			if (block.isBlank()) {
				continue;
			}
			String name = null;
			StringBuilder data = new StringBuilder();
			for (String line : block.split("\n")) {
				if (line.startsWith("event: ")) {
					name = line.substring(7);
				}
				else if (line.startsWith("data: ")) {
					data.append(line.substring(6));
				}
			}
			events.add(new Event(name, data.toString()));
		}
		return events;
	}

}
