package dev.llmthrottle.bench.report;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A Markdown table of result lines: one row per line, one column per key in order of
 * first appearance.
 */
public final class MarkdownTable {

	private MarkdownTable() {
	}

	/** The table of {@code lines}; a key a line lacks is an empty cell. */
	public static String of(List<KeyValueLine> lines) {
		Set<String> keys = new LinkedHashSet<>();
		lines.forEach((line) -> keys.addAll(line.values().keySet()));
		return of(lines, new ArrayList<>(keys));
	}

	/**
	 * One row per distinct combination of {@code rowKeys}, in order of first appearance,
	 * and one column per value key and distinct {@code columnKey} value: e.g. one row per
	 * benchmark and thread count, {@code ns_op} for each run side by side.
	 */
	public static String pivot(List<KeyValueLine> lines, List<String> rowKeys, String columnKey,
			List<String> valueKeys) {
		Map<List<String>, Map<String, KeyValueLine>> rows = new LinkedHashMap<>();
		Set<String> columns = new LinkedHashSet<>();
		for (KeyValueLine line : lines) {
			List<String> row = new ArrayList<>();
			rowKeys.forEach((key) -> row.add(line.get(key)));
			rows.computeIfAbsent(row, (key) -> new LinkedHashMap<>()).put(line.get(columnKey), line);
			columns.add(line.get(columnKey));
		}
		List<String> header = new ArrayList<>(rowKeys);
		for (String value : valueKeys) {
			columns.forEach((column) -> header.add(value + " (" + columnKey + " " + column + ")"));
		}
		StringBuilder table = new StringBuilder();
		table.append("| ").append(String.join(" | ", header)).append(" |\n");
		table.append("|").append("---|".repeat(header.size())).append('\n');
		rows.forEach((row, byColumn) -> {
			table.append("| ").append(String.join(" | ", row)).append(" |");
			for (String value : valueKeys) {
				for (String column : columns) {
					KeyValueLine line = byColumn.get(column);
					table.append(' ').append((line != null) ? line.get(value) : "").append(" |");
				}
			}
			table.append('\n');
		});
		return table.toString();
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
