package dev.llmthrottle.sample.batch;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import javax.xml.parsers.DocumentBuilderFactory;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

import dev.llmthrottle.core.Dimension;
import dev.llmthrottle.core.Limit;

import static org.assertj.core.api.Assertions.assertThat;

class TimelineChartTests {

	@Test
	void drawsBarsLimitsAndA429MarkerPerRefusal() throws Exception {
		TimelineChart chart = new TimelineChart(
				List.of(Limit.perMinute(Dimension.REQUESTS, 240), Limit.perMinute(Dimension.TOKENS, 40_000)), 3.5);
		chart.attempt(0.1, 200);
		chart.attempt(0.4, 429);
		chart.attempt(1.2, 200);
		chart.attempt(2.9, 503);
		chart.attempt(3.2, 429);
		chart.tokens(0.1, 40, 60);
		chart.tokens(1.2, 30, 90);

		String svg = chart.render("title & <more>", "subtitle");

		Document document = DocumentBuilderFactory.newInstance()
			.newDocumentBuilder()
			.parse(new ByteArrayInputStream(svg.getBytes(StandardCharsets.UTF_8)));
		assertThat(document.getDocumentElement().getNodeName()).isEqualTo("svg");
		assertThat(svg).contains("title &amp; &lt;more&gt;");
		assertThat(svg).contains("limit 240 requests per 1m = 4/s").contains("limit 40000 tokens per 1m = 667/s");
		// each 429 is marked in both panels
		assertThat(document.getElementsByTagName("path").getLength()).isEqualTo(4);
		assertThat(svg).contains("429 responses (2)");
	}

}
