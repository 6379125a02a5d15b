package souk.gateway.http;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * {@code GET /openapi.yaml} (the contract of the HTTP API) and {@code GET /docs} (Swagger UI reading it). The spec is
 * read once at start; Swagger UI's files come from its webjar, whose version the parent pom pins.
 */
public final class ApiDocs {

  public static final String SPEC_PATH = "/openapi.yaml";
  public static final String DOCS_PATH = "/docs";
  static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/5.34.1";

  private final Buffer spec;

  private ApiDocs(Buffer spec) {
    this.spec = spec;
  }

  /** Reads the spec, once for every router the docs are mounted on. */
  public static Future<ApiDocs> load(Vertx vertx) {
    return vertx.fileSystem().readFile("openapi.yaml").map(ApiDocs::new);
  }

  public void mount(Router router) {
    router.get(SPEC_PATH).handler(ctx -> ctx.response()
      .putHeader(HttpHeaders.CONTENT_TYPE, "application/yaml; charset=utf-8")
      .end(spec));
    // "/docs" also matches "/docs/"
    router.get(DOCS_PATH).handler(ctx -> ctx.reroute(DOCS_PATH + "/index.html"));
    router.get(DOCS_PATH + "/assets/*").handler(StaticHandler.create(SWAGGER_UI));
    router.get(DOCS_PATH + "/*").handler(StaticHandler.create("webroot/docs"));
  }
}
