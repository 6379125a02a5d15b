package souk.it;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An OTLP/HTTP trace receiver for tests: takes {@code POST /v1/traces} (protobuf) from the nodes' exporters and keeps
 * the spans, reading only the fields the tests look at (service name, trace, span and parent ids, name, kind).
 */
final class OtlpReceiver implements AutoCloseable {

  /** One span as exported. Ids in lower-case hex; {@code parentId} empty for a root span. */
  record ExportedSpan(String service, String traceId, String spanId, String parentId, String name, int kind) {
    static final int SERVER = 2;
    static final int CLIENT = 3;
    static final int PRODUCER = 4;
    static final int CONSUMER = 5;
  }

  private final Vertx vertx = Vertx.vertx();
  private final List<ExportedSpan> spans = new CopyOnWriteArrayList<>();
  private final HttpServer server;

  private OtlpReceiver() throws Exception {
    // the exporters' JDK client asks to upgrade to HTTP/2 with the request's body, which Vert.x does not take
    server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false)).requestHandler(request -> {
      if (!"/v1/traces".equals(request.path())) {
        request.response().setStatusCode(404).end();
        return;
      }
      request.body().onSuccess(body -> {
        spans.addAll(parse(body));
        request.response().putHeader("content-type", "application/x-protobuf").end(Buffer.buffer());
      }).onFailure(e -> request.response().setStatusCode(400).end());
    }).listen(0, "127.0.0.1").await(10, TimeUnit.SECONDS);
  }

  static OtlpReceiver start() {
    try {
      return new OtlpReceiver();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the OTLP receiver", e);
    }
  }

  /** What {@code OTEL_EXPORTER_OTLP_ENDPOINT} should be. */
  String endpoint() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  List<ExportedSpan> trace(String traceId) {
    return spans.stream().filter(s -> s.traceId().equals(traceId)).toList();
  }

  @Override
  public void close() throws Exception {
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  // ExportTraceServiceRequest: resource_spans = 1 { resource = 1 { attributes = 1 }, scope_spans = 2 { spans = 2 } }
  static List<ExportedSpan> parse(Buffer body) {
    List<ExportedSpan> result = new ArrayList<>();
    Proto request = new Proto(body.getBytes());
    while (request.next()) {
      if (request.field == 1) {
        Proto resourceSpans = request.message();
        String service = "";
        List<Proto> scopes = new ArrayList<>();
        while (resourceSpans.next()) {
          if (resourceSpans.field == 1) {
            service = serviceName(resourceSpans.message());
          } else if (resourceSpans.field == 2) {
            scopes.add(resourceSpans.message());
          } else {
            resourceSpans.skip();
          }
        }
        for (Proto scope : scopes) {
          while (scope.next()) {
            if (scope.field == 2) {
              result.add(span(service, scope.message()));
            } else {
              scope.skip();
            }
          }
        }
      } else {
        request.skip();
      }
    }
    return result;
  }

  private static String serviceName(Proto resource) {
    while (resource.next()) {
      if (resource.field != 1) {
        resource.skip();
        continue;
      }
      Proto keyValue = resource.message();
      String key = null;
      String value = null;
      while (keyValue.next()) {
        if (keyValue.field == 1) {
          key = keyValue.string();
        } else if (keyValue.field == 2) {
          Proto any = keyValue.message();
          while (any.next()) {
            if (any.field == 1) {
              value = any.string();
            } else {
              any.skip();
            }
          }
        } else {
          keyValue.skip();
        }
      }
      if ("service.name".equals(key)) {
        return value;
      }
    }
    return "";
  }

  private static ExportedSpan span(String service, Proto span) {
    String traceId = "";
    String spanId = "";
    String parentId = "";
    String name = "";
    int kind = 0;
    while (span.next()) {
      switch (span.field) {
        case 1 -> traceId = HexFormat.of().formatHex(span.bytes());
        case 2 -> spanId = HexFormat.of().formatHex(span.bytes());
        case 4 -> parentId = HexFormat.of().formatHex(span.bytes());
        case 5 -> name = span.string();
        case 6 -> kind = (int) span.varint();
        default -> span.skip();
      }
    }
    return new ExportedSpan(service, traceId, spanId, parentId, name, kind);
  }

  /** A protobuf reader: {@link #next()} reads a field's tag, then one of the value methods or {@link #skip()}. */
  private static final class Proto {
    private final byte[] data;
    private int position;
    private final int end;
    int field;
    private int wireType;

    Proto(byte[] data) {
      this(data, 0, data.length);
    }

    private Proto(byte[] data, int from, int to) {
      this.data = data;
      this.position = from;
      this.end = to;
    }

    boolean next() {
      if (position >= end) {
        return false;
      }
      long tag = varint();
      field = (int) (tag >>> 3);
      wireType = (int) (tag & 7);
      return true;
    }

    long varint() {
      long value = 0;
      for (int shift = 0; ; shift += 7) {
        byte b = data[position++];
        value |= (long) (b & 0x7f) << shift;
        if ((b & 0x80) == 0) {
          return value;
        }
      }
    }

    byte[] bytes() {
      int length = (int) varint();
      byte[] value = java.util.Arrays.copyOfRange(data, position, position + length);
      position += length;
      return value;
    }

    String string() {
      return new String(bytes(), java.nio.charset.StandardCharsets.UTF_8);
    }

    Proto message() {
      int length = (int) varint();
      Proto inner = new Proto(data, position, position + length);
      position += length;
      return inner;
    }

    void skip() {
      switch (wireType) {
        case 0 -> varint();
        case 1 -> position += 8;
        case 2 -> {
          // the length first: position += varint() would add it to the position before the varint was read
          int length = (int) varint();
          position += length;
        }
        case 5 -> position += 4;
        default -> throw new IllegalStateException("unexpected protobuf wire type " + wireType);
      }
    }
  }
}
