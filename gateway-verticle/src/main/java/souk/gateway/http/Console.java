package souk.gateway.http;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * The web console at {@code /}: static HTML, CSS and JavaScript from {@code webroot/console}, and the SockJS client
 * from its webjar (version pinned in the parent pom), all served by the gateway, nothing from elsewhere. Its pages
 * carry a Content-Security-Policy that allows only the gateway's own scripts, styles and connections.
 */
public final class Console {

  public static final String PATH = "/console";
  static final String SOCKJS = "META-INF/resources/webjars/sockjs-client/1.6.1/dist";
  static final String POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    + "img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private Console() {
  }

  public static void mount(Router router) {
    router.get("/").handler(ctx -> ctx.reroute(PATH + "/index.html"));
    router.get(PATH + "/*").handler(Console::policy);
    router.get(PATH + "/lib/sockjs/*").handler(StaticHandler.create(SOCKJS));
    router.get(PATH + "/*").handler(StaticHandler.create("webroot/console").setIndexPage("index.html"));
  }

  private static void policy(RoutingContext ctx) {
    ctx.response().headers().set("Content-Security-Policy", POLICY);
    ctx.next();
  }
}
