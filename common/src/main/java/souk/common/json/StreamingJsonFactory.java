package souk.common.json;

import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;

/**
 * Vert.x's JSON codec for every node: Jackson's streaming parser and generator. With jackson-databind on the class path
 * Vert.x would otherwise pick its databind codec, which goes through an {@code ObjectMapper} and its serializer lookups
 * on every encode and decode (a request body, an event-bus message, a problem answer) for POJO mapping that Souk never
 * uses. Registered as a service with the lowest order, so {@code Json.CODEC} is this one.
 */
public final class StreamingJsonFactory implements JsonFactory {

  private static final JsonCodec CODEC = new JacksonCodec();

  @Override
  public int order() {
    return 0;
  }

  @Override
  public JsonCodec codec() {
    return CODEC;
  }
}
