package souk.gateway.http;

import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import souk.common.config.ConfigFiles;


/**
 * The gateway's HTTP server: HTTPS (TLS 1.2 and 1.3, HTTP/1.1 and HTTP/2 by ALPN) when {@code SOUK_TLS_CERT} and
 * {@code SOUK_TLS_KEY} name PEM files, plain HTTP otherwise (the loopback development default).
 */
public final class Https {

  /** {@code Strict-Transport-Security} on HTTPS answers: browsers keep to HTTPS for a year. */
  public static final String HSTS = "max-age=31536000";

  private Https() {
  }

  /** Whether the gateway speaks HTTPS: a certificate or a key is configured (both must be, or it does not start). */
  public static boolean enabled(String cert, String key) {
    return !cert.isBlank() || !key.isBlank();
  }

  /**
   * @param cert PEM certificate chain, or empty for plain HTTP
   * @param key  PEM private key, or empty for plain HTTP
   */
  public static HttpServerOptions serverOptions(String cert, String key, int idleTimeoutSeconds) {
    HttpServerOptions options = new HttpServerOptions().setIdleTimeout(idleTimeoutSeconds);
    if (!enabled(cert, key)) {
      return options;
    }
    ConfigFiles.requireReadable("SOUK_TLS_CERT", cert);
    ConfigFiles.requireReadable("SOUK_TLS_KEY", key);
    return options.setSsl(true).setUseAlpn(true)
      .setKeyCertOptions(new PemKeyCertOptions().setCertPath(cert).setKeyPath(key));
  }
}
