package souk.order;

import io.vertx.core.json.JsonObject;
import souk.common.config.PgConfig;
import souk.common.config.SagaConfig;

/**
 * Order node settings, from {@code order-node.json} and {@code SOUK_*} variables.
 *
 * @param pg   the {@code souk_order} database
 * @param saga outbox delivery and clean-up
 */
public record OrderConfig(PgConfig pg, SagaConfig saga) {

  public static OrderConfig from(JsonObject json) {
    return new OrderConfig(PgConfig.from(json), SagaConfig.from(json));
  }
}
