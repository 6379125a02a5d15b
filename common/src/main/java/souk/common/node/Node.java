package souk.common.node;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.json.JsonObject;
import souk.common.cluster.ClusterView;
import souk.common.config.NodeConfig;

/**
 * What a node's verticle is given at construction: its configuration (typed and raw), its view of the cluster and
 * the registry its metrics go to.
 */
public record Node(NodeConfig config, JsonObject rawConfig, ClusterView cluster, PrometheusMeterRegistry metrics) {
}
