package souk.common.node;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.spi.metrics.HttpServerMetrics;
import io.vertx.core.spi.observability.HttpRequest;
import io.vertx.core.spi.observability.HttpResponse;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.stream.Collectors;

/**
 * The HTTP server meters of vertx-micrometer-metrics (same names, labels and meaning) at a fraction of their cost per
 * request. Vert.x's own implementation asks the registry for five meters on every request, building and sorting a tag
 * list each time; here a finished request finds its meters in one map lookup by method, route and status, and the
 * other meters are resolved once per method or once per node. One instance serves every HTTP server of a node.
 *
 * <p>Two label values differ from Vert.x's: {@code route} is the last route named for a request (vertx-web names each
 * path route it passes, and the gateway names the API template last; Vert.x joined them all with {@code >}),
 * and a method outside HTTP's standard ones counts as {@code OTHER}, so that a client cannot add series by inventing
 * methods.
 */
final class HttpServerMeters implements HttpServerMetrics<HttpServerMeters.Request, Object, Object> {

  private static final String PREFIX = "vertx.http.server.";
  private static final Object CONNECTION = new Object();
  private static final String OTHER = "OTHER";
  private static final Set<String> STANDARD =
    HttpMethod.values().stream().map(HttpMethod::name).collect(Collectors.toUnmodifiableSet());

  private final MeterRegistry registry;
  private final LongAdder connections = new LongAdder();
  private final LongAdder webSockets = new LongAdder();
  private final Counter bytesRead;
  private final Counter bytesWritten;
  private final Counter errors;
  private final Map<String, ByMethod> methods = new ConcurrentHashMap<>();
  private final Map<Outcome, Finished> finished = new ConcurrentHashMap<>();

  HttpServerMeters(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder(PREFIX + "active.connections", connections, LongAdder::doubleValue)
      .description("Number of opened connections to the server").strongReference(true).register(registry);
    Gauge.builder(PREFIX + "active.ws.connections", webSockets, LongAdder::doubleValue)
      .description("Number of websockets currently opened").strongReference(true).register(registry);
    bytesRead = Counter.builder(PREFIX + "bytes.read").description("Number of bytes received by the server")
      .register(registry);
    bytesWritten = Counter.builder(PREFIX + "bytes.written").description("Number of bytes sent by the server")
      .register(registry);
    errors = Counter.builder(PREFIX + "errors").description("Number of errors").register(registry);
  }

  @Override
  public Object connected(SocketAddress remoteAddress, String remoteName) {
    connections.increment();
    return CONNECTION;
  }

  @Override
  public void disconnected(Object connection, SocketAddress remoteAddress) {
    connections.decrement();
  }

  @Override
  public void bytesRead(Object connection, SocketAddress remoteAddress, long numberOfBytes) {
    bytesRead.increment(numberOfBytes);
  }

  @Override
  public void bytesWritten(Object connection, SocketAddress remoteAddress, long numberOfBytes) {
    bytesWritten.increment(numberOfBytes);
  }

  @Override
  public void exceptionOccurred(Object connection, SocketAddress remoteAddress, Throwable t) {
    errors.increment();
  }

  @Override
  public Request requestBegin(Object connection, HttpRequest request) {
    return begin(request.method());
  }

  @Override
  public Request responsePushed(Object connection, HttpMethod method, String uri, HttpResponse response) {
    return begin(method);
  }

  @Override
  public void requestRouted(Request request, String route) {
    if (route != null) {
      request.route = route;
    }
  }

  @Override
  public void requestEnd(Request request, HttpRequest ignored, long bytesRead) {
    request.method.requestBytes.record(bytesRead);
    request.requestEnded = true;
    if (request.responseEnded && !request.reset) {
      request.method.active.decrement();
    }
  }

  @Override
  public void requestReset(Request request) {
    // Vert.x may report one reset twice (the exception, then the failed request's end)
    if (request.reset) {
      return;
    }
    request.method.resets.increment();
    request.method.active.decrement();
    request.reset = true;
  }

  @Override
  public void responseEnd(Request request, HttpResponse response, long bytesWritten) {
    Outcome outcome = new Outcome(request.method.name, request.route, response.statusCode());
    Finished meters = finished.get(outcome);
    if (meters == null) {
      meters = finished.computeIfAbsent(outcome, this::finishedMeters);
    }
    meters.count.increment();
    meters.time.record(System.nanoTime() - request.began, TimeUnit.NANOSECONDS);
    meters.responseBytes.record(bytesWritten);
    request.responseEnded = true;
    if (request.requestEnded && !request.reset) {
      request.method.active.decrement();
    }
  }

  @Override
  public Object connected(Object connection, Request request, ServerWebSocket webSocket) {
    webSockets.increment();
    return CONNECTION;
  }

  @Override
  public void disconnected(Object webSocket) {
    webSockets.decrement();
  }

  // shared by every server of the node: a closing server leaves the others' meters alone
  @Override
  public void close() {
  }

  private Request begin(HttpMethod method) {
    String name = STANDARD.contains(method.name()) ? method.name() : OTHER;
    ByMethod meters = methods.get(name);
    if (meters == null) {
      meters = methods.computeIfAbsent(name, this::methodMeters);
    }
    meters.active.increment();
    return new Request(meters);
  }

  private ByMethod methodMeters(String method) {
    LongAdder active = new LongAdder();
    Gauge.builder(PREFIX + "active.requests", active, LongAdder::doubleValue)
      .description("Number of requests being processed").tag("method", method).strongReference(true)
      .register(registry);
    return new ByMethod(method, active,
      DistributionSummary.builder(PREFIX + "request.bytes").description("Size of requests in bytes")
        .tag("method", method).register(registry),
      Counter.builder(PREFIX + "request.resets").description("Number of request resets")
        .tag("method", method).register(registry));
  }

  private Finished finishedMeters(Outcome outcome) {
    String[] tags = {"method", outcome.method, "route", outcome.route, "code", Integer.toString(outcome.code)};
    return new Finished(
      Counter.builder(PREFIX + "requests").description("Number of processed requests").tags(tags).register(registry),
      Timer.builder(PREFIX + "response.time").description("Request processing time").tags(tags).register(registry),
      DistributionSummary.builder(PREFIX + "response.bytes").description("Size of responses in bytes").tags(tags)
        .register(registry));
  }

  /** One request's state, touched on the request's context (an event loop for Souk's servers). */
  static final class Request {
    private final ByMethod method;
    private final long began = System.nanoTime();
    private String route = "";
    private boolean requestEnded;
    private boolean responseEnded;
    private boolean reset;

    private Request(ByMethod method) {
      this.method = method;
    }
  }

  private record ByMethod(String name, LongAdder active, DistributionSummary requestBytes, Counter resets) {
  }

  private record Outcome(String method, String route, int code) {
  }

  private record Finished(Counter count, Timer time, DistributionSummary responseBytes) {
  }
}
