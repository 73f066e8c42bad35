package dev.llmthrottle.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** A Markdown table of result lines: one row per line, one column per key in order of first appearance. */
public final class MarkdownTable {

	private MarkdownTable() {
	}

	/** The table of {@code lines}; a key a line lacks is an empty cell. */
	public static String of(List<KeyValueLine> lines) {
		Set<String> keys = new LinkedHashSet<>();
		lines.forEach((line) -> keys.addAll(line.values().keySet()));
		return of(lines, new ArrayList<>(keys));
	}

	/** The table of {@code lines} with these columns. */
	public static String of(List<KeyValueLine> lines, List<String> columns) {
		StringBuilder table = new StringBuilder();
		table.append("| ").append(String.join(" | ", columns)).append(" |\n");
		table.append("|").append("---|".repeat(columns.size())).append('\n');
		for (KeyValueLine line : lines) {
			table.append('|');
			for (String column : columns) {
				table.append(' ').append(line.get(column)).append(" |");
			}
			table.append('\n');
		}
		return table.toString();
	}

}
