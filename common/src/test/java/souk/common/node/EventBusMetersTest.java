package souk.common.node;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The event-bus meters, through a real Vert.x event bus, read from the Prometheus text. */
class EventBusMetersTest {

  private PrometheusMeterRegistry registry;
  private Vertx vertx;

  @BeforeEach
  void start() {
    registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(NodeLauncher.metricsOptions()))
      .withMetrics(new NodeMetrics(registry)).build();
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private void assertExported(String line) {
    String text = registry.scrape();
    assertTrue(text.lines().anyMatch(line::equals), line + " in\n" + text);
  }

  @Test
  void messages_are_counted_by_side_and_pending_ones_return_to_zero() throws Exception {
    EventBus bus = vertx.eventBus();
    MessageConsumer<String> echo = bus.<String>consumer("test.echo", message -> {
      if ("fail".equals(message.body())) {
        message.fail(400, "refused");
      } else {
        message.reply(message.body());
      }
    });
    echo.completion().await(10, TimeUnit.SECONDS);
    assertExported("vertx_eventbus_handlers 1.0");

    bus.request("test.echo", "one").await(10, TimeUnit.SECONDS);
    bus.request("test.echo", "two").await(10, TimeUnit.SECONDS);
    assertThrows(Exception.class, () -> bus.request("test.echo", "fail").await(10, TimeUnit.SECONDS));
    bus.publish("test.echo", "three");
    // a message for no one is sent and received, never delivered
    bus.send("test.nobody", "four");
    // the reply to the last request went through; wait until the published message has been handled
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!registry.scrape().contains("vertx_eventbus_processed_total{side=\"local\"} 4.0")
      && System.nanoTime() < until) {
      Thread.sleep(20);
    }

    assertExported("vertx_eventbus_sent_total{side=\"local\"} 4.0");
    assertExported("vertx_eventbus_published_total{side=\"local\"} 1.0");
    assertExported("vertx_eventbus_received_total{side=\"local\"} 5.0");
    assertExported("vertx_eventbus_delivered_total{side=\"local\"} 4.0");
    assertExported("vertx_eventbus_processed_total{side=\"local\"} 4.0");
    assertExported("vertx_eventbus_pending{side=\"local\"} 0.0");
    assertExported("vertx_eventbus_reply_failures_total 1.0");
    assertExported("vertx_eventbus_sent_total{side=\"remote\"} 0.0");

    echo.unregister().await(10, TimeUnit.SECONDS);
    assertExported("vertx_eventbus_handlers 0.0");
  }
}
