package souk.gateway.http;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** The headers every answer carries, and the API's no-store whatever way its path is written. */
@ExtendWith(VertxExtension.class)
class SecurityHeadersTest {

  @Test
  void api_answers_are_never_stored_even_when_the_path_has_dot_segments(Vertx vertx) throws Exception {
    Router router = Router.router(vertx);
    router.route().handler(new SecurityHeaders(false));
    router.post("/api/v1/auth/token").handler(ctx -> ctx.response().end("a token"));
    router.get("/docs").handler(ctx -> ctx.response().end("docs"));
    HttpServer server = vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1").await();
    WebClient client = WebClient.create(vertx);
    try {
      for (String path : new String[] {"/api/v1/auth/token", "/./api/v1/auth/token", "/docs/../api/v1/auth/token"}) {
        HttpResponse<Buffer> answer = client.request(HttpMethod.POST, server.actualPort(), "127.0.0.1", path).send()
          .await(10, TimeUnit.SECONDS);
        assertEquals("a token", answer.bodyAsString(), path);
        assertEquals("no-store", answer.getHeader("Cache-Control"), path);
        assertEquals("nosniff", answer.getHeader("X-Content-Type-Options"), path);
      }
      HttpResponse<Buffer> docs = client.get(server.actualPort(), "127.0.0.1", "/docs").send()
        .await(10, TimeUnit.SECONDS);
      assertNull(docs.getHeader("Cache-Control"), "pages outside the API may be cached");
    } finally {
      server.close().await();
    }
  }
}
